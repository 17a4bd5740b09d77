// N-API entry points (one per kernel family) and helpers shared between them.
#pragma once
#include <node_api.h>

#include "napi-args.h"
#include "strided.h"
#include "threads.h"

namespace aekit {

// Run f(lo, hi) over [0, n): one contiguous piece per thread when n ≥ minParallel, else inline.
// Piece boundaries are multiples of `align`.
template <class F>
void splitRange(long n, long minParallel, F f, long align = 64) {
  const int threads = threadCount();
  if (threads == 1 || n < minParallel || n < 2 * align) return f(0L, n);
  auto task = [&](int part, int) {
    const long lo = n * part / threads / align * align;
    const long hi = part == threads - 1 ? n : n * (part + 1) / threads / align * align;
    f(lo, hi);
  };
  parallelFor(threads, task);
}

// Parse the layout descriptor in argument descArg for `ops` inputs of lengths lens and an output of
// outLen elements; throws (and returns false) on any mismatch.
bool parseLayout(Args& args, size_t descArg, int ops, const size_t* lens, size_t outLen, Strided* s);

napi_value Unary(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Where(napi_env env, napi_callback_info info);
napi_value BroadcastTo(napi_env env, napi_callback_info info);
napi_value Reduce(napi_env env, napi_callback_info info);
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value GatherRows(napi_env env, napi_callback_info info);
napi_value MatMul(napi_env env, napi_callback_info info);
napi_value Im2Col(napi_env env, napi_callback_info info);
napi_value Col2Im(napi_env env, napi_callback_info info);
napi_value MaxPool(napi_env env, napi_callback_info info);
napi_value MaxPoolGrad(napi_env env, napi_callback_info info);
napi_value Conv2D(napi_env env, napi_callback_info info);
napi_value Conv2DGrad(napi_env env, napi_callback_info info);
napi_value ConvTranspose2D(napi_env env, napi_callback_info info);
napi_value ConvTranspose2DGrad(napi_env env, napi_callback_info info);
napi_value FusedDense(napi_env env, napi_callback_info info);
napi_value FusedDenseGrad(napi_env env, napi_callback_info info);
napi_value BiasAct(napi_env env, napi_callback_info info);
napi_value BiasActGrad(napi_env env, napi_callback_info info);
napi_value MeanLoss(napi_env env, napi_callback_info info);
napi_value MeanLossGrad(napi_env env, napi_callback_info info);
napi_value MeanLossAndGrad(napi_env env, napi_callback_info info);
napi_value SgdUpdate(napi_env env, napi_callback_info info);
napi_value AdamUpdate(napi_env env, napi_callback_info info);
napi_value RmspropUpdate(napi_env env, napi_callback_info info);

}  // namespace aekit
