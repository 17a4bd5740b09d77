/**
 * Resampling of image planes, one axis at a time: area averaging where an axis shrinks (each output
 * pixel is the mean of the input area it covers, PIL's `box` filter), bilinear interpolation with
 * pixel centres at i + 0.5 where it grows (PyTorch's `interpolate(..., align_corners=False)`).
 */

/** For one axis: output pixel i is the sum over k of `weights[i][k] × input[first[i] + k]`. */
interface AxisWeights {
  first: Int32Array;
  weights: Float64Array[];
}

/** The weights that take an axis of `from` pixels to `to` pixels (each row sums to 1). */
export function axisWeights(from: number, to: number): AxisWeights {
  const first = new Int32Array(to);
  const weights: Float64Array[] = [];
  const scale = from / to; // input pixels per output pixel
  for (let i = 0; i < to; i++) {
    if (to <= from) {
      // Output pixel i covers the input interval [i·scale, (i+1)·scale); each input pixel j covers [j, j+1).
      const lo = i * scale;
      const hi = (i + 1) * scale;
      const j0 = Math.floor(lo);
      const j1 = Math.min(Math.ceil(hi), from);
      const w = new Float64Array(j1 - j0);
      for (let j = j0; j < j1; j++) w[j - j0] = (Math.min(j + 1, hi) - Math.max(j, lo)) / scale;
      first[i] = j0;
      weights.push(w);
    } else if (from === 1) {
      weights.push(Float64Array.of(1));
    } else {
      const src = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
      const j0 = Math.min(Math.floor(src), from - 2); // at the last pixel, t = 1 on the pair before it
      const t = src - j0;
      first[i] = j0;
      weights.push(Float64Array.of(1 - t, t));
    }
  }
  return { first, weights };
}

/**
 * Resize `planes` planes of `from` = [height, width] pixels, stored one after another in `src`,
 * into `dst` at `to` = [height, width]. Equal sizes copy.
 */
export function resizePlanes(src: Float32Array, from: readonly [number, number], dst: Float32Array, to: readonly [number, number], planes: number): void {
  const [inH, inW] = from;
  const [outH, outW] = to;
  if (inH === outH && inW === outW) {
    dst.set(src.subarray(0, planes * inH * inW));
    return;
  }
  const across = axisWeights(inW, outW);
  const down = axisWeights(inH, outH);
  const rows = new Float64Array(inH * outW); // one plane resized across: (inH, outW)
  for (let p = 0; p < planes; p++) {
    const plane = src.subarray(p * inH * inW, (p + 1) * inH * inW);
    for (let y = 0; y < inH; y++) {
      for (let x = 0; x < outW; x++) rows[y * outW + x] = weighted(plane, y * inW + across.first[x]!, 1, across.weights[x]!);
    }
    const out = dst.subarray(p * outH * outW, (p + 1) * outH * outW);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) out[y * outW + x] = weighted(rows, down.first[y]! * outW + x, outW, down.weights[y]!);
    }
  }
}

function weighted(values: Float32Array | Float64Array, start: number, stride: number, w: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < w.length; k++) sum += w[k]! * values[start + k * stride]!;
  return sum;
}
