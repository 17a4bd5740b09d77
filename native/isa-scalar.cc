// Portable instantiation of the generic kernels with one-lane vectors (plain C++ arithmetic), for
// CPUs without AVX2 and as a readable baseline. Reached only through kScalarTable.
#include <cmath>
#include "isa.h"

namespace aekit {
namespace isa_scalar {
#include "vec-scalar.inc"
#include "vmath.inc"
#include "ew.inc"
#include "reduce-optim.inc"
#include "gemm.inc"
constexpr int kMR = 4, kNV = 4;
}  // namespace isa_scalar

using namespace isa_scalar;
const IsaTable kScalarTable = {
  "scalar", kMR, kNV * Vec::W,
  gemmMicroKernel<kMR, kNV>, gemmMicroKernelDirect<kMR, kNV>, packAKernel<kMR>, packBKernel<kNV * Vec::W>,
  biasActKernel, unaryKernel, binaryKernel, whereKernel,
  sumAllKernel, maxAllKernel, sumIntoKernel, maxIntoKernel, actGradKernel,
  bceSumKernel, sqDiffSumKernel, bceGradKernel, scaledDiffKernel, bceSumGradKernel, sqDiffSumGradKernel,
  sgdKernel, adamKernel, rmspropKernel, fmaLoopKernel,
};
}  // namespace aekit
