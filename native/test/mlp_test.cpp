// Tests of the MLP core against the float64 reference (mlp_reference.hpp): the reference's
// gradients by finite differences, then the core's gradients for every activation x loss pair,
// train_epochs with partial batches and an order (every optimizer), predict / evaluate in blocks,
// and bad sizes that throw before anything is written.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu/dispatch.hpp"
#include "gemm/blocking.hpp"
#include "mlp.hpp"
#include "mlp_reference.hpp"
#include "test_util.hpp"

using namespace fastmlp;
using ref::Vec;
using test_util::check;
using test_util::check_near;
using test_util::check_throws;

namespace {

struct Case {
  Activation hidden, out;
  Loss loss;
};

std::vector<Case> all_cases() {
  const Activation acts[] = {Activation::sigmoid, Activation::relu,    Activation::tanh,
                             Activation::leaky_relu, Activation::softmax, Activation::linear};
  std::vector<Case> cases;
  std::size_t h = 0;
  for (Loss loss : {Loss::sse, Loss::half_sse, Loss::mse, Loss::mae, Loss::huber}) {
    for (Activation out : acts) cases.push_back({acts[h++ % 6], out, loss});
  }
  for (Activation hidden : acts) {
    cases.push_back({hidden, Activation::sigmoid, Loss::bce});
    cases.push_back({hidden, Activation::softmax, Loss::cross_entropy});
  }
  return cases;
}

std::string label(const Case& c) {
  return std::string(activation_name(c.hidden)) + "/" + activation_name(c.out) + "/" + loss_name(c.loss);
}

// The reference's analytic gradient agrees with central differences of its own loss.
void test_reference_by_finite_differences() {
  for (const Case& c : all_cases()) {
    const TrainerPlan plan = ref::make_plan({3, 4, 3}, c.hidden, c.out, c.loss, 5);
    ref::Lcg g{7};
    const Vec X = ref::to_double(ref::random_floats(5 * 3, g));
    const Vec Y = ref::to_double(ref::make_targets(c.loss, 5, 3, g));
    Vec p = ref::to_double(ref::random_floats(param_layout(plan.layers).size, g, 0.8)), grad, unused;
    ref::ref_grads(plan, p, X, Y, 5, grad);
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double h = 1e-6, keep = p[i];
      p[i] = keep + h;
      const double up = ref::ref_grads(plan, p, X, Y, 5, unused);
      p[i] = keep - h;
      const double down = ref::ref_grads(plan, p, X, Y, 5, unused);
      p[i] = keep;
      check_near(grad[i], (up - down) / (2 * h), 1e-5, "finite differences " + label(c) + " p" + std::to_string(i));
    }
  }
}

// One sgd step with lr = 1 on one full batch: params_before - params_after is the core's gradient.
void test_gradients_match_reference() {
  for (const Case& c : all_cases()) {
    const TrainerPlan plan = ref::make_plan({3, 4, 3}, c.hidden, c.out, c.loss, 5);
    Trainer trainer(plan);
    ref::Lcg g{11};
    const std::vector<float> X = ref::random_floats(5 * 3, g), Y = ref::make_targets(c.loss, 5, 3, g);
    std::vector<float> p = ref::random_floats(trainer.layout().size, g, 0.8);
    const std::vector<float> before = p;
    Vec grad;
    const double loss = ref::ref_grads(plan, ref::to_double(p), ref::to_double(X), ref::to_double(Y), 5, grad);
    double epoch_loss = 0;
    const std::uint64_t step = trainer.train_epochs({{p.data(), p.size()}, {}}, {X.data(), X.size()},
                                                    {Y.data(), Y.size()}, 5, nullptr, 1, 5, 0, {&epoch_loss, 1});
    check(step == 1, "one step " + label(c));
    check_near(epoch_loss, loss, 1e-5, "loss " + label(c));
    for (std::size_t i = 0; i < p.size(); ++i) {
      check_near(static_cast<double>(before[i]) - p[i], grad[i], 2e-4, "gradient " + label(c) + " p" + std::to_string(i));
    }
  }
}

// Several epochs, partial last batch (7 rows in batches of 3), a shuffled order, each optimizer.
void test_train_epochs_batches_and_order() {
  for (OptimizerKind kind : {OptimizerKind::sgd, OptimizerKind::momentum, OptimizerKind::nesterov, OptimizerKind::adam}) {
    TrainerPlan plan = ref::make_plan({3, 5, 2}, Activation::tanh, Activation::sigmoid, Loss::bce, 4);
    plan.optimizer = {kind, 0.05, 0.9, 0.9, 0.999, 1e-8, 0.01};
    Trainer trainer(plan);
    const std::size_t rows = 7, epochs = 3, batch = 3;
    ref::Lcg g{23};
    const std::vector<float> X = ref::random_floats(rows * 3, g), Y = ref::make_targets(Loss::bce, rows, 2, g);
    std::vector<float> p = ref::random_floats(trainer.layout().size, g, 0.8);
    std::vector<float> state(trainer.state_size(), 0.0f);
    std::vector<std::uint32_t> order(epochs * rows);
    for (std::size_t e = 0; e < epochs; ++e) {
      for (std::size_t i = 0; i < rows; ++i) order[e * rows + i] = static_cast<std::uint32_t>((i * 3 + e) % rows);
    }
    Vec rp = ref::to_double(p), rm(p.size(), 0.0), rv(p.size(), 0.0), grad, ref_losses(epochs, 0.0);
    std::uint64_t t = 10;
    for (std::size_t e = 0; e < epochs; ++e) {
      for (std::size_t start = 0; start < rows; start += batch) {
        const std::size_t r = std::min(batch, rows - start);
        Vec xb, yb;
        for (std::size_t i = 0; i < r; ++i) {
          const std::size_t src = order[e * rows + start + i];
          xb.insert(xb.end(), X.begin() + src * 3, X.begin() + src * 3 + 3);
          yb.insert(yb.end(), Y.begin() + src * 2, Y.begin() + src * 2 + 2);
        }
        ref_losses[e] += ref::ref_grads(plan, rp, xb, yb, r, grad) * r / rows;
        ref::ref_step(plan.optimizer, trainer.layout(), ++t, rp, grad, rm, rv);
      }
    }
    std::vector<double> losses(epochs, -1.0);
    const Span<const std::uint32_t> ord{order.data(), order.size()};
    const std::uint64_t step = trainer.train_epochs({{p.data(), p.size()}, {state.data(), state.size()}},
                                                    {X.data(), X.size()}, {Y.data(), Y.size()}, rows, &ord, epochs,
                                                    batch, 10, {losses.data(), losses.size()});
    const std::string name = std::to_string(static_cast<int>(kind));
    check(step == 10 + epochs * 3, "step count, optimizer " + name);
    for (std::size_t e = 0; e < epochs; ++e) check_near(losses[e], ref_losses[e], 1e-5, "epoch loss " + name);
    for (std::size_t i = 0; i < p.size(); ++i) check_near(p[i], rp[i], 1e-4, "trained param " + name);
  }
}

// predict / evaluate (the inference Model's, in its blocks) match the reference forward pass.
void test_predict_and_evaluate_in_blocks() {
  for (Loss loss : {Loss::sse, Loss::cross_entropy}) {
    const TrainerPlan plan = ref::make_plan({2, 3, 3}, Activation::relu, Activation::softmax, loss, 4);
    Trainer trainer(plan);
    ref::Lcg g{5};
    const std::size_t rows = 10;
    const std::vector<float> X = ref::random_floats(rows * 2, g), Y = ref::make_targets(Loss::cross_entropy, rows, 3, g);
    const std::vector<float> p = ref::random_floats(trainer.layout().size, g);
    std::vector<float> out(rows * 3, -1.0f), out2(rows * 3, -1.0f);
    const ref::RefPass pass = ref::ref_forward(plan, ref::to_double(p), ref::to_double(X), rows);
    trainer.predict({p.data(), p.size()}, {X.data(), X.size()}, rows, {out.data(), out.size()});
    const double l = trainer.evaluate({p.data(), p.size()}, {X.data(), X.size()}, {Y.data(), Y.size()}, rows,
                                      {out2.data(), out2.size()});
    for (std::size_t i = 0; i < out.size(); ++i) {
      check_near(out[i], pass.A.back()[i], 1e-5, "predict");
      check(out[i] == out2[i], "evaluate writes the same outputs");
    }
    check_near(l, ref::ref_loss(loss, pass.Z.back(), pass.A.back(), ref::to_double(Y), rows, 3), 1e-5, "evaluate loss");
  }
}

void test_bad_plans_and_sizes() {
  const TrainerPlan good = ref::make_plan({3, 4, 2}, Activation::tanh, Activation::sigmoid, Loss::bce, 4);
  const auto bad_plan = [&](auto edit, const std::string& what) {
    TrainerPlan plan = good;
    edit(plan);
    check_throws<std::invalid_argument>([&] { Trainer t(plan); }, what);
  };
  bad_plan([](TrainerPlan& p) { p.layers.clear(); }, "no layers");
  bad_plan([](TrainerPlan& p) { p.layers[1].inputs = 5; }, "inputs chain");
  bad_plan([](TrainerPlan& p) { p.layers[0].units = 0; }, "zero units");
  bad_plan([](TrainerPlan& p) { p.layers[1].activation = Activation::relu; }, "bce without sigmoid");
  bad_plan([](TrainerPlan& p) { p.batch_size = 0; }, "batch size 0");
  bad_plan([](TrainerPlan& p) { p.threads = 0; }, "threads 0");
  bad_plan([](TrainerPlan& p) { p.optimizer.learning_rate = std::numeric_limits<double>::infinity(); }, "lr inf");
  // The contract's limits and ranges (contract.hpp), each just past its bound.
  bad_plan([](TrainerPlan& p) { p.layers[0].units = contract::kMaxUnits + 1; }, "units past the limit");
  bad_plan([](TrainerPlan& p) { p.layers.resize(contract::kMaxLayers + 1, p.layers[1]); }, "layers past the limit");
  bad_plan([](TrainerPlan& p) { p.threads = contract::kMaxThreads + 1; }, "threads past the limit");
  bad_plan([](TrainerPlan& p) { p.optimizer.learning_rate = 0; }, "lr 0");
  bad_plan([](TrainerPlan& p) { p.optimizer.momentum = 1; }, "momentum 1");
  bad_plan([](TrainerPlan& p) { p.optimizer.epsilon = 0; }, "epsilon 0");
  bad_plan([](TrainerPlan& p) { p.optimizer.weight_decay = -1e-300; }, "negative weight decay");
  TrainerPlan huge = good;
  huge.layers = {{1u << 20, 1u << 20, Activation::linear, true}};
  huge.loss = Loss::mse;
  check_throws<std::length_error>([&] { Trainer t(huge); }, "2^40 weights");
  // The widest layer the contract allows (2^20 units) and a batch of 2^12 rows: 2^32 floats.
  huge.layers = {{4, contract::kMaxUnits, Activation::linear, true}};
  huge.batch_size = std::size_t{1} << 12;
  check_throws<std::length_error>([&] { Trainer t(huge); }, "workspace of 2^32 floats");

  Trainer trainer(good);
  ref::Lcg g{3};
  std::vector<float> X = ref::random_floats(5 * 3, g), Y(5 * 2, 0.5f), p = ref::random_floats(trainer.layout().size, g);
  const std::vector<float> before = p;
  std::vector<double> losses(2);
  std::vector<std::uint32_t> order(2 * 5, 0);
  const auto train = [&](std::size_t xn, std::size_t yn, std::size_t pn, std::size_t rows, std::size_t batch,
                         std::size_t epochs, std::size_t on, std::size_t ln, bool with_order) {
    const Span<const std::uint32_t> ord{order.data(), on};
    trainer.train_epochs({{p.data(), pn}, {}}, {X.data(), xn}, {Y.data(), yn}, rows, with_order ? &ord : nullptr,
                         epochs, batch, 0, {losses.data(), ln});
  };
  using IA = std::invalid_argument;
  check_throws<IA>([&] { train(14, 10, p.size(), 5, 4, 2, 10, 2, true); }, "X too short");
  check_throws<IA>([&] { train(15, 9, p.size(), 5, 4, 2, 10, 2, true); }, "Y too short");
  check_throws<IA>([&] { train(15, 10, p.size() - 1, 5, 4, 2, 10, 2, true); }, "params too short");
  check_throws<IA>([&] { train(15, 10, p.size(), 5, 0, 2, 10, 2, true); }, "batch 0");
  check_throws<IA>([&] { train(15, 10, p.size(), 5, 5, 2, 10, 2, true); }, "batch above plan");
  check_throws<IA>([&] { train(15, 10, p.size(), 5, 4, 2, 9, 2, true); }, "order too short");
  check_throws<IA>([&] { train(15, 10, p.size(), 5, 4, 2, 10, 1, true); }, "losses too short");
  check_throws<IA>([&] { train(0, 0, p.size(), 0, 4, 2, 0, 2, false); }, "zero rows");
  order[7] = 5;
  check_throws<std::out_of_range>([&] { train(15, 10, p.size(), 5, 4, 2, 10, 2, true); }, "order index = rows");
  check(p == before, "failed calls leave params as they were");
  order[7] = 4;
  train(15, 10, p.size(), 5, 4, 2, 10, 2, true);
  check(p != before, "a good call trains");
  std::vector<float> state(3);
  TrainerPlan adam = good;
  adam.optimizer.kind = OptimizerKind::adam;
  Trainer adam_trainer(adam);
  check_throws<IA>([&] {
    adam_trainer.train_epochs({{p.data(), p.size()}, {state.data(), state.size()}}, {X.data(), 15}, {Y.data(), 10},
                              5, nullptr, 1, 4, 0, {losses.data(), 2});
  }, "adam state of the wrong size");
  std::vector<float> out(9);
  check_throws<IA>([&] { trainer.predict({p.data(), p.size()}, {X.data(), 15}, 5, {out.data(), out.size()}); },
                   "predict out too short");
}

// Trains `plan` for two epochs of `batch` rows from the same start on 1, 2 and 3 threads and
// checks the same bits: optionally over a shuffled order, with sample weights, and with dropout
// (a layer's dropout > 0 draws from the same generator state each time). A shuffled order must
// also train as its rows gathered beforehand, epoch by epoch, in data order (an owned first
// layer's parts gather their own columns of each batch: mlp_owned.cpp).
void check_same_bits_on_threads(TrainerPlan plan, std::size_t rows, std::size_t batch, bool shuffle, bool weighted,
                                const std::string& what) {
  const std::size_t in = plan.layers.front().inputs, out = plan.layers.back().units, epochs = 2;
  ref::Lcg g{9};
  const std::vector<float> X = ref::random_floats(rows * in, g);
  const std::vector<float> Y = ref::make_targets(plan.loss, rows, out, g);
  const std::vector<float> start = ref::random_floats(param_layout(plan.layers).size, g, 0.05);
  std::vector<float> weights(weighted ? rows : 0);
  for (float& w : weights) w = static_cast<float>(std::floor((g.next() + 1.0) * 2.0)) * 0.5f;  // 0, 0.5, 1, 1.5
  std::vector<std::uint32_t> order(epochs * rows);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>((i * 37 + i / rows) % rows);
  const Span<const std::uint32_t> ord{order.data(), order.size()};
  std::vector<float> first;
  for (std::size_t threads : {1, 2, 3}) {
    plan.threads = threads;
    Trainer trainer(plan);
    std::vector<float> p = start, state(trainer.state_size(), 0.0f);
    std::vector<double> losses(epochs);
    std::uint32_t rng[4] = {1, 2, 3, 4};
    TrainExtras extras;
    extras.rng = rng;
    trainer.train_epochs({{p.data(), p.size()}, {state.data(), state.size()}}, {X.data(), X.size()},
                         {Y.data(), Y.size()}, rows, shuffle ? &ord : nullptr, epochs, batch, 0,
                         {losses.data(), losses.size()}, {}, extras, {weights.data(), weights.size()});
    if (first.empty()) {
      first = p;
      check(p != start, "training moved the params: " + what);
    } else {
      check(std::memcmp(p.data(), first.data(), p.size() * sizeof(float)) == 0,
            std::to_string(threads) + " threads train the same bits as 1: " + what);
    }
  }
  if (!shuffle) return;
  plan.threads = 2;
  Trainer trainer(plan);
  std::vector<float> p = start, state(trainer.state_size(), 0.0f);
  std::uint32_t rng[4] = {1, 2, 3, 4};
  TrainExtras extras;
  extras.rng = rng;
  std::uint64_t step = 0;
  for (std::size_t e = 0; e < epochs; ++e) {
    std::vector<float> Xe(rows * in), Ye(rows * out), We(weights.size());
    for (std::size_t i = 0; i < rows; ++i) {
      const std::size_t src = order[e * rows + i];
      std::copy_n(X.begin() + static_cast<std::ptrdiff_t>(src * in), in, Xe.begin() + static_cast<std::ptrdiff_t>(i * in));
      std::copy_n(Y.begin() + static_cast<std::ptrdiff_t>(src * out), out,
                  Ye.begin() + static_cast<std::ptrdiff_t>(i * out));
      if (weighted) We[i] = weights[src];
    }
    double loss = 0;
    step = trainer.train_epochs({{p.data(), p.size()}, {state.data(), state.size()}}, {Xe.data(), Xe.size()},
                                {Ye.data(), Ye.size()}, rows, nullptr, 1, batch, step, {&loss, 1}, {}, extras,
                                {We.data(), We.size()});
  }
  check(std::memcmp(p.data(), first.data(), p.size() * sizeof(float)) == 0,
        "a shuffled order trains as its rows gathered beforehand: " + what);
}

// One SGD step with lr = 1 on a full batch of `rows`: the float64 reference's gradient.
void check_reference_gradient(const TrainerPlan& plan, std::size_t rows, const std::string& what) {
  Trainer trainer(plan);
  const std::size_t in = plan.layers.front().inputs, out = plan.layers.back().units;
  ref::Lcg g{5};
  const std::vector<float> X = ref::random_floats(rows * in, g), Y = ref::make_targets(plan.loss, rows, out, g);
  std::vector<float> p = ref::random_floats(trainer.layout().size, g, 0.05);
  const std::vector<float> before = p;
  Vec grad;
  const double loss = ref::ref_grads(plan, ref::to_double(p), ref::to_double(X), ref::to_double(Y), rows, grad);
  double epoch_loss = 0;
  trainer.train_epochs({{p.data(), p.size()}, {}}, {X.data(), X.size()}, {Y.data(), Y.size()}, rows, nullptr, 1, rows,
                       0, {&epoch_loss, 1});
  check_near(epoch_loss, loss, 1e-5, "loss: " + what);
  for (std::size_t i = 0; i < p.size(); ++i) {
    check_near(static_cast<double>(before[i]) - p[i], grad[i], 2e-4, "gradient p" + std::to_string(i) + ": " + what);
  }
}

// The owned first layer (mlp_owned.cpp), on the tables that own it (AVX-512, AVX2); elsewhere the
// same checks run on whole products. Which plans are owned; the float64 reference's gradient
// through an owned layer (with a hidden layer after it, and as the only layer: the output's
// logits); and the same bits on 1, 2 and 3 threads with Adam and clipping by norm over a shuffled
// order (a ragged last batch), momentum and clipping by value over a shuffled order (a last
// batch of 1 row, 785 inputs and 100 units: row parts and columns off 16-float boundaries), and
// RMSprop with dropout on the owned layer, sample weights and a call batch below the plan's;
// each also as its rows gathered beforehand (the parts' own gather).
void test_owned_first_layer() {
  TrainerPlan plan = ref::make_plan({784, 128, 10}, Activation::relu, Activation::softmax, Loss::cross_entropy, 64);
  const bool owned = owns_first_layer(plan);
  const gemm_blocking::DirectLimits& limits = cpu::kernels().gemm_direct_limits;
  const std::string table = cpu::kernels().name;
  check(owned == (limits.owned_max_weights >= 784 * 128),
        "784-128-10 at batch 64: owned where the table owns weights of its size");
  check(owned == (table == "avx512" || table == "avx2-fma"), "the AVX-512 and AVX2 tables own it, the others not");
  plan.batch_size = 16;  // 1.6M multiply-adds: below kParallelDirectMinVolume
  check(!owns_first_layer(plan), "784-128-10 at batch 16: not owned");
  const TrainerPlan shallow =
      ref::make_plan({64, 128, 10}, Activation::relu, Activation::softmax, Loss::cross_entropy, 1024);
  check(!owns_first_layer(shallow), "64-128-10 at batch 1024 (8.4M multiply-adds, 64 deep): not owned");
  plan.batch_size = 64;
  TrainerPlan single = ref::make_plan({785, 100}, Activation::relu, Activation::softmax, Loss::cross_entropy, 80);
  check(owns_first_layer(single) == owned, "785-100 at batch 80 (6.3M multiply-adds): owned as 784-128-10 is");
  const std::string name = owned ? " (owned)" : " (not owned)";
  check_reference_gradient(plan, 64, "784-128-10" + name);
  check_reference_gradient(single, 80, "785-100" + name);

  plan.optimizer = {OptimizerKind::adam, 0.001, 0.0, 0.9, 0.999, 1e-8, 0.0, 0.9, 1.0, 0.0};
  check_same_bits_on_threads(plan, 150, 64, true, false, "784-128-10, adam, clip by norm" + name);
  single.optimizer = {OptimizerKind::momentum, 0.01, 0.9, 0.9, 0.999, 1e-8, 0.0, 0.9, 0.0, 0.05};
  check_same_bits_on_threads(single, 161, 80, true, false, "785-100, momentum, clip by value" + name);
  plan.optimizer = {OptimizerKind::rmsprop, 0.001, 0.0, 0.9, 0.999, 1e-8, 0.0, 0.9, 0.0, 0.0};
  plan.layers.front().dropout = 0.2;
  check_same_bits_on_threads(plan, 150, 48, true, true, "784-128-10, rmsprop, dropout, weights" + name);
}

}  // namespace

int main() {
  test_reference_by_finite_differences();
  test_gradients_match_reference();
  test_train_epochs_batches_and_order();
  test_predict_and_evaluate_in_blocks();
  test_bad_plans_and_sizes();
  test_owned_first_layer();
  return test_util::finish("mlp_test");
}
