// N-API entry points for Im2Col and Col2Im over NHWC images (convolution and pooling).
#include <cstring>
#include <vector>

#include "cpu.h"

#include "napi-args.h"
#include "ops.h"
#include "window.h"

namespace aekit {
namespace {

// Rows per thread piece: im2col rows are kh·kw·C floats, so a few dozen rows are enough work.
constexpr long kParallelMinRows = 64;

// Copy n floats; short runs (one channel, small kernels) skip the call into memcpy.
inline void copyRun(float* dst, const float* src, long n) {
  if (n <= 16) {
    for (long k = 0; k < n; k++) dst[k] = src[k];
  } else {
    std::memcpy(dst, src, sizeof(float) * n);
  }
}

inline void addRun(float* dst, const float* src, long n) {
  for (long k = 0; k < n; k++) dst[k] += src[k];
}

}  // namespace

bool parseWindow(Args& args, size_t i, Window* g) {
  size_t n = 0;
  const int32_t* d = args.i32s(i, &n);
  if (!args.ok()) return false;
  if (n != 14) return args.rangeError("window geometry must have 14 entries, got %zu", n), false;
  long v[14];
  for (int k = 0; k < 14; k++) {
    v[k] = d[k];
    const bool positive = k >= 4 && k < 10;
    if (v[k] < (positive ? 1 : 0)) return args.rangeError("window geometry entry %d is %ld", k, v[k]), false;
  }
  *g = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], 0, 0};
  const long spanH = g->h + g->pt + g->pb - g->dh * (g->kh - 1) - 1, spanW = g->w + g->pl + g->pr - g->dw * (g->kw - 1) - 1;
  if (spanH < 0 || spanW < 0) return args.rangeError("a %ldx%ld window does not fit a %ldx%ld image", g->kh, g->kw, g->h, g->w), false;
  g->ho = spanH / g->sh + 1;
  g->wo = spanW / g->sw + 1;
  return true;
}

// Row r of the column matrix: the window of output position r, C values per kernel cell. A kernel
// row that lies inside the image without dilation is kw·C consecutive input values: one copy.
void im2colRows(const Window& g, const float* x, float* cols, float pad, long lo, long hi) {
  const long rowLen = g.kh * g.kw * g.c, run = g.kw * g.c;
  for (long r = lo; r < hi; r++) {
    const long n = r / (g.ho * g.wo), oy = r / g.wo % g.ho, ox = r % g.wo;
    const long ix0 = ox * g.sw - g.pl;
    const bool whole = g.dw == 1 && ix0 >= 0 && ix0 + g.kw <= g.w;
    float* dst = cols + r * rowLen;
    for (long ky = 0; ky < g.kh; ky++, dst += run) {
      const long iy = oy * g.sh - g.pt + ky * g.dh;
      if (iy < 0 || iy >= g.h) {
        for (long k = 0; k < run; k++) dst[k] = pad;
        continue;
      }
      const float* line = x + (n * g.h + iy) * g.w * g.c;
      if (whole) {
        copyRun(dst, line + ix0 * g.c, run);
        continue;
      }
      for (long kx = 0; kx < g.kw; kx++) {
        const long ix = ix0 + kx * g.dw;
        float* d = dst + kx * g.c;
        if (ix < 0 || ix >= g.w) {
          for (long k = 0; k < g.c; k++) d[k] = pad;
        } else {
          copyRun(d, line + ix * g.c, g.c);
        }
      }
    }
  }
}

// Images [lo, hi) of the output: zeroed, then every column entry added where it was read from.
void col2imImages(const Window& g, const float* cols, float* x, long lo, long hi) {
  const long rowLen = g.kh * g.kw * g.c, image = g.h * g.w * g.c, run = g.kw * g.c;
  std::memset(x + lo * image, 0, sizeof(float) * (hi - lo) * image);
  for (long n = lo; n < hi; n++) {
    float* img = x + n * image;
    for (long oy = 0; oy < g.ho; oy++) {
      for (long ox = 0; ox < g.wo; ox++) {
        const float* src = cols + ((n * g.ho + oy) * g.wo + ox) * rowLen;
        const long ix0 = ox * g.sw - g.pl;
        const bool whole = g.dw == 1 && ix0 >= 0 && ix0 + g.kw <= g.w;
        for (long ky = 0; ky < g.kh; ky++, src += run) {
          const long iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          float* line = img + iy * g.w * g.c;
          if (whole) {
            addRun(line + ix0 * g.c, src, run);
            continue;
          }
          for (long kx = 0; kx < g.kw; kx++) {
            const long ix = ix0 + kx * g.dw;
            if (ix >= 0 && ix < g.w) addRun(line + ix * g.c, src + kx * g.c, g.c);
          }
        }
      }
    }
  }
}

namespace {

// Element counts of the image (B·H·W·C) and of a per-position output (B·Ho·Wo·C), overflow-checked.
struct Counts {
  long image, out;
};

Counts counts(Args& args, const Window& g) {
  return {args.product(args.product(args.product(g.b, g.h, "B × H"), g.w, "B·H × W"), g.c, "B·H·W × C"),
          args.product(args.product(args.product(g.b, g.ho, "B × Ho"), g.wo, "B·Ho × Wo"), g.c, "B·Ho·Wo × C")};
}

// Checks the image holds B·H·W·C and the columns B·Ho·Wo × kh·kw·C floats.
bool checkSizes(Args& args, const Window& g, size_t nImage, size_t nCols) {
  const long image = counts(args, g).image;
  const long rows = args.product(args.product(g.b, g.ho, "B × Ho"), g.wo, "B·Ho × Wo");
  const long rowLen = args.product(args.product(g.kh, g.kw, "kh × kw"), g.c, "kh·kw × C");
  return args.holds("image", nImage, image, "B·H·W·C") && args.holds("cols", nCols, rows, rowLen, "B·Ho·Wo × kh·kw·C");
}

// Output positions [lo, hi): y = the max of each window per channel, cell = the kernel cell of the
// first maximum (−∞ and cell 0 when the window lies in the padding; a NaN wins over numbers);
// padding is never chosen. The channel loop runs in the ISA's vectors (pool.inc).
void maxPoolRows(const Window& g, const float* x, float* y, float* cell, long lo, long hi) {
  const long kk = g.kh * g.kw;
  std::vector<const float*> src(kk);
  std::vector<float> at(kk);
  for (long r = lo; r < hi; r++) {
    const long n = r / (g.ho * g.wo), oy = r / g.wo % g.ho, ox = r % g.wo;
    int cells = 0;
    for (long ky = 0; ky < g.kh; ky++) {
      const long iy = oy * g.sh - g.pt + ky * g.dh;
      if (iy < 0 || iy >= g.h) continue;
      for (long kx = 0; kx < g.kw; kx++) {
        const long ix = ox * g.sw - g.pl + kx * g.dw;
        if (ix < 0 || ix >= g.w) continue;
        src[cells] = x + ((n * g.h + iy) * g.w + ix) * g.c;
        at[cells++] = (float)(ky * g.kw + kx);
      }
    }
    gIsa->maxPoolWindow(src.data(), at.data(), cells, y + r * g.c, cell + r * g.c, g.c);
  }
}

// True when the windows tile the image exactly (no padding, stride = kernel, no dilation): every
// input position then belongs to exactly one window, so the backward assigns instead of adding.
bool tilesExactly(const Window& g) {
  return g.pt == 0 && g.pb == 0 && g.pl == 0 && g.pr == 0 && g.dh == 1 && g.dw == 1 && g.sh == g.kh && g.sw == g.kw &&
         g.ho * g.sh == g.h && g.wo * g.sw == g.w;
}

// Images [lo, hi) of dx: each dy added at the input position of its window's maximum, per kernel
// cell for the channels whose maximum sits there (zeroed first unless the windows tile the image).
void maxPoolGradImages(const Window& g, const float* dy, const float* cell, float* dx, long lo, long hi) {
  const long image = g.h * g.w * g.c;
  const int accumulate = !tilesExactly(g);
  if (accumulate) std::memset(dx + lo * image, 0, sizeof(float) * (hi - lo) * image);
  for (long n = lo; n < hi; n++) {
    for (long oy = 0; oy < g.ho; oy++) {
      for (long ox = 0; ox < g.wo; ox++) {
        const long r = (n * g.ho + oy) * g.wo + ox;
        for (long ky = 0; ky < g.kh; ky++) {
          const long iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (long kx = 0; kx < g.kw; kx++) {
            const long ix = ox * g.sw - g.pl + kx * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            float* dst = dx + ((n * g.h + iy) * g.w + ix) * g.c;
            gIsa->maxPoolScatter(dy + r * g.c, cell + r * g.c, (float)(ky * g.kw + kx), dst, g.c, accumulate);
          }
        }
      }
    }
  }
}

}  // namespace

// maxPool(x, y, cell, geometry)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args args(env, info, "maxPool");
  size_t nx = 0, ny = 0, nc = 0;
  const float* x = args.f32(0, &nx);
  float* y = args.f32(1, &ny);
  float* cell = args.f32(2, &nc);
  Window g;
  if (!args.ok() || !parseWindow(args, 3, &g)) return nullptr;
  const Counts n = counts(args, g);
  if (!args.holds("x", nx, n.image, "B·H·W·C") || !args.holds("y", ny, n.out, "B·Ho·Wo·C") || !args.holds("cell", nc, n.out, "B·Ho·Wo·C")) return nullptr;
  splitRange(g.b * g.ho * g.wo, kParallelMinRows, [&](long lo, long hi) { maxPoolRows(g, x, y, cell, lo, hi); }, 1);
  return nullptr;
}

// maxPoolGrad(dy, cell, dx, geometry)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "maxPoolGrad");
  size_t ny = 0, nc = 0, nx = 0;
  const float* dy = args.f32(0, &ny);
  const float* cell = args.f32(1, &nc);
  float* dx = args.f32(2, &nx);
  Window g;
  if (!args.ok() || !parseWindow(args, 3, &g)) return nullptr;
  const Counts n = counts(args, g);
  if (!args.holds("dy", ny, n.out, "B·Ho·Wo·C") || !args.holds("cell", nc, n.out, "B·Ho·Wo·C") || !args.holds("dx", nx, n.image, "B·H·W·C")) return nullptr;
  splitRange(g.b, 2, [&](long lo, long hi) { maxPoolGradImages(g, dy, cell, dx, lo, hi); }, 1);
  return nullptr;
}

// im2col(x, cols, geometry, padValue)
napi_value Im2Col(napi_env env, napi_callback_info info) {
  Args args(env, info, "im2col");
  size_t nx = 0, nc = 0;
  const float* x = args.f32(0, &nx);
  float* cols = args.f32(1, &nc);
  Window g;
  if (!args.ok() || !parseWindow(args, 2, &g)) return nullptr;
  const float pad = (float)args.f64(3);
  if (!args.ok() || !checkSizes(args, g, nx, nc)) return nullptr;
  splitRange(g.b * g.ho * g.wo, kParallelMinRows, [&](long lo, long hi) { im2colRows(g, x, cols, pad, lo, hi); }, 1);
  return nullptr;
}

// col2im(cols, x, geometry)
napi_value Col2Im(napi_env env, napi_callback_info info) {
  Args args(env, info, "col2im");
  size_t nc = 0, nx = 0;
  const float* cols = args.f32(0, &nc);
  float* x = args.f32(1, &nx);
  Window g;
  if (!args.ok() || !parseWindow(args, 2, &g)) return nullptr;
  if (!checkSizes(args, g, nx, nc)) return nullptr;
  splitRange(g.b, 2, [&](long lo, long hi) { col2imImages(g, cols, x, lo, hi); }, 1);
  return nullptr;
}

}  // namespace aekit
