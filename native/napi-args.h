// Reading N-API call arguments with one clear error on the first bad one: a TypeError for a wrong
// type, a RangeError for a size, code or buffer length out of range. Every reader is a no-op once
// an argument has failed, so an entry point reads them all and checks ok() once.
#pragma once
#include <node_api.h>

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>

namespace aekit {

// The largest size or product of sizes accepted: 2^53 − 1, the largest integer a JS number holds
// exactly and more than any typed array, so every checked product also fits the kernels' `long`.
constexpr long kMaxCount = (1L << 53) - 1;

class Args {
 public:
  Args(napi_env env, napi_callback_info info, const char* fn) : env_(env), fn_(fn) {
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
  }

  // The float32 storage of argument i (zero copy); `len` receives its element count.
  float* f32(size_t i, size_t* len = nullptr) {
    napi_typedarray_type type;
    size_t n = 0;
    void* data = nullptr;
    if (!present(i) || napi_get_typedarray_info(env_, argv_[i], &type, &n, &data, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
      fail(i, "a Float32Array");
      return nullptr;
    }
    if (len) *len = n;
    return static_cast<float*>(data);
  }

  const int32_t* i32s(size_t i, size_t* len) {
    napi_typedarray_type type;
    void* data = nullptr;
    if (!present(i) || napi_get_typedarray_info(env_, argv_[i], &type, len, &data, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
      fail(i, "an Int32Array");
      return nullptr;
    }
    return static_cast<const int32_t*>(data);
  }

  double f64(size_t i) {
    double v = 0;
    if (!present(i) || napi_get_value_double(env_, argv_[i], &v) != napi_ok) fail(i, "a number");
    return v;
  }

  // A size (count, dimension) in argument i: an integer from 0 to kMaxCount, never truncated.
  long size(size_t i, const char* name) {
    const double v = f64(i);
    if (!failed_ && !(v >= 0 && v <= (double)kMaxCount && v == std::floor(v))) rangeError("%s must be a non-negative integer (at most 2^53 - 1), got %.17g", name, v);
    return failed_ ? 0 : (long)v;
  }

  // An enumerated code in argument i: an integer in [0, count); `known`, if given, names them for the error.
  int code(size_t i, const char* name, int count, const char* known = nullptr) {
    const double v = f64(i);
    if (!failed_ && !(v >= 0 && v < count && v == std::floor(v))) {
      if (known) rangeError("%s must be %s, got %.17g", name, known, v);
      else rangeError("%s must be an integer from 0 to %d, got %.17g", name, count - 1, v);
    }
    return failed_ ? 0 : (int)v;
  }

  bool flag(size_t i, const char* name) { return code(i, name, 2, "0 or 1") == 1; }

  // a·b for sizes a and b; past kMaxCount it throws, naming the product (`what`, e.g. "m × k").
  long product(long a, long b, const char* what) {
    long r = 0;
    if (!failed_ && (__builtin_mul_overflow(a, b, &r) || r > kMaxCount)) rangeError("%s overflows: %ld × %ld is more than 2^53 - 1 elements", what, a, b);
    return failed_ ? 0 : r;
  }

  // Throws unless buffer `name` holds exactly `want` elements; `what` says where want comes from.
  bool holds(const char* name, size_t have, long want, const char* what) {
    if (!failed_ && have != (size_t)want) rangeError("%s has length %zu where %s is %ld", name, have, what, want);
    return !failed_;
  }
  bool holds(const char* name, size_t have, long a, long b, const char* what) { return holds(name, have, product(a, b, what), what); }

  // True when argument i was not passed or is undefined.
  bool absent(size_t i) const {
    napi_valuetype t;
    return !present(i) || napi_typeof(env_, argv_[i], &t) != napi_ok || t == napi_undefined;
  }

  bool ok() const { return !failed_; }
  napi_env env() const { return env_; }

  // Throws an Error naming the native function; returns nullptr for the caller to return.
  napi_value error(const char* msg) { return raise(napi_throw_error, "%s", msg); }

  // The same as a RangeError, for a value outside what the function accepts.
  __attribute__((format(printf, 2, 3))) napi_value rangeError(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vraise(napi_throw_range_error, fmt, ap);
    va_end(ap);
    return nullptr;
  }

 private:
  using Thrower = napi_status (*)(napi_env, const char*, const char*);

  bool present(size_t i) const { return i < argc_; }
  void fail(size_t i, const char* what) { raise(napi_throw_type_error, "argument %zu must be %s", i, what); }

  __attribute__((format(printf, 3, 4))) napi_value raise(Thrower thrower, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vraise(thrower, fmt, ap);
    va_end(ap);
    return nullptr;
  }

  // Only the first failure of a call is thrown: N-API holds one pending exception.
  void vraise(Thrower thrower, const char* fmt, va_list ap) {
    if (failed_) return;
    char msg[256], buf[320];
    std::vsnprintf(msg, sizeof msg, fmt, ap);
    std::snprintf(buf, sizeof buf, "aekit native %s: %s", fn_, msg);
    thrower(env_, nullptr, buf);
    failed_ = true;
  }

  napi_env env_;
  const char* fn_;
  size_t argc_ = 16;
  napi_value argv_[16];
  bool failed_ = false;
};

}  // namespace aekit
