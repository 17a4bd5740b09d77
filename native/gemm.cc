// The GEMM driver: cache blocking (NC columns of B in L3, KC×MC of A in L2, a KC×NR sliver of B
// in L1), packing, the micro-kernel from the active ISA table, and the split across threads.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <vector>
#include <cstdlib>
#include <cstring>

#include "buffers.h"
#include "cpu.h"
#include "threads.h"

namespace aekit {
namespace {

// Block sizes in floats: a KC×NR sliver of B (8 KiB at KC 256) stays in L1 while MC×KC of A
// (144 KiB) streams from L2; NC bounds the packed B block. K and M are split into equal blocks.
constexpr long kKC = 256, kMC = 256, kNC = 4096;
// Column chunks per thread, claimed dynamically (see gemm()).
constexpr long kChunksPerThread = 8;
// Below this many multiply-adds a second thread costs more than it saves.
constexpr double kParallelMinMacs = 1 << 19;

// Packing space per thread (pool workers and every JS thread that calls in), grown on demand.
thread_local Scratch tPackA, tPackB;

struct Region { long m0, m1, n0, n1; };

const float* aAt(const GemmProblem& p, long i, long k) { return p.transA ? p.a + k * p.lda + i : p.a + i * p.lda + k; }
const float* bAt(const GemmProblem& p, long k, long j) { return p.transB ? p.b + j * p.ldb + k : p.b + k * p.ldb + j; }

// The macro-kernel over one mc×kc block of A and kc×nc block of B. Panels are packed on first use
// (A during the first column sweep, B during the first row block), so each packed sliver is
// consumed while it is still in L1 instead of in a separate pass.
// With `sliver`, B is packed one sliver at a time into the same small buffer (when this is the only
// block of rows, so nothing reuses it), which keeps L2 free for A and C.
void macroKernel(const IsaTable& t, const GemmProblem& p, float* pa, float* pb, long ic, long mc, long jc, long nc, long pc, long kc,
                 bool packA, bool packB, bool sliver) {
  const bool accumulate = pc > 0, last = pc + kc >= p.k;
  const bool epilogue = last && (p.bias || p.act != kLinear);
  for (long jr = 0; jr < nc; jr += t.nr) {
    const int nr = (int)(nc - jr < t.nr ? nc - jr : t.nr);
    float* b = sliver ? pb : pb + jr * kc;
    if (packB) t.packB(bAt(p, pc, jc + jr), p.ldb, p.transB, kc, nr, b);
    for (long ir = 0; ir < mc; ir += t.mr) {
      const int mr = (int)(mc - ir < t.mr ? mc - ir : t.mr);
      if (packA && jr == 0) t.packA(aAt(p, ic + ir, pc), p.lda, p.transA, mr, kc, pa + ir * kc);
      float* c = p.c + (ic + ir) * p.ldc + jc + jr;
      t.gemmMicro(kc, pa + ir * kc, b, c, p.ldc, mr, nr, accumulate);
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

// Packed blocks of A for one GEMM call, kept by a thread across the column chunks it takes.
struct ACache {
  long call = -1;
  Scratch data;
  std::vector<unsigned char> ready;
};
thread_local ACache tACache;
std::atomic<long> gCalls{0};

// C[r] = op(A)·op(B) over the region's rows and columns. With call ≥ 0, packed A blocks are taken
// from (or added to) this thread's cache for that call, so taking several column chunks of one
// product packs A once per thread.
void gemmRegion(const GemmProblem& p, const Region& r, long call = -1) {
  const IsaTable& t = *gIsa;
  const long kcMax = balancedBlock(p.k, kKC, 8);
  const long mcMax = balancedBlock(r.m1 - r.m0, kMC, t.mr), ncMax = balancedBlock(r.n1 - r.n0, kNC, t.nr);
  const long blocksM = (r.m1 - r.m0 + mcMax - 1) / mcMax, blocksK = (p.k + kcMax - 1) / kcMax, blockSize = kcMax * mcMax;
  float* store = nullptr;
  unsigned char* ready = nullptr;
  if (call >= 0) {
    ACache& cache = tACache;
    if (cache.call != call) cache.call = call, cache.ready.assign(blocksM * blocksK, 0);
    store = cache.data.get(blocksM * blocksK * blockSize);
    ready = cache.ready.data();
  }
  for (long jc = r.n0; jc < r.n1; jc += ncMax) {
    const long nc = std::min(r.n1 - jc, ncMax);
    for (long pc = 0, kb = 0; pc < p.k; pc += kcMax, kb++) {
      const long kc = std::min(p.k - pc, kcMax);
      const bool sliver = blocksM == 1;
      float* pb = tPackB.get(kc * (sliver ? t.nr : (nc + t.nr - 1) / t.nr * t.nr));
      for (long ic = r.m0, mb = 0; ic < r.m1; ic += mcMax, mb++) {
        const long mc = std::min(r.m1 - ic, mcMax);
        const long block = kb * blocksM + mb;
        float* pa = store ? store + block * blockSize : tPackA.get(blockSize);
        macroKernel(t, p, pa, pb, ic, mc, jc, nc, pc, kc, !store || !ready[block], ic == r.m0, sliver);
        if (store) ready[block] = 1;
      }
    }
  }
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

// Threads split C into column blocks (each packs all of A and its own slivers of B), or into row
// blocks when C is too narrow. Sharing one packed A between threads was measured slower here:
// half of its panels then come from the other core's cache, and the barriers cost more than the
// duplicated packing.
void gemm(const GemmProblem& p) {
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0) return gemmEmptyK(p);
  const IsaTable& t = *gIsa;
  const int threads = threadsFor(p);
  const long tilesN = (p.n + t.nr - 1) / t.nr, tilesM = (p.m + t.mr - 1) / t.mr;
  const bool byColumns = tilesN >= 2L * threads, byRows = tilesM >= 2L * threads;
  if (threads == 1 || (!byColumns && !byRows)) return gemmRegion(p, {0, p.m, 0, p.n});
  // Column chunks are claimed dynamically (a few per thread), so a thread that starts late or is
  // preempted takes fewer of them instead of holding the others up.
  if (byColumns) {
    const long chunks = std::min<long>(tilesN / 2, kChunksPerThread * threads), call = gCalls.fetch_add(1);
    auto chunk = [&](int i, int) {
      const long lo = tilesN * i / chunks * t.nr, hi = std::min(p.n, tilesN * (i + 1) / chunks * t.nr);
      gemmRegion(p, {0, p.m, lo, hi}, call);
    };
    return parallelFor((int)chunks, chunk);
  }
  auto rows = [&](int i, int) {
    const long lo = tilesM * i / threads * t.mr, hi = std::min(p.m, tilesM * (i + 1) / threads * t.mr);
    gemmRegion(p, {lo, hi, 0, p.n});
  };
  parallelFor(threads, rows);
}

GemmBlocking gemmBlocking() { return {kMC, kKC, kNC}; }

}  // namespace aekit
