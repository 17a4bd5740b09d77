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
#include "pool.inc"
constexpr int kMR = 4, kNV = 4;
#include "isa-table.inc"
}  // namespace isa_scalar

const IsaTable kScalarTable = isa_scalar::makeTable("scalar");
}  // namespace aekit
