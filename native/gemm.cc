// The GEMM driver: cache blocking (NC columns of B in L3, KC×MC of A in L2, a KC×NR sliver of B
// in L1), packing, the micro-kernel from the active ISA table, and the split across threads.
#include "gemm.h"

#include <cstdlib>
#include <cstring>

#include "buffers.h"
#include "cpu.h"
#include "threads.h"

namespace aekit {
namespace {

constexpr long kKC = 256, kMC = 144, kNC = 4096;
// Below this many multiply-adds a second thread costs more than it saves.
constexpr double kParallelMinMacs = 1 << 19;

// Packing space per thread (pool workers and every JS thread that calls in), grown on demand.
thread_local Scratch tPackA, tPackB;

struct Region { long m0, m1, n0, n1; };

const float* aAt(const GemmProblem& p, long i, long k) { return p.transA ? p.a + k * p.lda + i : p.a + i * p.lda + k; }
const float* bAt(const GemmProblem& p, long k, long j) { return p.transB ? p.b + j * p.ldb + k : p.b + k * p.ldb + j; }

// The macro-kernel over one packed A block (mc×kc) and packed B block (kc×nc).
void macroKernel(const IsaTable& t, const GemmProblem& p, const float* pa, const float* pb, long ic, long mc, long jc, long nc, long kc,
                 bool accumulate, bool last) {
  const bool epilogue = last && (p.bias || p.act != kLinear);
  for (long jr = 0; jr < nc; jr += t.nr) {
    const int nr = (int)(nc - jr < t.nr ? nc - jr : t.nr);
    for (long ir = 0; ir < mc; ir += t.mr) {
      const int mr = (int)(mc - ir < t.mr ? mc - ir : t.mr);
      float* c = p.c + (ic + ir) * p.ldc + jc + jr;
      t.gemmMicro(kc, pa + ir * kc, pb + jr * kc, c, p.ldc, mr, nr, accumulate);
      if (epilogue) t.biasAct(p.act, c, p.ldc, p.bias ? p.bias + jc + jr : nullptr, mr, nr);
    }
  }
}

void gemmRegion(const GemmProblem& p, const Region& r) {
  const IsaTable& t = *gIsa;
  const long mcMax = (kMC / t.mr) * t.mr, ncMax = (kNC / t.nr) * t.nr;
  for (long jc = r.n0; jc < r.n1; jc += ncMax) {
    const long nc = r.n1 - jc < ncMax ? r.n1 - jc : ncMax;
    for (long pc = 0; pc < p.k; pc += kKC) {
      const long kc = p.k - pc < kKC ? p.k - pc : kKC;
      float* pb = tPackB.get(kc * ((nc + t.nr - 1) / t.nr) * t.nr);
      t.packB(bAt(p, pc, jc), p.ldb, p.transB, kc, nc, pb);
      for (long ic = r.m0; ic < r.m1; ic += mcMax) {
        const long mc = r.m1 - ic < mcMax ? r.m1 - ic : mcMax;
        float* pa = tPackA.get(kc * ((mc + t.mr - 1) / t.mr) * t.mr);
        t.packA(aAt(p, ic, pc), p.lda, p.transA, mc, kc, pa);
        macroKernel(t, p, pa, pb, ic, mc, jc, nc, kc, pc > 0, pc + kc >= p.k);
      }
    }
  }
}

// K = 0: the product is zero, so C is act(bias) or zero.
void gemmEmptyK(const GemmProblem& p) {
  for (long i = 0; i < p.m; i++) std::memset(p.c + i * p.ldc, 0, sizeof(float) * p.n);
  if (p.bias || p.act != kLinear) gIsa->biasAct(p.act, p.c, p.ldc, p.bias, p.m, p.n);
}

// Split C into `parts` blocks along whichever dimension has more micro-tiles per thread.
Region regionOf(const GemmProblem& p, int part, int parts) {
  const IsaTable& t = *gIsa;
  const long tilesN = (p.n + t.nr - 1) / t.nr, tilesM = (p.m + t.mr - 1) / t.mr;
  if (tilesN >= tilesM || tilesN >= 4L * parts) {
    const long lo = tilesN * part / parts, hi = tilesN * (part + 1) / parts;
    return {0, p.m, lo * t.nr, hi * t.nr < p.n ? hi * t.nr : p.n};
  }
  const long lo = tilesM * part / parts, hi = tilesM * (part + 1) / parts;
  return {lo * t.mr, hi * t.mr < p.m ? hi * t.mr : p.m, 0, p.n};
}

}  // namespace

void gemm(const GemmProblem& p) {
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0) return gemmEmptyK(p);
  const double macs = (double)p.m * p.n * p.k;
  const int threads = macs < kParallelMinMacs ? 1 : threadCount();
  if (threads == 1) return gemmRegion(p, {0, p.m, 0, p.n});
  auto task = [&](int part, int) { gemmRegion(p, regionOf(p, part, threads)); };
  parallelFor(threads, task);
}

GemmBlocking gemmBlocking() { return {kMC, kKC, kNC}; }

}  // namespace aekit
