// Learning-rate schedules computed per optimizer step inside train_epochs: the formulas of
// lib/engine/engine.ts (ChunkSchedule), the same as lib/engine/ts/schedule.ts.
#pragma once

#include <cstdint>

#include "contract.hpp"

namespace fastmlp {

struct ChunkSchedule {
  ScheduleKind kind = ScheduleKind::constant;
  double learning_rate = 0.001;
  double every = 1;  // integers held as doubles: the contract's ranges reach 2^53 - 1
  double gamma = 1.0;
  double warmup_steps = 0;
  double total_steps = 1;
  double min_learning_rate = 0.0;
  double epoch = 0;
  double position = 0;
};

// Throws std::invalid_argument naming the first field outside its contract range.
void validate_schedule(const ChunkSchedule& s);
// gamma^k by binary exponentiation in double (the order lib/engine/ts/schedule.ts multiplies in).
double power_of(double gamma, double k);
// The rate of the step at the schedule's epoch and position (both from 0).
double scheduled_rate(const ChunkSchedule& s, double epoch, double position);
// Whether the rate changes within an epoch (cosine), else it is computed once per epoch.
inline bool rate_per_step(const ChunkSchedule& s) { return s.kind == ScheduleKind::cosine; }

}  // namespace fastmlp
