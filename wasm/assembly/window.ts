// Sliding windows over NHWC images (geometry [B, H, W, C, kh, kw, sh, sw, dh, dw, top, bottom,
// left, right]): Im2Col, its adjoint Col2Im, and max pooling with the arg-max cell and its gradient.

// @ts-ignore: decorator
@inline function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

function outSize(size: i32, k: i32, s: i32, d: i32, lo: i32, hi: i32): i32 {
  return (size + lo + hi - d * (k - 1) - 1) / s + 1;
}

/** cols[(n, oy, ox), (ky, kx, c)] = x[n, iy, ix, c], padValue outside the image. */
export function im2col(x: usize, cols: usize, geo: usize, padValue: f32): void {
  const b = g(geo, 0), h = g(geo, 1), w = g(geo, 2), c = g(geo, 3), kh = g(geo, 4), kw = g(geo, 5);
  const sh = g(geo, 6), sw = g(geo, 7), dh = g(geo, 8), dw = g(geo, 9), top = g(geo, 10), left = g(geo, 12);
  const ho = outSize(h, kh, sh, dh, top, g(geo, 11)), wo = outSize(w, kw, sw, dw, left, g(geo, 13));
  const cb = <usize>c << 2;
  let dst = cols;
  for (let n = 0; n < b; n++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - top + ky * dh;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw - left + kx * dw;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) memory.copy(dst, x + <usize>(((n * h + iy) * w + ix) * c) * 4, cb);
        else for (let i = 0; i < c; i++) store<f32>(dst + (<usize>i << 2), padValue);
        dst += cb;
      }
    }
  }
}

/** x[n, iy, ix, c] = Σ of the column entries read from it (padding entries dropped). */
export function col2im(cols: usize, x: usize, geo: usize): void {
  const b = g(geo, 0), h = g(geo, 1), w = g(geo, 2), c = g(geo, 3), kh = g(geo, 4), kw = g(geo, 5);
  const sh = g(geo, 6), sw = g(geo, 7), dh = g(geo, 8), dw = g(geo, 9), top = g(geo, 10), left = g(geo, 12);
  const ho = outSize(h, kh, sh, dh, top, g(geo, 11)), wo = outSize(w, kw, sw, dw, left, g(geo, 13));
  memory.fill(x, 0, <usize>(b * h * w * c) << 2);
  let src = cols;
  const cb = <usize>c << 2;
  for (let n = 0; n < b; n++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - top + ky * dh;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw - left + kx * dw;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
          const dst = x + <usize>(((n * h + iy) * w + ix) * c) * 4;
          let i: i32 = 0;
          for (; i + 4 <= c; i += 4) v128.store(dst + (<usize>i << 2), f32x4.add(v128.load(dst + (<usize>i << 2)), v128.load(src + (<usize>i << 2))));
          for (; i < c; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) + load<f32>(src + (<usize>i << 2)));
        }
        src += cb;
      }
    }
  }
}

/** y = the first maximum of each window (NaN wins at once), cell = its kernel cell ky·kw + kx. */
export function maxPool(x: usize, y: usize, cell: usize, geo: usize): void {
  const b = g(geo, 0), h = g(geo, 1), w = g(geo, 2), c = g(geo, 3), kh = g(geo, 4), kw = g(geo, 5);
  const sh = g(geo, 6), sw = g(geo, 7), dh = g(geo, 8), dw = g(geo, 9), top = g(geo, 10), left = g(geo, 12);
  const ho = outSize(h, kh, sh, dh, top, g(geo, 11)), wo = outSize(w, kw, sw, dw, left, g(geo, 13));
  let out: usize = 0;
  for (let n = 0; n < b; n++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    for (let ch = 0; ch < c; ch++) {
      let best: f32 = -Infinity;
      let at: i32 = -1;
      for (let ky = 0; ky < kh && !(at >= 0 && best != best); ky++) {
        const iy = oy * sh - top + ky * dh;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - left + kx * dw;
          if (ix < 0 || ix >= w) continue;
          const v = load<f32>(x + <usize>(((n * h + iy) * w + ix) * c + ch) * 4);
          if (v != v) {
            best = v;
            at = ky * kw + kx;
            break;
          }
          if (at < 0 || v > best) {
            best = v;
            at = ky * kw + kx;
          }
        }
      }
      store<f32>(y + (out << 2), best);
      store<f32>(cell + (out << 2), <f32>max(at, 0));
      out++;
    }
  }
}

/** dx = each dy added at the input position of its window's recorded cell. */
export function maxPoolGrad(dy: usize, cell: usize, dx: usize, geo: usize): void {
  const b = g(geo, 0), h = g(geo, 1), w = g(geo, 2), c = g(geo, 3), kw = g(geo, 5), kh = g(geo, 4);
  const sh = g(geo, 6), sw = g(geo, 7), dh = g(geo, 8), dw = g(geo, 9), top = g(geo, 10), left = g(geo, 12);
  const ho = outSize(h, kh, sh, dh, top, g(geo, 11)), wo = outSize(w, kw, sw, dw, left, g(geo, 13));
  memory.fill(dx, 0, <usize>(b * h * w * c) << 2);
  let out: usize = 0;
  for (let n = 0; n < b; n++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    for (let ch = 0; ch < c; ch++) {
      const k = <i32>load<f32>(cell + (out << 2));
      const iy = oy * sh - top + (k / kw) * dh, ix = ox * sw - left + (k % kw) * dw;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
        const p = dx + <usize>(((n * h + iy) * w + ix) * c + ch) * 4;
        store<f32>(p, load<f32>(p) + load<f32>(dy + (out << 2)));
      }
      out++;
    }
  }
}
