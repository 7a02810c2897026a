// Reads a TrainerPlan from the plain JS object of lib/engine/engine.ts, checking every field's
// type and value (TypeError / RangeError named by path, e.g. "plan.layers[1].units").
#include <algorithm>
#include <string>

#include "addon.hpp"
#include "guards.hpp"

namespace fastmlp::addon {

namespace {

std::string one_of(const char* const* names) {
  std::string out = "one of ";
  for (std::size_t i = 0; names[i] != nullptr; ++i) out += (i ? ", '" : "'") + std::string(names[i]) + "'";
  return out;
}

template <class T>
T expect_name(const Napi::Value& value, const std::string& name, const char* const* names,
              bool (*parse)(const std::string&, T*)) {
  if (!value.IsString()) throw_type_error(value.Env(), name, one_of(names), value);
  T out{};
  if (!parse(value.As<Napi::String>().Utf8Value(), &out)) throw_range_error(value.Env(), name, one_of(names), value);
  return out;
}

const char* const kActivations[] = {"sigmoid", "relu", "tanh", "leakyRelu", "softmax", "linear", nullptr};
const char* const kLosses[] = {"sse", "half-sse", "mse", "bce", "cross-entropy", nullptr};
const char* const kOptimizers[] = {"sgd", "momentum", "nesterov", "adam", nullptr};

double expect_nonnegative(const Napi::Value& value, const std::string& name) {
  const double d = expect_finite(value, name);
  if (d < 0) throw_range_error(value.Env(), name, "a finite number >= 0", value);
  return d;
}

double expect_unit_interval(const Napi::Value& value, const std::string& name) {
  const double d = expect_finite(value, name);
  if (d < 0 || d >= 1) throw_range_error(value.Env(), name, "a number in [0, 1)", value);
  return d;
}

// The fields a ModelPlan and a TrainerPlan share: layers, loss (read here) and threads (by
// parse_threads, after the trainer's own fields, keeping the order in which errors are found).
template <class Plan>
Napi::Array parse_layers_and_loss(const Napi::Value& value, const Napi::Object& plan, Plan& out) {
  const Napi::Array layers = expect_array(plan.Get("layers"), "plan.layers");
  if (layers.Length() < 1 || layers.Length() > 4096) {
    throw_range_error(value.Env(), "plan.layers", "an array of 1..4096 layers", layers);
  }
  for (std::uint32_t i = 0; i < layers.Length(); ++i) {
    const std::string name = "plan.layers[" + std::to_string(i) + "]";
    const Napi::Object layer = expect_object(layers.Get(i), name);
    LayerPlan lp;
    lp.inputs = expect_size(layer.Get("inputs"), name + ".inputs", 1, kMaxElements);
    lp.units = expect_size(layer.Get("units"), name + ".units", 1, kMaxElements);
    lp.activation = expect_name<Activation>(layer.Get("activation"), name + ".activation", kActivations,
                                            parse_activation);
    lp.use_bias = expect_boolean(layer.Get("useBias"), name + ".useBias");
    if (i > 0 && lp.inputs != out.layers.back().units) {
      throw_range_error(value.Env(), name + ".inputs",
                        std::to_string(out.layers.back().units) + " (the units of the layer before)",
                        layer.Get("inputs"));
    }
    out.layers.push_back(lp);
  }
  out.loss = expect_name<Loss>(plan.Get("loss"), "plan.loss", kLosses, parse_loss);
  return layers;
}

template <class Plan>
void parse_threads(const Napi::Value& value, const Napi::Object& plan, const Napi::Array& layers, Plan& out) {
  // threads 0 means "the default": one per hardware thread.
  out.threads = expect_size(plan.Get("threads"), "plan.threads", 0, kMaxThreads);
  if (out.threads == 0) out.threads = std::min(default_threads(), kMaxThreads);
  Activation required;
  if (loss_required_activation(out.loss, &required) && out.layers.back().activation != required) {
    throw_range_error(value.Env(), "plan.layers[" + std::to_string(out.layers.size() - 1) + "].activation",
                      std::string("'") + activation_name(required) + "' with loss '" + loss_name(out.loss) + "'",
                      layers.Get(static_cast<std::uint32_t>(out.layers.size() - 1)).As<Napi::Object>().Get("activation"));
  }
}

}  // namespace

TrainerPlan parse_plan(const Napi::Value& value) {
  const Napi::Object plan = expect_object(value, "plan");
  TrainerPlan out;
  const Napi::Array layers = parse_layers_and_loss(value, plan, out);
  const Napi::Object opt = expect_object(plan.Get("optimizer"), "plan.optimizer");
  out.optimizer.kind =
      expect_name<OptimizerKind>(opt.Get("kind"), "plan.optimizer.kind", kOptimizers, parse_optimizer_kind);
  out.optimizer.learning_rate = expect_nonnegative(opt.Get("learningRate"), "plan.optimizer.learningRate");
  out.optimizer.momentum = expect_nonnegative(opt.Get("momentum"), "plan.optimizer.momentum");
  out.optimizer.beta1 = expect_unit_interval(opt.Get("beta1"), "plan.optimizer.beta1");
  out.optimizer.beta2 = expect_unit_interval(opt.Get("beta2"), "plan.optimizer.beta2");
  out.optimizer.epsilon = expect_nonnegative(opt.Get("epsilon"), "plan.optimizer.epsilon");
  out.optimizer.weight_decay = expect_nonnegative(opt.Get("weightDecay"), "plan.optimizer.weightDecay");
  out.batch_size = expect_size(plan.Get("batchSize"), "plan.batchSize", 1, kMaxElements);
  parse_threads(value, plan, layers, out);
  return out;
}

ModelPlan parse_model_plan(const Napi::Value& value) {
  const Napi::Object plan = expect_object(value, "plan");
  ModelPlan out;
  const Napi::Array layers = parse_layers_and_loss(value, plan, out);
  parse_threads(value, plan, layers, out);
  return out;
}

}  // namespace fastmlp::addon
