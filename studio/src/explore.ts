/**
 * The explore page: reconstructions, the 2-D latent scatter of the test samples (the first two
 * dimensions for a 2-D code, else a PCA projection, and it says which), hover to see a sample,
 * click to decode that point, interpolation between two samples, and for VAEs prior samples and
 * the latent manifold. It works through a Lens: the page's own copy of the model (built from its
 * files, which decodes one point in well under a frame) or a model `aekit serve` holds.
 */
import { ErrorHistogram } from './errors-hist.js';
import { drawGrid, drawOne } from './images.js';
import type { Lens } from './lens.js';
import type { Samples } from './protocol.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** Rows per encode/reconstruct call. */
const CHUNK = 500;

interface Projection { mean: Float64Array; axes: Float64Array[]; pca: boolean }

export class Explorer {
  private lens: Lens | null = null;
  private samples: Samples | null = null;
  private codes: Float32Array = new Float32Array(0);
  private points: Float64Array = new Float64Array(0);
  private proj: Projection | null = null;
  private view = { x0: 0, x1: 1, y0: 0, y1: 1 };
  private range: [number, number] = [0, 1];
  private hist = new ErrorHistogram($('error-hist'), $<HTMLInputElement>('threshold'), $('threshold-note'), (flagged) => {
    const rows = flagged.slice(0, 16).map((i) => this.row(i));
    drawGrid($<HTMLCanvasElement>('flagged'), rows, this.samples!.sampleShape, 16, 2, this.range);
  });

  constructor() {
    const sc = $<HTMLCanvasElement>('scatter');
    sc.addEventListener('mousemove', (e) => this.hover(e));
    sc.addEventListener('click', (e) => void this.click(e));
    sc.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') void this.decodeAt(0.5, 0.5);
    });
    $('btn-interp').addEventListener('click', () => void this.interpolate());
    $('btn-prior').addEventListener('click', () => void this.prior(Date.now() >>> 0));
  }

  /** Hold this model and these samples (cheap); `show` draws them. */
  use(lens: Lens, samples: Samples): void {
    this.lens = lens;
    this.samples = samples;
  }

  async show(lens: Lens, samples: Samples): Promise<void> {
    this.use(lens, samples);
    let lo = Infinity, hi = -Infinity;
    for (const v of samples.x) if (v < lo) lo = v; else if (v > hi) hi = v;
    this.range = lo >= 0 && hi <= 1 ? [0, 1] : [lo, hi];
    $('explore-empty').hidden = true;
    $('explore').hidden = false;
    await this.recon();
    this.codes = await this.chunked((x, n, l) => lens.encode(x, n, l), lens.latentDim);
    this.scatter();
    this.hist.show(await this.errorsPerSample());
    await this.interpolate();
    $('vae-part').hidden = !lens.generative;
    if (lens.generative) {
      await this.prior(1);
      await this.manifold();
    }
    $('explore').dataset.shown = lens.kind;
  }

  private row(i: number): Float32Array {
    const s = this.samples!, dim = s.x.length / s.n;
    return s.x.subarray(i * dim, (i + 1) * dim);
  }

  /** `f` over the samples in chunks of CHUNK rows, `width` outputs per row, concatenated. */
  private async chunked(f: (x: Float32Array, n: number, labels: Int32Array | null) => Promise<Float32Array>, width: number, upTo = this.samples!.n): Promise<Float32Array> {
    const s = this.samples!, dim = s.x.length / s.n, out = new Float32Array(upTo * width);
    for (let i = 0; i < upTo; i += CHUNK) {
      const k = Math.min(CHUNK, upTo - i);
      out.set(await f(s.x.subarray(i * dim, (i + k) * dim), k, s.labels ? s.labels.subarray(i, i + k) : null), i * width);
    }
    return out;
  }

  /** Reconstructions of the first n samples (same numbers as `aekit reconstruct`). */
  async reconstructions(n = 16): Promise<Float32Array[]> {
    const k = Math.min(n, this.samples!.n), dim = this.lens!.inputDim;
    const r = await this.chunked((x, m, l) => this.lens!.reconstruct(x, m, l), dim, k);
    return Array.from({ length: k }, (_, i) => r.slice(i * dim, (i + 1) * dim));
  }

  private async recon(): Promise<void> {
    const rec = await this.reconstructions();
    const inputs = rec.map((_, i) => this.row(i));
    drawGrid($<HTMLCanvasElement>('recon'), [...inputs, ...rec], this.samples!.sampleShape, rec.length, 2, this.range);
  }

  /** Mean squared reconstruction error of each sample. */
  async errorsPerSample(): Promise<Float64Array> {
    const s = this.samples!, dim = s.x.length / s.n, out = new Float64Array(s.n);
    const r = await this.chunked((x, n, l) => this.lens!.reconstruct(x, n, l), dim);
    for (let j = 0; j < s.n; j++) {
      let sum = 0;
      for (let f = 0; f < dim; f++) sum += (r[j * dim + f]! - s.x[j * dim + f]!) ** 2;
      out[j] = sum / dim;
    }
    return out;
  }

  private scatter(): void {
    const s = this.samples!, d = this.lens!.latentDim, z = this.codes;
    this.proj = d <= 2 ? identity(d) : pca(z, s.n, d);
    $('scatter-note').textContent = d === 1 ? '(1-D code: its value against the sample index)'
      : this.proj.pca ? `(${d}-D code projected on its first two principal components; ${s.n} test samples)` : `(dimensions 1 and 2 of the code; ${s.n} test samples)`;
    this.points = new Float64Array(s.n * 2);
    for (let i = 0; i < s.n; i++) {
      const [a, b] = d === 1 ? [z[i]!, i / s.n] : project(this.proj, z.subarray(i * d, (i + 1) * d));
      this.points[2 * i] = a;
      this.points[2 * i + 1] = b;
    }
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < s.n; i++) {
      x0 = Math.min(x0, this.points[2 * i]!); x1 = Math.max(x1, this.points[2 * i]!);
      y0 = Math.min(y0, this.points[2 * i + 1]!); y1 = Math.max(y1, this.points[2 * i + 1]!);
    }
    const px = (x1 - x0) * 0.05 || 1, py = (y1 - y0) * 0.05 || 1;
    this.view = { x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py };
    const cv = $<HTMLCanvasElement>('scatter'), ctx = cv.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, cv.width, cv.height);
    for (let i = 0; i < s.n; i++) {
      const [cx, cy] = this.toCanvas(this.points[2 * i]!, this.points[2 * i + 1]!);
      ctx.fillStyle = PALETTE[(s.labels?.[i] ?? 0) % 10]!;
      ctx.fillRect(cx - 1.5, cy - 1.5, 3, 3);
    }
    cv.dataset.points = String(s.n);
  }

  private toCanvas(a: number, b: number): [number, number] {
    const cv = $<HTMLCanvasElement>('scatter'), v = this.view;
    return [((a - v.x0) / (v.x1 - v.x0)) * cv.width, (1 - (b - v.y0) / (v.y1 - v.y0)) * cv.height];
  }

  private fractionOf(e: MouseEvent): [number, number] {
    const r = (e.target as HTMLCanvasElement).getBoundingClientRect();
    return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
  }

  private hover(e: MouseEvent): void {
    if (!this.samples || this.points.length !== 2 * this.samples.n) return;
    const cv = $<HTMLCanvasElement>('scatter');
    const [fx, fy] = this.fractionOf(e);
    let best = -1, bestD = 64;
    for (let i = 0; i < this.samples.n; i++) {
      const [cx, cy] = this.toCanvas(this.points[2 * i]!, this.points[2 * i + 1]!);
      const dd = (cx - fx * cv.width) ** 2 + (cy - fy * cv.height) ** 2;
      if (dd < bestD) [best, bestD] = [i, dd];
    }
    if (best < 0) return;
    const hov = $<HTMLCanvasElement>('hover-img');
    drawOne(hov, this.row(best), this.samples.sampleShape, this.range);
    hov.dataset.sample = String(best);
    hov.title = `sample ${best}${this.samples.labels ? `, label ${this.samples.labels[best]}` : ''}`;
  }

  private async click(e: MouseEvent): Promise<void> {
    const [fx, fy] = this.fractionOf(e);
    await this.decodeAt(fx, fy);
  }

  /** Decode the latent point under canvas fraction (fx, fy); other code dimensions at the samples' mean. */
  async decodeAt(fx: number, fy: number): Promise<void> {
    if (!this.lens || !this.proj) return;
    const v = this.view, d = this.lens.latentDim;
    const a = v.x0 + fx * (v.x1 - v.x0), b = v.y0 + (1 - fy) * (v.y1 - v.y0);
    const z = d === 1 ? Float32Array.of(a) : unproject(this.proj, a, b, d);
    const out = (await this.decode([z]))[0]!;
    drawOne($<HTMLCanvasElement>('decoded-img'), out, this.samples!.sampleShape, this.range);
    $('decoded-at').textContent = `z = (${Array.from(z.subarray(0, 4), (t) => t.toFixed(2)).join(', ')}${d > 4 ? ', …' : ''})`;
  }

  private async decode(zs: Float32Array[], label = 0): Promise<Float32Array[]> {
    const d = this.lens!.latentDim, z = new Float32Array(zs.length * d);
    zs.forEach((r, i) => z.set(r, i * d));
    const labels = this.lens!.conditioned ? new Int32Array(zs.length).fill(label) : null;
    const out = await this.lens!.decode(z, zs.length, labels);
    const w = out.length / zs.length;
    return zs.map((_, i) => out.slice(i * w, (i + 1) * w));
  }

  private async interpolate(): Promise<void> {
    if (!this.samples || !this.lens) return;
    const n = this.samples.n, clamp = (id: string) => Math.max(0, Math.min(n - 1, Number($<HTMLInputElement>(id).value) | 0));
    const ia = clamp('interp-a'), ib = clamp('interp-b');
    const z = this.codes, d = this.lens.latentDim;
    const za = z.subarray(ia * d, (ia + 1) * d), zb = z.subarray(ib * d, (ib + 1) * d);
    const steps = Array.from({ length: 10 }, (_, k) => Float32Array.from(za, (v, j) => v + ((zb[j]! - v) * k) / 9));
    const rows = [this.row(ia), ...(await this.decode(steps, this.samples.labels?.[ia] ?? 0)), this.row(ib)];
    drawGrid($<HTMLCanvasElement>('interp'), rows, this.samples.sampleShape, rows.length, 2, this.range);
  }

  private async prior(seed: number): Promise<void> {
    const lens = this.lens!;
    const labels = lens.conditioned ? Int32Array.from({ length: 20 }, (_, i) => i % 10) : null;
    const out = await lens.sample(20, seed, labels);
    const w = out.length / 20;
    const rows = Array.from({ length: 20 }, (_, i) => out.slice(i * w, (i + 1) * w));
    const cv = $<HTMLCanvasElement>('prior');
    drawGrid(cv, rows, this.samples!.sampleShape, 10, 2, this.range);
    cv.dataset.samples = String(rows.length);
  }

  /** A 10×10 grid over the first two code dimensions at normal quantiles 5%…95% (the others 0). */
  private async manifold(): Promise<void> {
    const d = this.lens!.latentDim, k = 10, zs: Float32Array[] = [];
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) {
        const z = new Float32Array(d);
        z[0] = probit(0.05 + (0.9 * c) / (k - 1));
        if (d > 1) z[1] = probit(0.95 - (0.9 * r) / (k - 1));
        zs.push(z);
      }
    }
    $('manifold-note').textContent = d > 2 ? `(dimensions 1 and 2 of ${d}, the others at 0)` : '(the whole 2-D code)';
    const cv = $<HTMLCanvasElement>('manifold');
    drawGrid(cv, await this.decode(zs), this.samples!.sampleShape, k, 2, this.range);
    cv.dataset.cells = String(zs.length);
  }
}

function identity(d: number): Projection {
  const axes = [0, 1].slice(0, d).map((i) => Float64Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  return { mean: new Float64Array(d), axes, pca: false };
}

/** Top two principal axes of z (n, d) by power iteration on the d×d covariance, the second deflated. */
export function pca(z: Float32Array, n: number, d: number): Projection {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += z[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = z[i * d + a]! - mean[a]!;
      for (let b = 0; b < d; b++) cov[a * d + b]! += (va * (z[i * d + b]! - mean[b]!)) / n;
    }
  }
  const axes: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from({ length: d }, (_, j) => 1 + j * 0.01);
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a]! += cov[a * d + b]! * v[b]!;
      for (const u of axes) {
        const dot = w.reduce((s, x, j) => s + x * u[j]!, 0);
        for (let j = 0; j < d; j++) w[j]! -= dot * u[j]!;
      }
      const norm = Math.hypot(...w) || 1;
      v = w.map((x) => x / norm);
    }
    axes.push(v);
  }
  return { mean, axes, pca: true };
}

function project(p: Projection, z: Float32Array): [number, number] {
  const dot = (u: Float64Array) => u.reduce((s, x, j) => s + x * (z[j]! - p.mean[j]!), 0);
  return [dot(p.axes[0]!), dot(p.axes[1]!)];
}

function unproject(p: Projection, a: number, b: number, d: number): Float32Array {
  return Float32Array.from({ length: d }, (_, j) => p.mean[j]! + a * p.axes[0]![j]! + b * p.axes[1]![j]!);
}

/** The standard normal's quantile function (Acklam's rational approximation, relative error < 1.2e-9). */
function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const dd = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((dd[0]! * q + dd[1]!) * q + dd[2]!) * q + dd[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5, r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
