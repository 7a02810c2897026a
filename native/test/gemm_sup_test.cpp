// The direct (sup) path of every kernel table this machine runs (scalar, AVX2, AVX-512), forced
// with GemmPath::direct, against float64 sums written here: every remainder of the 16-float
// vector (n = 1..49: one to four vectors, the last one partial or whole), every row-block edge
// of the rows variants (m = 1..13 crosses 3, 4, 6, 8 and 12 rows; 16-31 their multiples), k = 1
// and the unrolled-k tails, all four transposes, alpha / beta (beta == 0 on a NaN-filled C) and
// the bias epilogue; then one wide row (m = 1, n > 64: the wide-row variants' 8-vector blocks,
// 512-column passes and 64-row k chunks). C sits in a larger buffer whose guard floats after
// it must come back bit-identical (masked and partial stores stay inside C). Then the direct path
// split over 2 and 3 threads (its rows variant in parts: 8 and 12 runs of tiles) against the same
// product on one thread: bit-identical, guard intact, on every table.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "check.hpp"
#include "gemm/gemm.hpp"
#include "gemm/gemm_internal.hpp"
#include "kernel_tables.hpp"
#include "thread_pool.hpp"

using fastmlp::GemmContext;
using fastmlp::GemmPath;
using fastmlp::GemmThreads;
using fastmlp_test::Rng;
using fastmlp_test::RunnableTable;
using fastmlp_test::Tally;

namespace {

constexpr std::size_t kGuard = 37;  // floats after C that no store may touch

// How C's old contents enter: beta (0 = overwrite without reading) or a bias row.
struct Epilogue {
  float alpha, beta;
  bool bias;
};

const Epilogue kEpilogues[] = {{1.0f, 0.0f, false}, {-0.5f, 1.0f, false}, {1.0f, 0.3f, false},
                               {-0.5f, 0.0f, false}, {1.0f, 0.0f, true},   {-0.5f, 0.0f, true}};

struct Shape {
  bool ta, tb;
  std::size_t m, n, k;
  Epilogue e;
};

std::string describe(const Shape& s, const char* table) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "direct/%s ta=%d tb=%d m=%zu n=%zu k=%zu alpha=%g beta=%g bias=%d", table, s.ta,
                s.tb, s.m, s.n, s.k, static_cast<double>(s.e.alpha), static_cast<double>(s.e.beta), s.e.bias);
  return buf;
}

// One product on one table's direct path; every element within
// 4 (k + 2) eps (|alpha| sum |a b| + |bias or beta C0|) of the float64 result, the guard intact.
bool check(Tally& t, GemmContext& ctx, const RunnableTable& rt, Rng& rng, const Shape& s) {
  const std::vector<float> a = fastmlp_test::random_vector(rng, s.m * s.k);
  const std::vector<float> b = fastmlp_test::random_vector(rng, s.k * s.n);
  const std::vector<float> bias = fastmlp_test::random_vector(rng, s.n);
  std::vector<float> c = fastmlp_test::random_vector(rng, s.m * s.n + kGuard);
  if (!s.e.bias && s.e.beta == 0.0f) {
    for (std::size_t i = 0; i < s.m * s.n; ++i) c[i] = std::numeric_limits<float>::quiet_NaN();
  }
  const std::vector<float> c0 = c;
  fastmlp::sgemm_bias_with(ctx, {GemmPath::direct, rt.kernel, GemmThreads::single}, s.ta, s.tb, s.m, s.n, s.k,
                           s.e.alpha, a.data(), b.data(), s.e.beta, s.e.bias ? bias.data() : nullptr, c.data());
  const double eps = std::numeric_limits<float>::epsilon();
  std::string bad;
  for (std::size_t i = 0; i < s.m && bad.empty(); ++i) {
    for (std::size_t j = 0; j < s.n; ++j) {
      double acc = 0.0, mag = 0.0;
      for (std::size_t p = 0; p < s.k; ++p) {
        const double x = static_cast<double>(s.ta ? a[p * s.m + i] : a[i * s.k + p]) *
                         static_cast<double>(s.tb ? b[j * s.k + p] : b[p * s.n + j]);
        acc += x;
        mag += std::fabs(x);
      }
      const double prior =
          s.e.bias ? bias[j] : s.e.beta == 0.0f ? 0.0 : static_cast<double>(s.e.beta) * c0[i * s.n + j];
      const double want = s.e.alpha * acc + prior;
      const double bound =
          4.0 * static_cast<double>(s.k + 2) * eps * (std::fabs(s.e.alpha) * mag + std::fabs(prior)) + 1e-30;
      const float got = c[i * s.n + j];
      if (!(std::fabs(got - want) <= bound)) {
        bad = " C(" + std::to_string(i) + "," + std::to_string(j) + ") = " + std::to_string(got) + ", want " +
              std::to_string(want);
        break;
      }
    }
  }
  if (bad.empty() && std::memcmp(c.data() + s.m * s.n, c0.data() + s.m * s.n, kGuard * sizeof(float)) != 0) {
    bad = " wrote past C";
  }
  return fastmlp_test::expect(t, bad.empty(), describe(s, rt.table->name) + bad);
}

// ---- the rows (and tall-tiny) variants: every vector remainder, every row-block edge -------

void rows_grid(Tally& t, GemmContext& ctx, const RunnableTable& rt) {
  std::vector<std::size_t> ns;
  for (std::size_t n = 1; n <= 49; ++n) ns.push_back(n);
  for (std::size_t n : {63, 64, 80, 129, 143}) ns.push_back(n);  // multi-block for 2-13 rows
  const std::size_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 24, 25, 31};
  const std::size_t ks[] = {1, 2, 3, 5, 17};
  Rng rng{2024};
  std::size_t index = 0;
  for (std::size_t m : ms) {
    for (std::size_t n : ns) {
      if (n > 49 && m > 13) continue;  // the wide columns' blocks are the same at more rows
      for (std::size_t k : ks) {
        for (int tr = 0; tr < 4; ++tr, ++index) {
          // The epilogues rotate across neighbouring cases: every shape class meets all six.
          check(t, ctx, rt, rng, {(tr & 1) != 0, (tr & 2) != 0, m, n, k, kEpilogues[index % 6]});
        }
      }
    }
  }
}

// ---- one wide row (m == 1, n > 64) ----------------------------------------------------------

void wide_row(Tally& t, GemmContext& ctx, const RunnableTable& rt) {
  Rng rng{77};
  std::size_t index = 0;
  for (std::size_t n : {65, 78, 127, 128, 129, 130, 256, 383, 512, 513, 600, 1100}) {
    for (std::size_t k : {1, 63, 64, 65, 130, 784}) {
      for (int tr = 0; tr < 4; ++tr, ++index) {
        if (k == 784 && tr != 0) continue;  // the predict shape, as predict runs it
        check(t, ctx, rt, rng, {(tr & 1) != 0, (tr & 2) != 0, 1, n, k, kEpilogues[index % 6]});
      }
    }
  }
}

// ---- split over threads: the same bits as one thread ---------------------------------------

// Shapes whose tiles cross every kind of part boundary: within a column block, between column
// blocks, at the remainder block of rows; narrow C with a partial last vector (the AVX2 rows
// variant's overlapping stores), the training and predict shapes.
void split_matches_single(Tally& t, const RunnableTable& rt) {
  const std::size_t ms[] = {1, 2, 5, 13, 25, 64, 100};
  const std::size_t ns[] = {1, 3, 8, 10, 16, 17, 33, 64, 100, 128, 143};
  const std::size_t ks[] = {1, 5, 64};
  GemmContext single(nullptr);
  Rng rng{4242};
  std::size_t index = 0, failures = 0, cases = 0;
  for (std::size_t threads : {2, 3}) {
    fastmlp::ThreadPool pool(threads);
    GemmContext ctx(&pool);
    for (std::size_t m : ms) {
      for (std::size_t n : ns) {
        for (std::size_t k : ks) {
          for (int tr = 0; tr < 4; ++tr, ++index) {
            const Shape s{(tr & 1) != 0, (tr & 2) != 0, m, n, k, kEpilogues[index % 6]};
            const std::vector<float> a = fastmlp_test::random_vector(rng, m * k);
            const std::vector<float> b = fastmlp_test::random_vector(rng, k * n);
            const std::vector<float> bias = fastmlp_test::random_vector(rng, n);
            std::vector<float> one = fastmlp_test::random_vector(rng, m * n + kGuard);
            std::vector<float> split = one;
            for (auto [c, options] : {std::pair{&one, fastmlp::GemmOptions{GemmPath::direct, rt.kernel, GemmThreads::single}},
                                      std::pair{&split, fastmlp::GemmOptions{GemmPath::direct, rt.kernel, GemmThreads::all}}}) {
              fastmlp::sgemm_bias_with(options.threads == GemmThreads::all ? ctx : single, options, s.ta, s.tb, m, n,
                                       k, s.e.alpha, a.data(), b.data(), s.e.beta,
                                       s.e.bias ? bias.data() : nullptr, c->data());
            }
            ++cases;
            if (std::memcmp(one.data(), split.data(), one.size() * sizeof(float)) != 0) {
              if (++failures <= 5) {
                fastmlp_test::expect(t, false, describe(s, rt.table->name) + " split over " + std::to_string(threads) +
                                                   " threads differs from one thread (or wrote past C)");
              }
            }
          }
        }
      }
    }
  }
  fastmlp_test::expect(t, failures == 0, std::string(rt.table->name) + ": " + std::to_string(failures) + " of " +
                                             std::to_string(cases) + " split products differ from one thread");
}

}  // namespace

int main() {
  Tally t;
  GemmContext ctx(nullptr);
  for (const RunnableTable& rt : fastmlp_test::runnable_tables()) {
    std::printf("direct path of the %s table\n", rt.table->name);
    rows_grid(t, ctx, rt);
    wide_row(t, ctx, rt);
    split_matches_single(t, rt);
  }
  return fastmlp_test::finish(t, "gemm_sup");
}
