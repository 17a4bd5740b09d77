/**
 * Layer specifications for convolutional bodies: a compact text form that reads the same on the
 * command line and in config.json, e.g. `conv(32,3,relu,same)`, `maxpool(2)`, `convt(32,3,s2,relu,same)`,
 * `up(2,bilinear)`, `flatten`, `dense(16,relu)`, `reshape(64,7,7)`, `bn`, `dropout(0.25)`.
 * Shapes are per sample: images [C, H, W] (PyTorch's order), vectors [F]. Shape inference runs
 * before any weight exists, so a stack that does not fit its input fails while the config is read.
 */
import { ACTIVATIONS, convTransposeGeometry, makeWindow, windowOutputSize, type ActivationName, type Pair, type Padding } from '../core/index.js';

export type LayerSpec =
  | { type: 'conv'; filters: number; kernel: Pair; stride: Pair; dilation: Pair; padding: Padding; activation: ActivationName }
  | { type: 'convt'; filters: number; kernel: Pair; stride: Pair; dilation: Pair; padding: 'valid' | 'same' | number; outputPadding: Pair; activation: ActivationName }
  | { type: 'maxpool' | 'avgpool'; kernel: Pair; stride: Pair; padding: Padding }
  | { type: 'up'; factor: Pair; mode: 'nearest' | 'bilinear' }
  | { type: 'dense'; units: number; activation: ActivationName }
  | { type: 'flatten' }
  | { type: 'reshape'; shape: [number, number, number] }
  | { type: 'bn' }
  | { type: 'dropout'; rate: number };

export const LAYER_SYNTAX = `conv(FILTERS,KERNEL[,sN][,dN][,pN|same|valid][,ACT]), convt(FILTERS,KERNEL[,sN][,dN][,pN|same|valid][,opN][,ACT]), maxpool(K[,sN][,same]), avgpool(K[,sN][,pN|same]), up(F[,nearest|bilinear]), dense(UNITS[,ACT]), flatten, reshape(C,H,W), bn, dropout(P); N may be AxB`;

/** An integer N or a pair AxB; sizes (kernel, stride, dilation, factor) must be ≥ 1, paddings ≥ 0. */
function pairOf(text: string, what: string, min = 1): Pair {
  const parts = text.split('x').map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length > 2 || !parts.every((v) => Number.isInteger(v) && v >= min)) throw new Error(`${what} '${text}' is not ${min === 0 ? 'a non-negative' : 'a positive'} integer or AxB`);
  return parts.length === 1 ? [parts[0]!, parts[0]!] : [parts[0]!, parts[1]!];
}

function positive(text: string | undefined, what: string): number {
  const v = Number(text);
  if (text === undefined || !Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got '${text ?? ''}'`);
  return v;
}

/** Parse one layer, e.g. `conv(32,3,s2,relu,same)`. */
export function parseLayer(text: string): LayerSpec {
  const m = /^\s*([a-z]+)\s*(?:\((.*)\))?\s*$/i.exec(text);
  if (!m) throw new Error(`cannot read layer '${text}' (expected NAME or NAME(ARGS): ${LAYER_SYNTAX})`);
  const type = m[1]!.toLowerCase();
  const args = m[2] === undefined ? [] : m[2].split(',').map((a) => a.trim()).filter((a) => a !== '');
  const numbers = (n: number): string[] => args.slice(0, n);
  const options = (from: number, allowed: readonly string[]): Map<string, string> => {
    const out = new Map<string, string>();
    for (const a of args.slice(from)) {
      const key = ACTIVATIONS.includes(a as ActivationName) ? 'act' : a === 'same' || a === 'valid' ? 'pad' : a === 'nearest' || a === 'bilinear' ? 'mode' : /^op\d/.test(a) ? 'op' : /^[sdp]\d/.test(a) ? a[0]! : '?';
      if (!allowed.includes(key)) throw new Error(`layer '${text}': '${a}' is not an option of ${type} (${LAYER_SYNTAX})`);
      out.set(key, key === 'op' ? a.slice(2) : key === 's' || key === 'd' || key === 'p' ? a.slice(1) : a);
    }
    return out;
  };
  const padding = (o: Map<string, string>, dflt: Padding): Padding => {
    const p = o.get('pad') ?? o.get('p');
    if (p === undefined) return dflt;
    if (p === 'same' || p === 'valid') return p;
    const [a, b] = pairOf(p, 'padding', 0);
    return [a, a, b, b];
  };
  const activation = (o: Map<string, string>): ActivationName => (o.get('act') ?? 'linear') as ActivationName;
  const noArgs = (): void => {
    if (args.length) throw new Error(`layer '${text}': ${type} takes no arguments`);
  };
  switch (type) {
    case 'conv':
    case 'convt': {
      const [f, k] = numbers(2);
      const filters = positive(f, `layer '${text}': the number of filters`);
      const kernel = pairOf(k ?? '', `layer '${text}': kernel size`);
      const o = options(2, type === 'conv' ? ['act', 'pad', 's', 'd', 'p'] : ['act', 'pad', 's', 'd', 'p', 'op']);
      const stride = pairOf(o.get('s') ?? '1', 'stride');
      const dilation = pairOf(o.get('d') ?? '1', 'dilation');
      if (type === 'conv') return { type, filters, kernel, stride, dilation, padding: padding(o, 'valid'), activation: activation(o) };
      const p = padding(o, 'valid');
      if (Array.isArray(p) && (p[0] !== p[2] || p[0] !== p[1])) throw new Error(`layer '${text}': convt takes one padding for every side`);
      return { type, filters, kernel, stride, dilation, padding: Array.isArray(p) ? p[0]! : (p as 'same' | 'valid'), outputPadding: pairOf(o.get('op') ?? '0', 'output padding', 0), activation: activation(o) };
    }
    case 'maxpool':
    case 'avgpool': {
      const kernel = pairOf(numbers(1)[0] ?? '', `layer '${text}': pool size`);
      const o = options(1, ['pad', 's', 'p']);
      return { type, kernel, stride: o.has('s') ? pairOf(o.get('s')!, 'stride') : kernel, padding: padding(o, 'valid') };
    }
    case 'up': {
      const factor = pairOf(numbers(1)[0] ?? '', `layer '${text}': upsampling factor`);
      const o = options(1, ['mode']);
      return { type, factor, mode: (o.get('mode') ?? 'nearest') as 'nearest' | 'bilinear' };
    }
    case 'dense': {
      const units = positive(numbers(1)[0], `layer '${text}': the number of units`);
      return { type, units, activation: activation(options(1, ['act'])) };
    }
    case 'flatten':
    case 'bn':
      noArgs();
      return { type };
    case 'reshape': {
      if (args.length !== 3) throw new Error(`layer '${text}': reshape takes C,H,W`);
      return { type, shape: args.map((a) => positive(a, `layer '${text}': a dimension`)) as [number, number, number] };
    }
    case 'dropout': {
      const rate = Number(args[0]);
      if (args.length !== 1 || !(rate >= 0 && rate < 1)) throw new Error(`layer '${text}': dropout takes one probability in [0, 1)`);
      return { type, rate };
    }
    default:
      throw new Error(`unknown layer type '${type}' in '${text}' (known: ${LAYER_SYNTAX})`);
  }
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The per-sample output shape of one layer, or an Error saying why it does not fit. */
export function layerOutputShape(spec: LayerSpec, input: readonly number[]): number[] {
  const image = (): [number, number, number] => {
    if (input.length !== 3) throw new Error(`${spec.type} needs an image [C, H, W], got ${fmt(input)} (reshape first)`);
    return input as unknown as [number, number, number];
  };
  switch (spec.type) {
    case 'conv': {
      const [, h, w] = image();
      const [ho, wo] = windowOutputSize(makeWindow(spec, [h, w]), [h, w]);
      return [spec.filters, ho, wo];
    }
    case 'convt': {
      const [, h, w] = image();
      return [spec.filters, ...convTransposeGeometry([h, w], spec.kernel, spec).size];
    }
    case 'maxpool':
    case 'avgpool': {
      const [c, h, w] = image();
      return [c, ...windowOutputSize(makeWindow(spec, [h, w]), [h, w])];
    }
    case 'up': {
      const [c, h, w] = image();
      return [c, h * spec.factor[0], w * spec.factor[1]];
    }
    case 'dense':
      if (input.length !== 1) throw new Error(`dense needs a vector, got ${fmt(input)} (flatten first)`);
      return [spec.units];
    case 'flatten':
      return [input.reduce((a, b) => a * b, 1)];
    case 'reshape': {
      const size = input.reduce((a, b) => a * b, 1);
      const want = spec.shape[0] * spec.shape[1] * spec.shape[2];
      if (size !== want) throw new Error(`reshape to ${fmt(spec.shape)} needs ${want} values, the input ${fmt(input)} has ${size}`);
      return [...spec.shape];
    }
    case 'bn':
    case 'dropout':
      return [...input];
  }
}

/** Every layer's output shape from `input`; errors name the list (`where`) and the item. */
export function inferShapes(where: string, specs: readonly string[], input: readonly number[]): number[][] {
  const shapes: number[][] = [];
  let shape = [...input];
  specs.forEach((text, i) => {
    try {
      shape = layerOutputShape(parseLayer(text), shape);
    } catch (err) {
      throw new Error(`${where}[${i}] '${text}': ${(err as Error).message}`);
    }
    shapes.push(shape);
  });
  return shapes;
}

/** Trainable values of a stack from `input`, to refuse absurd configs before allocating. */
export function countParameters(specs: readonly string[], input: readonly number[]): number {
  let shape = [...input];
  let n = 0;
  for (const text of specs) {
    const spec = parseLayer(text);
    const next = layerOutputShape(spec, shape);
    if (spec.type === 'conv' || spec.type === 'convt') n += spec.kernel[0] * spec.kernel[1] * shape[0]! * spec.filters + spec.filters;
    else if (spec.type === 'dense') n += shape[0]! * spec.units + spec.units;
    else if (spec.type === 'bn') n += 2 * shape[0]!;
    shape = next;
  }
  return n;
}
