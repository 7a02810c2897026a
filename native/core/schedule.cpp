// Learning-rate schedules (see schedule.hpp and ChunkSchedule in lib/engine/engine.ts).
#include "schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace fastmlp {

namespace {

void require(const contract::NumberRange& range, const char* name, double value) {
  if (!contract::in_range(range, value)) {
    throw std::invalid_argument(std::string("Expected ") + range.expected + " for schedule." + name +
                                " but received " + std::to_string(value));
  }
}

}  // namespace

void validate_schedule(const ChunkSchedule& s) {
  const int kind = static_cast<int>(s.kind);
  if (kind < 0 || kind >= static_cast<int>(contract::kScheduleCount)) {
    throw std::invalid_argument("Expected an integer in 0.." + std::to_string(contract::kScheduleCount - 1) +
                                " for schedule.kind but received " + std::to_string(kind));
  }
  require(contract::kLearningRate, "learningRate", s.learning_rate);
  require(contract::kScheduleEvery, "every", s.every);
  require(contract::kScheduleGamma, "gamma", s.gamma);
  require(contract::kWarmupSteps, "warmupSteps", s.warmup_steps);
  require(contract::kScheduleTotalSteps, "totalSteps", s.total_steps);
  require(contract::kMinLearningRate, "minLearningRate", s.min_learning_rate);
  require(contract::kScheduleEpoch, "epoch", s.epoch);
  require(contract::kSchedulePosition, "position", s.position);
}

double power_of(double gamma, double k) {
  double result = 1.0;
  double base = gamma;
  double n = k;
  while (n > 0) {
    if (std::fmod(n, 2.0) == 1.0) result *= base;
    n = std::floor(n / 2.0);
    if (n > 0) base *= base;
  }
  return result;
}

double scheduled_rate(const ChunkSchedule& s, double epoch, double position) {
  const double lr = s.learning_rate;
  switch (s.kind) {
    case ScheduleKind::step:
      return lr * power_of(s.gamma, std::floor(epoch / s.every));
    case ScheduleKind::exponential:
      return lr * power_of(s.gamma, epoch);
    case ScheduleKind::cosine: {
      if (position < s.warmup_steps) return lr * (position + 1) / s.warmup_steps;
      const double span = s.total_steps - 1 - s.warmup_steps;
      const double q = span > 0 ? std::min(1.0, (position - s.warmup_steps) / span) : 1.0;
      const double min = s.min_learning_rate;
      return min + (lr - min) * 0.5 * (1 + std::cos(3.141592653589793 * q));
    }
    default:
      return lr;
  }
}

}  // namespace fastmlp
