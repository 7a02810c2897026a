// ThreadPool: worker threads shared by every handle on them, started by the first run() that
// needs them (never by a constructor), handed one job at a time. Handoff is spin-then-sleep: a worker that just finished spins
// briefly on the job generation (so the back-to-back products of a training step cost no futex
// wake-up), then sleeps on a condition variable (so an idle pool burns no CPU). Inside a session
// (a train_epochs call) workers spin until the session ends instead, yielding now and then so
// an oversubscribed machine still makes progress. The caller runs worker 0 itself.
// Handles sharing the workers (ThreadPool(shared, threads)) publish their thread count with
// each job: workers with a higher index skip that job, and the workers are started up to the
// largest count asked so far.
#include "thread_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace fastmlp {

namespace {

// How long to spin before sleeping outside a session: 1000 pauses = 25-40 us. Longer spins
// steal the core from other pools / processes.
constexpr int kSpinIterations = 1000;
// Inside a session: yield the core once per this many pauses (a few us), so a descheduled
// caller (or another process) gets to run on a machine with more threads than cores.
constexpr int kSessionYieldEvery = 128;
// Even inside a session a worker goes to sleep after this many pauses without a job (~1.5-2
// ms, several training steps): a session whose caller stalls does not burn a core for ever.
constexpr int kSessionSpinIterations = 50000;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

struct ThreadPool::Impl {
  std::size_t capacity = 1;  // most threads a region may use (the caller included)
  std::vector<std::thread> workers;
  std::atomic<std::size_t> started{0};

  std::mutex mu;                      // guards the sleeping side of both handoffs
  std::condition_variable start_cv;   // workers wait here for a new generation (or a session)
  std::condition_variable done_cv;    // the caller waits here for pending == 0
  std::mutex run_mu;                  // one run() at a time (callers from several threads)

  const std::function<void(std::size_t)>* job = nullptr;
  std::size_t active = 1;  // threads of the published job: workers >= active skip it
  // run_chunks: the job, and the chunks still unclaimed as (generation tag << 32 | remaining),
  // so a worker late from an earlier generation can never claim a chunk of a later one.
  const std::function<void(std::size_t, std::size_t)>* chunk_job = nullptr;
  std::atomic<std::uint64_t> unclaimed{0};
  std::atomic<std::size_t> chunks_done{0};
  std::atomic<std::uint64_t> generation{0};
  std::atomic<std::size_t> pending{0};
  std::atomic<int> sessions{0};
  std::atomic<std::uint64_t> session_starts{0};  // bumped when sessions goes 0 -> 1
  bool stop = false;  // guarded by mu

  // Keep spinning? Always for the first kSpinIterations pauses, for ever inside a session.
  bool keep_spinning(int& spin) {
    ++spin;
    if (spin < kSpinIterations) return true;
    if (sessions.load(std::memory_order_relaxed) <= 0 || spin >= kSessionSpinIterations) return false;
    if (spin % kSessionYieldEvery == 0) std::this_thread::yield();
    return true;
  }

  // Claims and runs chunks of generation `gen` until none is left; returns how many it ran.
  std::size_t run_claimed(std::size_t worker, std::uint64_t gen,
                          const std::function<void(std::size_t, std::size_t)>& fn);
  void start_workers(std::size_t threads);  // under run_mu: ensures threads - 1 workers
  void run(std::size_t threads, const std::function<void(std::size_t)>& fn);
  void run_chunks(std::size_t threads, std::size_t chunks, const std::function<void(std::size_t, std::size_t)>& fn);
  ~Impl() { shutdown(); }
  void worker_loop(std::size_t worker, std::uint64_t seen);
  void wait_done();
  void shutdown();  // wakes and joins every started worker
};

void ThreadPool::Impl::worker_loop(std::size_t worker, std::uint64_t seen) {
  for (;;) {
    std::uint64_t gen = generation.load(std::memory_order_acquire);
    int spin = 0;
    while (gen == seen) {
      if (keep_spinning(spin)) {
        cpu_relax();
      } else {
        std::unique_lock<std::mutex> lock(mu);
        const std::uint64_t slept_at = session_starts.load(std::memory_order_relaxed);
        start_cv.wait(lock, [&] {
          return stop || generation.load(std::memory_order_acquire) != seen ||
                 session_starts.load(std::memory_order_relaxed) != slept_at;
        });
        if (stop) return;
        spin = 0;
      }
      gen = generation.load(std::memory_order_acquire);
    }
    // Snapshot the generation and its job under the lock the caller publishes them with: a
    // worker late for a run_chunks generation (whose caller may already have moved on) must
    // not pair one generation's number with another's job.
    const std::function<void(std::size_t)>* fn;
    const std::function<void(std::size_t, std::size_t)>* chunked;
    std::size_t threads;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stop) return;
      gen = generation.load(std::memory_order_acquire);
      fn = job;
      chunked = chunk_job;
      threads = active;
    }
    seen = gen;
    if (worker >= threads) continue;  // a handle with fewer threads: not this worker's job
    if (chunked != nullptr) {
      run_claimed(worker, gen, *chunked);  // claims nothing if that generation is already done
      continue;
    }
    if (fn == nullptr) return;
    (*fn)(worker);
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Last one out: take the lock so the caller cannot miss the notify between its check
      // and its wait.
      std::lock_guard<std::mutex> lock(mu);
      done_cv.notify_one();
    }
  }
}

std::size_t ThreadPool::Impl::run_claimed(std::size_t worker, std::uint64_t gen,
                                          const std::function<void(std::size_t, std::size_t)>& fn) {
  const std::uint64_t tag = gen & 0xffffffffu;
  std::size_t ran = 0;
  std::uint64_t v = unclaimed.load(std::memory_order_acquire);
  for (;;) {
    if ((v >> 32) != tag || (v & 0xffffffffu) == 0) return ran;
    if (!unclaimed.compare_exchange_weak(v, v - 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    fn(worker, static_cast<std::size_t>((v & 0xffffffffu) - 1));
    chunks_done.fetch_add(1, std::memory_order_acq_rel);
    ++ran;
    v = unclaimed.load(std::memory_order_acquire);
  }
}

void ThreadPool::Impl::wait_done() {
  int spin = 0;
  while (pending.load(std::memory_order_acquire) != 0) {
    if (keep_spinning(spin)) {
      cpu_relax();
      continue;
    }
    std::unique_lock<std::mutex> lock(mu);
    done_cv.wait(lock, [&] { return pending.load(std::memory_order_acquire) == 0; });
    return;
  }
}

void ThreadPool::Impl::start_workers(std::size_t threads) {
  if (workers.size() + 1 >= threads) return;
  // Workers start out having "seen" the current generation: the job published next is theirs.
  const std::uint64_t seen = generation.load(std::memory_order_acquire);
  try {
    workers.reserve(threads - 1);
    for (std::size_t w = workers.size() + 1; w < threads; ++w) {
      workers.emplace_back([this, w, seen] { worker_loop(w, seen); });
      started.store(workers.size(), std::memory_order_release);
    }
  } catch (...) {
    shutdown();  // join what was started; a later run() tries again
    std::lock_guard<std::mutex> lock(mu);
    stop = false;
    throw;
  }
}

void ThreadPool::Impl::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    job = nullptr;
    chunk_job = nullptr;
    generation.fetch_add(1, std::memory_order_release);
  }
  start_cv.notify_all();
  for (std::thread& t : workers) t.join();
  workers.clear();
  started.store(0, std::memory_order_release);
}

ThreadPool::ThreadPool(std::size_t threads) : threads_(threads) {
  if (threads < 1) throw std::invalid_argument("ThreadPool: threads must be >= 1");
  impl_ = std::make_shared<Impl>();
  impl_->capacity = threads;
}

ThreadPool::ThreadPool(const ThreadPool& shared, std::size_t threads) : impl_(shared.impl_), threads_(threads) {
  if (threads < 1 || threads > impl_->capacity) {
    throw std::invalid_argument("ThreadPool: threads must be in 1.." + std::to_string(impl_->capacity));
  }
}

// The last handle's Impl destructor wakes and joins the workers.
ThreadPool::~ThreadPool() = default;

std::size_t ThreadPool::size() const { return threads_; }

std::size_t ThreadPool::capacity() const { return impl_->capacity; }

std::size_t ThreadPool::started() const { return impl_->started.load(std::memory_order_acquire); }

void ThreadPool::begin_session() {
  if (impl_->sessions.fetch_add(1, std::memory_order_relaxed) == 0 && started() > 0) {
    // Sleeping workers start spinning now, in parallel with the caller's own work.
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      impl_->session_starts.fetch_add(1, std::memory_order_relaxed);
    }
    impl_->start_cv.notify_all();
  }
}

void ThreadPool::end_session() { impl_->sessions.fetch_sub(1, std::memory_order_relaxed); }

void ThreadPool::run(const std::function<void(std::size_t)>& fn) { impl_->run(threads_, fn); }

void ThreadPool::run_chunks(std::size_t chunks, const std::function<void(std::size_t, std::size_t)>& fn) {
  impl_->run_chunks(threads_, chunks, fn);
}

void ThreadPool::Impl::run(std::size_t threads, const std::function<void(std::size_t)>& fn) {
  if (threads == 1) {
    fn(0);
    return;
  }
  // One region at a time across every handle: the next caller waits for this region's end.
  std::lock_guard<std::mutex> serial(run_mu);
  start_workers(threads);
  pending.store(threads - 1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu);
    chunk_job = nullptr;
    job = &fn;
    active = threads;
    generation.fetch_add(1, std::memory_order_release);
  }
  start_cv.notify_all();
  // fn must not throw (documented); if it does anyway, the workers still hold &fn, so wait for
  // them before letting the exception out.
  try {
    fn(0);
  } catch (...) {
    wait_done();
    throw;
  }
  wait_done();
}

void ThreadPool::Impl::run_chunks(std::size_t threads, std::size_t chunks,
                                  const std::function<void(std::size_t, std::size_t)>& fn) {
  if (chunks == 0) return;
  if (threads == 1 || chunks == 1) {
    for (std::size_t c = 0; c < chunks; ++c) fn(0, c);
    return;
  }
  if (chunks > 0xffffffffu) throw std::length_error("ThreadPool::run_chunks: too many chunks");
  std::lock_guard<std::mutex> serial(run_mu);
  start_workers(threads);
  Impl& p = *this;
  std::uint64_t gen;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    gen = p.generation.load(std::memory_order_relaxed) + 1;
    p.chunks_done.store(0, std::memory_order_relaxed);
    p.unclaimed.store(((gen & 0xffffffffu) << 32) | chunks, std::memory_order_relaxed);
    p.job = nullptr;
    p.chunk_job = &fn;
    p.active = threads;
    p.generation.store(gen, std::memory_order_release);
  }
  p.start_cv.notify_all();  // cheap when nobody sleeps (inside a session)
  p.run_claimed(0, gen, fn);
  // Wait only for chunks that other threads claimed; none is left unclaimed now.
  int spin = 0;
  while (p.chunks_done.load(std::memory_order_acquire) != chunks) {
    cpu_relax();
    if (++spin % kSessionYieldEvery == 0) std::this_thread::yield();
  }
}

}  // namespace fastmlp
