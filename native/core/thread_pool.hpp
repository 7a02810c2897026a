// A small pool of worker threads that runs one parallel-for at a time. The calling thread takes
// part as worker 0, so threads == 1 means no extra thread at all. Worker threads are started
// lazily, by the first run() that needs them: a caller whose products all stay below the split
// threshold never calls run() and so never starts a thread.
//
// Sharing: ThreadPool(shared, threads) is a handle on another pool's workers that uses at most
// `threads` of them per parallel region. The addon keeps one pool per isolate and gives every
// model, trainer and the gemm binding such a handle, so a process has one set of workers per
// isolate however many networks it holds. Regions from several calling threads (two async fits,
// a predict while a fit runs) take turns, one region at a time: a region's result never depends
// on which worker ran which chunk, so turns keep every result bit-identical to running alone.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace fastmlp {

class ThreadPool {
 public:
  // threads >= 1 (total, including the caller). Starts no thread.
  explicit ThreadPool(std::size_t threads);
  // A handle on shared's workers using at most `threads` (1..shared.capacity()) per region.
  // The workers live as long as any handle on them. Starts no thread.
  ThreadPool(const ThreadPool& shared, std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Threads this handle's regions use (the caller included).
  std::size_t size() const;
  // Most threads any handle on these workers may use.
  std::size_t capacity() const;
  // Worker threads started so far (by any handle on the same workers): 0 until the first
  // run() with size() > 1, then at least size() - 1.
  std::size_t started() const;
  // Calls fn(worker) for worker in [0, size()) concurrently and returns when all are done.
  // fn must not throw. The first call starts the workers (std::system_error if the OS refuses
  // a thread: nothing of fn has run then).
  void run(const std::function<void(std::size_t worker)>& fn);

  // Calls fn(worker, chunk) once for every chunk in [0, chunks), handing chunks out one at a
  // time to whichever threads are running (the caller included, each under its own worker
  // index; chunks are claimed in no particular order), and returns when all chunks are done.
  // A worker that is descheduled or still asleep just takes no chunk: the caller never waits
  // for a thread that has not started, so a loaded machine degrades to one thread's speed
  // rather than below it. fn must not throw. Starts the workers like run().
  void run_chunks(std::size_t chunks, const std::function<void(std::size_t worker, std::size_t chunk)>& fn);

  // Between begin_session() and end_session() (nestable, and counted across handles; the
  // Session guard pairs them) started
  // workers keep spinning for the next run() instead of going to sleep, so the back-to-back
  // runs of a training loop never pay a futex wake-up. Outside a session a worker spins
  // briefly, then sleeps. A session starts no thread.
  void begin_session();
  void end_session();

  class Session {
   public:
    explicit Session(ThreadPool& pool) : pool_(pool) { pool_.begin_session(); }
    ~Session() { pool_.end_session(); }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

   private:
    ThreadPool& pool_;
  };

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::size_t threads_;
};

}  // namespace fastmlp
