// N-API entry points for the fused convolutions (Conv2D, ConvTranspose2D, forward and backward)
// over NHWC images. The batch is cut into chunks of whole images sized from the shapes alone;
// threads take chunks, and each chunk builds its column block in a per-thread buffer that stays in
// cache and is consumed at once by a GEMM on the same thread, so no whole column matrix (29 MB for
// the 14×14×32 layers of the conv net at batch 128) is ever written to memory and read back.
// Weight and bias gradients are per-chunk partials summed in chunk order: results do not depend
// on the thread count.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "buffers.h"
#include "cpu.h"
#include "gemm.h"
#include "napi-args.h"
#include "ops.h"
#include "window.h"

namespace aekit {
namespace {

// The largest per-chunk buffer (a column block or its gradient), in floats: 512 KiB, so a chunk's
// columns and their gradient stay within one core's 1 MiB L2 (Zen 5) together.
constexpr long kChunkFloats = 1L << 17;

thread_local Scratch tCols;   // a chunk's column block, or its gradient
thread_local Scratch tDcols;  // the column gradient while the columns are still needed
thread_local Scratch tDz;     // a chunk's dy ⊙ act'(y)
thread_local Scratch tParts;  // per-chunk weight-gradient partials (calling thread)
thread_local Scratch tDbParts;
thread_local Scratch tSum;    // the summed partials before their transpose
thread_local Scratch tFlip;   // the kernel with its cells reversed (calling thread)

constexpr const char* kActs = "0 (linear), 1 (relu), 2 (sigmoid) or 3 (tanh)";
constexpr const char* kNoSpace = "cannot allocate convolution scratch space";

// Chunks of `per` whole images; the last may hold fewer.
struct Chunks {
  long per, count, batch;
  long first(long i) const { return i * per; }
  long size(long i) const { return std::min(per, batch - i * per); }
};

// As many images per chunk as keep `perImage` floats per image within kChunkFloats, at least one.
Chunks chunksOf(long batch, long perImage) {
  const long per = std::max(1L, std::min(std::max(batch, 1L), kChunkFloats / std::max(perImage, 1L)));
  return {per, (batch + per - 1) / per, batch};
}

// Run f(chunk) for every chunk on the pool; false when any chunk failed to get scratch space.
template <class F>
bool forChunks(const Chunks& ch, F f) {
  std::atomic<bool> ok{true};
  auto task = [&](int i, int) {
    if (!f((long)i)) ok = false;
  };
  parallelFor((int)ch.count, task);
  return ok;
}

// dz = dy ⊙ act'(y) over `rows` rows of `width` values (dy itself when linear), and the column
// sums of dz in double into `sums`. Null when scratch space cannot be had.
const float* slopes(int act, const float* dy, const float* y, long rows, long width, double* sums) {
  const IsaTable& t = *gIsa;
  const float* dz = dy;
  if (act != kLinear) {
    float* buf = tDz.get((size_t)std::max(rows * width, 1L));
    if (!buf) return nullptr;
    t.actGrad(act, dy, y, buf, rows * width);
    dz = buf;
  }
  std::memset(sums, 0, sizeof(double) * width);
  for (long r = 0; r < rows; r++) t.sumInto(sums, dz + r * width, width);
  return dz;
}

// out[j] = Σ_i parts[i·n + j] over chunks i in order (in double), threads taking ranges of j.
void reduceChunks(const float* parts, long count, long n, float* out) {
  splitRange(n, 1L << 14, [&](long lo, long hi) {
    constexpr long kBlock = 256;
    double acc[kBlock];
    for (long j0 = lo; j0 < hi; j0 += kBlock) {
      const long m = std::min(kBlock, hi - j0);
      std::fill(acc, acc + m, 0.0);
      for (long i = 0; i < count; i++)
        for (long j = 0; j < m; j++) acc[j] += parts[i * n + j0 + j];
      for (long j = 0; j < m; j++) out[j0 + j] = (float)acc[j];
    }
  }, 16);
}

// The same sum for partials of the transposed gradient (rows × cols each): out = (Σ_i parts_i)ᵀ.
bool reduceChunksTransposed(const float* parts, long count, long rows, long cols, float* out) {
  float* sum = tSum.get((size_t)std::max(rows * cols, 1L));
  if (!sum) return false;
  reduceChunks(parts, count, rows * cols, sum);
  for (long r = 0; r < rows; r++)
    for (long c = 0; c < cols; c++) out[c * rows + r] = sum[r * cols + c];
  return true;
}

void reduceBias(const double* parts, long count, long n, float* db) {
  for (long j = 0; j < n; j++) {
    double s = 0;
    for (long i = 0; i < count; i++) s += parts[i * n + j];
    db[j] = (float)s;
  }
}

// Per-chunk partial space: count × n floats for dW and count × c doubles for db.
bool partials(long count, long n, long c, float** parts, double** dbParts) {
  *parts = tParts.get((size_t)std::max(count * n, 1L));
  *dbParts = reinterpret_cast<double*>(tDbParts.get(2 * (size_t)std::max(count * c, 1L)));
  return *parts && *dbParts;
}

// The input gradient of a stride-1 convolution is also a convolution of dz with the kernel cells
// reversed (padding d·(K − 1) − p), so it can gather into dx rows instead of scattering column
// rows into images: the window of that convolution over dz, or false when the padding is
// negative or the window does not map dz back onto H×W. Used when Cin fills at least half a
// micro-tile (the product's width is Cin there, kh·kw·Cin in the scatter form): at the conv net's
// 14×14×32 layer it took the input gradient from 3.9 to about 3 ms.
bool gatherWindow(const Window& g, long cout, Window* s) {
  if (g.sh != 1 || g.sw != 1 || 2 * g.c < gIsa->nr) return false;
  const long eh = g.dh * (g.kh - 1), ew = g.dw * (g.kw - 1);
  *s = {g.b, g.ho, g.wo, cout, g.kh, g.kw, 1, 1, g.dh, g.dw, eh - g.pt, eh - g.pb, ew - g.pl, ew - g.pr, 0, 0};
  if (s->pt < 0 || s->pb < 0 || s->pl < 0 || s->pr < 0) return false;
  s->ho = s->h + s->pt + s->pb - eh;
  s->wo = s->w + s->pl + s->pr - ew;
  return s->ho == g.h && s->wo == g.w;
}

// w (Cout, kk, Cin) → (Cin, kk·Cout) with the kernel cells in reverse order.
const float* flippedKernel(const float* w, long cout, long kk, long cin) {
  float* f = tFlip.get((size_t)std::max(cout * kk * cin, 1L));
  if (!f) return nullptr;
  for (long c = 0; c < cin; c++)
    for (long kb = 0; kb < kk; kb++)
      for (long o = 0; o < cout; o++) f[(c * kk + kb) * cout + o] = w[(o * kk + kk - 1 - kb) * cin + c];
  return f;
}

// The arguments both gradient kernels take: (dy, x, w, y, dx, dw, db, geometry, channels, act),
// `channels` naming the operand count the geometry does not hold (Cout of a convolution, Cin of a
// transposed one). Shapes are checked by each kernel.
struct GradArgs {
  const float *dy = nullptr, *x = nullptr, *w = nullptr, *y = nullptr;
  float *dx = nullptr, *dw = nullptr, *db = nullptr;
  size_t ndy = 0, nx = 0, nw = 0, ny = 0, ndx = 0, ndw = 0, ndb = 0;
  Window g;
  long channels = 0;
  int act = 0;
  long image = 0, pos = 0, k = 0;  // one input image (H·W·C), output positions (Ho·Wo), one im2col row (kh·kw·C)
};

// The arguments both forward kernels take: (x, w, b, y, geometry, channels, act), `channels` as above.
struct FwdArgs {
  const float *x = nullptr, *w = nullptr, *b = nullptr;
  float* y = nullptr;
  size_t nx = 0, nw = 0, nb = 0, ny = 0;
  Window g;
  long channels = 0;
  int act = 0;
  long image = 0, pos = 0, k = 0;  // as in GradArgs
};

bool parseFwdArgs(Args& args, const char* channels, FwdArgs* a) {
  a->x = args.f32(0, &a->nx);
  a->w = args.f32(1, &a->nw);
  a->b = args.f32(2, &a->nb);
  a->y = args.f32(3, &a->ny);
  if (!args.ok() || !parseWindow(args, 4, &a->g)) return false;
  a->channels = args.size(5, channels);
  a->act = args.code(6, "act", kActTanh + 1, kActs);
  const Window& g = a->g;
  a->image = g.h * g.w * g.c, a->pos = g.ho * g.wo, a->k = g.kh * g.kw * g.c;
  return args.ok();
}

bool parseGradArgs(Args& args, const char* channels, GradArgs* a) {
  a->dy = args.f32(0, &a->ndy);
  a->x = args.f32(1, &a->nx);
  a->w = args.f32(2, &a->nw);
  a->y = args.f32(3, &a->ny);
  a->dx = args.f32(4, &a->ndx);
  a->dw = args.f32(5, &a->ndw);
  a->db = args.f32(6, &a->ndb);
  if (!args.ok() || !parseWindow(args, 7, &a->g)) return false;
  a->channels = args.size(8, channels);
  a->act = args.code(9, "act", kActTanh + 1, kActs);
  const Window& g = a->g;
  a->image = g.h * g.w * g.c, a->pos = g.ho * g.wo, a->k = g.kh * g.kw * g.c;
  return args.ok();
}

}  // namespace

// conv2d(x, w, b, y, geometry, cout, act): y (B·Ho·Wo, Cout) = act(im2col(x)·wᵀ + b) with
// w (Cout, kh·kw·Cin) and the geometry of x's window (as im2col takes it).
napi_value Conv2D(napi_env env, napi_callback_info info) {
  Args args(env, info, "conv2d");
  FwdArgs a;
  if (!parseFwdArgs(args, "cout", &a)) return nullptr;
  const auto& [x, w, b, y, nx, nw, nb, ny, g, cout, act, image, pos, k] = a;
  args.holds("x", nx, args.product(g.b, image, "B × H·W·Cin"), "B·H·W·Cin");
  args.holds("w", nw, cout, k, "Cout × kh·kw·Cin");
  args.holds("b", nb, cout, "Cout");
  args.holds("y", ny, args.product(g.b, pos, "B × Ho·Wo"), cout, "B·Ho·Wo × Cout");
  if (!args.ok()) return nullptr;
  const Chunks ch = chunksOf(g.b, pos * k);
  const bool ok = forChunks(ch, [&](long i) {
    const long n0 = ch.first(i), rows = ch.size(i) * pos;
    float* cols = tCols.get((size_t)std::max(rows * k, 1L));
    if (!cols) return false;
    im2colRows(g, x + n0 * image, cols, 0.f, 0, rows);  // (rows, kh·kw·Cin)
    GemmProblem p{rows, cout, k, cols, k, false, w, k, true, y + n0 * pos * cout, cout};
    p.bias = b;
    p.act = act;
    return gemmOnThisThread(p);
  });
  return ok ? nullptr : args.error(kNoSpace);
}

// conv2dGrad(dy, x, w, y, dx, dw, db, geometry, cout, act) with dz = dy ⊙ act'(y):
// dW = Σ_chunks dzᵀ·cols, db = Σ dz, dx = col2im(dz·w). An empty dx (length 0) is not computed.
napi_value Conv2DGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "conv2dGrad");
  GradArgs a;
  if (!parseGradArgs(args, "cout", &a)) return nullptr;
  const auto& [dy, x, w, y, dx, dw, db, ndy, nx, nw, ny, ndx, ndw, ndb, g, cout, act, image, pos, k] = a;
  const long nImage = args.product(g.b, image, "B × H·W·Cin"), rowsAll = args.product(g.b, pos, "B × Ho·Wo");
  args.holds("dy", ndy, rowsAll, cout, "B·Ho·Wo × Cout");
  args.holds("x", nx, nImage, "B·H·W·Cin");
  args.holds("w", nw, cout, k, "Cout × kh·kw·Cin");
  args.holds("y", ny, rowsAll, cout, "B·Ho·Wo × Cout");
  if (ndx != 0) args.holds("dx", ndx, nImage, "B·H·W·Cin (or 0 for no input gradient)");
  args.holds("dw", ndw, cout, k, "Cout × kh·kw·Cin");
  args.holds("db", ndb, cout, "Cout");
  if (!args.ok()) return nullptr;
  Window gs;
  const bool gather = ndx != 0 && gatherWindow(g, cout, &gs);
  const long kg = g.kh * g.kw * cout;  // the gather form's row length
  const float* flipped = gather ? flippedKernel(w, cout, g.kh * g.kw, g.c) : nullptr;
  const Chunks ch = chunksOf(g.b, std::max(pos * std::max(k, cout), gather ? g.h * g.w * kg : 0L));
  float* parts = nullptr;
  double* dbParts = nullptr;
  if ((gather && !flipped) || !partials(ch.count, cout * k, cout, &parts, &dbParts)) return args.error(kNoSpace);
  const bool ok = forChunks(ch, [&](long i) {
    const long n0 = ch.first(i), rows = ch.size(i) * pos, at = n0 * pos * cout;
    const float* dz = slopes(act, dy + at, y + at, rows, cout, dbParts + i * cout);  // (rows, Cout)
    float* cols = tCols.get((size_t)std::max(rows * k, 1L));
    if (!dz || !cols) return false;
    im2colRows(g, x + n0 * image, cols, 0.f, 0, rows);  // (rows, kh·kw·Cin)
    // dWᵀ (kh·kw·Cin, Cout) = colsᵀ·dz reads the columns in place and packs only dz's few columns.
    if (!gemmOnThisThread({k, cout, rows, cols, k, true, dz, cout, false, parts + i * cout * k, cout})) return false;
    if (ndx == 0) return true;
    if (gather) {
      const long rowsX = ch.size(i) * g.h * g.w;
      float* dcols = tDcols.get((size_t)std::max(rowsX * kg, 1L));
      if (!dcols) return false;
      im2colRows(gs, dz, dcols, 0.f, 0, rowsX);  // (B·H·W, kh·kw·Cout) of dz
      return gemmOnThisThread({rowsX, g.c, kg, dcols, kg, false, flipped, kg, true, dx + n0 * image, g.c});
    }
    float* dcols = tDcols.get((size_t)std::max(rows * k, 1L));
    if (!dcols || !gemmOnThisThread({rows, k, cout, dz, cout, false, w, k, false, dcols, k})) return false;
    col2imImages(g, dcols, dx + n0 * image, 0, ch.size(i));
    return true;
  });
  if (!ok) return args.error(kNoSpace);
  if (!reduceChunksTransposed(parts, ch.count, k, cout, dw)) return args.error(kNoSpace);
  reduceBias(dbParts, ch.count, cout, db);
  return nullptr;
}

// convTranspose2d(x, w, b, y, geometry, cin, act): y = act(col2im(x·w) + b) with x (B·Hi·Wi, Cin),
// w (Cin, kh·kw·Cout) and the geometry of y's window (B, Ho, Wo, Cout; it maps Ho×Wo to Hi×Wi).
napi_value ConvTranspose2D(napi_env env, napi_callback_info info) {
  Args args(env, info, "convTranspose2d");
  FwdArgs a;
  if (!parseFwdArgs(args, "cin", &a)) return nullptr;
  const auto& [x, w, b, y, nx, nw, nb, ny, g, cin, act, image, pos, k] = a;
  args.holds("x", nx, args.product(g.b, pos, "B × Hi·Wi"), cin, "B·Hi·Wi × Cin");
  args.holds("w", nw, cin, k, "Cin × kh·kw·Cout");
  args.holds("b", nb, g.c, "Cout");
  args.holds("y", ny, args.product(g.b, image, "B × Ho·Wo·Cout"), "B·Ho·Wo·Cout");
  if (!args.ok()) return nullptr;
  const IsaTable& t = *gIsa;
  const Chunks ch = chunksOf(g.b, std::max(pos * k, image));
  const bool ok = forChunks(ch, [&](long i) {
    const long n0 = ch.first(i), rows = ch.size(i) * pos;
    float* cols = tCols.get((size_t)std::max(rows * k, 1L));
    if (!cols || !gemmOnThisThread({rows, k, cin, x + n0 * pos * cin, cin, false, w, k, false, cols, k})) return false;
    float* out = y + n0 * image;
    col2imImages(g, cols, out, 0, ch.size(i));
    t.biasAct(act, out, g.c, b, ch.size(i) * g.h * g.w, g.c);
    return true;
  });
  return ok ? nullptr : args.error(kNoSpace);
}

// convTranspose2dGrad(dy, x, w, y, dx, dw, db, geometry, cin, act) with dz = dy ⊙ act'(y) and
// cols = im2col(dz): dx = cols·wᵀ, dW = Σ_chunks xᵀ·cols, db = Σ dz. An empty dx is not computed.
napi_value ConvTranspose2DGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "convTranspose2dGrad");
  GradArgs a;
  if (!parseGradArgs(args, "cin", &a)) return nullptr;
  const auto& [dy, x, w, y, dx, dw, db, ndy, nx, nw, ny, ndx, ndw, ndb, g, cin, act, image, pos, k] = a;
  const long nImage = args.product(g.b, image, "B × Ho·Wo·Cout"), rowsAll = args.product(g.b, pos, "B × Hi·Wi");
  args.holds("dy", ndy, nImage, "B·Ho·Wo·Cout");
  args.holds("x", nx, rowsAll, cin, "B·Hi·Wi × Cin");
  args.holds("w", nw, cin, k, "Cin × kh·kw·Cout");
  args.holds("y", ny, nImage, "B·Ho·Wo·Cout");
  if (ndx != 0) args.holds("dx", ndx, rowsAll, cin, "B·Hi·Wi × Cin (or 0 for no input gradient)");
  args.holds("dw", ndw, cin, k, "Cin × kh·kw·Cout");
  args.holds("db", ndb, g.c, "Cout");
  if (!args.ok()) return nullptr;
  const Chunks ch = chunksOf(g.b, std::max(pos * k, image));
  float* parts = nullptr;
  double* dbParts = nullptr;
  if (!partials(ch.count, cin * k, g.c, &parts, &dbParts)) return args.error(kNoSpace);
  const bool ok = forChunks(ch, [&](long i) {
    const long n0 = ch.first(i), rows = ch.size(i) * pos, xAt = n0 * pos * cin;
    const float* dz = slopes(act, dy + n0 * image, y + n0 * image, ch.size(i) * g.h * g.w, g.c, dbParts + i * g.c);
    float* cols = tCols.get((size_t)std::max(rows * k, 1L));
    if (!dz || !cols) return false;
    im2colRows(g, dz, cols, 0.f, 0, rows);  // (rows, kh·kw·Cout)
    if (ndx != 0 && !gemmOnThisThread({rows, cin, k, cols, k, false, w, k, true, dx + xAt, cin})) return false;
    return gemmOnThisThread({k, cin, rows, cols, k, true, x + xAt, cin, false, parts + i * cin * k, cin});  // dWᵀ = colsᵀ·x
  });
  if (!ok) return args.error(kNoSpace);
  if (!reduceChunksTransposed(parts, ch.count, k, cin, dw)) return args.error(kNoSpace);
  reduceBias(dbParts, ch.count, g.c, db);
  return nullptr;
}

}  // namespace aekit
