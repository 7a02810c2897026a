// A small fixed pool of worker threads that runs one parallel-for at a time. Created once per
// trainer (never per call); the calling thread takes part as worker 0, so threads == 1 means no
// extra thread at all. The size() - 1 worker threads are started lazily, by the first run():
// a trainer whose products all stay below the split threshold never calls run() and so never
// starts a thread.
#pragma once

#include <cstddef>
#include <functional>

namespace fastmlp {

class ThreadPool {
 public:
  // threads >= 1 (total, including the caller). Starts no thread.
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const;
  // Worker threads started so far: 0 until the first run() of a pool with size() > 1, then
  // size() - 1.
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

  // Between begin_session() and end_session() (nestable; the Session guard pairs them) started
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
  Impl* impl_;
};

}  // namespace fastmlp
