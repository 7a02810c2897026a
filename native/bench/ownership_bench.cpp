// Who owns W on 2 threads: the first layer of 784-128-10 at batch 64 (Z = X W + b, dW = X^T dZ,
// W -= lr dW: the products and update of its training step), on one thread and on two threads
// under three ownerships of W, interleaved rep by rep. The question it answers: how must a
// 2-thread training step share W so that it beats one thread (mlp.cpp keeps the trainer's
// direct products whole because splitting them as sgemm does lost to one thread)?
//   one           everything on the caller
//   columns       each thread owns half of W's columns: its Z columns, dW columns, update of
//                 them (dW and Z written to a slab per thread: a sup product's C rows are n wide)
//   rows          each thread owns half of W's rows: a partial Z over its half of k (then both
//                 threads sum the two partials, half the rows of Z each), its rows of dW, its
//                 rows of the update. No line of W is ever touched by the other core.
//   rows-fwd-one  rows for dW and the update, but the forward product whole on the caller: it
//                 reads the other thread's freshly updated half of W every step
// X and dZ stay fixed (the step's gather of the batch, its other layers and its loss are left
// out), and the update is plain SGD: what differs between the ownerships is only the products'
// and the update's split. Buffers are 64-byte aligned like the engine's (an unaligned W has a
// line at each column boundary written by both threads).
// Build from the repo root against the core library of `npm run build:native` (one line):
//   g++ -O3 -std=c++17 -Inative/core native/bench/ownership_bench.cpp build/libfastmlp_core.a -lpthread
//       -o /tmp/ownership_bench && /tmp/ownership_bench [reps] [steps per rep]
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_clock.hpp"
#include "cpu/dispatch.hpp"
#include "gemm/sup/sup_kernel.hpp"
#include "thread_pool.hpp"

namespace {

using fastmlp::SupProblem;
using fastmlp::ThreadPool;

constexpr std::size_t kBatch = 64, kInputs = 784, kUnits = 128, kThreads = 2;
constexpr std::size_t kHalfRows = kInputs / kThreads, kHalfCols = kUnits / kThreads;
constexpr float kRate = 0.01f;

// n floats, 64-byte aligned, filled by f(i).
struct Floats {
  float* p;
  explicit Floats(std::size_t n, float (*f)(std::size_t) = [](std::size_t) { return 0.0f; })
      : p(static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64))) {
    for (std::size_t i = 0; i < n; ++i) p[i] = f(i);
  }
  ~Floats() { std::free(p); }
  Floats(const Floats&) = delete;
  Floats& operator=(const Floats&) = delete;
};

struct Layer {
  Floats X{kBatch * kInputs, [](std::size_t i) { return static_cast<float>(i % 13) * 0.01f; }};
  Floats W{kInputs * kUnits, [](std::size_t i) { return (static_cast<float>(i * 7 % 11) - 5.0f) * 0.001f; }};
  Floats b{kUnits, [](std::size_t) { return 0.01f; }};
  Floats dZ{kBatch * kUnits, [](std::size_t i) { return (static_cast<float>(i * 3 % 7) - 3.0f) * 0.001f; }};
  Floats Z{kBatch * kUnits}, partial{kThreads * kBatch * kUnits}, dW{kInputs * kUnits};
  fastmlp::SupKernel sup = fastmlp::cpu::kernels().gemm_sup.rows;

  // Z[:, c0, c0 + n) = X W[:, c0, c0 + n) + b, into the slab at Z + c0 * kBatch (n wide).
  void forward_columns(std::size_t c0, std::size_t n) {
    sup({kBatch, n, kInputs, X.p, kInputs, 1, W.p + c0, kUnits, 1, 1.0f, 0.0f, b.p + c0, Z.p + c0 * kBatch});
  }
  // The part of Z over k rows [r0, r0 + n) of W, into partial slab `slab`.
  void forward_rows(std::size_t r0, std::size_t n, std::size_t slab) {
    sup({kBatch, kUnits, n, X.p + r0, kInputs, 1, W.p + r0 * kUnits, kUnits, 1, 1.0f, 0.0f, nullptr,
         partial.p + slab * kBatch * kUnits});
  }
  // Z's rows [i0, i1) = the two partials + b.
  void sum_partials(std::size_t i0, std::size_t i1) {
    const float* p0 = partial.p;
    const float* p1 = partial.p + kBatch * kUnits;
    for (std::size_t i = i0; i < i1; ++i)
      for (std::size_t j = 0; j < kUnits; ++j) Z.p[i * kUnits + j] = p0[i * kUnits + j] + p1[i * kUnits + j] + b.p[j];
  }
  // dW[:, c0, c0 + n) = X^T dZ[:, c0, c0 + n), into the slab at dW + c0 * kInputs (n wide).
  void gradient_columns(std::size_t c0, std::size_t n) {
    sup({kInputs, n, kBatch, X.p, 1, kInputs, dZ.p + c0, kUnits, 1, 1.0f, 0.0f, nullptr, dW.p + c0 * kInputs});
  }
  // dW rows [r0, r0 + n) = X[:, r0, r0 + n)^T dZ.
  void gradient_rows(std::size_t r0, std::size_t n) {
    sup({n, kUnits, kBatch, X.p + r0, 1, kInputs, dZ.p, kUnits, 1, 1.0f, 0.0f, nullptr, dW.p + r0 * kUnits});
  }
  void update_columns(std::size_t c0, std::size_t n) {
    const float* g = dW.p + c0 * kInputs;
    for (std::size_t r = 0; r < kInputs; ++r)
      for (std::size_t j = 0; j < n; ++j) W.p[r * kUnits + c0 + j] -= kRate * g[r * n + j];
  }
  void update_rows(std::size_t r0, std::size_t n) {
    for (std::size_t i = r0 * kUnits; i < (r0 + n) * kUnits; ++i) W.p[i] -= kRate * dW.p[i];
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 7;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 2000;
  Layer layer;
  ThreadPool pool(kThreads);
  struct Way {
    std::string name;
    std::function<void()> step;
    std::vector<double> us;
  };
  std::vector<Way> ways = {
      {"one", [&] {
         layer.forward_columns(0, kUnits);
         layer.gradient_columns(0, kUnits);
         layer.update_columns(0, kUnits);
       }, {}},
      {"columns", [&] {
         pool.run([&](std::size_t t) { layer.forward_columns(t * kHalfCols, kHalfCols); });
         pool.run([&](std::size_t t) {
           layer.gradient_columns(t * kHalfCols, kHalfCols);
           layer.update_columns(t * kHalfCols, kHalfCols);
         });
       }, {}},
      {"rows", [&] {
         pool.run([&](std::size_t t) { layer.forward_rows(t * kHalfRows, kHalfRows, t); });
         pool.run([&](std::size_t t) { layer.sum_partials(t * kBatch / kThreads, (t + 1) * kBatch / kThreads); });
         pool.run([&](std::size_t t) {
           layer.gradient_rows(t * kHalfRows, kHalfRows);
           layer.update_rows(t * kHalfRows, kHalfRows);
         });
       }, {}},
      {"rows-fwd-one", [&] {
         layer.forward_columns(0, kUnits);
         pool.run([&](std::size_t t) {
           layer.gradient_rows(t * kHalfRows, kHalfRows);
           layer.update_rows(t * kHalfRows, kHalfRows);
         });
       }, {}},
  };
  using fastmlp::bench::Clock;
  for (int rep = 0; rep < reps; ++rep) {
    for (Way& way : ways) {
      ThreadPool::Session session(pool);  // workers spin between the regions, as in a fit
      for (int s = 0; s < steps / 10; ++s) way.step();
      const double t0 = fastmlp::bench::now_seconds(Clock::wall);
      for (int s = 0; s < steps; ++s) way.step();
      way.us.push_back((fastmlp::bench::now_seconds(Clock::wall) - t0) * 1e6 / steps);
    }
  }
  std::printf("784-128 layer, batch 64, %s kernels: forward + dW + SGD update per step, median of %d reps of %d "
              "steps\n",
              fastmlp::cpu::kernels().name, reps, steps);
  const double one = fastmlp::bench::median(ways[0].us);
  for (const Way& way : ways) {
    const double us = fastmlp::bench::median(way.us);
    std::printf("  %-13s %7.1f us/step  %.2fx of one thread\n", way.name.c_str(), us, one / us);
  }
  return 0;
}
