// Tests of optimizer_step against the float64 update rules: every kind, with weight decay
// (weights only, never biases; decoupled for adamw), at a step t > 1 so adam's bias corrections
// matter; rmsprop with and without momentum; gradient clipping by value and by global norm, whose
// float64 norm is the same for any split of the blocks across threads.
#include <string>
#include <vector>

#include "clipping.hpp"
#include "mlp_reference.hpp"
#include "optimizers.hpp"
#include "test_util.hpp"

using namespace fastmlp;
using test_util::check;
using test_util::check_near;
using test_util::check_throws;

static void test_kind(OptimizerKind kind, const char* name, double momentum = 0.9, double clip_value = 0,
                      double clip_norm = 0) {
  TrainerPlan plan = ref::make_plan({3, 4, 2}, Activation::tanh, Activation::linear, Loss::mse, 1);
  plan.layers[1].use_bias = true;
  const ParamLayout lay = param_layout(plan.layers);
  OptimizerPlan o;
  o.kind = kind;
  o.learning_rate = 0.05;
  o.momentum = momentum;
  o.rho = 0.9;
  o.clip_value = clip_value;
  o.clip_norm = clip_norm;
  o.beta1 = 0.8;
  o.beta2 = 0.95;
  o.epsilon = 1e-7;
  o.weight_decay = 0.1;
  ref::Lcg g{42};
  std::vector<float> p = ref::random_floats(lay.size, g), grads = ref::random_floats(lay.size, g);
  std::vector<float> state(optimizer_state_size(kind, lay.size));
  for (float& s : state) s = static_cast<float>(0.5 + 0.4 * g.next());  // v must stay positive
  ref::Vec rp = ref::to_double(p), rg = ref::to_double(grads), rm(lay.size, 0.0), rv(lay.size, 0.0);
  for (std::size_t i = 0; i < lay.size && !state.empty(); ++i) rm[i] = state[i];
  const bool two_slots = state.size() == 2 * lay.size;
  for (std::size_t i = 0; two_slots && i < lay.size; ++i) rv[i] = state[lay.size + i];
  std::vector<double> sums(clip_norm_blocks(lay.size));
  for (std::uint64_t t = 3; t <= 5; ++t) {
    std::vector<float> step_grads = grads;  // clipping works in place
    clip_gradients(step_grads.data(), lay.size, o.clip_value, o.clip_norm, sums.data());
    optimizer_step(o, lay, t, p.data(), step_grads.data(), state.data());
    ref::Vec clipped = rg;
    ref::ref_clip(o, clipped);
    ref::ref_step(o, lay, t, rp, clipped, rm, rv);
  }
  for (std::size_t i = 0; i < lay.size; ++i) {
    check_near(p[i], rp[i], 1e-5, std::string(name) + " param " + std::to_string(i));
    if (!state.empty()) check_near(state[i], rm[i], 1e-5, std::string(name) + " state " + std::to_string(i));
    if (two_slots) check_near(state[lay.size + i], rv[i], 1e-5, std::string(name) + " slot 2 " + std::to_string(i));
  }
}

// The clipped gradient's norm is summed in fixed blocks: any split of the blocks (as threads
// take them) gives the same bits; and a gradient under the threshold is left untouched.
static void test_clipping_blocks() {
  const std::size_t n = 3 * contract::kClipNormBlock + 1234;
  ref::Lcg g{7};
  std::vector<float> grads = ref::random_floats(n, g);
  const std::size_t blocks = clip_norm_blocks(n);
  check(blocks == 4, "blocks of a gradient of 3 blocks and a part");
  std::vector<double> one(blocks), split(blocks);
  std::vector<float> a = grads, b = grads;
  clip_values_and_sum_squares(a.data(), n, 0, blocks, 0.25f, one.data());
  // blocks taken in another order and grouping, as workers might
  clip_values_and_sum_squares(b.data(), n, 3, 4, 0.25f, split.data());
  clip_values_and_sum_squares(b.data(), n, 1, 3, 0.25f, split.data());
  clip_values_and_sum_squares(b.data(), n, 0, 1, 0.25f, split.data());
  check(a == b, "clamped values do not depend on the split");
  for (std::size_t k = 0; k < blocks; ++k) check(one[k] == split[k], "block sums do not depend on the split");
  double sum = 0;
  for (float x : a) {
    check(x >= -0.25f && x <= 0.25f, "every element within clipValue");
    sum += static_cast<double>(x) * x;
  }
  const double norm = std::sqrt(sum);
  check_near(std::sqrt(one[0] + one[1] + one[2] + one[3]), norm, 1e-12, "block sums add to the norm");
  check(clip_norm_scale(one.data(), blocks, norm * 2) == 1.0f, "no scaling below the threshold");
  check_near(clip_norm_scale(one.data(), blocks, norm / 4), (norm / 4) / (norm + 1e-6), 1e-7, "scale above it");
  std::vector<float> c = grads;
  std::vector<double> sums(blocks);
  check(clip_gradients(c.data(), n, 0, 1e30, sums.data()) == 1.0f && c == grads, "a huge clipNorm changes nothing");
}

int main() {
  test_kind(OptimizerKind::sgd, "sgd");
  test_kind(OptimizerKind::momentum, "momentum");
  test_kind(OptimizerKind::nesterov, "nesterov");
  test_kind(OptimizerKind::adam, "adam");
  test_kind(OptimizerKind::adamw, "adamw");
  test_kind(OptimizerKind::rmsprop, "rmsprop with momentum");
  test_kind(OptimizerKind::rmsprop, "rmsprop", 0.0);
  test_kind(OptimizerKind::sgd, "sgd clipped by value", 0.0, 0.3);
  test_kind(OptimizerKind::adam, "adam clipped by norm", 0.0, 0.0, 0.5);
  test_kind(OptimizerKind::momentum, "momentum clipped by value then norm", 0.9, 0.3, 0.5);
  test_clipping_blocks();

  OptimizerPlan bad;
  bad.learning_rate = std::numeric_limits<double>::quiet_NaN();
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "NaN learning rate");
  bad = OptimizerPlan{};
  bad.beta2 = 1.0;
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "beta2 = 1");
  bad = OptimizerPlan{};
  bad.weight_decay = -1;
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "negative weight decay");
  bad = OptimizerPlan{};
  bad.rho = 1.0;
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "rho = 1");
  bad = OptimizerPlan{};
  bad.clip_norm = -1;
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "negative clipNorm");
  bad = OptimizerPlan{};
  bad.clip_value = 1e300;
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "clipValue infinite as float32");
  bad = OptimizerPlan{};
  bad.clip_norm = 0;
  bad.clip_value = 0;
  validate_optimizer(bad);  // 0: off
  const ParamLayout lay = param_layout({{2, 2, Activation::linear, true}});
  std::vector<float> w(lay.size), gr(lay.size);
  check_throws<std::invalid_argument>([&] { optimizer_step(OptimizerPlan{}, lay, 0, w.data(), gr.data(), nullptr); },
                                      "step 0");
  return test_util::finish("optimizers_test");
}
