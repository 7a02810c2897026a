// The optimizer's element loop of every kernel table this machine runs (AVX2, AVX-512, NEON's
// entry) against the plain loop of the scalar table, bit for bit: every rule (sgd, momentum,
// nesterov, adam, adamw, rmsprop with and without momentum), decay on and off, every length from
// 0 to 40 (each partial vector of 8 and 16 lanes, at unaligned starts) and a long run, on values
// that include zeros of both signs, tiny and huge magnitudes, infinities and NaN in gradients,
// weights and state. NaN lanes need only be NaN in both (their payloads are not part of the
// contract); every other lane, and the untouched floats beyond n, must match exactly.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "check.hpp"
#include "cpu/dispatch.hpp"
#include "kernel_tables.hpp"
#include "optimizer_kernels.hpp"

using fastmlp::StepCoefficients;
using fastmlp::cpu::KernelTable;
using fastmlp_test::Rng;
using fastmlp_test::Tally;

namespace {

bool same(float a, float b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0; }

bool same_all(const std::vector<float>& a, const std::vector<float>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}

StepCoefficients coefficients(float mu) {
  StepCoefficients c{};
  c.lr = 0.05f;
  c.mu = mu;
  c.b1 = 0.9f;
  c.one_minus_b1 = 0.1f;
  c.b2 = 0.999f;
  c.one_minus_b2 = static_cast<float>(1.0 - 0.999);
  c.step_size = static_cast<float>(0.05 / (1.0 - std::pow(0.9, 3.0)));
  c.inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(0.999, 3.0)));
  c.eps = 1e-8f;
  c.weight_keep = static_cast<float>(1.0 - 0.05 * 0.01);
  c.rho = 0.9f;
  c.one_minus_rho = static_cast<float>(1.0 - 0.9);
  return c;
}

// Mostly ordinary values; every 7th a special one (state values stay >= 0 where the rule keeps
// them so: v and s are sums of squares).
float value(Rng& rng, std::size_t i, bool nonnegative) {
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {0.0f, -0.0f, 1e-30f, -3e-39f, 1e30f, -1e30f, inf, -inf,
                            std::numeric_limits<float>::quiet_NaN(), 65504.0f};
  float x = rng.uniform();
  if (i % 7 == 3) x = specials[(i / 7) % (sizeof specials / sizeof specials[0])];
  return nonnegative ? std::fabs(x) : x;
}

void check_table(Tally& t, const KernelTable& table, const KernelTable& scalar) {
  struct Case {
    int kind;
    const char* name;
    float mu;
  };
  const Case cases[] = {{fastmlp::kUpdateSgd, "sgd", 0.0f},         {fastmlp::kUpdateMomentum, "momentum", 0.9f},
                        {fastmlp::kUpdateNesterov, "nesterov", 0.9f}, {fastmlp::kUpdateAdam, "adam", 0.0f},
                        {fastmlp::kUpdateAdamw, "adamw", 0.0f},       {fastmlp::kUpdateRmsprop, "rmsprop", 0.0f},
                        {fastmlp::kUpdateRmsprop, "rmsprop+momentum", 0.9f}};
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 40; ++n) lengths.push_back(n);
  lengths.push_back(1000);
  Rng rng{77};
  for (const Case& k : cases) {
    const StepCoefficients c = coefficients(k.mu);
    for (const float decay : {0.0f, 0.01f}) {
      for (const std::size_t n : lengths) {
        for (const std::size_t start : {std::size_t{0}, std::size_t{3}}) {
          // Each buffer has `start` floats before and 17 after the range: they must stay as they were.
          const std::size_t size = start + n + 17;
          std::vector<float> w(size), g(size), m(size), v(size);
          for (std::size_t i = 0; i < size; ++i) {
            w[i] = value(rng, i, false);
            g[i] = value(rng, i + 2, false);
            m[i] = value(rng, i + 4, k.kind == fastmlp::kUpdateRmsprop);
            v[i] = value(rng, i + 5, k.kind != fastmlp::kUpdateRmsprop);
          }
          std::vector<float> w2 = w, m2 = m, v2 = v;
          table.optimizer_update(k.kind, c, decay, w.data() + start, g.data() + start, m.data() + start,
                                 v.data() + start, n);
          scalar.optimizer_update(k.kind, c, decay, w2.data() + start, g.data() + start, m2.data() + start,
                                  v2.data() + start, n);
          char what[160];
          std::snprintf(what, sizeof what, "%s optimizer_update %s decay=%g n=%zu start=%zu", table.name, k.name,
                        static_cast<double>(decay), n, start);
          fastmlp_test::expect(t, same_all(w, w2) && same_all(m, m2) && same_all(v, v2), what);
        }
      }
    }
  }
}

// The plain loop against the rule itself, on one ordinary element per kind: the twin check above
// would pass if every table were wrong the same way.
void check_scalar_rules(Tally& t, const KernelTable& scalar) {
  const StepCoefficients c = coefficients(0.9f);
  const float w0 = 0.5f, g0 = -0.25f, m0 = 0.125f, v0 = 0.0625f;
  const auto run = [&](int kind, float decay, float* w, float* m, float* v) {
    *w = w0, *m = m0, *v = v0;
    const float g = g0;
    scalar.optimizer_update(kind, c, decay, w, &g, m, v, 1);
  };
  float w, m, v;
  run(fastmlp::kUpdateSgd, 0.01f, &w, &m, &v);
  fastmlp_test::expect(t, w == w0 - c.lr * (g0 + 0.01f * w0), "scalar sgd rule");
  run(fastmlp::kUpdateMomentum, 0.0f, &w, &m, &v);
  fastmlp_test::expect(t, m == c.mu * m0 + g0 && w == w0 - c.lr * (c.mu * m0 + g0), "scalar momentum rule");
  run(fastmlp::kUpdateAdam, 0.0f, &w, &m, &v);
  const double md = 0.9 * m0 + 0.1 * g0, vd = 0.999 * v0 + 0.001 * g0 * g0;
  const double wd = w0 - (0.05 / (1.0 - 0.729)) * md / (std::sqrt(vd / (1.0 - std::pow(0.999, 3.0))) + 1e-8);
  fastmlp_test::expect(t, std::fabs(w - wd) <= 1e-6 && std::fabs(m - md) <= 1e-7 && std::fabs(v - vd) <= 1e-7,
                       "scalar adam rule against float64");
}

}  // namespace

int main() {
  Tally t;
  const KernelTable& scalar = fastmlp::cpu::scalar_kernels();
  check_scalar_rules(t, scalar);
  for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
    std::printf("checking table %s\n", rt.table->name);
    check_table(t, *rt.table, scalar);
  }
  return fastmlp_test::finish(t, "optimizer twins");
}
