// Single-precision GEMM, BLIS style: C = act(op(A)·op(B) + bias) with row-major operands.
#pragma once

namespace aekit {

struct GemmProblem {
  long m, n, k;
  const float* a;
  long lda;
  bool transA;  // op(A) is m×k; stored k×m when transA
  const float* b;
  long ldb;
  bool transB;  // op(B) is k×n; stored n×k when transB
  float* c;
  long ldc;
  const float* bias = nullptr;  // length n, added to every row (FusedDense)
  int act = 0;                  // Act applied after the bias
};

// False (C then partly written) when packing space cannot be allocated.
[[nodiscard]] bool gemm(const GemmProblem& p);

// The same product on the calling thread only: for kernels that split work into pieces of their
// own (the fused convolutions), whose result must not depend on how many threads there are.
[[nodiscard]] bool gemmOnThisThread(const GemmProblem& p);

// Block sizes (floats). Exposed for the benchmark's description.
struct GemmBlocking { long mc, kc, nc; };
GemmBlocking gemmBlocking();

}  // namespace aekit
