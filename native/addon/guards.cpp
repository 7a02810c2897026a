// Argument guards and the error translation shared by every binding (see guards.hpp).
#include "guards.hpp"

#include "addon.hpp"

#include <cmath>
#include <new>
#include <stdexcept>

namespace fastmlp::addon {

namespace {

const char* typed_array_name(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

std::string message(const std::string& name, const std::string& expected, const Napi::Value& actual) {
  return "Expected " + expected + " for " + name + " but received " + describe(actual);
}

template <class T>
Span<T> typed_array(const Napi::Value& value, const std::string& name, napi_typedarray_type type) {
  const std::string expected = std::string("a ") + typed_array_name(type);
  if (!value.IsTypedArray()) throw_type_error(value.Env(), name, expected, value);
  const Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.TypedArrayType() != type) throw_type_error(value.Env(), name, expected, value);
  if (array.ArrayBuffer().IsDetached()) {
    throw Napi::TypeError::New(value.Env(), "Expected " + expected + " with a live buffer for " + name +
                                                 " but received one whose buffer is detached");
  }
  const std::size_t length = array.ElementLength();
  if (length > kMaxElements) {
    throw_range_error(value.Env(), name, expected + " of at most 2^31 elements", value);
  }
  // TypedArrayOf reads the data pointer (offset included) from napi_get_typedarray_info, which
  // also works for arrays on a SharedArrayBuffer.
  T* data = length == 0 ? nullptr : value.As<Napi::TypedArrayOf<T>>().Data();
  return Span<T>{data, length};
}

}  // namespace

std::string describe(const Napi::Value& value) {
  if (value.IsNull()) return "null";
  if (value.IsUndefined()) return "undefined";
  if (value.IsNumber()) {
    const double d = value.As<Napi::Number>().DoubleValue();
    return std::isnan(d) ? "NaN" : value.ToString().Utf8Value();
  }
  if (value.IsString()) {
    const std::string s = value.As<Napi::String>().Utf8Value();
    return "'" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "'";
  }
  if (value.IsBoolean()) return value.ToString().Utf8Value() + " of type boolean";
  if (value.IsBigInt()) return value.ToString().Utf8Value() + " of type bigint";
  if (value.IsSymbol()) return "a symbol";
  if (value.IsFunction()) return "a function";
  // Before anything that reads a property: a Proxy's traps must not run inside the addon.
  if (is_proxy(value)) return "a Proxy";
  if (value.IsArray()) return "an array of length " + std::to_string(value.As<Napi::Array>().Length());
  if (value.IsTypedArray()) {
    const Napi::TypedArray array = value.As<Napi::TypedArray>();
    return std::string("a ") + typed_array_name(array.TypedArrayType()) + " of length " +
           std::to_string(array.ElementLength());
  }
  if (value.IsDataView()) {
    return "a DataView of length " + std::to_string(value.As<Napi::DataView>().ByteLength());
  }
  if (value.IsArrayBuffer()) return "an instance of ArrayBuffer";
  if (value.IsObject()) {
    const Napi::Value ctor = value.As<Napi::Object>().Get("constructor");
    if (ctor.IsFunction()) {
      const Napi::Value name = ctor.As<Napi::Object>().Get("name");
      if (name.IsString()) {
        const std::string n = name.As<Napi::String>().Utf8Value();
        if (!n.empty() && n != "Object") return "an instance of " + n;
      }
    }
    return "an object";
  }
  return "a value";
}

void throw_type_error(Napi::Env env, const std::string& name, const std::string& expected,
                      const Napi::Value& actual) {
  throw Napi::TypeError::New(env, message(name, expected, actual));
}

void throw_range_error(Napi::Env env, const std::string& name, const std::string& expected,
                       const Napi::Value& actual) {
  throw Napi::RangeError::New(env, message(name, expected, actual));
}

void expect_arg_count(const Napi::CallbackInfo& info, std::size_t count, const char* fn) {
  if (info.Length() != count) {
    throw Napi::TypeError::New(info.Env(), "Expected " + std::to_string(count) + " arguments for " + fn +
                                               " but received " + std::to_string(info.Length()));
  }
}

bool expect_boolean(const Napi::Value& value, const std::string& name) {
  if (!value.IsBoolean()) throw_type_error(value.Env(), name, "a boolean", value);
  return value.As<Napi::Boolean>().Value();
}

double expect_finite(const Napi::Value& value, const std::string& name) {
  if (!value.IsNumber()) throw_type_error(value.Env(), name, "a finite number", value);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw_range_error(value.Env(), name, "a finite number", value);
  return d;
}

double expect_in_range(const Napi::Value& value, const std::string& name, const contract::NumberRange& range) {
  if (!value.IsNumber()) throw_type_error(value.Env(), name, range.expected, value);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!contract::in_range(range, d)) throw_range_error(value.Env(), name, range.expected, value);
  return d;
}

std::size_t expect_size(const Napi::Value& value, const std::string& name, std::size_t min, std::size_t max) {
  const std::string upper = max == kMaxElements ? std::string("2^31") : std::to_string(max);
  const std::string expected = "an integer in " + std::to_string(min) + ".." + upper;
  if (!value.IsNumber()) throw_type_error(value.Env(), name, expected, value);
  const double d = value.As<Napi::Number>().DoubleValue();
  // The comparisons are false for NaN, so NaN is rejected too.
  const bool ok = std::isfinite(d) && std::floor(d) == d && d >= static_cast<double>(min) &&
                  d <= static_cast<double>(max);
  if (!ok) throw_range_error(value.Env(), name, expected, value);
  return static_cast<std::size_t>(d);
}

std::uint64_t expect_step(const Napi::Value& value, const std::string& name) {
  return static_cast<std::uint64_t>(expect_in_range(value, name, contract::kStep));
}

std::string expect_string(const Napi::Value& value, const std::string& name) {
  if (!value.IsString()) throw_type_error(value.Env(), name, "a string", value);
  return value.As<Napi::String>().Utf8Value();
}

bool is_proxy(const Napi::Value& value) {
  if (!value.IsObject()) return false;
  const Napi::FunctionReference& test = instance_data(value.Env()).is_proxy;
  return !test.IsEmpty() && test.Call({value}).ToBoolean().Value();
}

Napi::Object expect_object(const Napi::Value& value, const std::string& name) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray() || value.IsFunction() || is_proxy(value)) {
    throw_type_error(value.Env(), name, "an object", value);
  }
  return value.As<Napi::Object>();
}

Napi::Array expect_array(const Napi::Value& value, const std::string& name) {
  if (!value.IsArray()) throw_type_error(value.Env(), name, "an array", value);
  return value.As<Napi::Array>();
}

Span<float> expect_float32_array(const Napi::Value& value, const std::string& name) {
  return typed_array<float>(value, name, napi_float32_array);
}

Span<double> expect_float64_array(const Napi::Value& value, const std::string& name) {
  return typed_array<double>(value, name, napi_float64_array);
}

Span<const std::uint32_t> expect_uint32_array(const Napi::Value& value, const std::string& name) {
  const Span<std::uint32_t> s = typed_array<std::uint32_t>(value, name, napi_uint32_array);
  return Span<const std::uint32_t>{s.data, s.size};
}

void expect_fixed_length(const Napi::Value& value, const std::string& name, const char* kind) {
  const Napi::Env env = value.Env();
  const Napi::Value buffer = value.As<Napi::TypedArray>().ArrayBuffer();
  const bool shared = !buffer.IsArrayBuffer();
  InstanceData& data = instance_data(env);
  const Napi::FunctionReference& getter = shared ? data.growable_getter : data.resizable_getter;
  if (getter.IsEmpty()) return;  // this runtime has no buffers that change length
  // The getter taken from the prototype at load time: an own property on the buffer cannot lie.
  if (getter.Call(buffer, {}).ToBoolean().Value()) {
    throw Napi::TypeError::New(env, std::string("Expected a ") + kind + " on a fixed-length buffer for " + name +
                                        " but received one on a " +
                                        (shared ? "growable SharedArrayBuffer" : "resizable ArrayBuffer"));
  }
}

std::size_t expect_elements(Napi::Env env, std::size_t a, std::size_t b, const std::string& name,
                            const Napi::Value& culprit) {
  if (a != 0 && b > kMaxElements / a) throw_range_error(env, name, "at most 2^31 elements in all", culprit);
  return a * b;
}

void expect_length(const Napi::Value& array, std::size_t actual, std::size_t expected, const std::string& name,
                   const char* kind, const std::string& shape) {
  if (actual != expected) {
    throw_range_error(array.Env(), name,
                      std::string("a ") + kind + " of length " + std::to_string(expected) + " (" + shape + ")", array);
  }
}

ErrorKind classify_current_exception(std::string* out) {
  try {
    throw;
  } catch (const std::invalid_argument& e) {
    *out = e.what();
    return ErrorKind::range;
  } catch (const std::out_of_range& e) {
    *out = e.what();
    return ErrorKind::range;
  } catch (const std::length_error& e) {
    *out = e.what();
    return ErrorKind::range;
  } catch (const std::bad_alloc&) {
    *out = "out of memory in the native core (a workspace or a size is too large)";
    return ErrorKind::memory;
  } catch (const std::exception& e) {
    *out = std::string("native core error: ") + e.what();
    return ErrorKind::other;
  } catch (...) {
    *out = "native core error: an unknown exception";
    return ErrorKind::other;
  }
}

Napi::Error make_error(Napi::Env env, ErrorKind kind, const std::string& message) {
  if (kind == ErrorKind::range) return Napi::RangeError::New(env, message);
  return Napi::Error::New(env, message);
}

// --- the success path of predict, without building strings ---

// The span of a Float32Array whose buffer is live and which holds at most 2^31 elements, read
// with one napi_get_typedarray_info; false for anything else (not a typed array, another kind,
// detached, too long, a napi failure), where the caller falls back to the full guards, which
// throw the usual errors. Builds no strings.
bool quick_float32_array(napi_env env, napi_value value, Span<float>* out) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  std::size_t byte_offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byte_offset) != napi_ok) return false;
  if (type != napi_float32_array || length > kMaxElements) return false;
  bool detached = true;
  if (napi_is_detached_arraybuffer(env, buffer, &detached) != napi_ok || detached) return false;
  out->data = length == 0 ? nullptr : static_cast<float*>(data);
  out->size = length;
  return true;
}

// rows for predict: an integer number in [0, 2^31]; false otherwise (full guard then throws).
bool quick_rows(napi_env env, napi_value value, std::size_t* rows) {
  double d = 0.0;
  if (napi_get_value_double(env, value, &d) != napi_ok) return false;  // not a number
  if (!(d >= 0.0 && d <= static_cast<double>(kMaxElements)) || static_cast<double>(static_cast<std::size_t>(d)) != d) {
    return false;
  }
  *rows = static_cast<std::size_t>(d);
  return true;
}

ForwardArgs expect_predict_args(const Napi::CallbackInfo& info, std::size_t inputs, std::size_t outputs) {
  Napi::Env env = info.Env();
  ForwardArgs a;
  a.X = expect_float32_array(info[0], "X");
  a.rows = expect_size(info[1], "rows", 0, kMaxElements);
  a.out = expect_float32_array(info[2], "out");
  expect_at_least(info[0], &a.X, expect_elements(env, a.rows, inputs, "X", info[0]), "X", "Float32Array",
                  "rows x inputs");
  expect_at_least(info[2], &a.out, expect_elements(env, a.rows, outputs, "out", info[2]), "out", "Float32Array",
                  "rows x outputs");
  return a;
}

ForwardArgs expect_evaluate_args(const Napi::CallbackInfo& info, std::size_t inputs, std::size_t outputs) {
  Napi::Env env = info.Env();
  ForwardArgs a;
  a.X = expect_float32_array(info[0], "X");
  a.Y = expect_float32_array(info[1], "Y");
  a.rows = expect_size(info[2], "rows", 1, kMaxElements);
  a.out = expect_float32_array(info[3], "out");
  expect_at_least(info[0], &a.X, expect_elements(env, a.rows, inputs, "X", info[0]), "X", "Float32Array",
                  "rows x inputs");
  expect_at_least(info[1], &a.Y, expect_elements(env, a.rows, outputs, "Y", info[1]), "Y", "Float32Array",
                  "rows x outputs");
  expect_at_least(info[3], &a.out, expect_elements(env, a.rows, outputs, "out", info[3]), "out", "Float32Array",
                  "rows x outputs");
  return a;
}

void expect_evaluate_arg_count(const Napi::CallbackInfo& info) {
  if (info.Length() != 4 && info.Length() != 5) {
    throw Napi::TypeError::New(info.Env(), "Expected 4 arguments (5 with weights) for evaluate but received " +
                                               std::to_string(info.Length()));
  }
}

Span<const float> expect_evaluate_weights(const Napi::CallbackInfo& info, std::size_t rows) {
  if (info.Length() < 5 || info[4].IsNull() || info[4].IsUndefined()) return {};
  Span<float> w = expect_float32_array(info[4], "weights");
  expect_at_least(info[4], &w, rows, "weights", "Float32Array", "rows");
  return Span<const float>{w.data, w.size};
}

bool quick_predict_args(const Napi::CallbackInfo& info, std::size_t inputs, std::size_t outputs, ForwardArgs* args) {
  napi_env env = info.Env();
  ForwardArgs a;
  if (!quick_float32_array(env, info[0], &a.X) || !quick_rows(env, info[1], &a.rows) ||
      !quick_float32_array(env, info[2], &a.out)) {
    return false;
  }
  // Element counts <= 2^31 (as expect_elements), then long enough (as expect_at_least).
  if ((a.rows != 0 && (inputs > kMaxElements / a.rows || outputs > kMaxElements / a.rows)) ||
      a.X.size < a.rows * inputs || a.out.size < a.rows * outputs) {
    return false;
  }
  a.X.size = a.rows * inputs;
  a.out.size = a.rows * outputs;
  *args = a;
  return true;
}

}  // namespace fastmlp::addon
