/** Drawing samples on canvases: an image-shaped sample (C, H, W) as pixels, any other row as a strip. */
export interface Shape { sampleShape: readonly number[] }

/** Height and width a sample is drawn at, and its channel count. */
export function imageDims(shape: readonly number[]): { c: number; h: number; w: number } {
  if (shape.length === 3) return { c: shape[0]!, h: shape[1]!, w: shape[2]! };
  if (shape.length === 2) return { c: 1, h: shape[0]!, w: shape[1]! };
  const n = shape[0] ?? 1;
  return { c: 1, h: 1, w: n };
}

/** Put `rows` (each one sample, values mapped to [0, 1] by lo..hi) on a grid of `cols` columns, `zoom`× each. */
export function drawGrid(canvas: HTMLCanvasElement, rows: readonly Float32Array[], shape: readonly number[], cols: number, zoom = 2, range: [number, number] = [0, 1]): void {
  const { c, h, w } = imageDims(shape);
  if (rows.length === 0) {
    canvas.width = canvas.height = 0;
    return;
  }
  const cellH = h === 1 ? 16 : h;
  const nRows = Math.ceil(rows.length / cols);
  canvas.width = cols * (w + 1) * zoom;
  canvas.height = nRows * (cellH + 1) * zoom;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  const [lo, hi] = range;
  const span = hi - lo || 1;
  rows.forEach((x, k) => {
    const ox = (k % cols) * (w + 1) * zoom, oy = Math.floor(k / cols) * (cellH + 1) * zoom;
    for (let y = 0; y < cellH * zoom; y++) {
      for (let xx = 0; xx < w * zoom; xx++) {
        const py = h === 1 ? 0 : Math.floor(y / zoom), px = Math.floor(xx / zoom);
        const at = ((oy + y) * canvas.width + ox + xx) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const v = x[(c === 3 ? ch : 0) * h * w + py * w + px]!;
          img.data[at + ch] = Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)));
        }
        img.data[at + 3] = 255;
      }
    }
  });
  ctx.putImageData(img, 0, 0);
}

export function drawOne(canvas: HTMLCanvasElement, x: Float32Array, shape: readonly number[], range: [number, number] = [0, 1]): void {
  const { h, w } = imageDims(shape);
  drawGrid(canvas, [x], shape, 1, Math.max(1, Math.floor(112 / Math.max(h, w))), range);
}
