// Tests of the losses mae and huber, of cross-entropy's precision, and of sample weights in the
// core: hand-computed values and gradients, the weighted squared-error kernels (each table) equal
// to the unweighted ones at unit weights bit for bit, a weight-0 row absent, the weight checks,
// and a trainer whose chunk has unit weights reproducing the unweighted run exactly while a
// weight-0 batch changes nothing.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "activations.hpp"
#include "cpu/dispatch.hpp"
#include "kernel_tables.hpp"
#include "losses.hpp"
#include "mlp.hpp"
#include "mlp_reference.hpp"
#include "test_util.hpp"

using namespace fastmlp;
using test_util::check;
using test_util::check_near;
using test_util::check_throws;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// huber and mae on residuals 0.5, -3 (one output, two rows): values and gradients by hand.
void test_hand_values() {
  const float P[2] = {0.5f, -3.0f};
  const float Y[2] = {0.0f, 0.0f};
  const float Z[2] = {0.0f, 0.0f};
  float d[2];
  const LossSpec huber{Loss::huber, 1.0f};
  check_near(loss_forward(huber, Z, P, Y, 2, 1, nullptr, 2.0), (0.125 + 2.5) / 2, 1e-15, "huber delta 1");
  check(!loss_backward(huber, d, P, Y, 2, 1, nullptr, 2.0), "huber is not fused");
  check(d[0] == 0.25f && d[1] == -0.5f, "huber gradient: r / n inside delta, -delta / n beyond");
  const LossSpec huber2{Loss::huber, 2.0f};
  check_near(loss_forward(huber2, Z, P, Y, 2, 1, nullptr, 2.0), (0.125 + 4.0) / 2, 1e-15, "huber delta 2");
  const LossSpec mae{Loss::mae, 1.0f};
  check_near(loss_forward(mae, Z, P, Y, 2, 1, nullptr, 2.0), 3.5 / 2, 1e-15, "mae");
  loss_backward(mae, d, P, Y, 2, 1, nullptr, 2.0);
  check(d[0] == 0.5f && d[1] == -0.5f, "mae gradient sign / n");
  const float Pz[1] = {2.0f};
  const float Yz[1] = {2.0f};
  loss_backward(mae, d, Pz, Yz, 1, 1, nullptr, 1.0);
  check(d[0] == 0.0f, "mae gradient 0 where p == y");
  // weights 3 and 1: the weighted mean over the batch weight 4
  const float W[2] = {3.0f, 1.0f};
  check_near(loss_forward(huber, Z, P, Y, 2, 1, W, 4.0), (3 * 0.125 + 2.5) / 4, 1e-15, "weighted huber");
  loss_backward(huber, d, P, Y, 2, 1, W, 4.0);
  check(d[0] == 0.375f && d[1] == -0.25f, "weighted huber gradient: w r / W, -w delta / W");
  check(loss_forward(huber, Z, P, Y, 2, 1, W, 0.0) == 0.0, "a batch of weight 0 has loss 0");
}

// cross-entropy on P = softmax(Z) as the trainer makes it (activation_forward, this machine's
// kernel table), against its value in double: log1p of the other outputs' e^(z_j - zmax), plus
// zmax - z_label. To 1e-6 relative for a confident right answer (near 4e-9, and near 8.5e-18,
// which any sum that adds the log term to zmax or takes log(P_true) rounds to 0), a confident
// wrong one (near 20), a tie for the max, and a saturated output whose other terms underflow in
// float (1.5e-52 in double: 0).
void test_cross_entropy_precision() {
  const std::vector<std::vector<float>> rows{{20, 0, 0}, {40, 0, 0},    {0, 20, 0.5f},
                                             {3, 3, -1}, {-2, 0.25f, 1}, {120, 0, 0}};
  const std::vector<std::size_t> labels{0, 0, 0, 1, 2, 0};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const float* z = rows[r].data();
    float p[3];
    activation_forward(Activation::softmax, p, z, 1, 3);
    float y[3] = {0, 0, 0};
    y[labels[r]] = 1;
    std::size_t jmax = 0;
    for (std::size_t j = 1; j < 3; ++j) jmax = z[j] > z[jmax] ? j : jmax;
    double others = 0.0;
    for (std::size_t j = 0; j < 3; ++j) others += j == jmax ? 0.0 : std::exp(double{z[j]} - z[jmax]);
    const double want = (double{z[jmax]} - z[labels[r]]) + std::log1p(others);
    const double got = loss_forward(LossSpec{Loss::cross_entropy}, z, p, y, 1, 3, nullptr, 1.0);
    char what[128];
    std::snprintf(what, sizeof what, "cross-entropy row %zu: %.9g, want %.9g", r, got, want);
    check(std::fabs(got - want) <= 1e-6 * std::fabs(want) + 1e-30, what);  // + float's underflow (1.5e-52)
  }
}

// Every loss: unit weights give the unweighted forward and backward bit for bit; a weight-0 row
// leaves the loss of the other rows (over their weight) and gets gradient 0.
void test_unit_and_zero_weights() {
  for (std::size_t code = 0; code < contract::kLossCount; ++code) {
    const Loss loss = static_cast<Loss>(code);
    const std::string name = loss_name(loss);
    const std::size_t rows = 37, outs = 3, n = rows * outs;
    ref::Lcg g{7 + code};
    std::vector<float> Z = ref::random_floats(n, g, 2.0), P(n), Y = ref::make_targets(loss, rows, outs, g);
    // P as the output activation the loss is fused with makes it (cross-entropy reads softmax's)
    const Activation output = loss == Loss::cross_entropy ? Activation::softmax : Activation::sigmoid;
    activation_forward(output, P.data(), Z.data(), rows, outs);
    const LossSpec spec{loss, 0.3f};
    const std::vector<float> ones(rows, 1.0f);
    const double plain = loss_forward(spec, Z.data(), P.data(), Y.data(), rows, outs, nullptr, rows);
    const double unit = loss_forward(spec, Z.data(), P.data(), Y.data(), rows, outs, ones.data(), batch_weight(ones.data(), rows));
    check(same_bits(plain, unit), name + ": unit weights give the unweighted loss bit for bit");
    std::vector<float> d1(n), d2(n);
    loss_backward(spec, d1.data(), P.data(), Y.data(), rows, outs, nullptr, rows);
    loss_backward(spec, d2.data(), P.data(), Y.data(), rows, outs, ones.data(), rows);
    check(std::memcmp(d1.data(), d2.data(), n * sizeof(float)) == 0, name + ": unit weights give the same gradient");
    // the last row weighs 0: the loss is that of the first rows alone
    std::vector<float> w(ones);
    w[rows - 1] = 0.0f;
    const double kept = loss_forward(spec, Z.data(), P.data(), Y.data(), rows - 1, outs, nullptr, rows - 1);
    const double weighted = loss_forward(spec, Z.data(), P.data(), Y.data(), rows, outs, w.data(), rows - 1);
    check_near(weighted, kept, 1e-14, name + ": a weight-0 row is absent from the loss");
    loss_backward(spec, d2.data(), P.data(), Y.data(), rows, outs, w.data(), rows - 1);
    loss_backward(spec, d1.data(), P.data(), Y.data(), rows - 1, outs, nullptr, rows - 1);
    bool zero = true, same = true;
    for (std::size_t j = 0; j < outs; ++j) zero = zero && d2[(rows - 1) * outs + j] == 0.0f;
    for (std::size_t i = 0; i < (rows - 1) * outs; ++i) same = same && d1[i] == d2[i];
    check(zero && same, name + ": a weight-0 row gets gradient 0, the others the unweighted one");
  }
}

// Every kernel table: the weighted squared-error sum at unit weights equals the unweighted sum
// bit for bit at every length (the vector lanes and the tail), and weighs rows otherwise.
void test_weighted_kernels() {
  for (const fastmlp_test::RunnableTable& rt : fastmlp_test::runnable_tables()) {
    const cpu::KernelTable* k = rt.table;
    for (std::size_t cols : {1u, 2u, 3u, 8u, 11u}) {
      for (std::size_t rows = 0; rows < 20; ++rows) {
        ref::Lcg g{rows * 31 + cols};
        const std::vector<float> P = ref::random_floats(rows * cols, g), Y = ref::random_floats(rows * cols, g);
        const std::vector<float> ones(rows, 1.0f);
        const std::string what = std::string(k->name) + " rows " + std::to_string(rows) + " cols " + std::to_string(cols);
        check(same_bits(k->weighted_squared_error_sum(P.data(), Y.data(), ones.data(), rows, cols),
                        k->squared_error_sum(P.data(), Y.data(), rows * cols)),
              what + ": unit weights bit for bit");
        std::vector<float> w(rows);
        double want = 0.0;
        for (std::size_t r = 0; r < rows; ++r) {
          w[r] = static_cast<float>(r % 3);
          for (std::size_t j = 0; j < cols; ++j) {
            const double d = static_cast<double>(P[r * cols + j]) - Y[r * cols + j];
            want += w[r] * d * d;
          }
        }
        check_near(k->weighted_squared_error_sum(P.data(), Y.data(), w.data(), rows, cols), want, 1e-12,
                   what + ": weighted");
      }
    }
  }
}

void test_weight_checks() {
  const float good[3] = {0.0f, 1.5f, 3e38f};
  try {
    check_weights(good, 3);
    check(true, "valid weights pass");
  } catch (...) {
    check(false, "valid weights pass");
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::pair<float, std::string> bad[] = {{-1.0f, "-1"}, {nan, "NaN"}, {inf, "Infinity"}, {-0.5f, "-0.5"}};
  for (const auto& [v, text] : bad) {
    const float w[2] = {1.0f, v};
    try {
      check_weights(w, 2);
      check(false, "weight " + text + " refused");
    } catch (const std::out_of_range& e) {
      check(std::string(e.what()) == "Expected finite weights >= 0 for weights but received " + text + " at 1",
            std::string("message for ") + text + ": " + e.what());
    }
  }
  check_throws<std::invalid_argument>([] { validate_huber_delta(0.0f); }, "huber delta 0 refused");
  check_throws<std::invalid_argument>([] { validate_huber_delta(std::numeric_limits<float>::infinity()); },
                                      "huber delta Infinity refused");
}

// A trainer: unit weights reproduce the unweighted run (losses, params) bit for bit; a chunk of
// all-zero weights leaves params and Adam's state untouched while counting its steps.
void test_trainer() {
  TrainerPlan plan = ref::make_plan({3, 5, 2}, Activation::tanh, Activation::linear, Loss::huber, 4);
  plan.huber_delta = 0.25f;
  plan.optimizer.kind = OptimizerKind::adam;
  plan.optimizer.learning_rate = 0.01;
  plan.optimizer.beta1 = 0.9;
  plan.optimizer.beta2 = 0.999;
  plan.optimizer.epsilon = 1e-8;
  Trainer trainer(plan);
  const ParamLayout lay = param_layout(plan.layers);
  const std::size_t rows = 10;
  ref::Lcg g{99};
  const std::vector<float> X = ref::random_floats(rows * 3, g), Y = ref::random_floats(rows * 2, g);
  const std::vector<float> p0 = ref::random_floats(lay.size, g);
  std::vector<std::uint32_t> order(3 * rows);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>((i * 7) % rows);
  const Span<const std::uint32_t> ord{order.data(), order.size()};
  const auto run = [&](const float* weights, std::vector<float>& p, std::vector<float>& state, std::vector<double>& losses) {
    p = p0;
    state.assign(2 * lay.size, 0.0f);
    losses.assign(3, 0.0);
    return trainer.train_epochs({{p.data(), p.size()}, {state.data(), state.size()}}, {X.data(), X.size()},
                                {Y.data(), Y.size()}, rows, &ord, 3, 4, 0, {losses.data(), 3}, {}, {},
                                Span<const float>{weights, weights == nullptr ? 0 : rows});
  };
  std::vector<float> pa, sa, pb, sb;
  std::vector<double> la, lb;
  const std::vector<float> ones(rows, 1.0f), zeros(rows, 0.0f);
  run(nullptr, pa, sa, la);
  run(ones.data(), pb, sb, lb);
  bool same = pa == pb && sa == sb;
  for (std::size_t e = 0; e < 3; ++e) same = same && same_bits(la[e], lb[e]);
  check(same, "unit weights reproduce the unweighted run bit for bit");
  const std::uint64_t steps = run(zeros.data(), pb, sb, lb);
  check(steps == 9, "weight-0 batches still count their steps");
  bool untouched = pb == p0;
  for (float s : sb) untouched = untouched && s == 0.0f;
  check(untouched && lb[0] == 0.0 && lb[2] == 0.0, "weight-0 batches change nothing and report loss 0");
  std::vector<float> bad(ones);
  bad[4] = -1.0f;
  std::vector<float> pc, sc;
  std::vector<double> lc;
  check_throws<std::out_of_range>([&] { run(bad.data(), pc, sc, lc); }, "a negative weight refused");
  check(pc == p0, "a refused chunk writes nothing");
}

}  // namespace

int main() {
  test_hand_values();
  test_cross_entropy_precision();
  test_unit_and_zero_weights();
  test_weighted_kernels();
  test_weight_checks();
  test_trainer();
  return test_util::finish("losses_test");
}
