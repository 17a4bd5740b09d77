// N-API entry points for MatMul, FusedDense, FusedDenseGrad and the in-place optimizer updates.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "buffers.h"
#include "cpu.h"
#include "gemm.h"
#include "napi-args.h"
#include "ops.h"

namespace aekit {
namespace {

constexpr long kParallelUpdateMin = 1 << 16;
thread_local Scratch tDz;     // (batch, out) slopes dy ⊙ act'(y)
thread_local Scratch tDbAcc;  // (out) column sums in double

thread_local Scratch tBiasTile;  // the bias repeated along a wide row

constexpr const char* kNoPackingSpace = "cannot allocate GEMM packing space";
constexpr const char* kActs = "0 (linear), 1 (relu), 2 (sigmoid) or 3 (tanh)";

// dz = dy ⊙ act'(y) (into dzBuf; dz is dy itself when act is linear), folded into the column sums
// (double) while in L1. Threads take column ranges, so each sum still runs over the rows in order:
// the result does not depend on the thread count.
void slopesAndSums(int act, const float* dy, const float* y, float* dzBuf, double* sums, long batch, long out) {
  const IsaTable& t = *gIsa;
  const float* dz = dzBuf ? dzBuf : dy;
  splitRange(out, batch * out >= kParallelUpdateMin ? 0 : out + 1, [&](long lo, long hi) {
    std::memset(sums + lo, 0, sizeof(double) * (hi - lo));
    for (long r = 0; r < batch; r++) {
      if (dzBuf) t.actGrad(act, dy + r * out + lo, y + r * out + lo, dzBuf + r * out + lo, hi - lo);
      t.sumInto(sums + lo, dz + r * out + lo, hi - lo);
    }
  }, 16);
}

void slopesAndBiasGrad(int act, const float* dy, const float* y, float* dzBuf, double* sums, float* db, long batch, long out) {
  slopesAndSums(act, dy, y, dzBuf, sums, batch, out);
  for (long j = 0; j < out; j++) db[j] = (float)sums[j];
}

// Rows of few channels (a one-channel image) are taken `rep` at a time as one row of rep·C values,
// so the vector loops run over at least kWideRow floats instead of calling per row of one value.
constexpr long kWideRow = 256;
long rowsPerWideRow(long ch) { return ch <= 0 || ch >= kWideRow ? 1 : kWideRow / ch; }

}  // namespace

// matmul(a, b, out, m, n, k, transA, transB): out (m×n) = op(a)·op(b).
napi_value MatMul(napi_env env, napi_callback_info info) {
  Args args(env, info, "matmul");
  size_t na = 0, nb = 0, nc = 0;
  const float* a = args.f32(0, &na);
  const float* b = args.f32(1, &nb);
  float* c = args.f32(2, &nc);
  const long m = args.size(3, "m"), n = args.size(4, "n"), k = args.size(5, "k");
  const bool ta = args.flag(6, "transA"), tb = args.flag(7, "transB");
  args.holds("a", na, m, k, "m × k");
  args.holds("b", nb, k, n, "k × n");
  args.holds("out", nc, m, n, "m × n");
  if (!args.ok()) return nullptr;
  if (!gemm({m, n, k, a, ta ? m : k, ta, b, tb ? k : n, tb, c, n})) return args.error(kNoPackingSpace);
  return nullptr;
}

// fusedDense(x, w, b, y, batch, in, out, act): y = act(x·wᵀ + b).
napi_value FusedDense(napi_env env, napi_callback_info info) {
  Args args(env, info, "fusedDense");
  size_t nx = 0, nw = 0, nb = 0, ny = 0;
  const float* x = args.f32(0, &nx);
  const float* w = args.f32(1, &nw);
  const float* b = args.f32(2, &nb);
  float* y = args.f32(3, &ny);
  const long batch = args.size(4, "batch"), in = args.size(5, "in"), out = args.size(6, "out");
  const int act = args.code(7, "act", kActTanh + 1, kActs);
  args.holds("x", nx, batch, in, "batch × in");
  args.holds("w", nw, out, in, "out × in");
  args.holds("b", nb, out, "out");
  args.holds("y", ny, batch, out, "batch × out");
  if (!args.ok()) return nullptr;
  GemmProblem p{batch, out, in, x, in, false, w, in, true, y, out};
  p.bias = b;
  p.act = act;
  if (!gemm(p)) return args.error(kNoPackingSpace);
  return nullptr;
}

// fusedDenseGrad(dy, x, w, y, dx, dw, db, batch, in, out, act) with dz = dy ⊙ act'(y):
// dx = dz·w, dw = dzᵀ·x, db = Σ_rows dz. An empty dx (length 0) is not computed (the input of
// the first layer needs no gradient).
napi_value FusedDenseGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "fusedDenseGrad");
  size_t ndy = 0, nx = 0, nw = 0, ny = 0, ndx = 0, ndw = 0, ndb = 0;
  const float* dy = args.f32(0, &ndy);
  const float* x = args.f32(1, &nx);
  const float* w = args.f32(2, &nw);
  const float* y = args.f32(3, &ny);
  float* dx = args.f32(4, &ndx);
  float* dw = args.f32(5, &ndw);
  float* db = args.f32(6, &ndb);
  const long batch = args.size(7, "batch"), in = args.size(8, "in"), out = args.size(9, "out");
  const int act = args.code(10, "act", kActTanh + 1, kActs);
  args.holds("dy", ndy, batch, out, "batch × out");
  args.holds("x", nx, batch, in, "batch × in");
  args.holds("w", nw, out, in, "out × in");
  args.holds("y", ny, batch, out, "batch × out");
  if (ndx != 0) args.holds("dx", ndx, batch, in, "batch × in (or 0 for no input gradient)");
  args.holds("dw", ndw, out, in, "out × in");
  args.holds("db", ndb, out, "out");
  if (!args.ok()) return nullptr;
  float* dzBuf = act == kLinear ? nullptr : tDz.get((size_t)(batch * out));
  double* sums = reinterpret_cast<double*>(tDbAcc.get(2 * (size_t)out));
  if ((act != kLinear && !dzBuf) || !sums) return args.error("cannot allocate scratch space");
  slopesAndBiasGrad(act, dy, y, dzBuf, sums, db, batch, out);
  const float* dz = dzBuf ? dzBuf : dy;
  if (ndx != 0 && !gemm({batch, in, out, dz, out, false, w, in, false, dx, in})) return args.error(kNoPackingSpace);
  if (!gemm({out, in, batch, dz, out, true, x, in, false, dw, in})) return args.error(kNoPackingSpace);
  return nullptr;
}

// biasAct(x, b, y, rows, channels, act): y = act(x + b) with b along rows of `channels` values.
// Blocks of rows are copied and finished while in L1, so x and y are each touched once.
napi_value BiasAct(napi_env env, napi_callback_info info) {
  Args args(env, info, "biasAct");
  size_t nx = 0, nb = 0, ny = 0;
  const float* x = args.f32(0, &nx);
  const float* b = args.f32(1, &nb);
  float* y = args.f32(2, &ny);
  const long rows = args.size(3, "rows"), ch = args.size(4, "channels");
  const int act = args.code(5, "act", kActTanh + 1, kActs);
  args.holds("x", nx, rows, ch, "rows × channels");
  args.holds("b", nb, ch, "channels");
  args.holds("y", ny, rows, ch, "rows × channels");
  if (!args.ok()) return nullptr;
  const IsaTable& t = *gIsa;
  const long rep = rowsPerWideRow(ch), width = rep * ch, wide = rows / rep;
  float* tile = tBiasTile.get((size_t)std::max(width, 1L));
  if (!tile) return args.error("cannot allocate scratch space");
  for (long r = 0; r < rep; r++) std::memcpy(tile + r * ch, b, sizeof(float) * ch);
  // rows of `cols` values with bias `bias`, in blocks of 16 KiB copied and finished while in L1
  auto run = [&](const float* src, float* dst, long n, long cols, const float* bias) {
    const long block = std::max(1L, 4096 / std::max(cols, 1L));
    splitRange(n, n * cols >= kParallelUpdateMin ? 0 : n + 1, [&](long lo, long hi) {
      for (long r = lo; r < hi; r += block) {
        const long m = std::min(block, hi - r);
        std::memcpy(dst + r * cols, src + r * cols, sizeof(float) * m * cols);
        t.biasAct(act, dst + r * cols, cols, bias, m, cols);
      }
    }, 1);
  };
  run(x, y, wide, width, tile);
  run(x + wide * width, y + wide * width, rows - wide * rep, ch, b);
  return nullptr;
}

// biasActGrad(dy, y, dx, db, rows, channels, act): dx = dy ⊙ act'(y), db = Σ_rows dx.
napi_value BiasActGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "biasActGrad");
  size_t ndy = 0, ny = 0, ndx = 0, ndb = 0;
  const float* dy = args.f32(0, &ndy);
  const float* y = args.f32(1, &ny);
  float* dx = args.f32(2, &ndx);
  float* db = args.f32(3, &ndb);
  const long rows = args.size(4, "rows"), ch = args.size(5, "channels");
  const int act = args.code(6, "act", kActTanh + 1, kActs);
  args.holds("dy", ndy, rows, ch, "rows × channels");
  args.holds("y", ny, rows, ch, "rows × channels");
  args.holds("dx", ndx, rows, ch, "rows × channels");
  args.holds("db", ndb, ch, "channels");
  if (!args.ok()) return nullptr;
  const long rep = rowsPerWideRow(ch), width = rep * ch, wide = rows / rep, done = wide * width;
  double* sums = reinterpret_cast<double*>(tDbAcc.get(2 * (size_t)(width + ch)));
  if (!sums) return args.error("cannot allocate scratch space");
  // Linear: act' = 1, so dx is dy (actGrad copies it). Wide rows first, then the rows left over.
  slopesAndSums(act, dy, y, dx, sums, wide, width);
  slopesAndSums(act, dy + done, y + done, dx + done, sums + width, rows - wide * rep, ch);
  for (long j = 0; j < ch; j++) {
    double s = sums[width + j];
    for (long r = 0; r < rep; r++) s += sums[r * ch + j];
    db[j] = (float)s;
  }
  return nullptr;
}

// sgdUpdate(param, grad, velocity, lr, momentum, dampening, weightDecay, nesterov, first)
napi_value SgdUpdate(napi_env env, napi_callback_info info) {
  Args args(env, info, "sgdUpdate");
  size_t np = 0, ng = 0, nv = 0;
  float* p = args.f32(0, &np);
  const float* g = args.f32(1, &ng);
  float* v = args.f32(2, &nv);
  SgdParams o{(float)args.f64(3), (float)args.f64(4), (float)(1 - args.f64(5)), (float)args.f64(6), args.flag(7, "nesterov"), args.flag(8, "first")};
  args.holds("grad", ng, (long)np, "param's length");
  if (o.momentum != 0.f) args.holds("velocity", nv, (long)np, "param's length");
  if (!args.ok()) return nullptr;
  const IsaTable& t = *gIsa;
  splitRange((long)np, kParallelUpdateMin, [&](long lo, long hi) { t.sgd(o, p + lo, g + lo, v + lo, hi - lo); });
  return nullptr;
}

// adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step)
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  Args args(env, info, "adamUpdate");
  size_t np = 0, ng = 0, nm = 0, nv = 0;
  float* p = args.f32(0, &np);
  const float* g = args.f32(1, &ng);
  float* m = args.f32(2, &nm);
  float* v = args.f32(3, &nv);
  const double lr = args.f64(4), b1 = args.f64(5), b2 = args.f64(6), eps = args.f64(7), wd = args.f64(8);
  const bool decoupled = args.flag(9, "decoupled");
  const double step = args.f64(10);
  args.holds("grad", ng, (long)np, "param's length");
  args.holds("m", nm, (long)np, "param's length");
  args.holds("v", nv, (long)np, "param's length");
  if (!args.ok()) return nullptr;
  if (!(step >= 1)) return args.error("step must count from 1");
  // Bias corrections in double, as PyTorch computes them in Python floats. AdamW shrinks p; Adam adds λp to g.
  AdamParams o{(float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)eps, decoupled ? 0.f : (float)wd,
               decoupled ? (float)(1 - lr * wd) : 1.f, (float)(lr / (1 - std::pow(b1, step))), (float)std::sqrt(1 - std::pow(b2, step))};
  const IsaTable& t = *gIsa;
  splitRange((long)np, kParallelUpdateMin, [&](long lo, long hi) { t.adam(o, p + lo, g + lo, m + lo, v + lo, hi - lo); });
  return nullptr;
}

// rmspropUpdate(param, grad, squareAvg, momentumBuf, lr, alpha, eps, weightDecay, momentum)
napi_value RmspropUpdate(napi_env env, napi_callback_info info) {
  Args args(env, info, "rmspropUpdate");
  size_t np = 0, ng = 0, ns = 0, nb = 0;
  float* p = args.f32(0, &np);
  const float* g = args.f32(1, &ng);
  float* sq = args.f32(2, &ns);
  float* buf = args.f32(3, &nb);
  const double alpha = args.f64(5);
  RmspropParams o{(float)args.f64(4), (float)alpha, (float)(1 - alpha), (float)args.f64(6), (float)args.f64(7), (float)args.f64(8)};
  args.holds("grad", ng, (long)np, "param's length");
  args.holds("squareAvg", ns, (long)np, "param's length");
  if (o.momentum > 0.f) args.holds("momentumBuf", nb, (long)np, "param's length");
  if (!args.ok()) return nullptr;
  const IsaTable& t = *gIsa;
  splitRange((long)np, kParallelUpdateMin, [&](long lo, long hi) { t.rmsprop(o, p + lo, g + lo, sq + lo, buf + lo, hi - lo); });
  return nullptr;
}

}  // namespace aekit
