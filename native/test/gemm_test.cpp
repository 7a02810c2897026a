// Tests of sgemm against sgemm_reference (float64 loops): a dense sweep of m, n, k in 1..67
// over all transposes and alpha/beta cases (NaN-prefilled C when beta == 0), on every path:
// direct on every kernel table this CPU runs, packed with the scalar kernel, packed with the
// widest vector kernel (AVX-512 or AVX2 on x86-64, NEON on aarch64), each on one thread and
// split over 2- and 4-thread pools; then large and backprop shapes, and edge cases. The direct
// path's vector-width edges in detail: gemm_sup_test.cpp.
#include <cmath>
#include <cstddef>
#include <cstring>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "cpu/dispatch.hpp"
#include "gemm/gemm.hpp"
#include "gemm/blocking.hpp"
#include "gemm/gemm_internal.hpp"
#include "kernel_tables.hpp"
#include "thread_pool.hpp"

using fastmlp::GemmContext;
using fastmlp::GemmKernel;
using fastmlp::GemmOptions;
using fastmlp::GemmPath;
using fastmlp::GemmThreads;
using fastmlp_test::Rng;
using fastmlp_test::Tally;

namespace {

struct Shape {
  bool ta, tb;
  std::size_t m, n, k;
  float alpha, beta;
};

std::string describe(const Shape& s, const char* path) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s ta=%d tb=%d m=%zu n=%zu k=%zu alpha=%g beta=%g", path, s.ta, s.tb,
                s.m, s.n, s.k, static_cast<double>(s.alpha), static_cast<double>(s.beta));
  return buf;
}

// The data of one case, its reference result, and an error bound per element:
// |got - ref| <= 4 * (k + 2) * eps * (|alpha| |A||B| + |beta| |C0|)  (float accumulation).
struct Case {
  Shape s;
  std::vector<float> a, b, c0, ref, bound;
};

Case make_case(Rng& rng, const Shape& s) {
  Case c{s, fastmlp_test::random_vector(rng, s.m * s.k), fastmlp_test::random_vector(rng, s.k * s.n),
         fastmlp_test::random_vector(rng, s.m * s.n), {}, {}};
  if (s.beta == 0.0f) c.c0.assign(s.m * s.n, std::numeric_limits<float>::quiet_NaN());
  c.ref = c.c0;
  fastmlp::sgemm_reference(s.ta, s.tb, s.m, s.n, s.k, s.alpha, c.a.data(), c.b.data(), s.beta, c.ref.data());
  std::vector<float> aa(c.a), ab(c.b), ac(c.c0);
  for (float& x : aa) x = std::fabs(x);
  for (float& x : ab) x = std::fabs(x);
  for (float& x : ac) x = s.beta == 0.0f ? 0.0f : std::fabs(x);
  fastmlp::sgemm_reference(s.ta, s.tb, s.m, s.n, s.k, std::fabs(s.alpha), aa.data(), ab.data(),
                           std::fabs(s.beta), ac.data());
  const float eps = std::numeric_limits<float>::epsilon();
  c.bound.resize(ac.size());
  for (std::size_t i = 0; i < ac.size(); ++i) {
    c.bound[i] = 4.0f * static_cast<float>(s.k + 2) * eps * ac[i] + 1e-30f;
  }
  return c;
}

// Runs one path on a copy of C0 and checks every element (finite and within bound).
void check_path(Tally& t, GemmContext& ctx, const Case& c, const GemmOptions& opt, const char* name) {
  std::vector<float> got(c.c0);
  const Shape& s = c.s;
  fastmlp::sgemm_with(ctx, opt, s.ta, s.tb, s.m, s.n, s.k, s.alpha, c.a.data(), c.b.data(), s.beta,
                      got.data());
  std::size_t bad = got.size();
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(std::fabs(got[i] - c.ref[i]) <= c.bound[i])) {
      bad = i;
      break;
    }
  }
  std::string what = describe(s, name);
  if (bad != got.size()) {
    what += " first bad element " + std::to_string(bad) + ": got " + std::to_string(got[bad]) +
            " want " + std::to_string(c.ref[bad]);
  }
  fastmlp_test::expect(t, bad == got.size(), what);
}

struct Contexts {
  GemmContext single{nullptr};
  fastmlp::ThreadPool pool2{2};
  GemmContext two{&pool2};
  fastmlp::ThreadPool pool4{4};
  GemmContext four{&pool4};
};

// Every path on one case, the packed one with every vector table this CPU runs (AVX2 and AVX-512
// on an AVX-512 machine: their panel shapes differ). `heavy` adds the 4-thread pool and the
// scalar kernel threaded.
void check_all_paths(Tally& t, Contexts& cx, const Case& c, bool heavy) {
  // The direct path on every table this CPU runs (the AVX2 one stays covered on AVX-512 CPUs).
  for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
    check_path(t, cx.single, c, {GemmPath::direct, rt.kernel, GemmThreads::single},
               (std::string("direct/") + rt.table->name).c_str());
  }
  check_path(t, cx.single, c, {GemmPath::packed, GemmKernel::scalar, GemmThreads::single}, "scalar");
  check_path(t, cx.two, c, {GemmPath::automatic, GemmKernel::automatic, GemmThreads::automatic}, "auto/2");
  for (const fastmlp_test::RunnableTable& vec : fastmlp_test::runnable_tables()) {
    if (vec.kernel == GemmKernel::scalar) continue;
    const std::string name = vec.table->name;
    check_path(t, cx.single, c, {GemmPath::packed, vec.kernel, GemmThreads::single}, name.c_str());
    check_path(t, cx.two, c, {GemmPath::packed, vec.kernel, GemmThreads::all}, (name + "/2").c_str());
    if (heavy) check_path(t, cx.four, c, {GemmPath::packed, vec.kernel, GemmThreads::all}, (name + "/4").c_str());
  }
  if (heavy) check_path(t, cx.two, c, {GemmPath::packed, GemmKernel::scalar, GemmThreads::all}, "scalar/2");
}

// ---- the sweep -----------------------------------------------------------------------------

void sweep(Tally& t, Contexts& cx) {
  // Dense around the register-block edges (MR = 6 / 12, NR = 16 / 32, k unrolled by 4), up to 67.
  // Small scale (qemu): the edges themselves (6, 8, 16 and one past them), fewer sizes between.
  const std::vector<std::size_t> mn =
      fastmlp_test::small_scale()
          ? std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 24, 25, 33, 48, 49, 67}
          : std::vector<std::size_t>{1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 15, 16, 17, 18,
                                     19, 23, 24, 25, 31, 32, 33, 36, 37, 47, 48, 49, 63, 64, 65, 67};
  const std::vector<std::size_t> ks = fastmlp_test::small_scale()
                                          ? std::vector<std::size_t>{1, 2, 3, 4, 5, 8, 9, 17, 33, 67}
                                          : std::vector<std::size_t>{1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 67};
  const float alphas[] = {1.0f, -0.5f};
  const float betas[] = {0.0f, 1.0f, 0.3f};
  Rng rng{42};
  std::size_t index = 0;
  for (std::size_t m : mn) {
    for (std::size_t n : mn) {
      for (std::size_t k : ks) {
        for (int tr = 0; tr < 4; ++tr, ++index) {
          // alpha/beta rotate through all 6 pairs across neighbouring cases (every shape class
          // meets every pair) instead of multiplying the sweep by 6.
          const float alpha = alphas[index % 2];
          const float beta = betas[(index / 2) % 3];
          const Case c = make_case(rng, {(tr & 1) != 0, (tr & 2) != 0, m, n, k, alpha, beta});
          check_all_paths(t, cx, c, index % 7 == 0);
        }
      }
    }
  }
}

// ---- large and backprop shapes -------------------------------------------------------------

void large_shapes(Tally& t, Contexts& cx) {
  Rng rng{7};
  for (int tr = 0; tr < 4; ++tr) {
    const bool ta = (tr & 1) != 0, tb = (tr & 2) != 0;
    // 517 crosses MC = 144 / 288 and MR, 1031 crosses NR, 263 crosses KC = 256 (small scale: 151, 103).
    const bool small = fastmlp_test::small_scale();
    check_all_paths(t, cx, make_case(rng, {ta, tb, small ? 151u : 517u, small ? 103u : 1031u, 263, -0.5f, 0.3f}), true);
  }
  // n past NC = 4096: the JC loop runs twice.
  check_all_paths(t, cx, make_case(rng, {false, true, 7, 4100, 9, 1.0f, 0.0f}), true);
  // One row of C wider than a column block (the AVX2 sup variant wide_row): k crossing its
  // 64-row chunks, n crossing 8-vector blocks and its 512-column passes, a partial last vector.
  for (int tr = 0; tr < 4; ++tr) {
    const bool ta = (tr & 1) != 0, tb = (tr & 2) != 0;
    for (std::size_t n : {std::size_t{65}, std::size_t{128}, std::size_t{133}, std::size_t{520}, std::size_t{1100}}) {
      for (std::size_t k : {std::size_t{1}, std::size_t{63}, std::size_t{130}, std::size_t{784}}) {
        if (tb && n * k > 100000) continue;  // keep the transB copies small
        check_all_paths(t, cx, make_case(rng, {ta, tb, 1, n, k, tr % 2 == 0 ? 1.0f : -0.5f, tr < 2 ? 0.0f : 0.3f}),
                        false);
      }
    }
  }
  // The same row path with a bias row (C = A B + bias, as a one-row predict runs it).
  for (std::size_t n : {std::size_t{133}, std::size_t{1100}}) {
    const std::size_t k = 784;
    Case c = make_case(rng, {false, false, 1, n, k, 1.0f, 0.0f});
    const std::vector<float> bias = fastmlp_test::random_vector(rng, n);
    for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
      std::vector<float> got(n, 0.0f);
      fastmlp::sgemm_bias_with(cx.single, {GemmPath::direct, rt.kernel, GemmThreads::single}, false, false, 1, n, k,
                               1.0f, c.a.data(), c.b.data(), 0.0f, bias.data(), got.data());
      bool ok = true;
      for (std::size_t j = 0; j < n; ++j) {
        ok = ok && std::fabs(got[j] - (c.ref[j] + bias[j])) <= c.bound[j] + 4.0f * std::fabs(bias[j]) * 1.2e-7f;
      }
      fastmlp_test::expect(t, ok, std::string("one row with bias, ") + rt.table->name + ", n = " + std::to_string(n));
    }
  }
  // A 784-128-10 net: forward X W, weight gradient X^T dZ, input gradient dZ W^T.
  for (std::size_t batch : {std::size_t{64}, std::size_t{fastmlp_test::small_scale() ? 150u : 1024u}}) {
    check_all_paths(t, cx, make_case(rng, {false, false, batch, 128, 784, 1.0f, 0.0f}), true);
    check_all_paths(t, cx, make_case(rng, {true, false, 784, 128, batch, 1.0f, 0.0f}), true);
    check_all_paths(t, cx, make_case(rng, {false, true, batch, 784, 128, 1.0f, 0.0f}), true);
    check_all_paths(t, cx, make_case(rng, {false, false, batch, 10, 128, 1.0f, 1.0f}), true);
    check_all_paths(t, cx, make_case(rng, {true, false, 128, 10, batch, 1.0f, 0.0f}), true);
  }
}

// ---- tall and tiny (the AVX2 sup variant tall_tiny: m >= 8, n <= 4, k <= 4) ---------------

void tall_tiny(Tally& t, Contexts& cx) {
  Rng rng{11};
  const float betas[] = {0.0f, 1.0f, 0.3f};
  std::size_t index = 0;
  for (std::size_t m : {std::size_t{8}, std::size_t{15}, std::size_t{120}, std::size_t{123}}) {
    for (std::size_t n = 1; n <= 5; ++n) {
      for (std::size_t k = 1; k <= 5; ++k) {
        for (int tr = 0; tr < 4; ++tr, ++index) {
          const float alpha = index % 2 == 0 ? 1.0f : -0.5f;
          check_all_paths(t, cx, make_case(rng, {(tr & 1) != 0, (tr & 2) != 0, m, n, k, alpha, betas[index % 3]}),
                          false);
        }
        // With a bias row (C = A B + bias, as dense_forward runs it).
        Case c = make_case(rng, {false, false, m, n, k, 1.0f, 0.0f});
        const std::vector<float> bias = fastmlp_test::random_vector(rng, n);
        for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
          std::vector<float> got(m * n, 0.0f);
          fastmlp::sgemm_bias_with(cx.single, {GemmPath::direct, rt.kernel, GemmThreads::single}, false, false, m, n,
                                   k, 1.0f, c.a.data(), c.b.data(), 0.0f, bias.data(), got.data());
          bool ok = true;
          for (std::size_t i = 0; i < m * n; ++i) {
            ok = ok && std::fabs(got[i] - (c.ref[i] + bias[i % n])) <=
                           c.bound[i] + 4.0f * std::fabs(bias[i % n]) * 1.2e-7f;
          }
          fastmlp_test::expect(t, ok,
                               std::string("tall with bias, ") + rt.table->name + ", m = " + std::to_string(m) +
                                   " n = " + std::to_string(n) + " k = " + std::to_string(k));
        }
      }
    }
  }
}

// ---- edge cases ----------------------------------------------------------------------------

void edge_cases(Tally& t, Contexts& cx) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // k == 0: C = beta * C, A and B never read (null is fine); beta == 0 clears NaN.
  std::vector<float> c = {nan, 2.0f, 3.0f, nan};
  fastmlp::sgemm(cx.two, false, false, 2, 2, 0, 1.0f, nullptr, nullptr, 0.0f, c.data());
  fastmlp_test::expect(t, c[0] == 0.0f && c[1] == 0.0f && c[3] == 0.0f, "k=0 beta=0 clears C");
  c = {1.0f, 2.0f, 3.0f, 4.0f};
  fastmlp::sgemm(cx.two, false, false, 2, 2, 0, 1.0f, nullptr, nullptr, 0.5f, c.data());
  fastmlp_test::expect(t, c[0] == 0.5f && c[3] == 2.0f, "k=0 scales C by beta");
  // alpha == 0: A and B not read, even if they hold NaN.
  std::vector<float> a(6, nan), b(6, nan);
  c = {1.0f, 2.0f, 3.0f, 4.0f};
  fastmlp::sgemm(cx.two, false, false, 2, 2, 3, 0.0f, a.data(), b.data(), 1.0f, c.data());
  fastmlp_test::expect(t, c[0] == 1.0f && c[3] == 4.0f, "alpha=0 leaves C = beta C");
  // m == 0 / n == 0: nothing happens, null C allowed.
  fastmlp::sgemm(cx.two, false, false, 0, 5, 3, 1.0f, nullptr, nullptr, 0.0f, nullptr);
  fastmlp_test::expect(t, true, "m=0 is a no-op");
  // Bad arguments throw instead of crashing.
  bool threw = false;
  try {
    fastmlp::sgemm(cx.two, false, false, 2, 2, 2, 1.0f, nullptr, b.data(), 0.0f, c.data());
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  fastmlp_test::expect(t, threw, "null A throws invalid_argument");
  threw = false;
  const std::size_t huge = static_cast<std::size_t>(1) << 40;
  try {
    fastmlp::sgemm(cx.two, false, false, huge, huge, 2, 1.0f, a.data(), b.data(), 0.0f, c.data());
  } catch (const std::length_error&) {
    threw = true;
  }
  fastmlp_test::expect(t, threw, "overflowing m*n throws length_error");
  threw = false;
  try {
    cx.single.buffers(1);
  } catch (const std::out_of_range&) {
    threw = true;
  }
  fastmlp_test::expect(t, threw, "buffers(thread) is bounds-checked");
  const std::string name = fastmlp::gemm_kernel_name();
  fastmlp_test::expect(t, name == "avx512" || name == "avx2-fma" || name == "neon" || name == "scalar", "gemm_kernel_name: " + name);
  // Repeated calls on a warmed context keep giving the same answer (buffers reused).
  Rng rng{3};
  const Case big = make_case(rng, {false, false, 130, 70, 300, 1.0f, 0.0f});
  for (int rep = 0; rep < 3; ++rep) {
    check_path(t, cx.two, big, {GemmPath::packed, GemmKernel::automatic, GemmThreads::all}, "repeat/2");
  }
  // ... and, once warmed, reuses its packing buffers: no path, threaded or not, same or smaller
  // shape, reallocates them.
  std::vector<float> out(big.c0);
  const GemmOptions paths[] = {{GemmPath::packed, GemmKernel::automatic, GemmThreads::all},
                               {GemmPath::packed, GemmKernel::scalar, GemmThreads::single},
                               {GemmPath::direct, GemmKernel::automatic, GemmThreads::single},
                               {GemmPath::automatic, GemmKernel::automatic, GemmThreads::automatic}};
  for (const GemmOptions& opt : paths) {
    fastmlp::sgemm_with(cx.two, opt, true, true, 130, 70, 300, 1.0f, big.a.data(), big.b.data(), 0.0f,
                        out.data());
  }
  const float* warmed[] = {cx.two.buffers(0).a.data(), cx.two.buffers(0).b.data(), cx.two.buffers(1).a.data(),
                           cx.two.buffers(1).b.data()};
  for (int rep = 0; rep < 5; ++rep) {
    for (const GemmOptions& opt : paths) {
      fastmlp::sgemm_with(cx.two, opt, false, true, 130, 70, 300, 1.0f, big.a.data(), big.b.data(),
                          0.5f, out.data());
      fastmlp::sgemm_with(cx.two, opt, true, false, 64, 33, 100, 1.0f, big.a.data(), big.b.data(),
                          0.0f, out.data());
    }
  }
  const bool same = warmed[0] == cx.two.buffers(0).a.data() && warmed[1] == cx.two.buffers(0).b.data() &&
                    warmed[2] == cx.two.buffers(1).a.data() && warmed[3] == cx.two.buffers(1).b.data();
  fastmlp_test::expect(t, same,                       "warmed GemmContext reuses its packing buffers");
}

// Threaded products are bit-identical to the single-threaded packed path (chunks split only
// over independent output tiles, never over k): the backprop shapes at batch 64 (column split
// with X cached, row split with dZ cached), a shape too large to cache either operand, and
// ragged edges; 2 and 4 threads, several repetitions (different chunk-to-thread assignments).
void threads_bit_identical(Tally& t, Contexts& cx) {
  struct S {
    bool ta, tb;
    std::size_t m, n, k;
  };
  const S shapes[] = {{false, false, 64, 128, 784}, {true, false, 784, 128, 64}, {false, true, 64, 784, 128},
                      {false, false, 400, 450, 700}, {true, true, 37, 53, 300},  {false, false, 7, 33, 5},
                      {false, false, 130, 17, 520},   {true, false, 5, 200, 3}};
  Rng rng{77};
  for (const S& s : shapes) {
    const Case c = make_case(rng, {s.ta, s.tb, s.m, s.n, s.k, 1.0f, 0.5f});
    for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
      const GemmKernel kk = rt.kernel;
      std::vector<float> one(c.c0);
      fastmlp::sgemm_with(cx.single, {GemmPath::packed, kk, GemmThreads::single}, s.ta, s.tb, s.m, s.n, s.k, 1.0f,
                          c.a.data(), c.b.data(), 0.5f, one.data());
      bool same = true;
      for (int rep = 0; rep < 3; ++rep) {
        for (GemmContext* ctx : {&cx.two, &cx.four}) {
          std::vector<float> got(c.c0);
          fastmlp::sgemm_with(*ctx, {GemmPath::packed, kk, GemmThreads::all}, s.ta, s.tb, s.m, s.n, s.k, 1.0f,
                              c.a.data(), c.b.data(), 0.5f, got.data());
          same = same && std::memcmp(got.data(), one.data(), got.size() * sizeof(float)) == 0;
        }
      }
      fastmlp_test::expect(t, same, describe(c.s, (std::string("threads bit-identical ") + rt.table->name).c_str()));
    }
  }
}

}  // namespace

// GemmContext::check_a: a product that checks A reports a NaN or +-Infinity anywhere in A (its
// first, last or a middle element) on every path, table and thread count, reports nothing for a
// finite A or with the check off, forgets once asked, and leaves C's bits as they are unchecked.
void check_a_fused(Tally& t, Contexts& cx) {
  struct Shape {
    std::size_t m, n, k;
  };
  // the last one wider than an inference context's nc: A packed once per block of nc columns
  const Shape shapes[] = {{3, 8, 5}, {37, 70, 300}, {200, 130, 290}, {40, 600, 70}};
  GemmContext narrow{nullptr, fastmlp::gemm_blocking::kPackingInference};
  const float bad_values[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity()};
  std::vector<std::pair<GemmContext*, GemmOptions>> runs;
  for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
    runs.push_back({&cx.single, {GemmPath::direct, rt.kernel, GemmThreads::single}});
    runs.push_back({&cx.single, {GemmPath::packed, rt.kernel, GemmThreads::single}});
    runs.push_back({&cx.two, {GemmPath::packed, rt.kernel, GemmThreads::all}});
    runs.push_back({&cx.four, {GemmPath::packed, rt.kernel, GemmThreads::all}});
    runs.push_back({&narrow, {GemmPath::packed, rt.kernel, GemmThreads::single}});
  }
  Rng rng{11};
  for (const Shape& sh : shapes) {
    std::vector<float> A(sh.m * sh.k), B(sh.k * sh.n), plain(sh.m * sh.n), checked(sh.m * sh.n);
    for (float& v : A) v = rng.uniform();
    for (float& v : B) v = rng.uniform();
    for (const auto& [ctx, options] : runs) {
      const std::string what = "check_a " + std::to_string(sh.m) + "x" + std::to_string(sh.n) + "x" +
                               std::to_string(sh.k) + " path " + std::to_string(static_cast<int>(options.path)) +
                               " threads " + std::to_string(ctx->pool() != nullptr ? ctx->pool()->size() : 1);
      fastmlp::sgemm_with(*ctx, options, false, false, sh.m, sh.n, sh.k, 1.0f, A.data(), B.data(), 0.0f, plain.data());
      ctx->check_a(true);
      fastmlp::sgemm_with(*ctx, options, false, false, sh.m, sh.n, sh.k, 1.0f, A.data(), B.data(), 0.0f,
                          checked.data());
      ctx->check_a(false);
      fastmlp_test::expect(t, !ctx->take_a_not_finite(), (what + ": finite A, nothing found").c_str());
      fastmlp_test::expect(t, std::memcmp(plain.data(), checked.data(), plain.size() * sizeof(float)) == 0,
                           (what + ": the same bits as unchecked").c_str());
      for (const std::size_t at : {std::size_t{0}, A.size() / 2 + 1, A.size() - 1}) {
        const float kept = A[at];
        A[at] = bad_values[at % 3];
        fastmlp::sgemm_with(*ctx, options, false, false, sh.m, sh.n, sh.k, 1.0f, A.data(), B.data(), 0.0f,
                            checked.data());
        fastmlp_test::expect(t, !ctx->take_a_not_finite(), (what + ": unchecked, nothing noted").c_str());
        ctx->check_a(true);
        fastmlp::sgemm_with(*ctx, options, false, false, sh.m, sh.n, sh.k, 1.0f, A.data(), B.data(), 0.0f,
                            checked.data());
        ctx->check_a(false);
        fastmlp_test::expect(t, ctx->take_a_not_finite(), (what + ": found at " + std::to_string(at)).c_str());
        fastmlp_test::expect(t, !ctx->take_a_not_finite(), (what + ": forgotten once taken").c_str());
        A[at] = kept;
      }
    }
  }
}

// gemm_prefers_direct_resident: the AVX-512 table sends narrow products whose op(B) stays in L2
// direct (a 784 x 128 or 256 x 256 layer, not 784 x 1024, not past 256 columns, not past
// kDirectResidentMaxB floats); the other tables, where it is unmeasured, never.
void resident_rule(Tally& t) {
  const bool on = fastmlp::cpu::kernels().gemm_direct_limits.resident_max_cols > 0;
  const std::string table = fastmlp::cpu::kernels().name;
  fastmlp_test::expect(t, on == (table == "avx512"), "the resident rule is the AVX-512 table's only");
  const std::size_t most_rows = fastmlp::gemm_blocking::kDirectResidentMaxB / 128;
  const struct {
    std::size_t n, k;
    bool direct;
  } cases[] = {{128, 784, on}, {256, 256, on}, {10, 1024, on}, {128, most_rows, on},
               {128, most_rows + 1, false}, {1024, 784, false}, {257, 4, false}};
  for (const auto& c : cases) {
    fastmlp_test::expect(t, fastmlp::gemm_prefers_direct_resident(c.n, c.k) == c.direct,
           "resident rule, n " + std::to_string(c.n) + " k " + std::to_string(c.k));
  }
}

int main() {
  std::printf("gemm kernel: %s\n", fastmlp::gemm_kernel_name());
  Tally t;
  Contexts cx;
  edge_cases(t, cx);
  sweep(t, cx);
  large_shapes(t, cx);
  tall_tiny(t, cx);
  threads_bit_identical(t, cx);
  check_a_fused(t, cx);
  resident_rule(t);
  return fastmlp_test::finish(t, "gemm");
}
