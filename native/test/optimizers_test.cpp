// Tests of optimizer_step against the float64 update rules: every kind, with L2 weight decay
// (weights only, never biases), at a step t > 1 so adam's bias corrections matter.
#include <string>
#include <vector>

#include "mlp_reference.hpp"
#include "optimizers.hpp"
#include "test_util.hpp"

using namespace fastmlp;
using test_util::check_near;
using test_util::check_throws;

static void test_kind(OptimizerKind kind, const char* name) {
  TrainerPlan plan = ref::make_plan({3, 4, 2}, Activation::tanh, Activation::linear, Loss::mse, 1);
  plan.layers[1].use_bias = true;
  const ParamLayout lay = param_layout(plan.layers);
  OptimizerPlan o;
  o.kind = kind;
  o.learning_rate = 0.05;
  o.momentum = 0.9;
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
  for (std::size_t i = 0; kind == OptimizerKind::adam && i < lay.size; ++i) rv[i] = state[lay.size + i];
  for (std::uint64_t t = 3; t <= 5; ++t) {
    optimizer_step(o, lay, t, p.data(), grads.data(), state.data());
    ref::ref_step(o, lay, t, rp, rg, rm, rv);
  }
  for (std::size_t i = 0; i < lay.size; ++i) {
    check_near(p[i], rp[i], 1e-5, std::string(name) + " param " + std::to_string(i));
    if (!state.empty()) check_near(state[i], rm[i], 1e-5, std::string(name) + " state " + std::to_string(i));
  }
}

int main() {
  test_kind(OptimizerKind::sgd, "sgd");
  test_kind(OptimizerKind::momentum, "momentum");
  test_kind(OptimizerKind::nesterov, "nesterov");
  test_kind(OptimizerKind::adam, "adam");

  OptimizerPlan bad;
  bad.learning_rate = std::numeric_limits<double>::quiet_NaN();
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "NaN learning rate");
  bad = OptimizerPlan{};
  bad.beta2 = 1.0;
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "beta2 = 1");
  bad = OptimizerPlan{};
  bad.weight_decay = -1;
  check_throws<std::invalid_argument>([&] { validate_optimizer(bad); }, "negative weight decay");
  const ParamLayout lay = param_layout({{2, 2, Activation::linear, true}});
  std::vector<float> w(lay.size), gr(lay.size);
  check_throws<std::invalid_argument>([&] { optimizer_step(OptimizerPlan{}, lay, 0, w.data(), gr.data(), nullptr); },
                                      "step 0");
  return test_util::finish("optimizers_test");
}
