/**
 * The reconstruction-error histogram of the explored samples (uPlot bars) with a threshold the user
 * drags on the chart or sets with a slider (keyboard): samples above it are flagged, as an
 * anomaly detector scoring by reconstruction error would flag them, and the worst are shown.
 */
import uPlot from 'uplot';

const BINS = 40;

export class ErrorHistogram {
  private plot: uPlot | null = null;
  private errors: Float64Array = new Float64Array(0);
  private threshold = 0;

  constructor(private host: HTMLElement, private slider: HTMLInputElement, private note: HTMLElement, private onFlag: (flagged: number[]) => void) {
    slider.addEventListener('input', () => this.setThreshold(Number(slider.value)));
  }

  show(errors: Float64Array): void {
    this.errors = errors;
    let lo = Infinity, hi = -Infinity;
    for (const e of errors) [lo, hi] = [Math.min(lo, e), Math.max(hi, e)];
    const width = (hi - lo) / BINS || 1;
    const xs = Array.from({ length: BINS }, (_, i) => lo + (i + 0.5) * width);
    const counts = new Array<number>(BINS).fill(0);
    for (const e of errors) counts[Math.min(BINS - 1, Math.floor((e - lo) / width))]!++;
    this.plot?.destroy();
    this.plot = new uPlot({
      title: 'reconstruction error per sample (mean squared error; drag to set the threshold)',
      width: Math.max(260, Math.min(640, this.host.clientWidth - 8)), height: 200,
      scales: { x: { time: false } }, axes: [{ label: 'error' }, { label: 'samples' }],
      series: [{ label: 'error' }, { label: 'samples', fill: '#3b6fb655', stroke: '#3b6fb6', paths: uPlot.paths.bars!({ size: [0.95, 100] }) }],
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [(u) => this.drawLine(u)] },
    }, [xs, counts], this.host);
    const over = this.plot.over;
    const drag = (e: MouseEvent) => {
      if (e.buttons !== 1 && e.type !== 'mousedown') return;
      this.setThreshold(this.plot!.posToVal(e.offsetX, 'x'));
    };
    over.addEventListener('mousedown', drag);
    over.addEventListener('mousemove', drag);
    const step = (hi - lo) / 200 || 1e-6;
    // One step past the largest error, so the slider's end flags none.
    Object.assign(this.slider, { min: String(lo), max: String(lo + 201 * step), step: String(step) });
    this.setThreshold(quantile(errors, 0.95));
  }

  setThreshold(t: number): void {
    this.threshold = t;
    this.slider.value = String(t);
    const flagged = [...this.errors.keys()].filter((i) => this.errors[i]! > t).sort((a, b) => this.errors[b]! - this.errors[a]!);
    this.note.textContent = `threshold ${t.toPrecision(3)}: ${flagged.length} of ${this.errors.length} samples above it`;
    this.host.dataset.flagged = String(flagged.length);
    this.plot?.redraw(false);
    this.onFlag(flagged);
  }

  private drawLine(u: uPlot): void {
    const x = u.valToPos(this.threshold, 'x', true);
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#c0392b';
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }
}

function quantile(v: Float64Array, q: number): number {
  const s = Float64Array.from(v).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}
