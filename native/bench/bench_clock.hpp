// Timing helpers shared by the C++ benchmark drivers: one clock choice and a median.
// Wall time by default; CPU time drops the time a thread was descheduled on a loaded machine.
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

namespace fastmlp::bench {

enum class Clock { wall, thread_cpu, process_cpu };

inline double now_seconds(Clock clock) {
  if (clock != Clock::wall) {
    timespec ts{};
    clock_gettime(clock == Clock::thread_cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

}  // namespace fastmlp::bench
