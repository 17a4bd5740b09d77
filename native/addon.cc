// The aekit_native Node-API module: storage, configuration (ISA, threads) and the kernel entry points.
#include <node_api.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "buffers.h"
#include "cpu.h"
#include "gemm.h"
#include "napi-args.h"
#include "ops.h"
#include "threads.h"

namespace aekit {
namespace {

napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

napi_value string(napi_env env, const char* s) {
  napi_value r;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r);
  return r;
}

// alloc(n) → Float32Array over n floats of fresh 64-byte-aligned native memory.
napi_value Alloc(napi_env env, napi_callback_info info) {
  Args args(env, info, "alloc");
  const long n = args.size(0, "size");
  if (!args.ok()) return nullptr;
  return allocFloat32(env, (size_t)n);
}

// byteAlignment(buf) → the largest power of two (up to 4096) dividing the storage address.
napi_value ByteAlignment(napi_env env, napi_callback_info info) {
  Args args(env, info, "byteAlignment");
  const float* p = args.f32(0);
  if (!args.ok()) return nullptr;
  double a = 1;
  while (a < 4096 && reinterpret_cast<uintptr_t>(p) % (uintptr_t)(a * 2) == 0) a *= 2;
  return number(env, a);
}

// allocStats() → [allocations ever, live blocks, live bytes]
napi_value AllocStatsFn(napi_env env, napi_callback_info) {
  const AllocStats s = allocStats();
  napi_value arr;
  napi_create_array_with_length(env, 3, &arr);
  napi_set_element(env, arr, 0, number(env, s.allocations));
  napi_set_element(env, arr, 1, number(env, s.live));
  napi_set_element(env, arr, 2, number(env, s.liveBytes));
  return arr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args args(env, info, "setThreads");
  const long n = args.size(0, "thread count");
  if (!args.ok()) return nullptr;
  if (n < 1 || n > kMaxThreads) return args.error("thread count must be between 1 and 64");
  setThreadCount((int)n);
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) { return number(env, threadCount()); }

napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args args(env, info, "setIsa");
  size_t argc = 1, len = 0;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char name[32] = {0};
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) return args.error("argument 0 must be a string");
  if (const char* err = selectIsa(name)) return args.error(err);
  return nullptr;
}

napi_value Isa(napi_env env, napi_callback_info) { return string(env, gIsa->name); }
napi_value SupportedIsas(napi_env env, napi_callback_info) { return string(env, supportedIsas()); }

// [mr, nr, mc, kc, nc] of the active GEMM.
napi_value GemmParams(napi_env env, napi_callback_info) {
  const GemmBlocking b = gemmBlocking();
  const double v[5] = {(double)gIsa->mr, (double)gIsa->nr, (double)b.mc, (double)b.kc, (double)b.nc};
  napi_value arr;
  napi_create_array_with_length(env, 5, &arr);
  for (uint32_t i = 0; i < 5; i++) napi_set_element(env, arr, i, number(env, v[i]));
  return arr;
}

// fmaPeak(iters): GFLOP/s of the register-only FMA loop run by every pool thread at once (the
// peak the GEMM is measured against); iters rounds of 12 vector FMAs per thread.
napi_value FmaPeak(napi_env env, napi_callback_info info) {
  Args args(env, info, "fmaPeak");
  const long iters = args.size(0, "iters");
  if (!args.ok()) return nullptr;
  if (iters < 1) return args.error("iters must be at least 1");
  const int threads = threadCount();
  float sink[kMaxThreads];
  double flops[kMaxThreads];
  const auto t0 = std::chrono::steady_clock::now();
  auto task = [&](int part, int) { flops[part] = gIsa->fmaLoop(iters, &sink[part]); };
  parallelFor(threads, task);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double total = 0;
  for (int i = 0; i < threads; i++) total += flops[i];
  return number(env, total / seconds / 1e9);
}

int defaultThreads() {
  if (const char* env = std::getenv("AEKIT_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : (int)hw;
}

struct Entry {
  const char* name;
  napi_callback fn;
};

const Entry kEntries[] = {
  {"alloc", Alloc}, {"allocStats", AllocStatsFn}, {"byteAlignment", ByteAlignment}, {"setThreads", SetThreads}, {"threads", Threads},
  {"setIsa", SetIsa}, {"isa", Isa}, {"supportedIsas", SupportedIsas}, {"gemmParams", GemmParams}, {"fmaPeak", FmaPeak},
  {"unary", Unary}, {"binary", Binary}, {"where", Where}, {"broadcastTo", BroadcastTo},
  {"reduce", Reduce}, {"transpose", Transpose}, {"gatherRows", GatherRows}, {"matmul", MatMul}, {"im2col", Im2Col}, {"col2im", Col2Im}, {"maxPool", MaxPool}, {"maxPoolGrad", MaxPoolGrad},
  {"conv2d", Conv2D}, {"conv2dGrad", Conv2DGrad}, {"convTranspose2d", ConvTranspose2D}, {"convTranspose2dGrad", ConvTranspose2DGrad},
  {"fusedDense", FusedDense}, {"fusedDenseGrad", FusedDenseGrad}, {"biasAct", BiasAct}, {"biasActGrad", BiasActGrad}, {"meanLoss", MeanLoss}, {"meanLossGrad", MeanLossGrad}, {"meanLossAndGrad", MeanLossAndGrad},
  {"sgdUpdate", SgdUpdate}, {"adamUpdate", AdamUpdate}, {"rmspropUpdate", RmspropUpdate},
};

}  // namespace
}  // namespace aekit

NAPI_MODULE_INIT() {
  using namespace aekit;
  char msg[320];
  if (const char* err = checkIsaTables()) {
    std::snprintf(msg, sizeof msg, "aekit native: %s", err);
    napi_throw_error(env, nullptr, msg);
    return nullptr;
  }
  if (const char* err = initIsa()) {
    std::snprintf(msg, sizeof msg, "aekit native: AEKIT_NATIVE_ISA: %s", err);
    napi_throw_error(env, nullptr, msg);
    return nullptr;
  }
  static bool threadsStarted = false;  // the pool is process-wide; every JS thread shares it
  if (!threadsStarted) {
    threadsStarted = true;
    setThreadCount(defaultThreads());
  }
  for (const Entry& e : kEntries) {
    napi_value fn;
    napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.fn, nullptr, &fn);
    napi_set_named_property(env, exports, e.name, fn);
  }
  return exports;
}
