// The fixed vocabulary of argument guards every binding uses: argument count, Is*() before every
// As<T>(), typed-array kind, length = rows x cols with checked products, integer sizes, finite
// numbers. Each throws a Napi::TypeError (wrong type) or Napi::RangeError (bad value) worded like
// lib/validate.ts: "Expected <what> for <name> but received <value>". No macros, no hidden return.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "contract.hpp"
#include "sizes.hpp"

namespace fastmlp::addon {

// How a received value is described in messages (mirrors describe() in lib/validate.ts); "a
// Proxy" for a Proxy, whose traps it never runs.
std::string describe(const Napi::Value& value);

// Whether value is a Proxy (node:util types.isProxy, taken at load time; false where the runtime
// cannot tell). Runs no trap. The addon reads no Proxy: expect_object refuses one (a Proxy of an
// array is no array to napi_is_array either), so its traps never run inside a call.
bool is_proxy(const Napi::Value& value);

[[noreturn]] void throw_type_error(Napi::Env env, const std::string& name, const std::string& expected,
                                   const Napi::Value& actual);
[[noreturn]] void throw_range_error(Napi::Env env, const std::string& name, const std::string& expected,
                                    const Napi::Value& actual);

// Exactly `count` arguments to `fn` (extra or missing arguments are a TypeError).
void expect_arg_count(const Napi::CallbackInfo& info, std::size_t count, const char* fn);

bool expect_boolean(const Napi::Value& value, const std::string& name);
double expect_finite(const Napi::Value& value, const std::string& name);
// A number inside one of the contract's ranges (contract.hpp): TypeError when not a number,
// RangeError when outside it (NaN and +-Infinity included), worded by range.expected.
double expect_in_range(const Napi::Value& value, const std::string& name, const contract::NumberRange& range);
// An integer number in [min, max] (TypeError when not a number, RangeError otherwise).
std::size_t expect_size(const Napi::Value& value, const std::string& name, std::size_t min, std::size_t max);
// A step count: an integer in contract::kStep (0..2^53-1, what a JS number holds exactly).
std::uint64_t expect_step(const Napi::Value& value, const std::string& name);
std::string expect_string(const Napi::Value& value, const std::string& name);
// A plain object: not an array, a typed array, a function or a Proxy.
Napi::Object expect_object(const Napi::Value& value, const std::string& name);
Napi::Array expect_array(const Napi::Value& value, const std::string& name);

// Typed arrays of exactly that kind, with a live (not detached) buffer. The returned span points
// into JS memory: valid while the array is reachable and not detached.
Span<float> expect_float32_array(const Napi::Value& value, const std::string& name);
Span<double> expect_float64_array(const Napi::Value& value, const std::string& name);
Span<const std::uint32_t> expect_uint32_array(const Napi::Value& value, const std::string& name);

// TypeError unless the typed array `value` (already checked by one of the above) lies on a buffer
// whose length cannot change: not a resizable ArrayBuffer, not a growable SharedArrayBuffer. For
// every array an async call reads or writes after it returned (the Trainer's params and state,
// the train arrays): a resize during the call would free or move memory the worker uses.
void expect_fixed_length(const Napi::Value& value, const std::string& name, const char* kind);

// a * b as an element count <= 2^31, else RangeError naming what it sizes.
std::size_t expect_elements(Napi::Env env, std::size_t a, std::size_t b, const std::string& name,
                            const Napi::Value& culprit);
// RangeError unless the array holds exactly `expected` elements; `shape` explains it ("rows x inputs").
// For params / state, whose length the plan fixes.
void expect_length(const Napi::Value& array, std::size_t actual, std::size_t expected, const std::string& name,
                   const char* kind, const std::string& shape);
// For data arrays (X, Y, out, order, losses, gemm operands): RangeError unless the span holds at
// least `needed` elements, then trims it to exactly `needed` (the engine contract reads a prefix,
// like the TS engine; extra elements are never touched).
template <class T>
void expect_at_least(const Napi::Value& array, Span<T>* span, std::size_t needed, const std::string& name,
                     const char* kind, const std::string& shape) {
  if (span->size < needed) {
    throw_range_error(array.Env(), name,
                      std::string("a ") + kind + " of length >= " + std::to_string(needed) + " (" + shape + ")", array);
  }
  span->size = needed;
}

// Runs a call into the core and turns its exceptions into JS errors: invalid_argument,
// out_of_range, length_error -> RangeError; bad_alloc -> Error("out of memory ..."); anything
// else -> Error. Napi::Error passes through.

template <class Fn>
auto call_core(Napi::Env env, Fn&& fn) -> decltype(fn());

// The JS error for a core exception caught on another thread (kind, message from classify()).
enum class ErrorKind { none, range, memory, other };
ErrorKind classify_current_exception(std::string* message);
Napi::Error make_error(Napi::Env env, ErrorKind kind, const std::string& message);

// The success path of predict builds no string: these answer the guards' questions with a bool
// (false: the caller falls back to the guards, which throw the usual errors).
// A live Float32Array of at most 2^31 elements.
bool quick_float32_array(napi_env env, napi_value value, Span<float>* out);
// An integer number in [0, 2^31].
bool quick_rows(napi_env env, napi_value value, std::size_t* rows);

// predict's (X, rows, out) and evaluate's (X, Y, rows, out) arguments of a Model or a Trainer,
// checked in the order of lib/engine/ts/checks.ts (checkPredictArgs / checkEvaluateArgs), each
// array trimmed to rows x inputs or rows x outputs. The argument count is the caller's.
struct ForwardArgs {
  Span<float> X;
  Span<float> Y;
  std::size_t rows = 0;
  Span<float> out;
};
ForwardArgs expect_predict_args(const Napi::CallbackInfo& info, std::size_t inputs, std::size_t outputs);
ForwardArgs expect_evaluate_args(const Napi::CallbackInfo& info, std::size_t inputs, std::size_t outputs);
// evaluate takes 4 arguments, or 5 with weights.
void expect_evaluate_arg_count(const Napi::CallbackInfo& info);
// evaluate's optional fifth argument: empty when absent, null or undefined; else a Float32Array
// of at least rows elements (trimmed to rows). Its values are the core's to check.
Span<const float> expect_evaluate_weights(const Napi::CallbackInfo& info, std::size_t rows);
// expect_predict_args' checks answered with a bool, building no string (predict's fast path).
bool quick_predict_args(const Napi::CallbackInfo& info, std::size_t inputs, std::size_t outputs, ForwardArgs* args);

template <class Fn>
auto call_core(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    std::string message;
    const ErrorKind kind = classify_current_exception(&message);
    throw make_error(env, kind, message);
  }
}

}  // namespace fastmlp::addon
