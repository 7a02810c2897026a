// ThreadPool: size() - 1 worker threads created once, handed one job at a time. Handoff is
// spin-then-sleep: a worker that just finished spins briefly on the job generation (so the
// back-to-back products of a training step cost no futex wake-up), then sleeps on a condition
// variable (so an idle pool burns no CPU). The caller runs worker 0 itself.
#include "thread_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace fastmlp {

namespace {

// How long to spin before sleeping: 1000 pauses = 25-40 us, the gap between the products of a
// training step. Longer spins steal the core from other pools / processes.
constexpr int kSpinIterations = 1000;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

struct ThreadPool::Impl {
  std::size_t threads = 1;
  std::vector<std::thread> workers;

  std::mutex mu;                      // guards the sleeping side of both handoffs
  std::condition_variable start_cv;   // workers wait here for a new generation
  std::condition_variable done_cv;    // the caller waits here for pending == 0
  std::mutex run_mu;                  // one run() at a time (callers from several threads)

  const std::function<void(std::size_t)>* job = nullptr;
  std::atomic<std::uint64_t> generation{0};
  std::atomic<std::size_t> pending{0};
  bool stop = false;  // guarded by mu

  void worker_loop(std::size_t worker);
  void wait_done();
  void shutdown();  // wakes and joins every started worker
};

void ThreadPool::Impl::worker_loop(std::size_t worker) {
  std::uint64_t seen = 0;
  for (;;) {
    std::uint64_t gen = generation.load(std::memory_order_acquire);
    for (int spin = 0; gen == seen && spin < kSpinIterations; ++spin) {
      cpu_relax();
      gen = generation.load(std::memory_order_acquire);
    }
    if (gen == seen) {
      std::unique_lock<std::mutex> lock(mu);
      start_cv.wait(lock, [&] { return stop || generation.load(std::memory_order_acquire) != seen; });
      if (stop) return;
      gen = generation.load(std::memory_order_acquire);
    }
    seen = gen;
    const std::function<void(std::size_t)>* fn = job;
    if (fn == nullptr) return;  // generation bumped by the destructor
    (*fn)(worker);
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Last one out: take the lock so the caller cannot miss the notify between its check
      // and its wait.
      std::lock_guard<std::mutex> lock(mu);
      done_cv.notify_one();
    }
  }
}

void ThreadPool::Impl::wait_done() {
  for (int spin = 0; spin < kSpinIterations; ++spin) {
    if (pending.load(std::memory_order_acquire) == 0) return;
    cpu_relax();
  }
  std::unique_lock<std::mutex> lock(mu);
  done_cv.wait(lock, [&] { return pending.load(std::memory_order_acquire) == 0; });
}

ThreadPool::ThreadPool(std::size_t threads) : impl_(new Impl) {
  if (threads < 1) {
    delete impl_;
    throw std::invalid_argument("ThreadPool: threads must be >= 1");
  }
  impl_->threads = threads;
  try {
    impl_->workers.reserve(threads - 1);
    for (std::size_t w = 1; w < threads; ++w) {
      impl_->workers.emplace_back([this, w] { impl_->worker_loop(w); });
    }
  } catch (...) {
    impl_->shutdown();  // the destructor will not run: join what was started here
    delete impl_;
    throw;
  }
}

void ThreadPool::Impl::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    job = nullptr;
    generation.fetch_add(1, std::memory_order_release);
  }
  start_cv.notify_all();
  for (std::thread& t : workers) t.join();
  workers.clear();
}

ThreadPool::~ThreadPool() {
  impl_->shutdown();
  delete impl_;
}

std::size_t ThreadPool::size() const { return impl_->threads; }

void ThreadPool::run(const std::function<void(std::size_t)>& fn) {
  if (impl_->threads == 1) {
    fn(0);
    return;
  }
  std::lock_guard<std::mutex> serial(impl_->run_mu);
  impl_->pending.store(impl_->threads - 1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->job = &fn;
    impl_->generation.fetch_add(1, std::memory_order_release);
  }
  impl_->start_cv.notify_all();
  // fn must not throw (documented); if it does anyway, the workers still hold &fn, so wait for
  // them before letting the exception out.
  try {
    fn(0);
  } catch (...) {
    impl_->wait_done();
    throw;
  }
  impl_->wait_done();
}

}  // namespace fastmlp
