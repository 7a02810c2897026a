// Tests of ThreadPool: for sizes 1..4, many consecutive runs each call every worker index
// exactly once and return only when all are done; back-to-back runs (spinning workers) and
// runs after a pause (sleeping workers) both work; construction and destruction are clean.
// Workers start lazily: no thread exists before the first run() (counted in /proc/self/task
// and by started()), neither for a bare pool nor for a Trainer whose products stay small.
// Sessions (workers spin between runs) give the same results, also across pauses.
#include <dirent.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.hpp"
#include "gemm/gemm_internal.hpp"
#include "mlp.hpp"
#include "thread_pool.hpp"

using fastmlp_test::Tally;

namespace {

// One run: each worker bumps its own counter; afterwards every counter must be exactly 1 and
// the run must have seen all of them finish (counters are read after run() returns).
bool one_run(fastmlp::ThreadPool& pool, std::vector<std::atomic<int>>& hits) {
  for (auto& h : hits) h.store(0, std::memory_order_relaxed);
  pool.run([&hits](std::size_t w) { hits[w].fetch_add(1, std::memory_order_relaxed); });
  for (auto& h : hits) {
    if (h.load(std::memory_order_relaxed) != 1) return false;
  }
  return true;
}

void many_runs(Tally& t, std::size_t size) {
  fastmlp::ThreadPool pool(size);
  fastmlp_test::expect(t, pool.size() == size, "size() == " + std::to_string(size));
  std::vector<std::atomic<int>> hits(size);
  std::size_t good = 0;
  const std::size_t runs = 2000;
  for (std::size_t r = 0; r < runs; ++r) good += one_run(pool, hits) ? 1 : 0;
  fastmlp_test::expect(t, good == runs, "size " + std::to_string(size) + ": every worker once per run, " +
                                            std::to_string(good) + "/" + std::to_string(runs));
  // After a pause the workers have gone to sleep on the condition variable: wake-up path.
  good = 0;
  for (int r = 0; r < 5; ++r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    good += one_run(pool, hits) ? 1 : 0;
  }
  fastmlp_test::expect(t, good == 5, "size " + std::to_string(size) + ": runs after sleeping");
}

// Work that takes a while on some workers: run() must not return before the slowest.
void waits_for_slowest(Tally& t) {
  fastmlp::ThreadPool pool(3);
  std::atomic<int> done{0};
  pool.run([&done](std::size_t w) {
    if (w == 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    done.fetch_add(1);
  });
  fastmlp_test::expect(t, done.load() == 3, "run() returns after the slowest worker");
}

// Distinct threads: worker w > 0 never runs on the caller's thread.
void distinct_threads(Tally& t) {
  fastmlp::ThreadPool pool(4);
  std::vector<std::thread::id> ids(4);
  pool.run([&ids](std::size_t w) { ids[w] = std::this_thread::get_id(); });
  bool ok = ids[0] == std::this_thread::get_id();
  for (std::size_t i = 1; i < 4; ++i) {
    for (std::size_t j = 0; j < i; ++j) ok = ok && ids[i] != ids[j];
  }
  fastmlp_test::expect(t, ok, "caller is worker 0, others are distinct threads");
}

// An exception from the caller's share is rethrown only after the workers finished.
void caller_exception(Tally& t) {
  fastmlp::ThreadPool pool(2);
  std::atomic<int> finished{0};
  bool threw = false;
  try {
    pool.run([&finished](std::size_t w) {
      if (w == 0) throw std::runtime_error("boom");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      finished.fetch_add(1);
    });
  } catch (const std::runtime_error&) {
    threw = true;
  }
  fastmlp_test::expect(t, threw && finished.load() == 1, "caller exception waits for workers");
  std::vector<std::atomic<int>> hits(2);
  fastmlp_test::expect(t, one_run(pool, hits), "pool usable after an exception");
}

void bad_size(Tally& t) {
  bool threw = false;
  try {
    fastmlp::ThreadPool pool(0);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  fastmlp_test::expect(t, threw, "ThreadPool(0) throws invalid_argument");
}

// Pools created and destroyed repeatedly (destructor joins; idle and just-used workers).
void create_destroy(Tally& t) {
  std::size_t good = 0;
  for (int r = 0; r < 50; ++r) {
    fastmlp::ThreadPool pool(1 + static_cast<std::size_t>(r % 4));
    std::vector<std::atomic<int>> hits(pool.size());
    if (r % 2 == 0 || one_run(pool, hits)) ++good;
  }
  fastmlp_test::expect(t, good == 50, "create/destroy 50 pools");
}

// Threads of this process right now (entries of /proc/self/task); 0 if it cannot be read.
std::size_t os_threads_now() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  std::size_t count = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

// The count once it holds still for 20 ms: under qemu-user (the aarch64 CI run) a joined thread's
// host thread can outlive the join by a moment, so one read may still see it.
std::size_t os_threads() {
  std::size_t last = os_threads_now();
  for (int tries = 0; tries < 100; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::size_t now = os_threads_now();
    if (now == last) return now;
    last = now;
  }
  return last;
}

void lazy_start(Tally& t) {
  const std::size_t base = os_threads();
  fastmlp_test::expect(t, base >= 1, "/proc/self/task is readable");
  {
    std::vector<std::unique_ptr<fastmlp::ThreadPool>> pools;
    for (int i = 0; i < 64; ++i) pools.push_back(std::make_unique<fastmlp::ThreadPool>(4));
    for (auto& p : pools) p->begin_session();  // a session alone starts nothing either
    for (auto& p : pools) p->end_session();
    bool none = true;
    for (auto& p : pools) none = none && p->started() == 0;
    fastmlp_test::expect(t, none, "64 pools of 4: started() == 0 before any run");
    fastmlp_test::expect(t, os_threads() == base, "64 pools of 4: no OS thread before any run, " +
                                                      std::to_string(os_threads()) + " vs " + std::to_string(base));
  }
  fastmlp::ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(3);
  fastmlp_test::expect(t, pool.started() == 0 && os_threads() == base, "pool of 3: no thread yet");
  fastmlp_test::expect(t, one_run(pool, hits), "first run (starts the workers) calls every worker once");
  fastmlp_test::expect(t, pool.started() == 2, "pool of 3: 2 workers after the first run");
  fastmlp_test::expect(t, os_threads() == base + 2, "pool of 3: 2 more OS threads after the first run, " +
                                                         std::to_string(os_threads()) + " vs " + std::to_string(base));
  fastmlp_test::expect(t, one_run(pool, hits) && pool.started() == 2, "second run reuses them");
  fastmlp::ThreadPool single(1);
  single.run([](std::size_t) {});
  fastmlp_test::expect(t, single.started() == 0, "pool of 1 never starts a thread");
}

// Runs inside a session: back to back, after pauses (workers must still be spinning or wake),
// nested sessions, and sleeping workers after the session ends.
void sessions(Tally& t) {
  for (std::size_t size = 2; size <= 3; ++size) {
    fastmlp::ThreadPool pool(size);
    std::vector<std::atomic<int>> hits(size);
    std::size_t good = 0;
    {
      fastmlp::ThreadPool::Session session(pool);
      for (int r = 0; r < 1000; ++r) good += one_run(pool, hits) ? 1 : 0;
      for (int r = 0; r < 5; ++r) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        fastmlp::ThreadPool::Session nested(pool);
        good += one_run(pool, hits) ? 1 : 0;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    good += one_run(pool, hits) ? 1 : 0;
    {
      std::this_thread::sleep_for(std::chrono::milliseconds(3));  // asleep: the session wakes them
      fastmlp::ThreadPool::Session session(pool);
      good += one_run(pool, hits) ? 1 : 0;
    }
    fastmlp_test::expect(t, good == 1007, "size " + std::to_string(size) + ": runs in sessions " +
                                              std::to_string(good) + "/1007");
  }
}

// run_chunks: every chunk exactly once, under a valid worker index, for many chunk counts,
// back to back (workers late for one generation must not run chunks of the next), alternating
// with run(), inside and outside a session, and after the workers fell asleep.
void chunks(Tally& t) {
  for (std::size_t size = 1; size <= 4; ++size) {
    fastmlp::ThreadPool pool(size);
    std::vector<std::atomic<int>> hits(64);
    std::vector<std::atomic<int>> worker_hits(size);
    std::size_t good = 0, total = 0;
    bool indices_ok = true;
    const auto one = [&](std::size_t count) {
      for (auto& h : hits) h.store(0, std::memory_order_relaxed);
      pool.run_chunks(count, [&](std::size_t w, std::size_t c) {
        if (w >= size || c >= count) {
          indices_ok = false;
          return;
        }
        hits[c].fetch_add(1, std::memory_order_relaxed);
        worker_hits[w].fetch_add(1, std::memory_order_relaxed);
      });
      bool ok = true;
      for (std::size_t c = 0; c < hits.size(); ++c) ok = ok && hits[c].load() == (c < count ? 1 : 0);
      good += ok ? 1 : 0;
      ++total;
    };
    std::vector<std::atomic<int>> run_hits(size);
    for (int r = 0; r < 3000; ++r) {
      one(static_cast<std::size_t>(r % 64));
      if (r % 7 == 0) good += one_run(pool, run_hits) ? 1 : 0, ++total;
    }
    {
      fastmlp::ThreadPool::Session session(pool);
      for (int r = 0; r < 2000; ++r) one(1 + static_cast<std::size_t>(r % 17));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    one(20);
    fastmlp_test::expect(t, indices_ok, "size " + std::to_string(size) + ": run_chunks worker / chunk indices in range");
    fastmlp_test::expect(t, good == total, "size " + std::to_string(size) + ": run_chunks runs every chunk once, " +
                                               std::to_string(good) + "/" + std::to_string(total));
  }
  fastmlp::ThreadPool lazy(2);
  lazy.run_chunks(1, [](std::size_t, std::size_t) {});
  fastmlp_test::expect(t, lazy.started() == 0, "run_chunks of one chunk starts no thread");
  lazy.run_chunks(2, [](std::size_t, std::size_t) {});
  fastmlp_test::expect(t, lazy.started() == 1, "run_chunks of two chunks starts the worker");
}

// A Trainer with threads = 2 starts its worker only when a product is large enough to split
// (a packed one, or an owned first layer: a trainer keeps its other direct-path products whole,
// mlp.cpp).
void trainer_threads(Tally& t) {
  const std::size_t base = os_threads();
  fastmlp::TrainerPlan small;
  small.layers = {{2, 3, fastmlp::Activation::sigmoid, true}, {3, 1, fastmlp::Activation::sigmoid, true}};
  small.loss = fastmlp::Loss::sse;
  small.batch_size = 4;
  small.threads = 2;
  {
    std::vector<std::unique_ptr<fastmlp::Trainer>> trainers;
    for (int i = 0; i < 32; ++i) trainers.push_back(std::make_unique<fastmlp::Trainer>(small));
    std::vector<float> params(trainers[0]->layout().size, 0.1f), X{0, 0, 0, 1, 1, 0, 1, 1}, Y{0, 1, 1, 0};
    std::vector<double> losses(10);
    for (auto& tr : trainers) {
      tr->train_epochs({{params.data(), params.size()}, {nullptr, 0}}, {X.data(), X.size()}, {Y.data(), Y.size()},
                       4, nullptr, 10, 4, 0, {losses.data(), losses.size()});
    }
    fastmlp_test::expect(t, os_threads() == base, "32 small trainers (threads 2) trained: no OS thread, " +
                                                      std::to_string(os_threads()) + " vs " + std::to_string(base));
  }
  fastmlp::TrainerPlan big;
  big.layers = {{784, 128, fastmlp::Activation::relu, true}, {128, 10, fastmlp::Activation::softmax, true}};
  big.loss = fastmlp::Loss::cross_entropy;
  big.batch_size = 256;
  big.threads = 2;
  {
    fastmlp::Trainer tr(big);
    fastmlp_test::expect(t, os_threads() == base, "784-128-10 trainer before training: no OS thread");
    std::vector<float> params(tr.layout().size, 0.01f), X(64 * 784, 0.5f), Y(64 * 10, 0.0f);
    for (std::size_t i = 0; i < 64; ++i) Y[i * 10 + i % 10] = 1.0f;
    std::vector<double> losses(1);
    // 64 rows at batch 64. Where the table owns this first layer at the plan's batch of 256
    // (AVX-512; AVX2 owns it only up to 2^23 multiply-adds, DirectLimits::owned_*), its parts
    // start the worker at once. Otherwise, on a table
    // whose direct path takes 64 x 128 x 784, direct products only, kept whole: no thread. The
    // NEON and scalar tables pack them, and a packed product may split: not this check's case.
    tr.train_epochs({{params.data(), params.size()}, {nullptr, 0}}, {X.data(), X.size()}, {Y.data(), Y.size()}, 64,
                    nullptr, 1, 64, 0, {losses.data(), losses.size()});
    if (fastmlp::owns_first_layer(big)) {
      fastmlp_test::expect(t, os_threads() == base + 1, "784-128-10 owned, threads 2: one worker thread at once, " +
                                                            std::to_string(os_threads()) + " vs " + std::to_string(base));
    } else if (fastmlp::gemm_prefers_direct(false, 64, 128, 784)) {
      fastmlp_test::expect(t, os_threads() == base, "784-128-10 at batch 64, threads 2: no worker thread, " +
                                                        std::to_string(os_threads()) + " vs " + std::to_string(base));
    }
    // 256 rows at batch 256: X W is 256 x 128 x 784 (25.7M multiply-adds), owned or packed and split.
    X.assign(256 * 784, 0.5f);
    Y.assign(256 * 10, 0.0f);
    for (std::size_t i = 0; i < 256; ++i) Y[i * 10 + i % 10] = 1.0f;
    tr.train_epochs({{params.data(), params.size()}, {nullptr, 0}}, {X.data(), X.size()}, {Y.data(), Y.size()}, 256,
                    nullptr, 1, 256, 0, {losses.data(), losses.size()});
    fastmlp_test::expect(t, os_threads() == base + 1, "784-128-10 at batch 256, threads 2: one worker thread, " +
                                                          std::to_string(os_threads()) + " vs " + std::to_string(base));
  }
  fastmlp_test::expect(t, os_threads() == base, "destroyed trainer: its worker is joined");
}

// Handles on one shared pool: each uses at most its own thread count (worker indices below it),
// the workers are started up to the largest count asked, and regions from several calling
// threads at once take turns: every chunk of every region runs exactly once.
void shared_handles(Tally& t) {
  const std::size_t base = os_threads();
  fastmlp::ThreadPool root(8);
  fastmlp::ThreadPool two(root, 2), three(root, 3);
  fastmlp_test::expect(t, two.size() == 2 && three.size() == 3 && two.capacity() == 8, "handle sizes");
  fastmlp_test::expect(t, os_threads() == base, "handles start no thread");
  bool threw = false;
  try {
    fastmlp::ThreadPool too_many(root, 9);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  fastmlp_test::expect(t, threw, "a handle above the pool's capacity throws");
  std::vector<std::atomic<int>> hits2(2), hits(3);
  fastmlp_test::expect(t, one_run(two, hits2), "handle of 2: workers 0 and 1 once each");
  fastmlp_test::expect(t, root.started() == 1, "handle of 2 started one worker");
  fastmlp_test::expect(t, one_run(three, hits), "handle of 3: workers 0..2 once each");
  fastmlp_test::expect(t, root.started() == 2 && os_threads() == base + 2, "handle of 3 grew the workers to 2");
  // Two threads, each with its own handle, issue many chunked regions at once.
  const std::size_t chunks = 24, regions = 500;
  auto hammer = [&](fastmlp::ThreadPool& pool, std::size_t cap, std::atomic<std::size_t>& bad) {
    std::vector<std::atomic<int>> seen(chunks);
    for (std::size_t r = 0; r < regions; ++r) {
      for (auto& s : seen) s.store(0, std::memory_order_relaxed);
      pool.run_chunks(chunks, [&](std::size_t w, std::size_t c) {
        if (w >= cap) bad.fetch_add(1);
        seen[c].fetch_add(1, std::memory_order_relaxed);
      });
      for (auto& s : seen) {
        if (s.load(std::memory_order_relaxed) != 1) bad.fetch_add(1);
      }
    }
  };
  std::atomic<std::size_t> bad_two{0}, bad_three{0};
  std::thread other([&] { hammer(three, 3, bad_three); });
  hammer(two, 2, bad_two);
  other.join();
  fastmlp_test::expect(t, bad_two.load() == 0 && bad_three.load() == 0,
                       "concurrent regions from two handles: every chunk once, worker index below the cap (" +
                           std::to_string(bad_two.load()) + ", " + std::to_string(bad_three.load()) + " bad)");
}

}  // namespace

int main() {
  Tally t;
  bad_size(t);
  for (std::size_t size = 1; size <= 4; ++size) many_runs(t, size);
  waits_for_slowest(t);
  distinct_threads(t);
  caller_exception(t);
  create_destroy(t);
  lazy_start(t);
  sessions(t);
  chunks(t);
  trainer_threads(t);
  shared_handles(t);
  return fastmlp_test::finish(t, "thread_pool");
}
