// The native bytes one Model or Trainer wrapper has reported to V8. V8 sees only a small JS
// object per wrapper; without this report it never feels the megabytes of workspaces behind
// it, so dropped (undisposed) networks pile up uncollected. sync() reports the growth (a
// Model's workspaces and every packing buffer grow on demand); release() gives everything back,
// exactly once, whichever of dispose and the finalizer comes first.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace fastmlp::addon {

class ReportedMemory {
 public:
  void sync(Napi::Env env, std::size_t bytes) {
    if (bytes == reported_) return;
    Napi::MemoryManagement::AdjustExternalMemory(env,
                                                 static_cast<std::int64_t>(bytes) - static_cast<std::int64_t>(reported_));
    reported_ = bytes;
  }
  void release(Napi::Env env) { sync(env, 0); }
  std::size_t bytes() const { return reported_; }

 private:
  std::size_t reported_ = 0;
};

}  // namespace fastmlp::addon
