// Every kernel table this machine runs (the scalar twin, and AVX2 or NEON), kernel by kernel,
// against float64 references written here: the gemm micro-kernel on hand-packed panels (every
// m_valid x n_valid edge tile, k = 0, 1, tails of the unrolled loop and a large k, the alpha /
// beta cases, C outside the tile untouched), then the vecmath kernels on dense grids that cross
// every branch (tanh's small / large split, exp's underflow edge, signed zeros, NaN) with each
// vector table also held to the scalar twin, activation_backward against the plain formulas,
// and column sums over every lane period; then every length up to 40 with special values and a
// guard band past the end (tails_and_specials). Finally softmax (activations.cpp on the
// table in use: the aarch64 run repeats this test with FASTMLP_FORCE_SCALAR=1).
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "activations.hpp"
#include "check.hpp"
#include "cpu/dispatch.hpp"
#include "gemm/blocking.hpp"
#include "gemm/kernel.hpp"
#include "kernel_tables.hpp"

using fastmlp::cpu::KernelTable;
using fastmlp_test::Rng;
using fastmlp_test::RunnableTable;
using fastmlp_test::Tally;

namespace {

const float kEps = std::numeric_limits<float>::epsilon();

// ---- the micro-kernel ----------------------------------------------------------------------

// One call of table.gemm_micro on random panels (packed layout of kernel.hpp: the padding rows
// and columns hold garbage, which the kernel must not let into the valid tile) into a C with a
// border, checked against float64 sums.
bool micro_case(const KernelTable& table, Rng& rng, std::size_t k, std::size_t mv, std::size_t nv, float alpha,
                float beta) {
  const std::size_t MR = table.gemm_micro.shape.mr, NR = table.gemm_micro.shape.nr;
  std::vector<float> a(MR * k + 1), b(NR * k + 1);
  for (std::size_t p = 0; p < k; ++p) {
    for (std::size_t i = 0; i < MR; ++i) a[p * MR + i] = i < mv ? rng.uniform() : 1e30f;
    for (std::size_t j = 0; j < NR; ++j) b[p * NR + j] = j < nv ? rng.uniform() : 1e30f;
  }
  const std::size_t ldc = NR + 3;  // C rows far apart, with columns beyond the tile
  std::vector<float> c((MR + 1) * ldc);
  for (float& x : c) x = rng.uniform();
  if (beta == 0.0f) {
    for (std::size_t i = 0; i < mv; ++i)
      for (std::size_t j = 0; j < nv; ++j) c[i * ldc + j] = std::numeric_limits<float>::quiet_NaN();
  }
  const std::vector<float> c0 = c;
  table.gemm_micro.fn(k, a.data(), b.data(), alpha, beta, {c.data(), ldc, mv, nv}, a.data(), b.data());
  for (std::size_t i = 0; i <= MR; ++i) {
    for (std::size_t j = 0; j < ldc; ++j) {
      const float got = c[i * ldc + j];
      if (i >= mv || j >= nv) {  // outside the tile: untouched, bit for bit
        if (std::memcmp(&got, &c0[i * ldc + j], sizeof got) != 0) return false;
        continue;
      }
      double acc = 0.0, mag = 0.0;
      for (std::size_t p = 0; p < k; ++p) {
        acc += static_cast<double>(a[p * MR + i]) * b[p * NR + j];
        mag += std::fabs(static_cast<double>(a[p * MR + i]) * b[p * NR + j]);
      }
      const double prior = beta == 0.0f ? 0.0 : static_cast<double>(beta) * c0[i * ldc + j];
      const double want = alpha * acc + prior;
      const double bound = 4.0 * static_cast<double>(k + 2) * kEps * (std::fabs(alpha) * mag + std::fabs(prior)) + 1e-30;
      if (!(std::fabs(got - want) <= bound)) return false;
    }
  }
  return true;
}

// The rows of an edge tile (m_valid < MR: the AVX-512 kernel runs tiles of up to 4 or 8 rows
// through shorter loops) hold the same bits as the same rows of the full tile on the same
// panels: which loop a tile takes never changes a result. Checked for beta 0 and 1 (the only
// betas the packed path's later KC blocks and the trainer use) on every table, and for any beta
// on the AVX-512 one; the AVX2 kernel's edge store adds beta * C in a scalar loop, which rounds
// differently from its full tile's vector FMA store when beta is neither 0 nor 1.
bool edge_rows_match_full(const KernelTable& table, Rng& rng, std::size_t k, std::size_t mv, std::size_t nv,
                          float alpha, float beta) {
  const std::size_t MR = table.gemm_micro.shape.mr, NR = table.gemm_micro.shape.nr;
  std::vector<float> a(MR * k + 1), b(NR * k + 1);
  for (float& x : a) x = rng.uniform();
  for (float& x : b) x = rng.uniform();
  const std::size_t ldc = NR;
  std::vector<float> full(MR * ldc), edge(MR * ldc);
  for (float& x : full) x = rng.uniform();
  edge = full;
  table.gemm_micro.fn(k, a.data(), b.data(), alpha, beta, {full.data(), ldc, MR, nv}, a.data(), b.data());
  table.gemm_micro.fn(k, a.data(), b.data(), alpha, beta, {edge.data(), ldc, mv, nv}, a.data(), b.data());
  return std::memcmp(full.data(), edge.data(), mv * ldc * sizeof(float)) == 0;
}

void micro_kernels(Tally& t, const KernelTable& table) {
  const std::size_t MR = table.gemm_micro.shape.mr, NR = table.gemm_micro.shape.nr;
  Rng rng{21};
  const std::size_t ks[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 256, 1031};
  // beta 0 (C not read), 1 and other values take different store paths; so do full and edge tiles.
  const float alphas[] = {1.0f, -0.5f};
  const float betas[] = {0.0f, 1.0f, 0.3f};
  for (std::size_t k : ks) {
    for (std::size_t mv = 1; mv <= MR; ++mv) {
      for (std::size_t nv = 1; nv <= NR; ++nv) {
        // Every edge tile for the short k; for the long ones (slow under the sanitizers with 12 x
        // 32 tiles) the full tile, one row / column, and each side of a 16-lane vector boundary.
        const bool edge_ok = (mv == 1 || mv + 1 >= MR) && (nv == 1 || nv % 16 <= 1 || nv % 16 == 15);
        if (k >= 256 && !edge_ok) continue;
        for (const float alpha : alphas) {
          for (const float beta : betas) {
            char what[160];
            std::snprintf(what, sizeof what, "%s micro-kernel k=%zu tile %zux%zu alpha=%g beta=%g", table.name, k, mv,
                          nv, static_cast<double>(alpha), static_cast<double>(beta));
            fastmlp_test::expect(t, micro_case(table, rng, k, mv, nv, alpha, beta), what);
            const bool exact_store = beta == 0.0f || beta == 1.0f || std::strcmp(table.name, "avx512") == 0;
            if (mv < MR && (nv == NR || nv == 1 || nv == 17) && k % 2 == 1 && exact_store) {
              fastmlp_test::expect(t, edge_rows_match_full(table, rng, k, mv, nv, alpha, beta),
                                   std::string(what) + ": rows bit-identical to the full tile's");
            }
          }
        }
      }
    }
  }
}

// ---- vecmath -------------------------------------------------------------------------------

// |got - want| <= ulps * eps * |want| (the floor only absorbs denormal noise, far below FLT_MIN,
// so a value flushed to 0 above FLT_MIN fails).
bool near_rel(double got, double want, double ulps) {
  return std::fabs(got - want) <= ulps * kEps * std::fabs(want) + 1e-44;
}

// x from lo to hi in `count` even steps, plus the values where branches switch and the signed zeros.
std::vector<float> grid(float lo, float hi, std::size_t count, std::initializer_list<float> extra) {
  std::vector<float> x;
  for (std::size_t i = 0; i < count; ++i) x.push_back(lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(count - 1));
  for (float e : extra) x.push_back(e);
  return x;
}

void vecmath_kernels(Tally& t, const KernelTable& table, const KernelTable& scalar) {
  const std::string name = table.name;
  using namespace fastmlp;
  // exp on [-90, 0]: the underflow edge (kExpMin, where 2^n leaves the normal range), -0.
  {
    const std::vector<float> x = grid(-90.0f, 0.0f, 4001, {-87.33f, -87.34f, -87.3365f, -0.0f, -1e-30f, -1e-7f});
    std::vector<float> y(x.size()), s(x.size());
    table.exp_nonpositive(y.data(), x.data(), x.size());
    scalar.exp_nonpositive(s.data(), x.data(), x.size());
    bool ref = true, twin = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double want = std::exp(static_cast<double>(x[i]));
      // Below ln(FLT_MIN) the kernels return 0 where exp is a denormal (vecmath.hpp).
      ref = ref && (want < 1.1754944e-38 ? y[i] == 0.0f : near_rel(y[i], want, 2.0));
      twin = twin && near_rel(y[i], s[i], 2.0);
    }
    fastmlp_test::expect(t, ref, name + " exp_nonpositive on [-90, 0] against exp");
    fastmlp_test::expect(t, twin, name + " exp_nonpositive agrees with the scalar twin");
  }
  // sigmoid and tanh on [-30, 30] with the tanh switch at |z| = 0.625 and tiny arguments.
  const std::vector<float> z = grid(-30.0f, 30.0f, 6001, {0.625f, -0.625f, 0.62499994f, -0.62499994f, 0.0f, -0.0f,
                                                           1e-20f, -1e-20f, 1e-3f, -88.0f, 88.0f, -200.0f, 200.0f});
  std::vector<float> y(z.size()), s(z.size());
  table.sigmoid(y.data(), z.data(), z.size());
  scalar.sigmoid(s.data(), z.data(), z.size());
  bool ref = true, twin = true;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double want = 1.0 / (1.0 + std::exp(-static_cast<double>(z[i])));
    ref = ref && (want < 1.1754944e-38 ? y[i] == 0.0f : near_rel(y[i], want, 4.0));
    twin = twin && near_rel(y[i], s[i], 4.0);
  }
  fastmlp_test::expect(t, ref, name + " sigmoid on [-30, 30] against the float64 formula");
  fastmlp_test::expect(t, twin, name + " sigmoid agrees with the scalar twin");
  table.tanh(y.data(), z.data(), z.size());
  scalar.tanh(s.data(), z.data(), z.size());
  ref = true, twin = true;
  bool signs = true;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double want = std::tanh(static_cast<double>(z[i]));
    ref = ref && near_rel(y[i], want, 4.0);
    twin = twin && near_rel(y[i], s[i], 4.0);
    signs = signs && (z[i] == 0.0f || std::signbit(y[i]) == std::signbit(z[i]));
  }
  fastmlp_test::expect(t, ref, name + " tanh on [-30, 30] against tanh");
  fastmlp_test::expect(t, twin, name + " tanh agrees with the scalar twin");
  fastmlp_test::expect(t, signs, name + " tanh keeps the sign of its argument");
  // NaN passes through each of them.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float nans[5] = {0.5f, nan, -0.5f, nan, 1.0f};
  float out[5];
  table.sigmoid(out, nans, 5);
  bool nan_ok = std::isnan(out[1]) && std::isnan(out[3]) && !std::isnan(out[0]);
  table.tanh(out, nans, 5);
  nan_ok = nan_ok && std::isnan(out[1]) && std::isnan(out[3]) && !std::isnan(out[4]);
  fastmlp_test::expect(t, nan_ok, name + " sigmoid and tanh propagate NaN lane by lane");

  // activation_backward (null in the scalar table: activations.cpp's loops serve) against the
  // plain formulas, at lengths that leave partial vectors: relu bit for bit; sigmoid and tanh
  // within a few roundings of their terms (GCC fuses a * a into the subtraction where the ISA
  // has FMA, as C++ allows, so the AVX2 and NEON code need not match the unfused loop's bits).
  if (table.activation_backward != nullptr) {
    Rng rng{8};
    for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{9}, std::size_t{67}}) {
      std::vector<float> a = fastmlp_test::random_vector(rng, n), da = fastmlp_test::random_vector(rng, n);
      a[0] = 0.0f;  // relu's boundary: A == 0 gets no gradient
      for (int kind = 0; kind < 3; ++kind) {
        std::vector<float> got(n);
        table.activation_backward(kind, got.data(), da.data(), a.data(), n);
        bool ok = true;
        for (std::size_t i = 0; i < n; ++i) {
          const double ai = a[i], d = da[i];
          const double want = kind == 0 ? d * ai * (1.0 - ai) : kind == 1 ? d * (1.0 - ai * ai) : (ai > 0.0 ? d : 0.0);
          const double bound = kind == 2 ? 0.0 : 4.0 * kEps * std::fabs(d) * (1.0 + std::fabs(ai)) * (1.0 + std::fabs(ai));
          ok = ok && std::fabs(got[i] - want) <= bound;
        }
        fastmlp_test::expect(t, ok, name + " activation_backward kind " + std::to_string(kind) + " n=" + std::to_string(n));
      }
    }
  }

  // Column sums over every lane period (units 1..40) and row counts that leave partial periods:
  // small integers, so every summation order is exact.
  bool sums = true;
  for (std::size_t units = 1; units <= 40; ++units) {
    for (std::size_t rows : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{13}}) {
      std::vector<float> dz(rows * units), db(units, 99.0f);
      for (std::size_t i = 0; i < dz.size(); ++i) dz[i] = static_cast<float>(static_cast<int>((i * 7) % 11) - 5);
      table.column_sums(db.data(), dz.data(), rows, units);
      for (std::size_t j = 0; j < units; ++j) {
        double want = 0;
        for (std::size_t r = 0; r < rows; ++r) want += dz[r * units + j];
        sums = sums && db[j] == want;
      }
    }
  }
  fastmlp_test::expect(t, sums, name + " column_sums, units 1..40");
}

// ---- every length up to 40, the floats past the end, special values -------------------------

// Each vector table against the scalar twin at every length 0..40 (every partial vector of 4, 8
// and 16 lanes), from an unaligned start, with a guard band after the end that must stay
// untouched; the inputs cycle through the special values (signed zeros, +-inf, NaN, huge and
// denormal magnitudes, the underflow edge) among ordinary ones. NaN lanes must be NaN in both;
// every other lane within a few ulps of the twin. The sums: the AVX-512 table's column and
// squared-error sums equal the AVX2 table's bit for bit (same order), the others' within 1e-12.
float special_or_uniform(Rng& rng, std::size_t i, float scale) {
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {0.0f,  -0.0f,  inf,    -inf,  std::numeric_limits<float>::quiet_NaN(),
                            1e30f, -1e30f, 1e-40f, -88.0f, -87.34f, 88.0f, -200.0f};
  if (i % 5 == 2) return specials[(i / 5) % (sizeof specials / sizeof specials[0])];
  return scale * rng.uniform();
}

bool twin_lane(float got, float want, double ulps) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  return got == want || near_rel(got, want, ulps);
}

void tails_and_specials(Tally& t, const KernelTable& table, const KernelTable& scalar) {
  const std::string name = table.name;
  Rng rng{31};
  constexpr std::size_t kStart = 3, kGuard = 17;
  const float kSentinel = -12345.0f;
  bool maps = true, guards = true, backward = true, lanes_as_avx2 = true;
  // The AVX-512 kernels repeat the AVX2 ones lane for lane: the same bits (NaN lanes NaN in both).
  const KernelTable* as_avx2 = name == "avx512" ? fastmlp::cpu::avx2_kernels() : nullptr;
  for (std::size_t n = 0; n <= 40; ++n) {
    std::vector<float> x(kStart + n + kGuard), dz(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = special_or_uniform(rng, i, 30.0f), dz[i] = rng.uniform();
    using Map = void (*)(float*, const float*, std::size_t);
    const Map mine[3] = {table.exp_nonpositive, table.sigmoid, table.tanh};
    const Map twin[3] = {scalar.exp_nonpositive, scalar.sigmoid, scalar.tanh};
    for (int f = 0; f < 3; ++f) {
      std::vector<float> in = x;
      if (f == 0) {
        for (float& v : in) v = -std::fabs(v);  // exp_nonpositive's domain (NaN stays NaN)
      }
      std::vector<float> y(x.size(), kSentinel), s(x.size(), kSentinel);
      mine[f](y.data() + kStart, in.data() + kStart, n);
      twin[f](s.data() + kStart, in.data() + kStart, n);
      if (as_avx2 != nullptr) {
        const Map theirs[3] = {as_avx2->exp_nonpositive, as_avx2->sigmoid, as_avx2->tanh};
        std::vector<float> o(x.size(), kSentinel);
        theirs[f](o.data() + kStart, in.data() + kStart, n);
        for (std::size_t i = 0; i < x.size(); ++i) lanes_as_avx2 = lanes_as_avx2 && twin_lane(y[i], o[i], 0.0);
      }
      for (std::size_t i = 0; i < x.size(); ++i) {
        const bool inside = i >= kStart && i < kStart + n;
        if (inside) maps = maps && twin_lane(y[i], s[i], 4.0);
        else guards = guards && y[i] == kSentinel;
      }
    }
    if (table.activation_backward != nullptr) {
      for (int kind = 0; kind < 3; ++kind) {
        std::vector<float> a(x.size()), got(x.size(), kSentinel);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = kind == 2 ? x[i] : rng.uniform();  // relu sees specials
        table.activation_backward(kind, got.data() + kStart, dz.data() + kStart, a.data() + kStart, n);
        if (as_avx2 != nullptr) {
          std::vector<float> o(x.size(), kSentinel);
          as_avx2->activation_backward(kind, o.data() + kStart, dz.data() + kStart, a.data() + kStart, n);
          for (std::size_t i = 0; i < x.size(); ++i) lanes_as_avx2 = lanes_as_avx2 && twin_lane(got[i], o[i], 0.0);
        }
        for (std::size_t i = 0; i < x.size(); ++i) {
          if (i < kStart || i >= kStart + n) {
            guards = guards && got[i] == kSentinel;
            continue;
          }
          const double ai = a[i], d = dz[i];
          const double want = kind == 0 ? d * ai * (1.0 - ai) : kind == 1 ? d * (1.0 - ai * ai) : (ai > 0.0 ? d : 0.0);
          const double bound = kind == 2 ? 0.0 : 4.0 * kEps * std::fabs(d) * (1.0 + std::fabs(ai)) * (1.0 + std::fabs(ai));
          backward = backward && std::fabs(got[i] - want) <= bound;
        }
      }
    }
  }
  fastmlp_test::expect(t, maps, name + " exp / sigmoid / tanh at lengths 0..40 with special values, against the twin");
  fastmlp_test::expect(t, lanes_as_avx2, name + " exp / sigmoid / tanh / activation_backward equal avx2's bit for bit");
  fastmlp_test::expect(t, guards, name + " vecmath kernels write nothing past n");
  fastmlp_test::expect(t, backward, name + " activation_backward at lengths 0..40 (relu on special values)");

  // Column sums at widths past 40 (the row-by-row path with a partial last vector) and
  // periods of 16 lanes; small integers, so every order is exact.
  bool sums = true;
  for (std::size_t units : {std::size_t{48}, std::size_t{64}, std::size_t{80}, std::size_t{100}, std::size_t{128},
                            std::size_t{130}}) {
    for (std::size_t rows : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{33}}) {
      std::vector<float> dz(rows * units), db(units + 1, kSentinel);
      for (std::size_t i = 0; i < dz.size(); ++i) dz[i] = static_cast<float>(static_cast<int>((i * 5) % 13) - 6);
      table.column_sums(db.data(), dz.data(), rows, units);
      for (std::size_t j = 0; j < units; ++j) {
        double want = 0;
        for (std::size_t r = 0; r < rows; ++r) want += dz[r * units + j];
        sums = sums && db[j] == want;
      }
      sums = sums && db[units] == kSentinel;
    }
  }
  fastmlp_test::expect(t, sums, name + " column_sums, wide rows");

  // The AVX-512 column sums equal the AVX2 ones bit for bit at every width (random floats, where
  // the order of the additions shows).
  const KernelTable* avx2_table = fastmlp::cpu::avx2_kernels();
  if (name == "avx512" && avx2_table != nullptr) {
    bool same_sums = true;
    for (std::size_t units = 1; units <= 200; ++units) {
      for (std::size_t rows : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
        const std::vector<float> dz = fastmlp_test::random_vector(rng, rows * units);
        std::vector<float> mine(units), theirs(units);
        table.column_sums(mine.data(), dz.data(), rows, units);
        avx2_table->column_sums(theirs.data(), dz.data(), rows, units);
        same_sums = same_sums && std::memcmp(mine.data(), theirs.data(), units * sizeof(float)) == 0;
      }
    }
    fastmlp_test::expect(t, same_sums, "avx512 column_sums equal avx2's bit for bit, units 1..200");
  }

  // Squared-error sums at every length 0..40 and 1000 against the scalar twin, and the
  // AVX-512 table against the AVX2 one bit for bit.
  const KernelTable* avx2 = fastmlp::cpu::avx2_kernels();
  const bool bitwise = name == "avx512" && avx2 != nullptr;
  bool near = true, same = true;
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 40; ++n) lengths.push_back(n);
  lengths.push_back(1000);
  for (const std::size_t n : lengths) {
    std::vector<float> P(n), Y(n), W(n);
    for (std::size_t i = 0; i < n; ++i) P[i] = rng.uniform(), Y[i] = rng.uniform(), W[i] = std::fabs(rng.uniform());
    for (std::size_t cols : {std::size_t{1}, std::size_t{3}}) {
      const std::size_t rows = n / cols;
      const double mine = table.squared_error_sum(P.data(), Y.data(), n);
      const double twin = scalar.squared_error_sum(P.data(), Y.data(), n);
      const double wmine = table.weighted_squared_error_sum(P.data(), Y.data(), W.data(), rows, cols);
      const double wtwin = scalar.weighted_squared_error_sum(P.data(), Y.data(), W.data(), rows, cols);
      near = near && std::fabs(mine - twin) <= 1e-12 * twin + 1e-300 && std::fabs(wmine - wtwin) <= 1e-12 * wtwin + 1e-300;
      if (bitwise) {
        same = same && mine == avx2->squared_error_sum(P.data(), Y.data(), n) &&
               wmine == avx2->weighted_squared_error_sum(P.data(), Y.data(), W.data(), rows, cols);
      }
    }
  }
  fastmlp_test::expect(t, near, name + " squared-error sums at lengths 0..40 and 1000 against the twin");
  if (bitwise) fastmlp_test::expect(t, same, "avx512 squared-error sums equal avx2's bit for bit");
}

// ---- softmax on the table in use -----------------------------------------------------------

void softmax(Tally& t) {
  Rng rng{13};
  for (std::size_t units : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{10}, std::size_t{37}}) {
    const std::size_t rows = 5;
    std::vector<float> z = fastmlp_test::random_vector(rng, rows * units), a(rows * units);
    for (float& v : z) v *= 50.0f;  // spreads past 87.3, so some exps underflow to 0
    fastmlp::activation_forward(fastmlp::Activation::softmax, a.data(), z.data(), rows, units);
    bool ok = true;
    for (std::size_t r = 0; r < rows; ++r) {
      // (a plain comparison, not std::fmax: GCC 12's aarch64 vectorizer crashes on that reduction)
      // The shifted arguments z - max are rounded to float as softmax_rows rounds them (at |z| ~ 50
      // that rounding alone moves exp by ~4e-6, far more than the kernels' few ulps).
      float zmax = z[r * units];
      for (std::size_t j = 0; j < units; ++j) zmax = z[r * units + j] > zmax ? z[r * units + j] : zmax;
      double sum = 0.0;
      for (std::size_t j = 0; j < units; ++j) sum += std::exp(static_cast<double>(z[r * units + j] - zmax));
      for (std::size_t j = 0; j < units; ++j) {
        const double want = std::exp(static_cast<double>(z[r * units + j] - zmax)) / sum;
        // exps below FLT_MIN are 0 (vecmath.hpp): their probabilities may be 0 too
        ok = ok && std::fabs(a[r * units + j] - want) <= 8.0 * kEps * want + 1.2e-38;
      }
    }
    fastmlp_test::expect(t, ok, std::string("softmax on ") + fastmlp::cpu::kernels().name + ", units " +
                                    std::to_string(units));
  }
}

}  // namespace

int main() {
  std::printf("kernel table in use: %s\n", fastmlp::cpu::kernels().name);
  Tally t;
  const KernelTable& scalar = fastmlp::cpu::scalar_kernels();
  for (const RunnableTable& rt : fastmlp_test::runnable_tables()) {
    std::printf("checking table %s\n", rt.table->name);
    micro_kernels(t, *rt.table);
    vecmath_kernels(t, *rt.table, scalar);
    tails_and_specials(t, *rt.table, scalar);
  }
  softmax(t);
  return fastmlp_test::finish(t, "kernel twins");
}
