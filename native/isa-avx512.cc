// AVX-512F instantiation of the generic kernels. Everything in this file is compiled for that
// target (pragma below), sits in its own namespace, and is reached only through kAvx512Table.
#include <immintrin.h>
#include <cmath>
#include "isa.h"

// GCC 12's AVX-512 headers initialise "undefined" vectors from themselves, which -Wall reports.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma,bmi,bmi2,f16c")

namespace aekit {
namespace isa_avx512 {
#include "vec-avx512.inc"
#include "vmath.inc"
#include "ew.inc"
#include "reduce-optim.inc"
#include "gemm.inc"
#include "pool.inc"
#ifndef AEKIT_AVX512_MR
#define AEKIT_AVX512_MR 8
#endif
#ifndef AEKIT_AVX512_NV
#define AEKIT_AVX512_NV 2
#endif
constexpr int kMR = AEKIT_AVX512_MR, kNV = AEKIT_AVX512_NV;
#include "isa-table.inc"
}  // namespace isa_avx512

const IsaTable kAvx512Table = isa_avx512::makeTable("avx512");
}  // namespace aekit

#pragma GCC pop_options
