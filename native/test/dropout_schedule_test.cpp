// Tests of dropout and learning-rate schedules in the core: the xoshiro128** port against
// lib/random.ts's words, the masks' draw order, a dropout step's gradient against a float64
// reference with the same masks, rate 0 drawing nothing, each schedule's rates by hand, a
// scheduled chunk equal to epochs of constant rates, and bad arguments refused before training.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "dropout.hpp"
#include "mlp.hpp"
#include "random.hpp"
#include "schedule.hpp"
#include "test_util.hpp"

using namespace fastmlp;
using test_util::check;
using test_util::check_near;
using test_util::check_throws;

namespace {

using IA = std::invalid_argument;

// new Random(1) in lib/random.ts: its state, its first three words, its state after them.
void test_generator_matches_lib_random() {
  std::uint32_t s[4];
  xoshiro128ss_seed(1, s);
  check(s[0] == 2527132011u && s[1] == 314344336u && s[2] == 2535364964u && s[3] == 2041432039u,
        "splitmix32 seeding as lib/random.ts");
  check(xoshiro128ss_next(s) == 2442144158u, "first word");
  check(xoshiro128ss_next(s) == 3238099751u, "second word");
  check(xoshiro128ss_next(s) == 3819917871u, "third word");
  check(s[0] == 4166829982u && s[1] == 1918187588u && s[2] == 4032970440u && s[3] == 1628581094u,
        "state after three words");
}

void test_masks() {
  check(dropout_threshold(0.25) == 1073741824u, "threshold of 0.25 is 2^30");
  check(dropout_threshold(0.0) == 0u, "threshold of 0 is 0");
  check(dropout_threshold(0.75) == 3221225472u, "threshold of 0.75 is 3 * 2^30");
  check(dropout_threshold(std::nextafter(1.0, 0.0)) == 4294967295u, "threshold just below 1 stays below 2^32");
  check(dropout_scale(0.2) == static_cast<float>(1.0 / 0.8), "scale rounded once to float");
  std::uint32_t rng[4];
  xoshiro128ss_seed(7, rng);
  std::uint32_t copy[4] = {rng[0], rng[1], rng[2], rng[3]};
  std::vector<float> mask(1000);
  draw_mask(rng, mask.data(), mask.size(), dropout_threshold(0.5), dropout_scale(0.5));
  std::size_t kept = 0;
  bool order = true;
  for (float m : mask) {
    const bool keep = xoshiro128ss_next(copy) >= 2147483648u;
    order = order && (m == (keep ? 2.0f : 0.0f));
    kept += keep ? 1 : 0;
  }
  check(order, "one word per element in order, kept when word >= threshold, scaled by 2");
  check(kept > 430 && kept < 570, "about half kept");
  check(rng[0] == copy[0] && rng[1] == copy[1] && rng[2] == copy[2] && rng[3] == copy[3],
        "the state advanced by exactly n words");
  std::vector<float> a = {1, 2, 3, 4}, m = {0, 2, 0, 2}, out(4);
  apply_mask(out.data(), a.data(), m.data(), 4);
  check(out == std::vector<float>({0, 4, 0, 8}), "apply_mask multiplies");
}

// A 3-4-2 network, tanh hidden with dropout p, linear output, mse; one full-batch SGD step of
// learning rate 1 on the core against a float64 backpropagation with the masks drawn from the
// same state.
void test_dropout_gradient() {
  const std::size_t rows = 5, in = 3, hid = 4, out = 2;
  const double p = 0.4;
  TrainerPlan plan;
  plan.layers = {{in, hid, Activation::tanh, true, p}, {hid, out, Activation::linear, true, 0.0}};
  plan.loss = Loss::mse;
  plan.optimizer.kind = OptimizerKind::sgd;
  plan.optimizer.learning_rate = 1.0;
  plan.batch_size = rows;
  const std::size_t P = in * hid + hid + hid * out + out;
  std::vector<float> params(P), X(rows * in), Y(rows * out);
  std::uint32_t g[4];
  xoshiro128ss_seed(99, g);
  const auto uniform = [&] { return static_cast<float>(xoshiro128ss_next(g) / 4294967296.0 * 2 - 1); };
  for (float& v : params) v = uniform();
  for (float& v : X) v = uniform();
  for (float& v : Y) v = uniform();
  std::uint32_t rng[4];
  xoshiro128ss_seed(5, rng);
  std::uint32_t ref_rng[4] = {rng[0], rng[1], rng[2], rng[3]};

  // float64 reference
  const std::uint32_t threshold = dropout_threshold(p);
  const double scale = dropout_scale(p);
  std::vector<double> mask(rows * hid), A(rows * hid), H(rows * hid), O(rows * out);
  for (double& m : mask) m = xoshiro128ss_next(ref_rng) >= threshold ? scale : 0.0;
  const float* W1 = params.data();
  const float* b1 = W1 + in * hid;
  const float* W2 = b1 + hid;
  const float* b2 = W2 + hid * out;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t j = 0; j < hid; ++j) {
      double z = b1[j];
      for (std::size_t i = 0; i < in; ++i) z += X[r * in + i] * static_cast<double>(W1[i * hid + j]);
      A[r * hid + j] = std::tanh(z);
      H[r * hid + j] = A[r * hid + j] * mask[r * hid + j];
    }
    for (std::size_t k = 0; k < out; ++k) {
      double z = b2[k];
      for (std::size_t j = 0; j < hid; ++j) z += H[r * hid + j] * static_cast<double>(W2[j * out + k]);
      O[r * out + k] = z;
    }
  }
  std::vector<double> grad(P, 0.0);
  double loss = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<double> dH(hid, 0.0);
    for (std::size_t k = 0; k < out; ++k) {
      const double d = O[r * out + k] - Y[r * out + k];
      loss += d * d / (rows * out);
      const double dO = 2 * d / (rows * out);
      grad[in * hid + hid + hid * out + k] += dO;
      for (std::size_t j = 0; j < hid; ++j) {
        grad[in * hid + hid + j * out + k] += H[r * hid + j] * dO;
        dH[j] += dO * W2[j * out + k];
      }
    }
    for (std::size_t j = 0; j < hid; ++j) {
      const double a = A[r * hid + j];
      const double dZ = dH[j] * mask[r * hid + j] * (1 - a * a);
      grad[in * hid + j] += dZ;
      for (std::size_t i = 0; i < in; ++i) grad[i * hid + j] += X[r * in + i] * dZ;
    }
  }

  Trainer trainer(plan);
  std::vector<float> before = params, state;
  std::vector<double> losses(1);
  TrainExtras extras;
  extras.rng = rng;
  trainer.train_epochs({{params.data(), P}, {state.data(), 0}}, {X.data(), X.size()}, {Y.data(), Y.size()}, rows,
                       nullptr, 1, rows, 0, {losses.data(), 1}, {}, extras);
  check_near(losses[0], loss, 1e-6, "dropout loss equals the reference");
  for (std::size_t i = 0; i < P; ++i) {
    check_near(before[i] - params[i], grad[i], 1e-5, "dropout gradient[" + std::to_string(i) + "]");
  }
  check(rng[0] == ref_rng[0] && rng[1] == ref_rng[1] && rng[2] == ref_rng[2] && rng[3] == ref_rng[3],
        "the core drew rows x units words");

  // predict never drops: equal to the float64 forward without masks
  std::vector<float> pred(rows * out);
  trainer.predict({before.data(), P}, {X.data(), X.size()}, rows, {pred.data(), pred.size()});
  const float* W2_before = before.data() + in * hid + hid;  // W2, b2 as before the step (params moved)
  const float* b2_before = W2_before + hid * out;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t k = 0; k < out; ++k) {
      double z = b2_before[k];
      for (std::size_t j = 0; j < hid; ++j) z += A[r * hid + j] * static_cast<double>(W2_before[j * out + k]);
      check_near(pred[r * out + k], z, 1e-5, "predict without dropout");
    }
  }

  // without a generator, or with an all-zero one, nothing trains
  std::vector<float> kept = params;
  check_throws<IA>([&] {
    trainer.train_epochs({{params.data(), P}, {state.data(), 0}}, {X.data(), X.size()}, {Y.data(), Y.size()}, rows,
                         nullptr, 1, rows, 1, {losses.data(), 1});
  }, "dropout without rng");
  std::uint32_t zeros[4] = {0, 0, 0, 0};
  TrainExtras zero_extras;
  zero_extras.rng = zeros;
  check_throws<IA>([&] {
    trainer.train_epochs({{params.data(), P}, {state.data(), 0}}, {X.data(), X.size()}, {Y.data(), Y.size()}, rows,
                         nullptr, 1, rows, 1, {losses.data(), 1}, {}, zero_extras);
  }, "an all-zero rng");
  check(params == kept, "refused calls leave params as they were");

  // dropout on the output layer is refused
  TrainerPlan bad = plan;
  bad.layers[1].dropout = 0.5;
  check_throws<IA>([&] { Trainer t(bad); }, "dropout on the output layer");
  bad.layers[1].dropout = 0.0;
  bad.layers[0].dropout = 1.0;
  check_throws<IA>([&] { Trainer t(bad); }, "dropout 1");
}

void test_dropout_zero_draws_nothing() {
  TrainerPlan plan;
  plan.layers = {{2, 3, Activation::relu, true, 0.0}, {3, 1, Activation::sigmoid, true, 0.0}};
  plan.loss = Loss::bce;
  plan.batch_size = 4;
  Trainer a(plan);
  std::vector<float> params = {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f, 0.0f, 0.1f, 0.0f, 0.7f, -0.8f, 0.9f, 0.1f};
  std::vector<float> X = {0, 1, 1, 0, 1, 1, 0, 0}, Y = {1, 1, 0, 0}, state;
  std::vector<float> p1 = params, p2 = params;
  std::vector<double> losses(3);
  std::uint32_t rng[4] = {1, 2, 3, 4};
  TrainExtras extras;
  extras.rng = rng;
  a.train_epochs({{p1.data(), p1.size()}, {state.data(), 0}}, {X.data(), 8}, {Y.data(), 4}, 4, nullptr, 3, 2, 0,
                 {losses.data(), 3}, {}, extras);
  a.train_epochs({{p2.data(), p2.size()}, {state.data(), 0}}, {X.data(), 8}, {Y.data(), 4}, 4, nullptr, 3, 2, 0,
                 {losses.data(), 3});
  check(p1 == p2, "dropout 0 trains as no dropout");
  check(rng[0] == 1 && rng[1] == 2 && rng[2] == 3 && rng[3] == 4, "dropout 0 draws nothing");
}

ChunkSchedule make_schedule(ScheduleKind kind, double lr) {
  ChunkSchedule s;
  s.kind = kind;
  s.learning_rate = lr;
  return s;
}

void test_schedule_rates() {
  check(power_of(0.5, 10) == 1.0 / 1024, "power_of exact for powers of two");
  check(power_of(0.9, 0) == 1.0, "power_of 0");
  check(power_of(0.9, 3) == 0.9 * (0.9 * 0.9), "power_of by squaring: 0.9 * 0.81");
  ChunkSchedule step = make_schedule(ScheduleKind::step, 0.08);
  step.every = 3;
  step.gamma = 0.5;
  check(scheduled_rate(step, 2, 0) == 0.08 && scheduled_rate(step, 3, 0) == 0.04 && scheduled_rate(step, 6, 0) == 0.02,
        "step: lr * gamma^floor(E / every)");
  ChunkSchedule exp = make_schedule(ScheduleKind::exponential, 0.1);
  exp.gamma = 0.5;
  check(scheduled_rate(exp, 0, 0) == 0.1 && scheduled_rate(exp, 3, 0) == 0.0125, "exponential: lr * gamma^E");
  ChunkSchedule cos = make_schedule(ScheduleKind::cosine, 0.04);
  cos.warmup_steps = 4;
  cos.total_steps = 9;
  cos.min_learning_rate = 0.01;
  check_near(scheduled_rate(cos, 0, 0), 0.01, 1e-15, "cosine warm-up step 0");
  check(scheduled_rate(cos, 0, 3) == 0.04, "cosine warm-up reaches lr");
  check(scheduled_rate(cos, 0, 4) == 0.04, "cosine first step after warm-up is lr");
  check_near(scheduled_rate(cos, 0, 6), 0.025, 1e-15, "cosine halfway");
  check_near(scheduled_rate(cos, 0, 8), 0.01, 1e-15, "cosine last step is the minimum");
  check(scheduled_rate(make_schedule(ScheduleKind::constant, 0.3), 7, 7) == 0.3, "constant");

  ChunkSchedule bad = step;
  bad.gamma = 0;
  check_throws<IA>([&] { validate_schedule(bad); }, "gamma 0");
  bad = step;
  bad.every = 0;
  check_throws<IA>([&] { validate_schedule(bad); }, "every 0");
  bad = cos;
  bad.total_steps = 0;
  check_throws<IA>([&] { validate_schedule(bad); }, "totalSteps 0");
  bad = cos;
  bad.kind = static_cast<ScheduleKind>(4);
  check_throws<IA>([&] { validate_schedule(bad); }, "kind 4");
}

// A chunk under a step schedule trains bit-identically to epochs of trainers whose plans carry
// those rates (adam, three steps per epoch), and reports them.
void test_schedule_in_train_epochs() {
  TrainerPlan plan;
  plan.layers = {{3, 5, Activation::tanh, true, 0.0}, {5, 2, Activation::linear, true, 0.0}};
  plan.loss = Loss::mse;
  plan.optimizer.kind = OptimizerKind::adam;
  plan.optimizer.learning_rate = 0.5;
  plan.batch_size = 3;
  const std::size_t P = 3 * 5 + 5 + 5 * 2 + 2;
  std::vector<float> params(P), X(8 * 3), Y(8 * 2);
  std::uint32_t g[4];
  xoshiro128ss_seed(3, g);
  for (float& v : params) v = static_cast<float>(xoshiro128ss_next(g) / 4294967296.0 - 0.5);
  for (float& v : X) v = static_cast<float>(xoshiro128ss_next(g) / 4294967296.0 - 0.5);
  for (float& v : Y) v = static_cast<float>(xoshiro128ss_next(g) / 4294967296.0);
  ChunkSchedule s = make_schedule(ScheduleKind::step, 0.08);
  s.every = 2;
  s.gamma = 0.5;
  s.epoch = 1;
  const double rates[5] = {0.08, 0.04, 0.04, 0.02, 0.02};

  std::vector<float> a = params, state_a(2 * P, 0.0f);
  std::vector<double> losses(5), learning_rates(5);
  Trainer scheduled(plan);
  TrainExtras extras;
  extras.schedule = &s;
  extras.learning_rates = {learning_rates.data(), 5};
  scheduled.train_epochs({{a.data(), P}, {state_a.data(), 2 * P}}, {X.data(), X.size()}, {Y.data(), Y.size()}, 8,
                         nullptr, 5, 3, 0, {losses.data(), 5}, {}, extras);
  std::vector<float> b = params, state_b(2 * P, 0.0f);
  std::uint64_t step = 0;
  for (double rate : rates) {
    TrainerPlan constant = plan;
    constant.optimizer.learning_rate = rate;
    Trainer t(constant);
    step = t.train_epochs({{b.data(), P}, {state_b.data(), 2 * P}}, {X.data(), X.size()}, {Y.data(), Y.size()}, 8,
                          nullptr, 1, 3, step, {losses.data(), 1});
  }
  check(a == b && state_a == state_b, "a step schedule equals its rates as constants");
  bool reported = true;
  for (int e = 0; e < 5; ++e) reported = reported && learning_rates[e] == rates[e];
  check(reported, "learning_rates holds each epoch's rate");

  // the next chunk without a schedule uses the plan's rate again
  std::vector<double> again(1);
  TrainExtras plain;
  plain.learning_rates = {again.data(), 1};
  scheduled.train_epochs({{a.data(), P}, {state_a.data(), 2 * P}}, {X.data(), X.size()}, {Y.data(), Y.size()}, 8,
                         nullptr, 1, 3, 15, {losses.data(), 1}, {}, plain);
  check(again[0] == 0.5, "no schedule: the plan's rate");

  std::vector<double> short_rates(2);
  TrainExtras too_short;
  too_short.learning_rates = {short_rates.data(), 2};
  check_throws<IA>([&] {
    scheduled.train_epochs({{a.data(), P}, {state_a.data(), 2 * P}}, {X.data(), X.size()}, {Y.data(), Y.size()}, 8,
                           nullptr, 3, 3, 0, {losses.data(), 5}, {}, too_short);
  }, "learning_rates shorter than epochs");
}

}  // namespace

int main() {
  test_generator_matches_lib_random();
  test_masks();
  test_dropout_gradient();
  test_dropout_zero_draws_nothing();
  test_schedule_rates();
  test_schedule_in_train_epochs();
  return test_util::finish("dropout_schedule_test");
}
