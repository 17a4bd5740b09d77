/**
 * Live training curves with uPlot (see docs/design.md): the loss of every step, and per epoch every
 * loss term of the training split with its validation twin. Both charts are built when the page
 * loads (a first uPlot costs tens of ms of layout and compilation, which would otherwise land on
 * the page while it trains) and rebuilt only when the set of series changes; new points go in with
 * setData, which uPlot redraws in well under a millisecond.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainEvent } from '../../dist/src/train/events.js';

const COLOURS = ['#3b6fb6', '#d9822b', '#3d9a5b', '#b63b6f', '#6f3bb6', '#8a8a3b'];
const colour = (i: number): string => COLOURS[i % COLOURS.length]!;

export class Curves {
  private steps: [number[], number[]] = [[], []];
  private epochs: number[] = [];
  private series = new Map<string, (number | null)[]>();
  private stepPlot: uPlot | null = null;
  private epochPlot: uPlot | null = null;
  private epochKeys = '';

  constructor(private stepHost: HTMLElement, private epochHost: HTMLElement) {
    new ResizeObserver(() => this.resize()).observe(stepHost);
    this.reset();
  }

  /** Empty both charts; the epoch chart starts with the series every run has (training and validation loss). */
  reset(): void {
    this.steps = [[], []];
    this.epochs = [];
    this.series = new Map([['train loss', []], ['val loss', []]]);
    this.drawSteps();
    this.drawEpochs();
  }

  /** Points drawn so far: step losses and epoch rows (for tests and the status line). */
  get counts(): { steps: number; epochs: number } {
    return { steps: this.steps[0].length, epochs: this.epochs.length };
  }

  add(events: readonly TrainEvent[]): void {
    let stepsChanged = false, epochsChanged = false;
    for (const e of events) {
      if (e.type === 'step') {
        this.steps[0].push(e.step);
        this.steps[1].push(e.loss);
        stepsChanged = true;
      } else if (e.type === 'epoch_end') {
        this.epochs.push(e.epoch + 1);
        const row: Record<string, number | null> = { 'train loss': e.trainLoss, 'val loss': e.valLoss };
        const terms = Object.keys(e.terms);
        if (terms.length > 1) for (const t of terms) Object.assign(row, { [`train ${t}`]: e.terms[t] ?? null, [`val ${t}`]: e.valTerms?.[t] ?? null });
        for (const [k, v] of Object.entries(row)) {
          if (!this.series.has(k)) this.series.set(k, new Array<number | null>(this.epochs.length - 1).fill(null));
        }
        for (const [k, col] of this.series) col.push(row[k] ?? null);
        epochsChanged = true;
      }
    }
    if (stepsChanged) this.drawSteps();
    if (epochsChanged) this.drawEpochs();
  }

  private width(): number {
    return Math.max(260, this.stepHost.clientWidth - 8);
  }

  private drawSteps(): void {
    if (!this.stepPlot) {
      this.stepPlot = new uPlot({
        title: 'training loss per step', width: this.width(), height: 220,
        scales: { x: { time: false } }, axes: [{ label: 'step' }, { label: 'loss' }],
        series: [{ label: 'step' }, { label: 'loss', stroke: colour(0), width: 1 }],
      }, this.steps, this.stepHost);
    } else this.stepPlot.setData(this.steps);
  }

  private drawEpochs(): void {
    const keys = [...this.series.keys()].join('|');
    const data = [this.epochs, ...this.series.values()] as uPlot.AlignedData;
    if (this.epochPlot && keys === this.epochKeys) {
      this.epochPlot.setData(data);
      return;
    }
    this.epochPlot?.destroy();
    this.epochKeys = keys;
    this.epochPlot = new uPlot({
      title: 'loss terms per epoch (dashed: validation)', width: this.width(), height: 220,
      scales: { x: { time: false } }, axes: [{ label: 'epoch' }, { label: 'loss' }],
      series: [{ label: 'epoch' }, ...[...this.series.keys()].map((k, i) => ({
        label: k, stroke: colour(Math.floor(i / 2)), width: 2, dash: k.startsWith('val') ? [6, 4] : [], points: { show: true },
      }))],
    }, data, this.epochHost);
  }

  private resize(): void {
    const size = { width: this.width(), height: 220 };
    this.stepPlot?.setSize(size);
    this.epochPlot?.setSize(size);
  }
}
