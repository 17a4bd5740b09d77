/**
 * A body built from layer specifications (layer-spec.ts): convolutions, transposed convolutions,
 * pooling, upsampling, dense layers, batch norm, dropout, flatten and reshape. Inside the stack
 * images are NHWC (B, H, W, C), the layout the CPU kernels want; `toImages`/`fromImages` convert
 * at the model's edges from and to the (B, C, H, W) batches of the model contract, and flatten and
 * reshape use C, H, W order, so flattened features mean what they mean in PyTorch.
 * Weights: convolution (Cout, kh, kw, Cin), transposed convolution (Cin, kh, kw, Cout), dense (out, in).
 */
import {
  avgPool2d, conv2d, convTranspose2d, dense, full, maxPool2d, reshape, transpose, upsampleBilinear, upsampleNearest,
  type Rng, type Tensor,
} from '../core/index.js';
import { BatchNorm1d } from './batch-norm.js';
import { Dropout } from './dropout.js';
import { defaultInitFor, initTensor, type InitName } from './init.js';
import { inferShapes, parseLayer, type LayerSpec } from './layer-spec.js';
import { Module, ModuleList } from './module.js';

/** (B, C, H, W) → (B, H, W, C); a copy-free view when C = 1. */
export function toImages(x: Tensor): Tensor {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  return c === 1 ? reshape(x, [b, h, w, 1]) : transpose(x, [0, 2, 3, 1]);
}

/** (B, H, W, C) → (B, C, H, W); a copy-free view when C = 1. */
export function fromImages(x: Tensor): Tensor {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  return c === 1 ? reshape(x, [b, 1, h, w]) : transpose(x, [0, 3, 1, 2]);
}

/** One layer of a stack: maps the stack's internal layout (NHWC images, (B, F) vectors) forward. */
abstract class Layer extends Module {
  /** The specification the layer was built from, e.g. `conv(32,3,relu,same)`, shown by `aekit info`. */
  text = '';
  abstract forward(x: Tensor, rng?: Rng): Tensor;
  override describe(): string {
    return this.text;
  }
}

class WeightedLayer extends Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    private readonly spec: Extract<LayerSpec, { type: 'conv' | 'convt' | 'dense' }>,
    inShape: readonly number[],
    init: InitName | undefined,
    rng: Rng,
  ) {
    super();
    const kind = init ?? defaultInitFor(spec.activation);
    const cin = inShape[0]!;
    if (spec.type === 'dense') {
      this.weight = this.addParameter('weight', initTensor(kind, [spec.units, cin], cin, spec.units, rng));
      this.bias = this.addParameter('bias', bias(kind, spec.units, cin, rng));
      return;
    }
    const area = spec.kernel[0] * spec.kernel[1];
    const cout = spec.filters;
    const shape = spec.type === 'conv' ? [cout, ...spec.kernel, cin] : [cin, ...spec.kernel, cout];
    // Fans as PyTorch and Keras count them: the kernel area times the channels on each side.
    const [fanIn, fanOut] = spec.type === 'conv' ? [area * cin, area * cout] : [area * cout, area * cin];
    this.weight = this.addParameter('weight', initTensor(kind, shape, fanIn, fanOut, rng));
    this.bias = this.addParameter('bias', bias(kind, cout, fanIn, rng));
  }

  forward(x: Tensor): Tensor {
    const s = this.spec;
    if (s.type === 'dense') return dense(x, this.weight, this.bias, s.activation);
    if (s.type === 'conv') return conv2d(x, this.weight, this.bias, s, s.activation);
    return convTranspose2d(x, this.weight, this.bias, s, s.activation);
  }
}

function bias(kind: InitName, n: number, fanIn: number, rng: Rng): Tensor {
  return kind === 'torch' ? initTensor('torch', [n], fanIn, n, rng) : full([n], 0);
}

class ShapeLayer extends Layer {
  constructor(
    private readonly spec: Extract<LayerSpec, { type: 'maxpool' | 'avgpool' | 'up' | 'flatten' | 'reshape' }>,
    private readonly inShape: readonly number[],
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const s = this.spec;
    const b = x.shape[0]!;
    switch (s.type) {
      case 'maxpool': return maxPool2d(x, s);
      case 'avgpool': return avgPool2d(x, s);
      case 'up': return s.mode === 'nearest' ? upsampleNearest(x, s.factor) : upsampleBilinear(x, s.factor);
      case 'flatten': return this.inShape.length === 3 ? reshape(fromImages(x), [b, -1]) : reshape(x, [b, -1]);
      case 'reshape': return toImages(reshape(x, [b, ...s.shape]));
    }
  }
}

/** Batch norm over the channels of an image (every pixel a sample) or the features of a vector. */
class NormLayer extends Layer {
  readonly norm: BatchNorm1d;
  constructor(features: number) {
    super();
    this.norm = this.addModule('norm', new BatchNorm1d({ features }));
  }
  forward(x: Tensor): Tensor {
    const f = x.shape.at(-1)!;
    return reshape(this.norm.forward(reshape(x, [-1, f])), x.shape);
  }
}

class DropoutLayer extends Layer {
  readonly drop: Dropout;
  constructor(rate: number) {
    super();
    this.drop = this.addModule('dropout', new Dropout(rate));
  }
  forward(x: Tensor, rng?: Rng): Tensor {
    return this.drop.forward(x, rng);
  }
}

export class Stack extends Module {
  readonly layers: ModuleList<Layer>;
  /** Per-sample output shape: [C, H, W] or [F]. */
  readonly outShape: readonly number[];

  /** `where` names the config field in errors (e.g. `model.decoder`). */
  constructor(where: string, specs: readonly string[], readonly inShape: readonly number[], rng: Rng, init?: InitName) {
    super();
    const shapes = inferShapes(where, specs, inShape);
    const layers = specs.map((text, i): Layer => {
      const spec = parseLayer(text);
      const input = i === 0 ? inShape : shapes[i - 1]!;
      const layer = ((): Layer => {
        switch (spec.type) {
          case 'conv': case 'convt': case 'dense': return new WeightedLayer(spec, input, init, rng);
          case 'bn': return new NormLayer(input[0]!);
          case 'dropout': return new DropoutLayer(spec.rate);
          default: return new ShapeLayer(spec, input);
        }
      })();
      layer.text = `${text.trim()} → [${shapes[i]!.join('×')}]`;
      return layer;
    });
    this.layers = this.addModule('layers', new ModuleList(layers));
    this.outShape = shapes.at(-1) ?? inShape;
  }

  /** x in the internal layout ((B, H, W, C) images, (B, F) vectors) → the same for the output. */
  forward(x: Tensor, rng?: Rng): Tensor {
    let h = x;
    for (const layer of this.layers.items) h = layer.forward(h, rng);
    return h;
  }
}
