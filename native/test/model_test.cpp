// Tests of the inference Model (model.hpp): it predicts and evaluates bit-identically to the
// Trainer's forward pass (which the mlp tests check against the float64 reference), for every
// thread count on a shared pool; its workspaces follow the rows asked, in steps of 8 rows, and
// stay within the block budget on a wide network, its gemm packing buffers follow the products
// run, within the inference blocking; predict_checked finds X's first non-finite value on any
// thread count; bad plans and sizes throw before anything is written.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu/dispatch.hpp"
#include "gemm/blocking.hpp"
#include "gemm/gemm_internal.hpp"
#include "mlp.hpp"
#include "mlp_reference.hpp"
#include "model.hpp"
#include "test_util.hpp"

using namespace fastmlp;
using test_util::check;
using test_util::check_throws;

namespace {

ModelPlan model_plan(const TrainerPlan& t, std::size_t threads) { return ModelPlan{t.layers, t.loss, threads}; }

std::size_t round_up(std::size_t x, std::size_t to) { return (x + to - 1) / to * to; }

// Bytes of a one-thread model's packing buffers after forwarding blocks of `rows` rows: the
// largest A block (rows padded to MR, at most MC, KC deep) and B block (KC x min(NC_INFERENCE,
// units padded to NR)) over the layers whose product takes the packed path.
std::size_t packing_bytes(const std::vector<LayerPlan>& layers, std::size_t rows) {
  namespace blk = gemm_blocking;
  const blk::PanelShape& shape = cpu::kernels().gemm_micro.shape;  // the table the model's products use
  std::size_t a = 0, b = 0;
  for (const LayerPlan& l : layers) {
    if (gemm_prefers_direct(false, rows, l.units, l.inputs)) continue;
    const std::size_t kc = std::min(shape.kc, l.inputs);
    a = std::max(a, std::min(shape.mc, round_up(rows, shape.mr)) * kc);
    b = std::max(b, kc * std::min(blk::kPackingInference.nc, round_up(l.units, shape.nr)));
  }
  return (a + b) * sizeof(float);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Model vs Trainer (whose batch is the model's block: the same rows per product) on the same
// params: predict and evaluate give the same bits, for rows below, at and above a block, and for
// 1..4 threads borrowing one shared pool.
void test_matches_trainer() {
  ThreadPool shared(kMaxThreads);
  struct Shape {
    std::vector<std::size_t> sizes;
    Activation hidden, out;
    Loss loss;
  };
  const Shape shapes[] = {{{3, 5, 2}, Activation::tanh, Activation::sigmoid, Loss::bce},
                          {{2, 3, 3}, Activation::relu, Activation::softmax, Loss::cross_entropy},
                          {{4, 6, 7, 1}, Activation::leaky_relu, Activation::linear, Loss::sse},
                          {{64, 300, 200, 10}, Activation::relu, Activation::softmax, Loss::cross_entropy},
                          {{5, 3}, Activation::linear, Activation::sigmoid, Loss::mse}};
  for (const Shape& s : shapes) {
    TrainerPlan tp = ref::make_plan(s.sizes, s.hidden, s.out, s.loss, 1);
    tp.batch_size = inference_block_rows(tp.layers, param_layout(tp.layers).size);
    Trainer trainer(tp);
    ref::Lcg g{11};
    const std::size_t in = s.sizes.front(), nout = s.sizes.back();
    const std::vector<float> p = ref::random_floats(trainer.layout().size, g);
    for (std::size_t rows : {std::size_t{0}, std::size_t{1}, std::size_t{9}, tp.batch_size, 2 * tp.batch_size + 33}) {
      const std::vector<float> X = ref::random_floats(rows * in, g);
      const std::vector<float> Y = ref::make_targets(s.loss, rows, nout, g);
      std::vector<float> want(rows * nout), want_eval(rows * nout);
      trainer.predict({p.data(), p.size()}, {X.data(), X.size()}, rows, {want.data(), want.size()});
      const double want_loss = trainer.evaluate({p.data(), p.size()}, {X.data(), X.size()}, {Y.data(), Y.size()},
                                                rows, {want_eval.data(), want_eval.size()});
      for (std::size_t threads = 1; threads <= 4; ++threads) {
        Model model(model_plan(tp, threads), &shared);
        const std::string what = "shape " + std::to_string(s.sizes.size()) + "/" + std::to_string(in) + ", rows " +
                                 std::to_string(rows) + ", threads " + std::to_string(threads);
        std::vector<float> out(rows * nout, -1.0f), out_eval(rows * nout, -1.0f);
        model.predict({p.data(), p.size()}, {X.data(), X.size()}, rows, {out.data(), out.size()});
        const double loss = model.evaluate({p.data(), p.size()}, {X.data(), X.size()}, {Y.data(), Y.size()}, rows,
                                           {out_eval.data(), out_eval.size()});
        check(same_bits(out, want), "predict matches the trainer bit for bit: " + what);
        check(same_bits(out_eval, want_eval), "evaluate's outputs match the trainer: " + what);
        check(rows == 0 || loss == want_loss, "evaluate's loss matches the trainer: " + what);
      }
    }
  }
}

// Workspaces: none before a call, 8 rows for a 1-row call, one block at most; the block keeps
// them within params / kInferenceWorkspaceShare floats on a wide network.
void test_workspaces() {
  const TrainerPlan tp = ref::make_plan({64, 2048, 2048, 10}, Activation::relu, Activation::softmax,
                                        Loss::cross_entropy, 1);
  Model model(model_plan(tp, 1));
  const std::size_t params = model.layout().size;
  const std::size_t per_row = (2 * 2048 + 10) * sizeof(float);
  const std::size_t block = inference_block_rows(tp.layers, params);
  check(block == params / kInferenceWorkspaceShare / (2 * 2048 + 10), "block rows from the budget");
  check(model.block_rows() == block && block < kInferenceBlockRows, "a wide network gets a smaller block");
  check(model.workspace_bytes() == 0, "no workspace before the first call");
  check(model.native_bytes() == 0, "nothing native before the first call (packing buffers grow on use)");
  std::vector<float> p(params, 0.001f), X(1000 * 64, 0.5f), out(1000 * 10);
  model.predict({p.data(), p.size()}, {X.data(), 64}, 1, {out.data(), 10});
  const std::size_t packing_one = packing_bytes(tp.layers, 1);
  check(model.workspace_bytes() == 8 * per_row + packing_one, "one row: a step of 8 rows, packing for 1 row");
  model.predict({p.data(), p.size()}, {X.data(), X.size()}, 1000, {out.data(), out.size()});
  const std::size_t packing = std::max(packing_one, packing_bytes(tp.layers, block));
  check(packing > 0, "a block of rows takes the packed path");
  check(model.workspace_bytes() == block * per_row + packing, "1000 rows: one block, packing for a block");
  check((model.workspace_bytes() - packing) * kInferenceWorkspaceShare <= params * sizeof(float), "within the budget");
  // Issue 9's bound on what a first predict allocates: 5% of the parameters' bytes, all included.
  check(model.workspace_bytes() * 20 <= params * sizeof(float), "workspaces and packing within 5% of the params");
  // What the addon reports to V8: the workspaces plus whatever packing buffers the products grew.
  check(model.native_bytes() >= model.workspace_bytes(), "native bytes cover the workspaces");
  const TrainerPlan small = ref::make_plan({784, 128, 10}, Activation::relu, Activation::softmax, Loss::mse, 1);
  check(inference_block_rows(small.layers, param_layout(small.layers).size) ==
            kInferenceWorkspaceFloor / (2 * 128 + 10),
        "a small network: the floor sets the block");
  const TrainerPlan single = ref::make_plan({3, 2}, Activation::relu, Activation::sigmoid, Loss::mse, 1);
  check(inference_block_rows(single.layers, 8) == kInferenceBlockRows, "one layer, tiny: the full block");
}

// predict_checked: a finite X gives -1 and predict's bits; a NaN or +-Infinity anywhere (each
// lane's first and last rows for 1..4 threads, later blocks, the short last block), alone or
// after others, gives the index of X's first one, as a plain search finds it.
void test_predict_checked() {
  ThreadPool shared(kMaxThreads);
  const TrainerPlan tp = ref::make_plan({64, 300, 200, 10}, Activation::relu, Activation::softmax,
                                        Loss::cross_entropy, 1);
  const std::size_t in = 64, nout = 10;
  ref::Lcg g{5};
  const std::vector<float> p = ref::random_floats(param_layout(tp.layers).size, g);
  const std::size_t block = inference_block_rows(tp.layers, p.size());  // 429 rows
  const std::size_t rows = 2 * block + 33;
  const std::vector<float> X = ref::random_floats(rows * in, g);
  const float bad_values[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity()};
  for (std::size_t threads = 1; threads <= 4; ++threads) {
    Model model(model_plan(tp, threads), &shared);
    std::vector<float> want(rows * nout), out(rows * nout, -1.0f);
    model.predict({p.data(), p.size()}, {X.data(), X.size()}, rows, {want.data(), want.size()});
    const std::string what = ", threads " + std::to_string(threads);
    check(model.predict_checked({p.data(), p.size()}, {X.data(), X.size()}, rows, {out.data(), out.size()}) == -1,
          "a finite X: -1" + what);
    check(same_bits(out, want), "a finite X: predict's bits" + what);
    std::size_t case_index = 0;
    for (std::size_t r : {std::size_t{0}, std::size_t{23}, std::size_t{24}, std::size_t{47}, std::size_t{48},
                          std::size_t{71}, std::size_t{72}, block - 1, block, block + 50, 2 * block, rows - 1}) {
      const std::size_t c = (r * 7) % in;
      std::vector<float> bad = X;
      bad[r * in + c] = bad_values[case_index++ % 3];
      if (r + 30 < rows) bad[(r + 30) * in] = bad_values[0];  // a later one changes nothing
      const std::int64_t got =
          model.predict_checked({p.data(), p.size()}, {bad.data(), bad.size()}, rows, {out.data(), out.size()});
      check(got == static_cast<std::int64_t>(r * in + c), "the first bad value at row " + std::to_string(r) + what);
    }
  }
  Model model(model_plan(tp, 2), &shared);
  std::vector<float> out(rows * nout);
  check_throws<std::invalid_argument>(
      [&] { model.predict_checked({p.data(), p.size()}, {X.data(), X.size() - 1}, rows, {out.data(), out.size()}); },
      "predict_checked: X too short");
}

void test_bad_input() {
  using IA = std::invalid_argument;
  const TrainerPlan tp = ref::make_plan({3, 4, 2}, Activation::tanh, Activation::sigmoid, Loss::bce, 1);
  ModelPlan plan = model_plan(tp, 1);
  plan.layers[1].activation = Activation::relu;
  check_throws<IA>([&] { Model m(plan); }, "bce without sigmoid");
  plan = model_plan(tp, 0);
  check_throws<IA>([&] { Model m(plan); }, "threads 0");
  plan = model_plan(tp, 1);
  plan.layers[1].inputs = 5;
  check_throws<IA>([&] { Model m(plan); }, "inputs chain");
  Model model(model_plan(tp, 1));
  std::vector<float> p(model.layout().size, 0.1f), X(15, 0.5f), out(10, -1.0f);
  check_throws<IA>([&] { model.predict({p.data(), p.size() - 1}, {X.data(), X.size()}, 5, {out.data(), 10}); },
                   "params too short");
  check_throws<IA>([&] { model.predict({p.data(), p.size()}, {X.data(), 14}, 5, {out.data(), 10}); }, "X too short");
  check_throws<IA>([&] { model.predict({p.data(), p.size()}, {X.data(), X.size()}, 5, {out.data(), 9}); },
                   "out too short");
  check(out[0] == -1.0f && model.workspace_bytes() == 0, "a failed call writes nothing and allocates nothing");
}

}  // namespace

int main() {
  test_matches_trainer();
  test_workspaces();
  test_predict_checked();
  test_bad_input();
  return test_util::finish("model");
}
