// scanFinite(src, dst): the index of src's first value that is not finite (NaN or +-Infinity),
// or -1; dst (a Float32Array of >= src.length, or null) receives a copy of src in the same pass
// (finite.hpp). What Engine.scanFinite is on the native engine (lib/engine/engine.ts).
#include "addon.hpp"
#include "finite.hpp"
#include "guards.hpp"

namespace fastmlp::addon {

Napi::Value ScanFinite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  expect_arg_count(info, 2, "scanFinite");
  const Span<float> src = expect_float32_array(info[0], "src");
  expect_fixed_length(info[0], "src", "Float32Array");
  Span<float> dst{};
  if (!info[1].IsNull()) {
    dst = expect_float32_array(info[1], "dst");
    expect_fixed_length(info[1], "dst", "Float32Array");
    expect_at_least(info[1], &dst, src.size, "dst", "Float32Array", "src's length");
    if (dst.size != 0 && dst.data < src.data + src.size && src.data < dst.data + dst.size) {
      throw Napi::RangeError::New(env, "Expected a dst that does not overlap src for scanFinite but received one that does");
    }
  }
  const std::int64_t at = call_core(env, [&] { return scan_finite(src.data, dst.data, src.size); });
  return Napi::Number::New(env, static_cast<double>(at));
}

}  // namespace fastmlp::addon
