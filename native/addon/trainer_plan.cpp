// Reads a TrainerPlan from the plain JS object of lib/engine/engine.ts, checking every field's
// type and value against contract.hpp (TypeError / RangeError named by path, e.g.
// "plan.layers[1].units"), in the order lib/engine/ts/checks.ts checks them.
#include <algorithm>
#include <string>

#include "addon.hpp"
#include "guards.hpp"

namespace fastmlp::addon {

namespace {

std::string one_of(const char* const* names, std::size_t count) {
  std::string out = "one of ";
  for (std::size_t i = 0; i < count; ++i) out += (i ? ", '" : "'") + std::string(names[i]) + "'";
  return out;
}

// A name from the table names[0..count): TypeError when not a string, RangeError when unknown.
// Returns its code.
template <class T>
T expect_name(const Napi::Value& value, const std::string& name, const char* const* names, std::size_t count) {
  if (!value.IsString()) throw_type_error(value.Env(), name, one_of(names, count), value);
  const std::string s = value.As<Napi::String>().Utf8Value();
  for (std::size_t code = 0; code < count; ++code) {
    if (s == names[code]) return static_cast<T>(code);
  }
  throw_range_error(value.Env(), name, one_of(names, count), value);
}

// A clipping threshold: 0 (off) or a number in range (as checkClip in lib/engine/ts/checks.ts).
double expect_clip(const Napi::Value& value, const std::string& name, const contract::NumberRange& range) {
  const std::string expected = std::string("0 (off) or ") + range.expected;
  if (!value.IsNumber()) throw_type_error(value.Env(), name, expected, value);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (d == 0.0) return 0.0;
  if (!contract::in_range(range, d)) throw_range_error(value.Env(), name, expected, value);
  return d;
}

std::size_t expect_count(const Napi::Value& value, const std::string& name, const contract::NumberRange& range) {
  return static_cast<std::size_t>(expect_in_range(value, name, range));
}

// The fields a ModelPlan and a TrainerPlan share: layers and loss (read here; *params_out gets
// the parameter count) and threads (by parse_threads, after the trainer's own fields, keeping
// the order in which errors are found).
template <class Plan>
Napi::Array parse_layers_and_loss(const Napi::Value& value, const Napi::Object& plan, Plan& out,
                                  std::size_t* params_out) {
  const Napi::Array layers = expect_array(plan.Get("layers"), "plan.layers");
  if (!contract::in_range(contract::kLayerCount, layers.Length())) {
    throw_range_error(value.Env(), "plan.layers", std::string("an array of ") + contract::kLayerCount.expected,
                      layers);
  }
  std::size_t params = 0;  // at most 2^10 layers of 2^40 + 2^20: no overflow
  for (std::uint32_t i = 0; i < layers.Length(); ++i) {
    const std::string name = "plan.layers[" + std::to_string(i) + "]";
    const Napi::Object layer = expect_object(layers.Get(i), name);
    LayerPlan lp;
    lp.inputs = expect_count(layer.Get("inputs"), name + ".inputs", contract::kUnits);
    lp.units = expect_count(layer.Get("units"), name + ".units", contract::kUnits);
    lp.activation = expect_name<Activation>(layer.Get("activation"), name + ".activation",
                                            contract::kActivationNames, contract::kActivationCount);
    lp.use_bias = expect_boolean(layer.Get("useBias"), name + ".useBias");
    // dropout is optional in a plan (absent: 0), as lib/engine/ts/checks.ts reads it
    const Napi::Value dropout = layer.Get("dropout");
    if (!dropout.IsUndefined()) lp.dropout = expect_in_range(dropout, name + ".dropout", contract::kDropout);
    if (i > 0 && lp.inputs != out.layers.back().units) {
      throw_range_error(value.Env(), name + ".inputs",
                        std::to_string(out.layers.back().units) + " (the units of the layer before)",
                        layer.Get("inputs"));
    }
    params += lp.inputs * lp.units + (lp.use_bias ? lp.units : 0);
    out.layers.push_back(lp);
  }
  out.loss = expect_name<Loss>(plan.Get("loss"), "plan.loss", contract::kLossNames, contract::kLossCount);
  if (out.layers.back().dropout != 0.0) {
    throw_range_error(value.Env(), "plan.layers[" + std::to_string(out.layers.size() - 1) + "].dropout",
                      "0 (no dropout on the output layer)",
                      layers.Get(static_cast<std::uint32_t>(out.layers.size() - 1)).As<Napi::Object>().Get("dropout"));
  }
  // huberDelta is optional (absent: the contract's default); present, it is checked whatever the loss.
  const Napi::Value delta = plan.Get("huberDelta");
  if (!delta.IsUndefined()) {
    out.huber_delta = static_cast<float>(expect_in_range(delta, "plan.huberDelta", contract::kHuberDelta));
  }
  *params_out = params;
  return layers;
}

// After the plan's own fields: threads, the output activation the loss needs, and the parameter
// cap (checked last, as lib/engine/ts/checks.ts does).
template <class Plan>
void parse_threads(const Napi::Value& value, const Napi::Object& plan, const Napi::Array& layers, std::size_t params,
                   Plan& out) {
  // threads 0 means "the default": one per hardware thread.
  out.threads = expect_count(plan.Get("threads"), "plan.threads", contract::kPlanThreads);
  if (out.threads == 0) out.threads = std::min(default_threads(), contract::kMaxThreads);
  Activation required;
  if (loss_required_activation(out.loss, &required) && out.layers.back().activation != required) {
    throw_range_error(value.Env(), "plan.layers[" + std::to_string(out.layers.size() - 1) + "].activation",
                      std::string("'") + activation_name(required) + "' with loss '" + loss_name(out.loss) + "'",
                      layers.Get(static_cast<std::uint32_t>(out.layers.size() - 1)).As<Napi::Object>().Get("activation"));
  }
  if (!contract::in_range(contract::kParams, static_cast<double>(params))) {
    throw_range_error(value.Env(), "plan.layers", contract::kParams.expected,
                      Napi::Number::New(value.Env(), static_cast<double>(params)));
  }
}

}  // namespace

TrainerPlan parse_plan(const Napi::Value& value) {
  const Napi::Object plan = expect_object(value, "plan");
  TrainerPlan out;
  std::size_t params = 0;
  const Napi::Array layers = parse_layers_and_loss(value, plan, out, &params);
  const Napi::Object opt = expect_object(plan.Get("optimizer"), "plan.optimizer");
  out.optimizer.kind = expect_name<OptimizerKind>(opt.Get("kind"), "plan.optimizer.kind", contract::kOptimizerNames,
                                                  contract::kOptimizerCount);
  out.optimizer.learning_rate = expect_in_range(opt.Get("learningRate"), "plan.optimizer.learningRate",
                                                contract::kLearningRate);
  out.optimizer.momentum = expect_in_range(opt.Get("momentum"), "plan.optimizer.momentum", contract::kMomentum);
  out.optimizer.beta1 = expect_in_range(opt.Get("beta1"), "plan.optimizer.beta1", contract::kBeta1);
  out.optimizer.beta2 = expect_in_range(opt.Get("beta2"), "plan.optimizer.beta2", contract::kBeta2);
  out.optimizer.epsilon = expect_in_range(opt.Get("epsilon"), "plan.optimizer.epsilon", contract::kEpsilon);
  out.optimizer.weight_decay =
      expect_in_range(opt.Get("weightDecay"), "plan.optimizer.weightDecay", contract::kWeightDecay);
  out.optimizer.rho = expect_in_range(opt.Get("rho"), "plan.optimizer.rho", contract::kRho);
  out.optimizer.clip_norm = expect_clip(opt.Get("clipNorm"), "plan.optimizer.clipNorm", contract::kClipNorm);
  out.optimizer.clip_value = expect_clip(opt.Get("clipValue"), "plan.optimizer.clipValue", contract::kClipValue);
  out.batch_size = expect_count(plan.Get("batchSize"), "plan.batchSize", contract::kBatchSize);
  parse_threads(value, plan, layers, params, out);
  return out;
}

ModelPlan parse_model_plan(const Napi::Value& value) {
  const Napi::Object plan = expect_object(value, "plan");
  ModelPlan out;
  std::size_t params = 0;
  const Napi::Array layers = parse_layers_and_loss(value, plan, out, &params);
  parse_threads(value, plan, layers, params, out);
  return out;
}

}  // namespace fastmlp::addon
