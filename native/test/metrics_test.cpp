// Tests of the task rule (contract.hpp task_of) and the per-epoch training metric (task_metric)
// on hand-computed batches, and of train_epochs filling `metric` per epoch by the plan's task.
#include <string>
#include <vector>

#include "metrics.hpp"
#include "mlp.hpp"
#include "test_util.hpp"

using namespace fastmlp;
using test_util::check;
using test_util::check_near;

static void test_task_rule() {
  check(contract::task_of(Activation::softmax, 3, Loss::cross_entropy) == Task::multiclass, "softmax: multiclass");
  check(contract::task_of(Activation::softmax, 1, Loss::mse) == Task::multiclass, "softmax x1: multiclass");
  check(contract::task_of(Activation::sigmoid, 1, Loss::bce) == Task::binary, "sigmoid x1 bce: binary");
  check(contract::task_of(Activation::sigmoid, 1, Loss::sse) == Task::binary, "sigmoid x1 sse: binary");
  check(contract::task_of(Activation::sigmoid, 3, Loss::bce) == Task::multilabel, "sigmoid x3 bce: multilabel");
  check(contract::task_of(Activation::sigmoid, 3, Loss::mse) == Task::multiclass, "sigmoid x3 mse: multiclass");
  check(contract::task_of(Activation::linear, 1, Loss::mse) == Task::regression, "linear: regression");
  check(contract::task_of(Activation::tanh, 2, Loss::half_sse) == Task::regression, "tanh: regression");
  check(contract::task_of(Activation::relu, 1, Loss::sse) == Task::regression, "relu: regression");
}

static void test_task_metric() {
  // binary: p 0.9, 0.2, 0.5, 0.4 against y 1, 1, 0, 0 -> rows 0 and 3 right
  const std::vector<float> pb = {0.9f, 0.2f, 0.5f, 0.4f}, yb = {1, 1, 0, 0};
  check(task_metric(Task::binary, pb.data(), yb.data(), 4, 1) == 2.0, "binary: 2 rows right");
  // multiclass: first argmax (ties to the first), rows 0 and 2 right
  const std::vector<float> pm = {0.5f, 0.5f, 0.0f, 0.1f, 0.2f, 0.7f, 0.3f, 0.6f, 0.1f};
  const std::vector<float> ym = {1, 0, 0, 0, 1, 0, 0, 1, 0};
  check(task_metric(Task::multiclass, pm.data(), ym.data(), 3, 3) == 2.0, "multiclass: 2 rows right");
  // multilabel: row 0 gets 3/3 labels right, row 1 gets 1/3, row 2 gets 2/3
  const std::vector<float> yl = {1, 1, 0, 0, 1, 0, 1, 1, 0};
  check_near(task_metric(Task::multilabel, pm.data(), yl.data(), 3, 3), 3.0 / 3 + 1.0 / 3 + 2.0 / 3, 1e-15,
             "multilabel: labels right per row");
  // regression: rows' mean |p - y|: (0.5 + 1.5) / 2 and (0 + 4) / 2
  const std::vector<float> pr = {1.0f, 2.0f, 3.0f, -1.0f}, yr = {1.5f, 0.5f, 3.0f, 3.0f};
  check(task_metric(Task::regression, pr.data(), yr.data(), 2, 2) == 1.0 + 2.0, "regression: sum of rows' mae");
}

static void test_train_epochs_metric() {
  // 1 -> 1 linear (regression): W = 1, b = 0, a learning rate too small to move it in float32
  TrainerPlan plan;
  plan.layers = {{1, 1, Activation::linear, true}};
  plan.loss = Loss::mse;
  plan.optimizer.kind = OptimizerKind::sgd;
  plan.optimizer.learning_rate = 1e-30;
  plan.batch_size = 2;
  Trainer trainer(plan);
  check(trainer.task() == Task::regression, "the trainer's task");
  std::vector<float> params = {1.0f, 0.0f};
  const std::vector<float> X = {1, 2, 3}, Y = {2, 2, 5};
  std::vector<double> losses(2), metric(2);
  trainer.train_epochs({{params.data(), params.size()}, {}}, {X.data(), X.size()}, {Y.data(), Y.size()}, 3, nullptr,
                       2, 2, 0, {losses.data(), losses.size()}, {metric.data(), metric.size()});
  check(metric[0] == 1.0 + 0.0 + 2.0 && metric[1] == metric[0], "train_epochs: metric per epoch (batches 2 + 1)");
}

int main() {
  test_task_rule();
  test_task_metric();
  test_train_epochs_metric();
  return test_util::finish("metrics_test");
}
