// Tests of the packing buffers' sizes (gemm_packed.cpp, blocking.hpp's PackingLimits): a fresh
// GemmContext grows them to what the products run need, never beyond its limits, and a context
// with the inference limits (smaller nc, smaller cached operands) gives the same bits as one with
// the training limits, on one thread and split over pools.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "check.hpp"
#include "cpu/dispatch.hpp"
#include "gemm/blocking.hpp"
#include "gemm/gemm.hpp"
#include "gemm/gemm_internal.hpp"
#include "kernel_tables.hpp"
#include "thread_pool.hpp"

namespace {

using fastmlp::GemmContext;
using fastmlp::GemmKernel;
using fastmlp::GemmOptions;
using fastmlp::GemmPath;
using fastmlp::GemmThreads;
using fastmlp_test::Rng;
using fastmlp_test::Tally;
namespace blk = fastmlp::gemm_blocking;

constexpr GemmOptions kPackedSingle{GemmPath::packed, GemmKernel::automatic, GemmThreads::single};

std::size_t round_up(std::size_t x, std::size_t to) { return (x + to - 1) / to * to; }

// One packed product on one thread sizes A by its rows and B by its columns (padded to MR / NR,
// at most KC deep), not by the full MC x KC and KC x NC blocks.
void sized_by_the_product(Tally& t) {
  Rng rng{5};
  const std::vector<float> a = fastmlp_test::random_vector(rng, 10 * 30), b = fastmlp_test::random_vector(rng, 30 * 20);
  std::vector<float> c(10 * 20);
  GemmContext ctx{nullptr};
  fastmlp_test::expect(t, ctx.packing_bytes() == 0, "a fresh GemmContext has no packing buffers");
  fastmlp::sgemm_with(ctx, kPackedSingle, false, false, 10, 20, 30, 1.0f, a.data(), b.data(), 0.0f, c.data());
  const blk::PanelShape& shape = fastmlp::cpu::kernels().gemm_micro.shape;  // the table kPackedSingle uses
  const std::size_t want = (round_up(10, shape.mr) * 30 + 30 * round_up(20, shape.nr)) * sizeof(float);
  fastmlp_test::expect(t, ctx.packing_bytes() == want,
                       "a 10x20x30 product packs 10x30 of A and 30x20 of B, padded to MR and NR: " +
                           std::to_string(ctx.packing_bytes()) + " bytes, want " + std::to_string(want));
}

// Wide and deep products never grow a thread's buffers beyond its limits: on one thread an A
// block of MC x KC and a B block of KC x nc; on a pool also a cached operand of
// max_cached_floats.
void bounded_by_the_limits(Tally& t) {
  Rng rng{6};
  const std::size_t m = 300, n = 1500, k = 700;
  const std::vector<float> a = fastmlp_test::random_vector(rng, m * k), b = fastmlp_test::random_vector(rng, k * n);
  std::vector<float> c(m * n);
  fastmlp::ThreadPool pool{2};
  const blk::PanelShape& shape = fastmlp::cpu::kernels().gemm_micro.shape;  // the table kPackedSingle uses
  for (const blk::PackingLimits* limits : {&blk::kPackingTraining, &blk::kPackingInference}) {
    const std::string name = limits == &blk::kPackingTraining ? "training" : "inference";
    GemmContext single{nullptr, *limits};
    fastmlp::sgemm_with(single, kPackedSingle, false, false, m, n, k, 1.0f, a.data(), b.data(), 0.0f, c.data());
    const std::size_t a_block = shape.mc * shape.kc, b_block = shape.kc * std::min(limits->nc, round_up(n, shape.nr));
    fastmlp_test::expect(t, single.packing_bytes() == (a_block + b_block) * sizeof(float),
                         name + " limits, one thread: one MC x KC and one KC x min(nc, n) block");
    GemmContext two{&pool, *limits};
    fastmlp::sgemm_with(two, {GemmPath::packed, GemmKernel::automatic, GemmThreads::all}, false, false, m, n, k, 1.0f,
                        a.data(), b.data(), 0.0f, c.data());
    const std::size_t cached = limits->max_cached_floats;
    const std::size_t per_thread = std::max(cached, a_block) + std::max(cached, b_block);
    fastmlp_test::expect(t, two.packing_bytes() > 0 && two.packing_bytes() <= 2 * per_thread * sizeof(float),
                         name + " limits, two threads: within the limits per thread");
  }
}

// The inference limits change only how C's columns are partitioned and what is cached, never
// the order of a k-summation: bit-identical to the training limits for n beyond NC_INFERENCE,
// k beyond KC, ragged edges, every kernel, 1, 2 and 4 threads.
void inference_bit_identical(Tally& t) {
  struct S {
    bool ta, tb;
    std::size_t m, n, k;
  };
  const S shapes[] = {{false, false, 32, 1536, 520}, {false, false, 37, 1100, 300}, {true, true, 150, 530, 520},
                      {false, true, 7, 1030, 257},    {false, false, 260, 70, 3000}};
  fastmlp::ThreadPool pool2{2}, pool4{4};
  GemmContext train{nullptr}, infer1{nullptr, blk::kPackingInference}, infer2{&pool2, blk::kPackingInference},
      infer4{&pool4, blk::kPackingInference};
  Rng rng{9};
  for (const S& s : shapes) {
    const std::vector<float> a = fastmlp_test::random_vector(rng, s.m * s.k);
    const std::vector<float> b = fastmlp_test::random_vector(rng, s.k * s.n);
    const std::vector<float> c0 = fastmlp_test::random_vector(rng, s.m * s.n);
    for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
      const GemmKernel kk = rt.kernel;
      std::vector<float> want(c0);
      fastmlp::sgemm_with(train, {GemmPath::packed, kk, GemmThreads::single}, s.ta, s.tb, s.m, s.n, s.k, 1.0f,
                          a.data(), b.data(), 0.5f, want.data());
      bool same = true;
      for (GemmContext* ctx : {&infer1, &infer2, &infer4}) {
        std::vector<float> got(c0);
        fastmlp::sgemm_with(*ctx, {GemmPath::packed, kk, GemmThreads::all}, s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(),
                            b.data(), 0.5f, got.data());
        same = same && std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0;
      }
      fastmlp_test::expect(t, same,
                           "inference limits bit-identical to training: " + std::to_string(s.m) + "x" +
                               std::to_string(s.n) + "x" + std::to_string(s.k) + " " + rt.table->name);
    }
  }
}

}  // namespace

int main() {
  Tally t;
  sized_by_the_product(t);
  bounded_by_the_limits(t);
  inference_bit_identical(t);
  return fastmlp_test::finish(t, "gemm packing");
}
