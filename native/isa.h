// The per-ISA function table. Each ISA translation unit (isa-avx512.cc, isa-avx2.cc,
// isa-scalar.cc) compiles the same generic kernels for its vector width and fills one table;
// cpu.cc picks a table at load time from CPUID (or AEKIT_NATIVE_ISA).
#pragma once
#include <cstddef>
#include <cstdint>

namespace aekit {

enum UnaryOp : int { kNeg, kAbs, kSign, kExp, kLog, kLog1p, kSqrt, kTanh, kSigmoid, kRelu, kErf, kCopy };
enum BinaryOp : int { kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum, kGreater, kGreaterEqual, kEqual };
enum Act : int { kLinear, kActRelu, kActSigmoid, kActTanh };

struct SgdParams { float lr, momentum, oneMinusDampening, weightDecay; int nesterov, first; };
// Constants derived in double on the JS-facing side: stepSize = lr/(1−β1ᵗ), bc2sqrt = √(1−β2ᵗ).
struct AdamParams { float beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, l2, shrink, stepSize, bc2sqrt; };
struct RmspropParams { float lr, alpha, oneMinusAlpha, eps, weightDecay, momentum; };

struct IsaTable {
  const char* name;
  int mr, nr;  // GEMM micro-tile: mr rows of C by nr columns
  // c[mr×nr] (+)= Σ_k a[k*MR + i] * b[k*NR + j]; a and b are packed panels, partial tiles stored as mr×nr.
  void (*gemmMicro)(long kc, const float* a, const float* b, float* c, long ldc, int mr, int nr, int accumulate);
  // The same with A read in place: a full MR-row tile at a[r·as + k] (rowMajor) or a[k·as + r].
  void (*gemmMicroDirect)(long kc, const float* a, long as, int rowMajor, const float* b, float* c, long ldc, int nr, int accumulate);
  // Pack rows [0, rows) × cols [0, kc) of op(A) into MR-row panels (zero padded).
  void (*packA)(const float* a, long lda, int trans, long rows, long kc, float* dst);
  // Pack rows [0, kc) × cols [0, cols) of op(B) into NR-column panels (zero padded).
  void (*packB)(const float* b, long ldb, int trans, long kc, long cols, float* dst);
  // c[rows×cols] = act(c + bias) where bias (may be null) runs along columns.
  void (*biasAct)(int act, float* c, long ldc, const float* bias, long rows, long cols);
  void (*unary)(int op, const float* x, float* y, long n);
  // y = a op b with strides 0 or 1 for a and b (sa, sb).
  void (*binary)(int op, const float* a, long sa, const float* b, long sb, float* y, long n);
  void (*where)(const float* c, long sc, const float* a, long sa, const float* b, long sb, float* y, long n);
  double (*sumAll)(const float* x, long n);
  float (*maxAll)(const float* x, long n);
  void (*sumInto)(double* acc, const float* x, long n);  // acc[i] += x[i]
  void (*maxInto)(float* acc, const float* x, long n);   // acc[i] = max(acc[i], x[i]), NaN sticks
  // dz = dy ⊙ act'(y) where act' is written in terms of the output y.
  void (*actGrad)(int act, const float* dy, const float* y, float* dz, long n);
  // Σ softplus(z) − t·z and Σ (p − t)², accumulated in double.
  double (*bceSum)(const float* z, const float* t, long n);
  double (*sqDiffSum)(const float* p, const float* t, long n);
  // out = scale·(σ(z) − t) and out = scale·(p − t).
  void (*bceGrad)(float scale, const float* z, const float* t, float* out, long n);
  void (*scaledDiff)(float scale, const float* p, const float* t, float* out, long n);
  // Both at once: returns the sum and writes the scaled gradient.
  double (*bceSumGrad)(float scale, const float* z, const float* t, float* out, long n);
  double (*sqDiffSumGrad)(float scale, const float* p, const float* t, float* out, long n);
  void (*sgd)(const SgdParams& p, float* param, const float* grad, float* vel, long n);
  void (*adam)(const AdamParams& p, float* param, const float* grad, float* m, float* v, long n);
  void (*rmsprop)(const RmspropParams& p, float* param, const float* grad, float* sq, float* buf, long n);
  // Max pooling: one output position's max and argmax cell over the windows' valid cells, and
  // one kernel cell of the backward (see pool.inc).
  void (*maxPoolWindow)(const float* const* src, const float* at, int cells, float* y, float* cell, long c);
  void (*maxPoolScatter)(const float* dy, const float* cell, float at, float* dst, long n, int accumulate);
  // `iters` rounds of 12 independent register FMA chains (the FMA peak probe); stores a sum in
  // *sink to keep them live and returns the flops done.
  double (*fmaLoop)(long iters, float* sink);
};

// Every function entry of IsaTable by name, for missingIsaEntry(); the static_assert below fails
// when an entry is added to the struct but not here.
#define AEKIT_ISA_ENTRIES(X)                                                                          \
  X(gemmMicro) X(gemmMicroDirect) X(packA) X(packB) X(biasAct) X(unary) X(binary) X(where) X(sumAll) \
  X(maxAll) X(sumInto) X(maxInto) X(actGrad) X(bceSum) X(sqDiffSum) X(bceGrad) X(scaledDiff)         \
  X(bceSumGrad) X(sqDiffSumGrad) X(sgd) X(adam) X(rmsprop) X(maxPoolWindow) X(maxPoolScatter) X(fmaLoop)

#define AEKIT_COUNT_ENTRY(f) +1
static_assert((0 AEKIT_ISA_ENTRIES(AEKIT_COUNT_ENTRY)) * sizeof(void (*)()) == sizeof(IsaTable) - offsetof(IsaTable, gemmMicro),
              "AEKIT_ISA_ENTRIES must list every function entry of IsaTable");
#undef AEKIT_COUNT_ENTRY

// The name of the first entry of t that is unset (null, or a tile size below 1); nullptr when none is.
inline const char* missingIsaEntry(const IsaTable& t) {
  if (!t.name) return "name";
  if (t.mr < 1 || t.nr < 1) return "mr/nr";
#define AEKIT_NULL_ENTRY(f) \
  if (!t.f) return #f;
  AEKIT_ISA_ENTRIES(AEKIT_NULL_ENTRY)
#undef AEKIT_NULL_ENTRY
  return nullptr;
}

extern const IsaTable kAvx512Table;
extern const IsaTable kAvx2Table;
extern const IsaTable kScalarTable;

}  // namespace aekit
