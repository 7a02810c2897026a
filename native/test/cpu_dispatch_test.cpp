// Tests of the run-time dispatch (native/core/cpu/): the table in use is the one the build, the
// CPU and FASTMLP_FORCE_SCALAR call for (NEON on aarch64, AVX2 on x86-64 CPUs that have it,
// scalar elsewhere), it is chosen once, and the vecmath kernels of every table this machine can
// run agree with a float64 reference and with each other.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "check.hpp"
#include "cpu/dispatch.hpp"
#include "cpu/features.hpp"
#include "gemm/gemm.hpp"
#include "kernel_tables.hpp"
#include "vecmath.hpp"

using fastmlp::cpu::KernelTable;
using fastmlp_test::Rng;
using fastmlp_test::Tally;

namespace {

bool forced_by_env() {
  const char* v = std::getenv("FASTMLP_FORCE_SCALAR");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

void choice(Tally& t) {
  const KernelTable& used = fastmlp::cpu::kernels();
  const KernelTable* avx2 = fastmlp::cpu::avx2_kernels();
  const KernelTable* neon = fastmlp::cpu::neon_kernels();
  const KernelTable* vector = fastmlp::cpu::vector_kernels();
  const KernelTable& scalar = fastmlp::cpu::scalar_kernels();
  fastmlp_test::expect(t, &used == &fastmlp::cpu::kernels(), "kernels() is chosen once");
  fastmlp_test::expect(t, std::string(scalar.name) == "scalar", "the scalar table is named scalar");
  fastmlp_test::expect(t, scalar.activation_backward == nullptr, "the scalar table leaves activation_backward to activations.cpp");
#if !defined(__x86_64__) && !defined(_M_X64)
  // Non-x86-64 targets build no AVX2 kernels at all: the portable path must be the one running.
  fastmlp_test::expect(t, avx2 == nullptr, "no AVX2 table off x86-64");
  fastmlp_test::expect(t, !fastmlp::cpu::has_avx2_fma(), "no AVX2 reported off x86-64");
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
  // aarch64: NEON is baseline, so the NEON table always exists and is the vector table.
  fastmlp_test::expect(t, neon != nullptr, "a NEON table on aarch64");
  fastmlp_test::expect(t, neon != nullptr && std::string(neon->name) == "neon", "the NEON table is named neon");
  fastmlp_test::expect(t, neon != nullptr && neon->activation_backward != nullptr, "the NEON table has activation_backward");
#else
  fastmlp_test::expect(t, neon == nullptr, "no NEON table off aarch64");
#endif
  const KernelTable* avx512 = fastmlp::cpu::avx512_kernels();
  const KernelTable* widest = avx512 != nullptr && !fastmlp::cpu::avx512_capped() ? avx512 : avx2;
  fastmlp_test::expect(t, vector == (widest != nullptr ? widest : neon),
                       "vector_kernels() is the AVX-512 (unless FASTMLP_MAX_ISA=avx2), AVX2 or NEON table");
  if (avx512 != nullptr) {
    fastmlp_test::expect(t, fastmlp::cpu::has_avx512() && avx2 != nullptr, "an AVX-512 table only on an AVX-512 CPU");
    fastmlp_test::expect(t, std::string(avx512->name) == "avx512", "the AVX-512 table is named avx512");
  }
  const char* cap = std::getenv("FASTMLP_MAX_ISA");
  fastmlp_test::expect(t, fastmlp::cpu::avx512_capped() == (cap != nullptr && std::strcmp(cap, "avx2") == 0),
                       "avx512_capped() reads FASTMLP_MAX_ISA");
  if (avx2 != nullptr) {
    fastmlp_test::expect(t, fastmlp::cpu::has_avx2_fma(), "an AVX2 table only on an AVX2 CPU");
    fastmlp_test::expect(t, std::string(avx2->name) == "avx2-fma", "the AVX2 table is named avx2-fma");
  }
  const KernelTable& expected = vector != nullptr && !forced_by_env() ? *vector : scalar;
  fastmlp_test::expect(t, &used == &expected, std::string("kernels() is ") + expected.name + ", got " + used.name);
  fastmlp_test::expect(t, fastmlp::cpu::scalar_forced() == forced_by_env(), "scalar_forced() reads FASTMLP_FORCE_SCALAR");
  fastmlp_test::expect(t, std::string(fastmlp::gemm_kernel_name()) == used.name, "gemm_kernel_name() reports the table");
}

// One table's vecmath kernels against float64 std::exp / std::tanh: within a few float ulps
// (Cephes ~1 ulp, plus the division in sigmoid / tanh), on arguments over the whole range,
// with lengths that leave partial vectors.
void vecmath_against_reference(Tally& t, const KernelTable& k) {
  Rng rng{5};
  const std::string name = k.name;
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{9}, std::size_t{1000}}) {
    std::vector<float> x(n), y(n);
    for (float& v : x) v = 40.0f * rng.uniform();
    const float tol = 8.0f * 1.2e-7f;
    k.sigmoid(y.data(), x.data(), n);
    bool ok = true;
    for (std::size_t i = 0; i < n; ++i) {
      const double ref = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
      ok = ok && std::fabs(y[i] - ref) <= tol * ref + 1e-37;
    }
    fastmlp_test::expect(t, ok, name + " sigmoid n=" + std::to_string(n));
    k.tanh(y.data(), x.data(), n);
    ok = true;
    for (std::size_t i = 0; i < n; ++i) {
      const double ref = std::tanh(static_cast<double>(x[i]));
      ok = ok && std::fabs(y[i] - ref) <= tol * std::fabs(ref) + 1e-37;
    }
    fastmlp_test::expect(t, ok, name + " tanh n=" + std::to_string(n));
    for (float& v : x) v = -std::fabs(v) * 2.0f;  // exp_nonpositive's domain, down to -80
    k.exp_nonpositive(y.data(), x.data(), n);
    ok = true;
    for (std::size_t i = 0; i < n; ++i) {
      const double ref = std::exp(static_cast<double>(x[i]));
      ok = ok && std::fabs(y[i] - ref) <= tol * ref + 1e-37;
    }
    fastmlp_test::expect(t, ok, name + " exp_nonpositive n=" + std::to_string(n));
    // Column sums and squared error: exact inputs (small integers), so any summation order is exact.
    const std::size_t units = n % 5 + 1, rows = n / units;
    std::vector<float> dz(rows * units), db(units);
    for (std::size_t i = 0; i < dz.size(); ++i) dz[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
    k.column_sums(db.data(), dz.data(), rows, units);
    ok = true;
    for (std::size_t j = 0; j < units; ++j) {
      double s = 0;
      for (std::size_t r = 0; r < rows; ++r) s += dz[r * units + j];
      ok = ok && db[j] == s;
    }
    fastmlp_test::expect(t, ok, name + " column_sums n=" + std::to_string(n));
    double want = 0;
    for (std::size_t i = 0; i < dz.size(); ++i) want += static_cast<double>(dz[i] - 1.0f) * (dz[i] - 1.0f);
    std::vector<float> ones(dz.size(), 1.0f);
    fastmlp_test::expect(t, k.squared_error_sum(dz.data(), ones.data(), dz.size()) == want,
                         name + " squared_error_sum n=" + std::to_string(n));
  }
  // NaN propagates; far below the range gives 0.
  const float nan = std::nanf("");
  const float in[2] = {nan, -200.0f};
  float out[2];
  k.exp_nonpositive(out, in, 2);
  fastmlp_test::expect(t, std::isnan(out[0]) && out[1] == 0.0f, name + " exp_nonpositive NaN and underflow");
}

// The front doors (vecmath.hpp) run the table in use.
void front_doors(Tally& t) {
  const KernelTable& k = fastmlp::cpu::kernels();
  std::vector<float> x = {-3.0f, -0.5f, 0.0f, 0.25f, 2.0f, 9.0f, -11.0f, 0.7f, 1.5f};
  std::vector<float> a(x.size()), b(x.size());
  fastmlp::vec_sigmoid(a.data(), x.data(), x.size());
  k.sigmoid(b.data(), x.data(), x.size());
  fastmlp_test::expect(t, a == b, "vec_sigmoid runs the chosen table");
  fastmlp::vec_tanh(a.data(), x.data(), x.size());
  k.tanh(b.data(), x.data(), x.size());
  fastmlp_test::expect(t, a == b, "vec_tanh runs the chosen table");
}

}  // namespace

int main() {
  std::printf("kernel table: %s\n", fastmlp::cpu::kernels().name);
  Tally t;
  choice(t);
  for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) vecmath_against_reference(t, *rt.table);
  front_doors(t);
  return fastmlp_test::finish(t, "cpu_dispatch");
}
