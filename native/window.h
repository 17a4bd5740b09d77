// NHWC sliding-window geometry and the column builders shared by Im2Col/Col2Im (ops-window.cc)
// and the fused convolutions (ops-conv.cc).
#pragma once
#include <cstddef>

#include "napi-args.h"

namespace aekit {

// An image batch (B, H, W, C), a kh×kw window with stride, dilation and padding
// (top, bottom, left, right), and the output size Ho×Wo it gives.
struct Window {
  long b, h, w, c, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, ho, wo;
};

// Reads geometry [B, H, W, C, kh, kw, sh, sw, dh, dw, top, bottom, left, right]; false (and a
// thrown RangeError) when a value is out of range or the window does not fit the image.
bool parseWindow(Args& args, size_t i, Window* g);

// Rows [lo, hi) of the column matrix (B·Ho·Wo, kh·kw·C) of x; positions in the padding read `pad`.
void im2colRows(const Window& g, const float* x, float* cols, float pad, long lo, long hi);

// Images [lo, hi) of x: zeroed, then every column entry added where Im2Col read it from.
void col2imImages(const Window& g, const float* cols, float* x, long lo, long hi);

}  // namespace aekit
