// AVX2 + FMA instantiation of the generic kernels. Everything in this file is compiled for that
// target (pragma below), sits in its own namespace, and is reached only through kAvx2Table.
#include <immintrin.h>
#include <cmath>
#include "isa.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma,bmi,bmi2,f16c")

namespace aekit {
namespace isa_avx2 {
#include "vec-avx2.inc"
#include "vmath.inc"
#include "ew.inc"
#include "reduce-optim.inc"
#include "gemm.inc"
#include "pool.inc"
#ifndef AEKIT_AVX2_MR
#define AEKIT_AVX2_MR 6
#endif
constexpr int kMR = AEKIT_AVX2_MR, kNV = 2;
#include "isa-table.inc"
}  // namespace isa_avx2

const IsaTable kAvx2Table = isa_avx2::makeTable("avx2");
}  // namespace aekit

#pragma GCC pop_options
