// The optional train arguments after `metric`: a chunk's learning-rate schedule, the dropout
// generator and the learning rates it reports (TrainChunk.schedule, rng, learningRates in
// lib/engine/engine.ts), checked field by field as lib/engine/ts/trainer.ts checks them.
#include <string>

#include "guards.hpp"
#include "trainer_binding.hpp"

namespace fastmlp::addon {

namespace {

bool given(const Napi::CallbackInfo& info, std::size_t i) {
  return i < info.Length() && !info[i].IsNull() && !info[i].IsUndefined();
}

ChunkSchedule parse_schedule(const Napi::Value& value) {
  const Napi::Object s = expect_object(value, "schedule");
  ChunkSchedule out;
  out.kind = static_cast<ScheduleKind>(expect_size(s.Get("kind"), "schedule.kind", 0, contract::kScheduleCount - 1));
  out.learning_rate = expect_in_range(s.Get("learningRate"), "schedule.learningRate", contract::kLearningRate);
  out.every = expect_in_range(s.Get("every"), "schedule.every", contract::kScheduleEvery);
  out.gamma = expect_in_range(s.Get("gamma"), "schedule.gamma", contract::kScheduleGamma);
  out.warmup_steps = expect_in_range(s.Get("warmupSteps"), "schedule.warmupSteps", contract::kWarmupSteps);
  out.total_steps = expect_in_range(s.Get("totalSteps"), "schedule.totalSteps", contract::kScheduleTotalSteps);
  out.min_learning_rate =
      expect_in_range(s.Get("minLearningRate"), "schedule.minLearningRate", contract::kMinLearningRate);
  out.epoch = expect_in_range(s.Get("epoch"), "schedule.epoch", contract::kScheduleEpoch);
  out.position = expect_in_range(s.Get("position"), "schedule.position", contract::kSchedulePosition);
  return out;
}

}  // namespace

void parse_chunk_extras(const Napi::CallbackInfo& info, std::size_t first, bool needs_rng, TrainJob* job) {
  Napi::Env env = info.Env();
  if (given(info, first)) {
    job->schedule = parse_schedule(info[first]);
    job->has_schedule = true;
  }
  const std::size_t r = first + 1;
  if (needs_rng || given(info, r)) {
    const Napi::Value value = r < info.Length() ? info[r] : env.Null();
    Span<const std::uint32_t> rng = expect_uint32_array(value, "rng");
    expect_fixed_length(value, "rng", "Uint32Array");
    expect_at_least(value, &rng, kRngWords, "rng", "Uint32Array", "the 4 words of a xoshiro128** state");
    if ((rng.data[0] | rng.data[1] | rng.data[2] | rng.data[3]) == 0) {
      throw Napi::RangeError::New(env, "Expected a xoshiro128** state not all zero for rng but received all zeros");
    }
    // the caller's array, written in place (expect_uint32_array hands out read-only views)
    job->rng = const_cast<std::uint32_t*>(rng.data);
  }
  const std::size_t l = first + 2;
  if (given(info, l)) {
    job->learning_rates = expect_float64_array(info[l], "learningRates");
    expect_fixed_length(info[l], "learningRates", "Float64Array");
    expect_at_least(info[l], &job->learning_rates, job->epochs, "learningRates", "Float64Array", "epochs");
  }
}

}  // namespace fastmlp::addon
