// Reading N-API call arguments with one clear TypeError on the first bad one.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <cstdio>

namespace aekit {

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

  long i64(size_t i) {
    int64_t v = 0;
    if (!present(i) || napi_get_value_int64(env_, argv_[i], &v) != napi_ok) fail(i, "a number");
    return (long)v;
  }

  double f64(size_t i) {
    double v = 0;
    if (!present(i) || napi_get_value_double(env_, argv_[i], &v) != napi_ok) fail(i, "a number");
    return v;
  }

  // True when argument i was not passed or is undefined.
  bool absent(size_t i) const {
    napi_valuetype t;
    return !present(i) || napi_typeof(env_, argv_[i], &t) != napi_ok || t == napi_undefined;
  }

  bool ok() const { return !failed_; }
  napi_env env() const { return env_; }

  // Throws an Error naming the native function; returns nullptr for the caller to return.
  napi_value error(const char* msg) {
    if (!failed_) {
      char buf[320];
      std::snprintf(buf, sizeof buf, "aekit native %s: %s", fn_, msg);
      napi_throw_error(env_, nullptr, buf);
      failed_ = true;
    }
    return nullptr;
  }

 private:
  bool present(size_t i) const { return i < argc_; }
  void fail(size_t i, const char* what) {
    if (failed_) return;
    char buf[200];
    std::snprintf(buf, sizeof buf, "aekit native %s: argument %zu must be %s", fn_, i, what);
    napi_throw_type_error(env_, nullptr, buf);
    failed_ = true;
  }

  napi_env env_;
  const char* fn_;
  size_t argc_ = 16;
  napi_value argv_[16];
  bool failed_ = false;
};

}  // namespace aekit
