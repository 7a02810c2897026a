// The constants of the Cephes single-precision exp and tanh (Moshier, Cephes Math Library,
// expf.c and tanhf.c), shared by the plain and AVX2 versions in vecmath*.cpp. Only constexpr
// values here: nothing that could be instantiated by the AVX2 file for the whole program.
#pragma once

namespace fastmlp {
namespace cephes {

constexpr float kLog2e = 1.44269504088896341f;
// ln 2 = C1 + C2 with C1 exact in 9 bits, so n * C1 is exact for |n| < 2^15.
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
// e^r = 1 + r + r^2 P(r) on |r| <= ln2 / 2.
constexpr float kExpP0 = 1.9875691500e-4f;
constexpr float kExpP1 = 1.3981999507e-3f;
constexpr float kExpP2 = 8.3334519073e-3f;
constexpr float kExpP3 = 4.1665795894e-2f;
constexpr float kExpP4 = 1.6666665459e-1f;
constexpr float kExpP5 = 5.0000001201e-1f;
// ln(FLT_MIN): below it 2^n would leave the normal range.
constexpr float kExpMin = -87.3365447504f;

// tanh z = z + z^3 T(z^2) on |z| < 0.625.
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhT0 = -5.70498872745e-3f;
constexpr float kTanhT1 = 2.06390887954e-2f;
constexpr float kTanhT2 = -5.37397155531e-2f;
constexpr float kTanhT3 = 1.33314422036e-1f;
constexpr float kTanhT4 = -3.33332819422e-1f;

}  // namespace cephes
}  // namespace fastmlp
