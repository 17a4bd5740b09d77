// The GEMM driver: cache blocking (a KC×NR sliver of packed B in L1, MC×KC of A in L2, NC columns
// of B per block), packing of B, the micro-kernel from the active ISA table, and the thread split.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "buffers.h"
#include "cpu.h"
#include "threads.h"

namespace aekit {
namespace {

// Block sizes in floats: a KC×NR sliver of B (32 KiB at KC 256) stays in L1 while MC×KC of A
// (256 KiB) is read from L2; NC bounds a packed B block. K and M are split into equal blocks.
constexpr long kKC = 256, kMC = 256, kNC = 4096;
// Column chunks per thread, claimed dynamically (see gemm()).
constexpr long kChunksPerThread = 8;
// Below this many multiply-adds a second thread costs more than it saves: the operands, written
// by the other core moments before, must cross between cores (~250 ns a line, ~27 GB/s on the CI
// machine), which at 2^19 (e.g. Model A's 64→32 layer) made each backward product 2× slower.
constexpr double kParallelMinMacs = 1 << 20;

// Packing space per thread (pool workers and every JS thread that calls in), grown on demand.
thread_local Scratch tPackA, tPackB;

struct Region { long m0, m1, n0, n1; };

const float* aAt(const GemmProblem& p, long i, long k) { return p.transA ? p.a + k * p.lda + i : p.a + i * p.lda + k; }
const float* bAt(const GemmProblem& p, long k, long j) { return p.transB ? p.b + j * p.ldb + k : p.b + k * p.ldb + j; }

// Prefetch part `part` of `parts` of the source of the B sliver (kc × nr at column j) packed next,
// so its cache misses overlap the micro-kernels running now (about 2% on a Model B step).
void prefetchSlice(const GemmProblem& p, long pc, long kc, long j, long nr, long part, long parts) {
  if (!p.transB) {  // kc rows of nr contiguous floats
    for (long k = kc * part / parts, end = kc * (part + 1) / parts; k < end; k++)
      for (long c = 0; c < nr; c += 16) __builtin_prefetch(bAt(p, pc + k, j + c));
    return;
  }
  for (long c = nr * part / parts, end = nr * (part + 1) / parts; c < end; c++)  // nr rows of kc floats
    for (long k = 0; k < kc; k += 16) __builtin_prefetch(bAt(p, pc + k, j + c));
}

// The macro-kernel over one mc×kc block of A and kc×nc block of B. B slivers are packed on first
// use (the first row block) so each is consumed while still in L1; with `sliver` (one row block)
// every sliver goes to the same small buffer, which keeps L2 for A and C. A full tile of rows reads
// A in place; a last partial tile is packed (zero padded) into pa during the first sliver.
// nextKc: the depth of the following K block (0 if none), whose first sliver is prefetched last.
void macroKernel(const IsaTable& t, const GemmProblem& p, float* pa, float* pb, long ic, long mc, long jc, long nc, long pc, long kc,
                 long nextKc, bool packB, bool sliver) {
  const bool accumulate = pc > 0, last = pc + kc >= p.k;
  const bool epilogue = last && (p.bias || p.act != kLinear);
  const long tiles = (mc + t.mr - 1) / t.mr;
  for (long jr = 0; jr < nc; jr += t.nr) {
    const int nr = (int)(nc - jr < t.nr ? nc - jr : t.nr);
    float* b = sliver ? pb : pb + jr * kc;
    if (packB) t.packB(bAt(p, pc, jc + jr), p.ldb, p.transB, kc, nr, b);
    const bool more = jr + t.nr < nc;
    const long nextPc = more ? pc : pc + kc, nextK = more ? kc : nextKc, nextJ = more ? jc + jr + t.nr : jc;
    const long nextNr = std::min<long>(t.nr, jc + nc - nextJ);
    for (long ir = 0; ir < mc; ir += t.mr) {
      const int mr = (int)(mc - ir < t.mr ? mc - ir : t.mr);
      if (packB && nextK > 0) prefetchSlice(p, nextPc, nextK, nextJ, nextNr, ir / t.mr, tiles);
      float* c = p.c + (ic + ir) * p.ldc + jc + jr;
      if (mr == t.mr) {
        t.gemmMicroDirect(kc, aAt(p, ic + ir, pc), p.lda, !p.transA, b, c, p.ldc, nr, accumulate);
      } else {
        if (jr == 0) t.packA(aAt(p, ic + ir, pc), p.lda, p.transA, mr, kc, pa);
        t.gemmMicro(kc, pa, b, c, p.ldc, mr, nr, accumulate);
      }
      if (epilogue) t.biasAct(p.act, c, p.ldc, p.bias ? p.bias + jc + jr : nullptr, mr, nr);
    }
  }
}

// Split `total` into the fewest blocks of at most `max`, of equal size rounded up to `quantum`
// (so K = 784 gives 3 × 262 rather than 3 × 256 + 16).
long balancedBlock(long total, long max, long quantum) {
  const long blocks = (total + max - 1) / max;
  const long size = (total + blocks - 1) / blocks;
  return (size + quantum - 1) / quantum * quantum;
}

// C[r] = op(A)·op(B) over the region's rows and columns. Full micro-tiles read A in place (a row
// of A is contiguous in k, or a column is when A is transposed): measured faster than packing A
// at every shape of the dense autoencoders here. Only a last partial row panel is packed.
// False when packing space cannot be allocated.
bool gemmRegion(const GemmProblem& p, const Region& r) {
  const IsaTable& t = *gIsa;
  const long kcMax = balancedBlock(p.k, kKC, 8);
  const long mcMax = balancedBlock(r.m1 - r.m0, kMC, t.mr), ncMax = balancedBlock(r.n1 - r.n0, kNC, t.nr);
  const bool sliver = r.m1 - r.m0 <= mcMax;  // one row block: nothing reuses a packed B sliver
  float* pa = tPackA.get(kcMax * t.mr);
  if (!pa) return false;
  for (long jc = r.n0; jc < r.n1; jc += ncMax) {
    const long nc = std::min(r.n1 - jc, ncMax);
    for (long pc = 0; pc < p.k; pc += kcMax) {
      const long kc = std::min(p.k - pc, kcMax);
      float* pb = tPackB.get(kc * (sliver ? t.nr : (nc + t.nr - 1) / t.nr * t.nr));
      if (!pb) return false;
      const long nextKc = std::min(kcMax, std::max(0L, p.k - pc - kc));
      for (long ic = r.m0; ic < r.m1; ic += mcMax) macroKernel(t, p, pa, pb, ic, std::min(r.m1 - ic, mcMax), jc, nc, pc, kc, nextKc, ic == r.m0, sliver);
    }
  }
  return true;
}

// K = 0: the product is zero, so C is act(bias) or zero.
void gemmEmptyK(const GemmProblem& p) {
  for (long i = 0; i < p.m; i++) std::memset(p.c + i * p.ldc, 0, sizeof(float) * p.n);
  if (p.bias || p.act != kLinear) gIsa->biasAct(p.act, p.c, p.ldc, p.bias, p.m, p.n);
}

// Several threads pay when there is enough work to split.
int threadsFor(const GemmProblem& p) {
  return (double)p.m * p.n * p.k < kParallelMinMacs ? 1 : threadCount();
}

}  // namespace

// Threads split C into column chunks (each thread packs only its own slivers of B; A is read in
// place), or into row blocks when C is too narrow for two chunks per thread.
bool gemm(const GemmProblem& p) {
  if (p.m == 0 || p.n == 0) return true;
  if (p.k == 0) return gemmEmptyK(p), true;
  const IsaTable& t = *gIsa;
  const int threads = threadsFor(p);
  const long tilesN = (p.n + t.nr - 1) / t.nr, tilesM = (p.m + t.mr - 1) / t.mr;
  const bool byColumns = tilesN >= 2L * threads, byRows = tilesM >= 2L * threads;
  if (threads == 1 || (!byColumns && !byRows)) return gemmRegion(p, {0, p.m, 0, p.n});
  std::atomic<bool> packed{true};  // workers cannot throw: a failed allocation is reported here
  // Column chunks are claimed dynamically (a few per thread), so a thread that starts late or is
  // preempted takes fewer of them instead of holding the others up.
  if (byColumns) {
    const long chunks = std::min<long>(tilesN / 2, kChunksPerThread * threads);
    auto chunk = [&](int i, int) {
      const long lo = tilesN * i / chunks * t.nr, hi = std::min(p.n, tilesN * (i + 1) / chunks * t.nr);
      if (!gemmRegion(p, {0, p.m, lo, hi})) packed = false;
    };
    parallelFor((int)chunks, chunk);
    return packed;
  }
  auto rows = [&](int i, int) {
    const long lo = tilesM * i / threads * t.mr, hi = std::min(p.m, tilesM * (i + 1) / threads * t.mr);
    if (!gemmRegion(p, {lo, hi, 0, p.n})) packed = false;
  };
  parallelFor(threads, rows);
  return packed;
}

bool gemmOnThisThread(const GemmProblem& p) {
  if (p.m == 0 || p.n == 0) return true;
  if (p.k == 0) return gemmEmptyK(p), true;
  return gemmRegion(p, {0, p.m, 0, p.n});
}

GemmBlocking gemmBlocking() { return {kMC, kKC, kNC}; }

}  // namespace aekit
