// N-API entry points for the fused mean losses (BCE with logits, MSE) and their gradients.
#include "cpu.h"
#include "napi-args.h"
#include "ops.h"

namespace aekit {
namespace {

constexpr long kParallelLossMin = 1 << 16;
enum LossKind : int { kBce, kMse };
constexpr const char* kKinds = "0 (BCE with logits) or 1 (MSE)";

// Σ over [0, n) of sum(lo, hi), one piece per thread, combined in a fixed order: the same split
// for every caller, so meanLoss and meanLossAndGrad give the same value.
template <class F>
double parallelSum(long n, F sum) {
  const int parts = n < kParallelLossMin ? 1 : threadCount();
  double partial[kMaxThreads];
  auto task = [&](int part, int) {
    const long lo = n * part / parts / 16 * 16, hi = part == parts - 1 ? n : n * (part + 1) / parts / 16 * 16;
    partial[part] = sum(lo, hi);
  };
  parallelFor(parts, task);
  double total = 0;
  for (int i = 0; i < parts; i++) total += partial[i];
  return total;
}

}  // namespace

// meanLoss(kind, x, t, out): out[0] = mean of the loss; kind 0 = BCE with logits, 1 = MSE.
napi_value MeanLoss(napi_env env, napi_callback_info info) {
  Args args(env, info, "meanLoss");
  const int kind = args.code(0, "kind", kMse + 1, kKinds);
  size_t nx = 0, nt = 0, no = 0;
  const float* x = args.f32(1, &nx);
  const float* t = args.f32(2, &nt);
  float* out = args.f32(3, &no);
  args.holds("t", nt, (long)nx, "x's length");
  args.holds("out", no, 1, "the mean loss's length");
  if (!args.ok()) return nullptr;
  const IsaTable& isa = *gIsa;
  const auto sumFn = kind == kBce ? isa.bceSum : isa.sqDiffSum;
  const double total = parallelSum((long)nx, [&](long lo, long hi) { return sumFn(x + lo, t + lo, hi - lo); });
  out[0] = (float)(total / (double)nx);
  return nullptr;
}

// meanLossGrad(kind, dy, x, t, out): BCE out = dy·(σ(x) − t)/N; MSE out = dy·2(x − t)/N.
napi_value MeanLossGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "meanLossGrad");
  const int kind = args.code(0, "kind", kMse + 1, kKinds);
  size_t ndy = 0, nx = 0, nt = 0, no = 0;
  const float* dy = args.f32(1, &ndy);
  const float* x = args.f32(2, &nx);
  const float* t = args.f32(3, &nt);
  float* out = args.f32(4, &no);
  args.holds("dy", ndy, 1, "the mean loss's length");
  args.holds("t", nt, (long)nx, "x's length");
  args.holds("out", no, (long)nx, "x's length");
  if (!args.ok()) return nullptr;
  const IsaTable& isa = *gIsa;
  const float scale = (float)((kind == kBce ? 1.0 : 2.0) * dy[0] / (double)nx);
  splitRange((long)nx, kParallelLossMin, [&](long lo, long hi) {
    if (kind == kBce) isa.bceGrad(scale, x + lo, t + lo, out + lo, hi - lo);
    else isa.scaledDiff(scale, x + lo, t + lo, out + lo, hi - lo);
  });
  return nullptr;
}

// meanLossAndGrad(kind, x, t, value, grad): value[0] = the mean loss and grad its gradient for
// dy = 1, in one pass; the same fixed per-thread split as meanLoss, so the value matches it.
napi_value MeanLossAndGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "meanLossAndGrad");
  const int kind = args.code(0, "kind", kMse + 1, kKinds);
  size_t nx = 0, nt = 0, nv = 0, ng = 0;
  const float* x = args.f32(1, &nx);
  const float* t = args.f32(2, &nt);
  float* value = args.f32(3, &nv);
  float* grad = args.f32(4, &ng);
  args.holds("t", nt, (long)nx, "x's length");
  args.holds("value", nv, 1, "the mean loss's length");
  args.holds("grad", ng, (long)nx, "x's length");
  if (!args.ok()) return nullptr;
  const long n = (long)nx;
  const float scale = (float)((kind == kBce ? 1.0 : 2.0) / (double)n);
  const auto sumGrad = kind == kBce ? gIsa->bceSumGrad : gIsa->sqDiffSumGrad;
  value[0] = (float)(parallelSum(n, [&](long lo, long hi) { return sumGrad(scale, x + lo, t + lo, grad + lo, hi - lo); }) / (double)n);
  return nullptr;
}

}  // namespace aekit
