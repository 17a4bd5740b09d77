/**
 * The architecture diagram, drawn from the model a config builds (its layer summary): the classic
 * autoencoder figure, one bar per layer whose height grows with the layer's output size, encoder
 * narrowing to the bottleneck (the latent code) and the decoder widening back, with sizes and
 * activations written under each bar.
 */
export interface LayerRow { name: string; layer: string }

interface Column { part: 'input' | 'encoder' | 'bottleneck' | 'decoder'; size: number; title: string; detail: string }

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = { input: '#8a8a8a', encoder: '#3b6fb6', bottleneck: '#d9822b', decoder: '#3d9a5b' };

/** Output size of a summary row: 'Dense(784→256, relu)' → 256; 'conv(…) → [16×14×14]' → 3136. */
function outSize(layer: string): number {
  const shape = /→ \[([\d×]+)\]/.exec(layer);
  if (shape) return shape[1]!.split('×').reduce((a, b) => a * Number(b), 1);
  const dense = /→(\d+)/.exec(layer);
  return dense ? Number(dense[1]) : 1;
}

function activation(layer: string): string {
  const m = /,\s*([a-zA-Z]+)\)/.exec(layer) ?? /,([a-zA-Z]+)[,)]/.exec(layer);
  return m ? m[1]! : '';
}

export function columns(rows: readonly LayerRow[], inputDim: number, latentDim: number): Column[] {
  const cols: Column[] = [{ part: 'input', size: inputDim, title: `input ${inputDim}`, detail: '' }];
  const enc = rows.filter((r) => r.name.startsWith('encoder.'));
  const dec = rows.filter((r) => r.name.startsWith('decoder.'));
  const heads = rows.filter((r) => !r.name.startsWith('encoder.') && !r.name.startsWith('decoder.'));
  enc.forEach((r, i) => {
    const last = i === enc.length - 1 && heads.length === 0 && outSize(r.layer) === latentDim;
    cols.push({ part: last ? 'bottleneck' : 'encoder', size: outSize(r.layer), title: last ? `code ${latentDim}` : String(outSize(r.layer)), detail: activation(r.layer) });
  });
  if (heads.length) cols.push({ part: 'bottleneck', size: latentDim, title: `code ${latentDim}`, detail: heads.map((h) => h.name).join(' + ') });
  for (const r of dec) cols.push({ part: 'decoder', size: outSize(r.layer), title: String(outSize(r.layer)), detail: activation(r.layer) });
  return cols;
}

export function drawDiagram(host: HTMLElement, rows: readonly LayerRow[], inputDim: number, latentDim: number, caption: string): void {
  const cols = columns(rows, inputDim, latentDim);
  const W = Math.max(360, cols.length * 70 + 40), H = 300, top = 30, maxH = 190;
  const scale = (n: number) => 16 + (maxH - 16) * Math.sqrt(n / Math.max(...cols.map((c) => c.size)));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `architecture: ${cols.map((c) => `${c.part} ${c.title}`).join(', ')}`);
  const step = (W - 40) / cols.length;
  const el = (name: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
  };
  cols.forEach((c, i) => {
    const x = 20 + i * step + step / 2, h = scale(c.size), y = top + (maxH - h) / 2;
    if (i > 0) {
      const p = cols[i - 1]!, ph = scale(p.size), px = x - step + 12;
      el('polygon', { points: `${px},${top + (maxH - ph) / 2} ${x - 12},${y} ${x - 12},${y + h} ${px},${top + (maxH + ph) / 2}`, fill: COLOURS[c.part], opacity: 0.15 });
    }
    el('rect', { x: x - 12, y, width: 24, height: h, rx: 3, fill: COLOURS[c.part], class: `layer ${c.part}` });
    el('text', { x, y: top + maxH + 22, 'text-anchor': 'middle', 'font-size': 12 }, c.title);
    el('text', { x, y: top + maxH + 38, 'text-anchor': 'middle', 'font-size': 10, fill: '#555' }, c.detail);
  });
  el('text', { x: 20, y: 18, 'font-size': 12, fill: COLOURS.encoder }, 'encoder →');
  el('text', { x: W / 2, y: 18, 'font-size': 12, 'text-anchor': 'middle', fill: COLOURS.bottleneck }, 'bottleneck');
  el('text', { x: W - 20, y: 18, 'font-size': 12, 'text-anchor': 'end', fill: COLOURS.decoder }, '→ decoder');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  host.replaceChildren(svg, cap);
}
