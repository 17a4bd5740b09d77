// N-API entry points for elementwise kernels: unary, binary, where and broadcastTo. A broadcast
// layout is an Int32Array [rank, outDims…, dims of each input…], input dims right-aligned to rank.
#include <algorithm>
#include <cstring>

#include "cpu.h"
#include "napi-args.h"
#include "ops.h"
#include "strided.h"
#include "threads.h"

namespace aekit {
namespace {

// Elementwise work below this many elements runs on one thread.
constexpr long kParallelMin = 1 << 16;

long minParallelUnary(int op) {
  const bool expensive = op == kExp || op == kLog || op == kLog1p || op == kTanh || op == kSigmoid || op == kErf;
  return expensive ? kParallelMin / 4 : kParallelMin;
}

// Dims of one shape of a layout descriptor into dims, their element count into *count; false (and
// a thrown error) when a dim is negative or the count overflows.
bool readDims(Args& args, const int32_t* d, int rank, long* dims, long* count) {
  long n = 1;
  for (int i = 0; i < rank; i++) {
    if (d[i] < 0) return args.rangeError("layout dimension %d is negative", (int)d[i]), false;
    dims[i] = d[i];
    n = args.product(n, dims[i], "the layout's element count");
  }
  *count = n;
  return args.ok();
}

// Rows of a Strided layout, split across threads when the whole output is large.
template <class F>
void forLayoutRows(const Strided& s, long minParallel, F f) {
  const long inner = s.inner() > 0 ? s.inner() : 1;
  splitRange(s.rows(), minParallel / inner + 1, [&](long lo, long hi) { s.forRows(lo, hi, f); }, 1);
}

}  // namespace

bool parseLayout(Args& args, size_t descArg, int ops, const size_t* lens, size_t outLen, Strided* s) {
  size_t dlen = 0;
  const int32_t* desc = args.i32s(descArg, &dlen);
  if (!desc) return false;
  const int rank = dlen > 0 ? desc[0] : -1;
  if (rank < 0 || rank > kMaxRank || dlen != (size_t)(1 + rank * (ops + 1))) return args.error("malformed layout descriptor"), false;
  long dims[4][kMaxRank], count[4] = {0, 0, 0, 0};
  for (int o = 0; o <= ops; o++)
    if (!readDims(args, desc + 1 + o * rank, rank, dims[o], &count[o])) return false;
  if ((size_t)count[0] != outLen) return args.error("output length does not match the output shape"), false;
  for (int o = 0; o < ops; o++)
    if ((size_t)count[o + 1] != lens[o]) return args.error("an input length does not match its shape"), false;
  const long one = 1, zero = 0;
  const long* opDims[3] = {dims[1], dims[2], dims[3]};
  const long* ones[3] = {&one, &one, &one};
  const long* zeros[3] = {&zero, &zero, &zero};
  const bool ok = rank == 0 ? s->init(1, &one, ops, ones) : s->init(rank, dims[0], ops, opDims);
  if (!ok) return args.error("shapes cannot be broadcast together"), false;
  // Nothing to do for an empty output: one empty row, so no row count of its other dims can overflow.
  if (outLen == 0) s->init(1, &zero, ops, zeros);
  return true;
}

// unary(op, x, out)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args args(env, info, "unary");
  const int op = args.code(0, "op", kCopy + 1);
  size_t nx = 0, ny = 0;
  const float* x = args.f32(1, &nx);
  float* y = args.f32(2, &ny);
  args.holds("out", ny, (long)nx, "x's length");
  if (!args.ok()) return nullptr;
  const IsaTable& t = *gIsa;
  splitRange((long)nx, minParallelUnary(op), [&](long lo, long hi) { t.unary(op, x + lo, y + lo, hi - lo); });
  return nullptr;
}

// binary(op, a, b, out[, layout]): without a layout each input has out's length or length 1.
napi_value Binary(napi_env env, napi_callback_info info) {
  Args args(env, info, "binary");
  const int op = args.code(0, "op", kEqual + 1);
  size_t lens[2] = {0, 0}, ny = 0;
  const float* a = args.f32(1, &lens[0]);
  const float* b = args.f32(2, &lens[1]);
  float* y = args.f32(3, &ny);
  if (!args.ok()) return nullptr;
  const IsaTable& t = *gIsa;
  const long minPar = op == kPow ? kParallelMin / 8 : kParallelMin;
  if (args.absent(4)) {
    if ((lens[0] != ny && lens[0] != 1) || (lens[1] != ny && lens[1] != 1)) return args.error("input lengths do not match the output");
    const long sa = lens[0] == ny ? 1 : 0, sb = lens[1] == ny ? 1 : 0;
    splitRange((long)ny, minPar, [&](long lo, long hi) { t.binary(op, a + lo * sa, sa, b + lo * sb, sb, y + lo, hi - lo); });
    return nullptr;
  }
  Strided s;
  if (!parseLayout(args, 4, 2, lens, ny, &s)) return nullptr;
  const long sa = s.strides[0][s.rank - 1], sb = s.strides[1][s.rank - 1];
  forLayoutRows(s, minPar, [&](long row, const long* off, long n) { t.binary(op, a + off[0], sa, b + off[1], sb, y + row * n, n); });
  return nullptr;
}

// where(cond, a, b, out, layout)
napi_value Where(napi_env env, napi_callback_info info) {
  Args args(env, info, "where");
  size_t lens[3] = {0, 0, 0}, ny = 0;
  const float* c = args.f32(0, &lens[0]);
  const float* a = args.f32(1, &lens[1]);
  const float* b = args.f32(2, &lens[2]);
  float* y = args.f32(3, &ny);
  Strided s;
  if (!args.ok() || !parseLayout(args, 4, 3, lens, ny, &s)) return nullptr;
  const long sc = s.strides[0][s.rank - 1], sa = s.strides[1][s.rank - 1], sb = s.strides[2][s.rank - 1];
  const IsaTable& t = *gIsa;
  forLayoutRows(s, kParallelMin, [&](long row, const long* off, long n) { t.where(c + off[0], sc, a + off[1], sa, b + off[2], sb, y + row * n, n); });
  return nullptr;
}

// broadcastTo(x, out, layout)
napi_value BroadcastTo(napi_env env, napi_callback_info info) {
  Args args(env, info, "broadcastTo");
  size_t lens[1] = {0}, ny = 0;
  const float* x = args.f32(0, &lens[0]);
  float* y = args.f32(1, &ny);
  Strided s;
  if (!args.ok() || !parseLayout(args, 2, 1, lens, ny, &s)) return nullptr;
  const long sx = s.strides[0][s.rank - 1];
  forLayoutRows(s, kParallelMin, [&](long row, const long* off, long n) {
    float* dst = y + row * n;
    if (sx) std::memcpy(dst, x + off[0], sizeof(float) * n);
    else std::fill(dst, dst + n, x[off[0]]);
  });
  return nullptr;
}

}  // namespace aekit
