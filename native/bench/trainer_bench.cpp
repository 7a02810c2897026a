// Trainer benchmark: the three workloads of the performance issue, driven through fastmlp::Trainer
// directly (no Node), so it can run under callgrind / perf. Not part of the library build.
//   seed     2-3-1 sigmoid, sse, sgd 0.01, 120 rows, full batch: seconds per 100,000 steps
//   predict  784-128-10 (relu, softmax), one row per predict call: us per call
//   rows     784-128-10 (relu, softmax) inference Model, 1,024 rows per predict call: samples/s
//            per thread count (--threads), interleaved call by call, outputs checked bit for bit
//            across the counts
//   mnist    784-128-10, cross-entropy, sgd, batch 64: samples/s (threads from --threads)
//   tabular  30-64-64-1 (relu, relu, sigmoid), bce, adam 0.001, batch 32: samples/s (the
//            versus bench's tabular network: per-batch work other than the products dominates)
//   wide     784-1024-1024-10 (relu, relu, softmax), cross-entropy, adam 0.001, batch 256, 1,024
//            rows, 2 epochs per call (the versus bench's wide network and call: compute bound,
//            8 steps per train_epochs call)
//   deep     64-(16 x 64)-10 (relu..., softmax), cross-entropy, adam 0.001, batch 64, 3,072 rows
//            (the versus bench's deep and narrow network)
//   trainer_bench [--set seed|predict|rows|mnist|tabular|wide|deep|all] [--reps N] [--threads T[,T...]] [--scale F]
//                 [--clock cpu|wall]   (cpu = process CPU time; wall is the default)
//                 [--batch B]          (the mnist workload's batch size; 64 by default)
//                 [--rows N]           (the mnist workload's rows; 6,400 by default, the versus bench's 19,200)
//                 [--shuffle 1]        (every workload trains through a shuffled order, one permutation per
//                                       epoch, as fit() does: the trainer gathers each batch's rows)
// --threads 1,2 times one trainer per count, interleaved rep by rep (same noise for both), and
// prints the median and the best rep of each: on a shared machine the best is the nearest to
// an unloaded run. Each mnist line also gives the process CPU time per sample (spinning
// workers included) and checks that every thread count ended with the same loss.
// Build from the repo root against the core library of `npm run build:native`:
//   g++ -O3 -std=c++17 -Inative/core native/bench/trainer_bench.cpp build/libfastmlp_core.a -lpthread
//       -o /tmp/trainer_bench    (one command line)
#include "bench_clock.hpp"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mlp.hpp"
#include "model.hpp"

using namespace fastmlp;

namespace {

using bench::Clock;

bool g_cpu_clock = false;
// --batch: the mnist workload's batch size (64: the versus bench's).
std::size_t g_mnist_batch = 64;
// --rows: the mnist workload's rows (the versus bench's 19,200 put X, 60 MB, out of cache).
std::size_t g_mnist_rows = 6400;
// --shuffle: train through a shuffled order (fit's default), so each batch is gathered row by row.
bool g_shuffle = false;

double now_seconds() { return bench::now_seconds(g_cpu_clock ? Clock::process_cpu : Clock::wall); }

using bench::median;

// Deterministic uniform floats in [lo, hi) (xorshift): no dependence on <random>'s distributions.
struct Rng {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  float uniform(float lo, float hi) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    return lo + (hi - lo) * static_cast<float>((s >> 40) * (1.0 / 16777216.0));
  }
};

std::vector<float> glorot(const ParamLayout& layout, Rng& rng) {
  std::vector<float> p(layout.size, 0.0f);
  for (const LayerOffsets& l : layout.layers) {
    const float r = std::sqrt(6.0f / static_cast<float>(l.inputs + l.units));
    for (std::size_t i = 0; i < l.inputs * l.units; ++i) p[l.w + i] = rng.uniform(-r, r);
  }
  return p;
}

TrainerPlan make_plan(std::vector<LayerPlan> layers, Loss loss, float lr, std::size_t batch, std::size_t threads) {
  TrainerPlan plan;
  plan.layers = std::move(layers);
  plan.loss = loss;
  plan.optimizer.kind = OptimizerKind::sgd;
  plan.optimizer.learning_rate = lr;
  plan.batch_size = batch;
  plan.threads = threads;
  return plan;
}

// --- seed: 2-3-1 sigmoid, full batch ---------------------------------------------------------

void bench_seed(int reps, double scale) {
  const std::size_t rows = 120, steps = static_cast<std::size_t>(100000 * scale);
  Trainer t(make_plan({{2, 3, Activation::sigmoid, true}, {3, 1, Activation::sigmoid, true}}, Loss::sse, 0.01f,
                      rows, 1));
  Rng rng;
  std::vector<float> X(rows * 2), Y(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    X[2 * i] = rng.uniform(-1, 1), X[2 * i + 1] = rng.uniform(-1, 1);
    Y[i] = X[2 * i] * X[2 * i + 1] > 0 ? 1.0f : 0.0f;
  }
  std::vector<double> times;
  double last_loss = 0;
  for (int r = 0; r < reps; ++r) {
    std::vector<float> params = glorot(t.layout(), rng);
    std::vector<double> losses(steps);
    const double t0 = now_seconds();
    t.train_epochs({{params.data(), params.size()}, {nullptr, 0}}, {X.data(), X.size()}, {Y.data(), Y.size()},
                   rows, nullptr, steps, rows, 0, {losses.data(), losses.size()});
    times.push_back(now_seconds() - t0);
    last_loss = losses.back();
  }
  std::printf("seed     2-3-1 x120 full batch: %zu steps in %.4f s median (%.3f us/step), final loss %.6f\n",
              steps, median(times), 1e6 * median(times) / static_cast<double>(steps), last_loss);
}

// FNV-1a over the bytes of the trained parameters: equal hashes across builds or kernel tables
// mean bit-identical training.
std::uint64_t fnv1a(const std::vector<float>& v) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  for (std::size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
  return h;
}

// --- predict: one row through 784-128-10 ----------------------------------------------------

std::vector<LayerPlan> mnist_layers() {
  return {{784, 128, Activation::relu, true}, {128, 10, Activation::softmax, true}};
}

void bench_predict(int reps, double scale) {
  Trainer t(make_plan(mnist_layers(), Loss::cross_entropy, 0.1f, 64, 1));
  Rng rng;
  std::vector<float> params = glorot(t.layout(), rng);
  std::vector<float> x(784), out(10);
  for (float& v : x) v = rng.uniform(0, 1);
  const std::size_t calls = static_cast<std::size_t>(20000 * scale);
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_seconds();
    for (std::size_t i = 0; i < calls; ++i) {
      t.predict({params.data(), params.size()}, {x.data(), x.size()}, 1, {out.data(), out.size()});
    }
    times.push_back((now_seconds() - t0) / static_cast<double>(calls));
  }
  std::printf("predict  784-128-10 rows=1: %.3f us/call median (out[0] %.6f)\n", 1e6 * median(times), out[0]);
}


// --- rows: 1,024 rows through the inference Model (predict's batch of issue 13) --------------

void bench_predict_rows(int reps, double scale, const std::vector<std::size_t>& thread_counts) {
  const std::size_t rows = 1024, calls = std::max<std::size_t>(1, static_cast<std::size_t>(200 * scale));
  std::vector<std::unique_ptr<Model>> models;
  for (std::size_t threads : thread_counts) {
    ModelPlan plan;
    plan.layers = mnist_layers();
    plan.loss = Loss::cross_entropy;
    plan.threads = threads;
    models.push_back(std::make_unique<Model>(plan));
  }
  Rng rng;
  const std::vector<float> params = glorot(models[0]->layout(), rng);
  std::vector<float> X(rows * 784);
  for (float& v : X) v = rng.uniform(0, 1) < 0.8f ? 0.0f : rng.uniform(0, 1);
  const std::size_t n = models.size();
  std::vector<std::vector<float>> outs(n, std::vector<float>(rows * 10));
  std::vector<std::vector<double>> rates(n);
  const auto call = [&](std::size_t i) {
    models[i]->predict({params.data(), params.size()}, {X.data(), X.size()}, rows, {outs[i].data(), outs[i].size()});
  };
  for (std::size_t i = 0; i < n; ++i) call(i);  // workspaces, packing buffers, worker threads
  for (int r = 0; r < reps; ++r) {
    for (std::size_t i = 0; i < n; ++i) {
      const double t0 = now_seconds();
      for (std::size_t c = 0; c < calls; ++c) call(i);
      rates[i].push_back(static_cast<double>(rows * calls) / (now_seconds() - t0));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::printf("rows     784-128-10 predict of %zu rows, %zu thread(s): %.0f samples/s median, %.0f best "
                "(outputs fnv1a %016llx)\n",
                rows, thread_counts[i], median(rates[i]), *std::max_element(rates[i].begin(), rates[i].end()),
                static_cast<unsigned long long>(fnv1a(outs[i])));
  }
  for (std::size_t i = 1; i < n; ++i) {
    if (outs[i] != outs[0]) std::printf("MISMATCH: outputs differ between thread counts\n");
  }
}

// --- mnist and tabular: training at batch 64 / 32 ---------------------------------------------

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// One training workload: its trainers (one per thread count) and its rows.
struct Workload {
  std::string label;
  std::vector<std::unique_ptr<Trainer>> trainers;
  std::vector<float> X, Y;
  std::size_t rows, batch, epochs;
};

Workload mnist_workload(double scale, const std::vector<std::size_t>& thread_counts) {
  Workload w{"mnist    784-128-10 batch " + std::to_string(g_mnist_batch) + " rows " + std::to_string(g_mnist_rows),
             {}, {}, {}, g_mnist_rows, g_mnist_batch,
             std::max<std::size_t>(1, static_cast<std::size_t>(5 * scale))};
  for (std::size_t threads : thread_counts) {
    w.trainers.push_back(
        std::make_unique<Trainer>(make_plan(mnist_layers(), Loss::cross_entropy, 0.05f, w.batch, threads)));
  }
  Rng rng;
  w.X.assign(w.rows * 784, 0.0f);
  w.Y.assign(w.rows * 10, 0.0f);
  for (std::size_t i = 0; i < w.rows; ++i) {
    for (std::size_t j = 0; j < 784; ++j) w.X[i * 784 + j] = rng.uniform(0, 1) < 0.8f ? 0.0f : rng.uniform(0, 1);
    w.Y[i * 10 + static_cast<std::size_t>(rng.uniform(0, 10)) % 10] = 1.0f;
  }
  return w;
}

// bench/versus/archs.ts's tabular network: 30 standardized features, a 0/1 label from a linear
// teacher, relu hidden layers, a sigmoid unit with binary cross-entropy, adam.
Workload tabular_workload(double scale, const std::vector<std::size_t>& thread_counts) {
  Workload w{"tabular  30-64-64-1 batch 32", {}, {}, {}, 4096, 32, std::max<std::size_t>(1, static_cast<std::size_t>(20 * scale))};
  for (std::size_t threads : thread_counts) {
    TrainerPlan plan = make_plan({{30, 64, Activation::relu, true}, {64, 64, Activation::relu, true},
                                  {64, 1, Activation::sigmoid, true}},
                                 Loss::bce, 0.001f, w.batch, threads);
    plan.optimizer.kind = OptimizerKind::adam;
    w.trainers.push_back(std::make_unique<Trainer>(plan));
  }
  Rng rng;
  std::vector<float> teacher(30);
  for (float& t : teacher) t = rng.uniform(-1, 1);
  w.X.assign(w.rows * 30, 0.0f);
  w.Y.assign(w.rows, 0.0f);
  for (std::size_t i = 0; i < w.rows; ++i) {
    float s = 0.0f;
    for (std::size_t j = 0; j < 30; ++j) s += (w.X[i * 30 + j] = rng.uniform(-1, 1)) * teacher[j];
    w.Y[i] = s > 0.0f ? 1.0f : 0.0f;
  }
  return w;
}

// bench/versus/archs.ts's wide network and call (1,024 rows, 2 epochs per fit call): one-hot
// labels of random classes over MNIST-shaped inputs.
Workload wide_workload(double scale, const std::vector<std::size_t>& thread_counts) {
  Workload w{"wide     784-1024-1024-10 batch 256", {}, {}, {}, 1024, 256, std::max<std::size_t>(1, static_cast<std::size_t>(2 * scale))};
  for (std::size_t threads : thread_counts) {
    TrainerPlan plan = make_plan({{784, 1024, Activation::relu, true}, {1024, 1024, Activation::relu, true},
                                  {1024, 10, Activation::softmax, true}},
                                 Loss::cross_entropy, 0.001f, w.batch, threads);
    plan.optimizer.kind = OptimizerKind::adam;
    w.trainers.push_back(std::make_unique<Trainer>(plan));
  }
  Rng rng;
  w.X.assign(w.rows * 784, 0.0f);
  w.Y.assign(w.rows * 10, 0.0f);
  for (std::size_t i = 0; i < w.rows; ++i) {
    for (std::size_t j = 0; j < 784; ++j) w.X[i * 784 + j] = rng.uniform(0, 1);
    w.Y[i * 10 + static_cast<std::size_t>(rng.uniform(0, 10)) % 10] = 1.0f;
  }
  return w;
}

// bench/versus/archs.ts's deep and narrow network: 16 relu layers of 64, softmax over 10.
Workload deep_workload(double scale, const std::vector<std::size_t>& thread_counts) {
  Workload w{"deep     64-(16x64)-10 batch 64", {}, {}, {}, 3072, 64, std::max<std::size_t>(1, static_cast<std::size_t>(2 * scale))};
  for (std::size_t threads : thread_counts) {
    std::vector<LayerPlan> layers{{64, 64, Activation::relu, true}};
    for (int l = 1; l < 16; ++l) layers.push_back({64, 64, Activation::relu, true});
    layers.push_back({64, 10, Activation::softmax, true});
    TrainerPlan plan = make_plan(std::move(layers), Loss::cross_entropy, 0.001f, w.batch, threads);
    plan.optimizer.kind = OptimizerKind::adam;
    w.trainers.push_back(std::make_unique<Trainer>(plan));
  }
  Rng rng;
  w.X.assign(w.rows * 64, 0.0f);
  w.Y.assign(w.rows * 10, 0.0f);
  for (std::size_t i = 0; i < w.rows; ++i) {
    for (std::size_t j = 0; j < 64; ++j) w.X[i * 64 + j] = rng.uniform(-1, 1);
    w.Y[i * 10 + static_cast<std::size_t>(rng.uniform(0, 10)) % 10] = 1.0f;
  }
  return w;
}

void bench_training(Workload w, int reps, const std::vector<std::size_t>& thread_counts) {
  auto& trainers = w.trainers;
  const std::vector<float>& X = w.X;
  const std::vector<float>& Y = w.Y;
  const std::size_t rows = w.rows, batch = w.batch, epochs = w.epochs;
  Rng rng;
  const std::size_t n = trainers.size();
  std::vector<std::vector<double>> rates(n), cpu_us(n);
  std::vector<double> last_loss(n, 0.0);
  std::vector<std::uint64_t> last_hash(n, 0);
  const std::vector<float> init = glorot(trainers[0]->layout(), rng);  // same start for every count
  // --shuffle: one Fisher-Yates permutation per epoch, the same for every thread count and rep
  std::vector<std::uint32_t> order;
  if (g_shuffle) {
    order.resize(epochs * rows);
    for (std::size_t e = 0; e < epochs; ++e) {
      std::uint32_t* o = order.data() + e * rows;
      for (std::size_t i = 0; i < rows; ++i) o[i] = static_cast<std::uint32_t>(i);
      for (std::size_t i = rows - 1; i > 0; --i) {
        const auto j = static_cast<std::size_t>(rng.uniform(0, 1) * static_cast<float>(i + 1)) % (i + 1);
        std::swap(o[i], o[j]);
      }
    }
  }
  const Span<const std::uint32_t> order_span{order.data(), order.size()};
  for (int r = 0; r < reps; ++r) {
    for (std::size_t i = 0; i < n; ++i) {
      Trainer& t = *trainers[i];
      std::vector<float> params = init;
      std::vector<float> state(t.state_size(), 0.0f);
      std::vector<double> losses(epochs);
      const double c0 = cpu_seconds();
      const double t0 = now_seconds();
      t.train_epochs({{params.data(), params.size()}, {state.data(), state.size()}}, {X.data(), X.size()}, {Y.data(), Y.size()},
                     rows, g_shuffle ? &order_span : nullptr, epochs, batch, 0, {losses.data(), losses.size()});
      rates[i].push_back(static_cast<double>(rows * epochs) / (now_seconds() - t0));
      cpu_us[i].push_back(1e6 * (cpu_seconds() - c0) / static_cast<double>(rows * epochs));
      last_loss[i] = losses.back();
      last_hash[i] = fnv1a(params);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::printf("%s, %zu thread(s): %.0f samples/s median, %.0f best, %.3f us CPU/sample "
                "median (last loss %.9g, params fnv1a %016llx)\n",
                w.label.c_str(), thread_counts[i], median(rates[i]), *std::max_element(rates[i].begin(), rates[i].end()),
                median(cpu_us[i]), last_loss[i], static_cast<unsigned long long>(last_hash[i]));
  }
  for (std::size_t i = 1; i < n; ++i) {
    if (last_loss[i] != last_loss[0] || last_hash[i] != last_hash[0]) {
      std::printf("MISMATCH: loss or parameters differ between thread counts\n");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string set = "all";
  int reps = 5;
  std::vector<std::size_t> threads{1};
  double scale = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--set") set = value;
    else if (key == "--reps") reps = std::max(1, std::atoi(value.c_str()));
    else if (key == "--threads") {
      threads.clear();
      for (std::size_t pos = 0; pos <= value.size();) {
        const std::size_t comma = std::min(value.find(',', pos), value.size());
        threads.push_back(static_cast<std::size_t>(std::max(1, std::atoi(value.substr(pos, comma - pos).c_str()))));
        pos = comma + 1;
      }
    }
    else if (key == "--scale") scale = std::atof(value.c_str());
    else if (key == "--clock") g_cpu_clock = value == "cpu";
    else if (key == "--batch") g_mnist_batch = std::max(1, std::atoi(value.c_str()));
    else if (key == "--rows") g_mnist_rows = static_cast<std::size_t>(std::max(1, std::atoi(value.c_str())));
    else if (key == "--shuffle") g_shuffle = value == "1";
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (set == "seed" || set == "all") bench_seed(reps, scale);
  if (set == "predict" || set == "all") bench_predict(reps, scale);
  if (set == "rows" || set == "all") bench_predict_rows(reps, scale, threads);
  if (set == "mnist" || set == "all") bench_training(mnist_workload(scale, threads), reps, threads);
  if (set == "tabular" || set == "all") bench_training(tabular_workload(scale, threads), reps, threads);
  if (set == "wide" || set == "all") bench_training(wide_workload(scale, threads), reps, threads);
  if (set == "deep" || set == "all") bench_training(deep_workload(scale, threads), reps, threads);
  return 0;
}
