// N-API entry points for Sum/Max reductions and Transpose.
#include <cstring>

#include "buffers.h"
#include "cpu.h"
#include "napi-args.h"
#include "ops.h"

namespace aekit {
namespace {

constexpr long kParallelReduceMin = 1 << 18;
constexpr long kParallelGatherMinRows = 32;
thread_local Scratch tAcc;

// Full reduction to one value: one partial per thread, combined in a fixed order.
float reduceAll(bool isMax, const float* x, long n) {
  const IsaTable& t = *gIsa;
  const int parts = n < kParallelReduceMin ? 1 : threadCount();
  double partial[kMaxThreads];
  float partialMax[kMaxThreads];
  auto task = [&](int part, int) {
    const long lo = n * part / parts / 16 * 16, hi = part == parts - 1 ? n : n * (part + 1) / parts / 16 * 16;
    if (isMax) partialMax[part] = t.maxAll(x + lo, hi - lo);
    else partial[part] = t.sumAll(x + lo, hi - lo);
  };
  parallelFor(parts, task);
  if (!isMax) {
    double total = 0;
    for (int i = 0; i < parts; i++) total += partial[i];
    return (float)total;
  }
  float m = -__builtin_inff();
  for (int i = 0; i < parts; i++) m = (m != m || partialMax[i] != partialMax[i]) ? __builtin_nanf("") : (partialMax[i] > m ? partialMax[i] : m);
  return m;
}

// The output is an operand of the input's shape with stride 0 on reduced axes: each input row is
// folded into one output value (reduced inner axis) or into a run of outputs (kept inner axis).
// False when the sum's scratch space cannot be allocated.
bool reduceStrided(bool isMax, const Strided& s, const float* x, float* y, long outLen) {
  const IsaTable& t = *gIsa;
  const bool innerReduced = s.strides[0][s.rank - 1] == 0;
  if (isMax) {
    for (long i = 0; i < outLen; i++) y[i] = -__builtin_inff();
    s.forRows(0, s.rows(), [&](long row, const long* off, long n) {
      if (!innerReduced) return t.maxInto(y + off[0], x + row * n, n);
      const float m = t.maxAll(x + row * n, n), a = y[off[0]];
      y[off[0]] = (a != a || m != m) ? __builtin_nanf("") : (m > a ? m : a);
    });
    return true;
  }
  double* acc = reinterpret_cast<double*>(tAcc.get(2 * (size_t)outLen));
  if (!acc) return false;
  std::memset(acc, 0, sizeof(double) * outLen);
  s.forRows(0, s.rows(), [&](long row, const long* off, long n) {
    if (innerReduced) acc[off[0]] += t.sumAll(x + row * n, n);
    else t.sumInto(acc + off[0], x + row * n, n);
  });
  for (long i = 0; i < outLen; i++) y[i] = (float)acc[i];
  return true;
}

}  // namespace

// reduce(isMax, x, out, layout [rank, inDims…, keptDims…]) where keptDims has 1 on reduced axes.
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args args(env, info, "reduce");
  const bool isMax = args.flag(0, "isMax");
  size_t nx = 0, ny = 0;
  const float* x = args.f32(1, &nx);
  float* y = args.f32(2, &ny);
  if (!args.ok()) return nullptr;
  // The layout's "output" is the input shape and its one operand the kept shape (= out's length).
  Strided s;
  const size_t lens[1] = {ny};
  if (!parseLayout(args, 3, 1, lens, nx, &s)) return nullptr;
  if (ny == 1) {
    y[0] = nx == 0 ? (isMax ? -__builtin_inff() : 0.f) : reduceAll(isMax, x, (long)nx);
    return nullptr;
  }
  if (nx == 0) {
    for (size_t i = 0; i < ny; i++) y[i] = isMax ? -__builtin_inff() : 0.f;
    return nullptr;
  }
  if (!reduceStrided(isMax, s, x, y, (long)ny)) return args.error("cannot allocate scratch space");
  return nullptr;
}

namespace {

// dst (P×Q, row-major) = src with strides (sp, sq), in 32×32 tiles so both sides stay in cache.
void transpose2d(const float* src, long sp, long sq, float* dst, long P, long Q) {
  constexpr long T = 32;
  for (long p0 = 0; p0 < P; p0 += T)
    for (long q0 = 0; q0 < Q; q0 += T) {
      const long p1 = p0 + T < P ? p0 + T : P, q1 = q0 + T < Q ? q0 + T : Q;
      for (long p = p0; p < p1; p++)
        for (long q = q0; q < q1; q++) dst[p * Q + q] = src[p * sp + q * sq];
    }
}

// Transpose's layout with size-1 axes dropped and output axes that are also adjacent in the input merged.
struct TransposeLayout {
  long dims[kMaxRank], str[kMaxRank], total;
  int rank;
};

// Reads [rank, outDims…, inStridesForOutAxes…]; false (and a thrown error) when it is malformed,
// its counts overflow, or it reaches outside x or y.
bool parseTranspose(Args& args, const int32_t* desc, size_t dlen, size_t nx, size_t ny, TransposeLayout* t) {
  const int rank = dlen > 0 ? desc[0] : -1;
  if (rank < 0 || rank > kMaxRank || dlen != (size_t)(1 + 2 * rank)) return args.error("malformed layout descriptor"), false;
  long total = 1, maxOff = 0;
  int r = 0;
  for (int i = 0; i < rank; i++) {
    const long d = desc[1 + i], st = desc[1 + rank + i];
    if (d < 0 || st < 0) return args.error("negative dimension or stride in layout"), false;
    total = args.product(total, d, "the layout's element count");
    // Each term is checked to at most 2^53 - 1, so a sum of kMaxRank terms cannot overflow.
    if (d > 0) maxOff += args.product(d - 1, st, "the layout's largest offset");
    if (!args.ok()) return false;
    if (d == 1) continue;
    if (r > 0 && t->str[r - 1] == st * d) t->dims[r - 1] *= d, t->str[r - 1] = st;
    else t->dims[r] = d, t->str[r] = st, r++;
  }
  if ((size_t)total != ny || nx != ny || (total > 0 && (size_t)maxOff >= nx)) return args.error("layout does not match the buffer lengths"), false;
  t->total = total;
  t->rank = r;
  return true;
}

}  // namespace

// transpose(x, out, layout [rank, outDims…, inStridesForOutAxes…]) computed on the JS side.
napi_value Transpose(napi_env env, napi_callback_info info) {
  Args args(env, info, "transpose");
  size_t nx = 0, ny = 0, dlen = 0;
  const float* x = args.f32(0, &nx);
  float* y = args.f32(1, &ny);
  const int32_t* desc = args.i32s(2, &dlen);
  TransposeLayout L;
  if (!args.ok() || !parseTranspose(args, desc, dlen, nx, ny, &L)) return nullptr;
  if (L.total == 0) return nullptr;
  const int r = L.rank;
  if (r <= 1) return std::memcpy(y, x, sizeof(float) * ny), nullptr;
  const long P = L.dims[r - 2], Q = L.dims[r - 1], outer = L.total / (P * Q);
  long idx[kMaxRank] = {0}, off = 0;
  for (long o = 0; o < outer; o++) {
    transpose2d(x + off, L.str[r - 2], L.str[r - 1], y + o * P * Q, P, Q);
    for (int i = r - 3; i >= 0; i--) {
      off += L.str[i];
      if (++idx[i] < L.dims[i]) break;
      off -= L.str[i] * L.dims[i];
      idx[i] = 0;
    }
  }
  return nullptr;
}

// gatherRows(src, dim, indices, out): row i of out = row indices[i] of src (rows of `dim` floats).
// Returns -1, or the position of the first index outside the rows of src (then nothing is copied).
// Rows of a large data set come from DRAM in shuffled order: the copy is split over the threads
// and each prefetches a few rows ahead, so the latency of one row overlaps the copy of another.
napi_value GatherRows(napi_env env, napi_callback_info info) {
  Args args(env, info, "gatherRows");
  size_t nsrc = 0, nidx = 0, nout = 0;
  const float* src = args.f32(0, &nsrc);
  const long dim = args.size(1, "dim");
  const int32_t* idx = args.i32s(2, &nidx);
  float* out = args.f32(3, &nout);
  const long need = args.product((long)nidx, dim, "indices × dim");
  if (!args.ok()) return nullptr;
  if (dim == 0) return args.rangeError("dim must be at least 1");
  if (nsrc % dim != 0) return args.rangeError("src (%zu elements) is not whole rows of dim = %ld", nsrc, dim);
  if (nout < (size_t)need) return args.rangeError("out is too short: length %zu where indices × dim is %ld", nout, need);
  const long rows = (long)(nsrc / dim);
  long bad = -1;
  for (size_t i = 0; i < nidx; i++)
    if (idx[i] < 0 || idx[i] >= rows) { bad = (long)i; break; }
  if (bad < 0) {
    constexpr long kAhead = 4;
    splitRange((long)nidx, kParallelGatherMinRows, [&](long lo, long hi) {
      for (long i = lo; i < hi; i++) {
        if (i + kAhead < hi) {
          const char* next = reinterpret_cast<const char*>(src + (long)idx[i + kAhead] * dim);
          for (long b = 0; b < dim * (long)sizeof(float); b += 64) __builtin_prefetch(next + b);
        }
        std::memcpy(out + i * dim, src + (long)idx[i] * dim, sizeof(float) * dim);
      }
    }, 1);
  }
  napi_value result;
  napi_create_int64(env, bad, &result);
  return result;
}

}  // namespace aekit
