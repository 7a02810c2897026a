// Tests of ThreadPool: for sizes 1..4, many consecutive runs each call every worker index
// exactly once and return only when all are done; back-to-back runs (spinning workers) and
// runs after a pause (sleeping workers) both work; construction and destruction are clean.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.hpp"
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

}  // namespace

int main() {
  Tally t;
  bad_size(t);
  for (std::size_t size = 1; size <= 4; ++size) many_runs(t, size);
  waits_for_slowest(t);
  distinct_threads(t);
  caller_exception(t);
  create_destroy(t);
  return fastmlp_test::finish(t, "thread_pool");
}
