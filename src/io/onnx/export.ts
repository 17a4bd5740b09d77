/**
 * A trained autoencoder as an ONNX inference graph (opset 17) that ONNX Runtime runs: the encoder
 * (x → z, or x → μ and log σ² for a Gaussian encoder), the decoder (z → x̂) or both (x → x̂), in
 * evaluation mode (batch norm with its running statistics, dropout and noise off), with the model's
 * normalisation inside, so the graph takes and gives data in its original units as `aekit encode`
 * and `decode` do. The batch axis is symbolic ('batch').
 *
 * The graph is built from the model's config and its weights by their state_dict names (the file
 * format's contract), reading declared properties (`latentKind`, `conditioning`, a layer-list
 * body) rather than variant names. aekit computes images as NHWC inside; ONNX's operators are NCHW,
 * which is the contract's (B, C, H, W), so kernels are permuted: convolution (Cout, kh, kw, Cin) →
 * (Cout, Cin, kh, kw), transposed (Cin, kh, kw, Cout) → (Cin, Cout, kh, kw).
 */
import { convTransposeGeometry, makeWindow, type ActivationName, type Tensor } from '../../core/index.js';
import type { Normalizer } from '../../data/normalize.js';
import { inferShapes, parseLayer } from '../../nn/layer-spec.js';
import type { Autoencoder, ModelConfigBase } from '../../models/index.js';
import { GraphBuilder } from './graph.js';
import { DataType, encodeModel, type ValueInfo } from './proto.js';

export type OnnxPart = 'encoder' | 'decoder' | 'full';
export const ONNX_PARTS: readonly OnnxPart[] = ['encoder', 'decoder', 'full'];
export const ONNX_OPSET = 17;

/** The config fields the inference graph reads; each variant has a subset. */
type InferenceConfig = ModelConfigBase & Partial<{
  hidden: number[];
  activation: ActivationName;
  latentActivation: ActivationName;
  outputActivation: ActivationName;
  loss: string;
  tiedWeights: boolean;
  batchNorm: boolean;
  likelihood: 'bernoulli' | 'gaussian';
  body: 'dense' | 'conv';
  imageShape: number[];
  encoder: string[];
  decoder: string[];
}>;

export interface OnnxExportOptions {
  model: Autoencoder;
  sampleShape: readonly number[];
  normalizer: Normalizer | null;
  part: OnnxPart;
  producerVersion?: string;
}

/** The names of an exported graph's inputs and outputs. */
export function onnxSignature(model: Autoencoder, part: OnnxPart): { inputs: string[]; outputs: string[] } {
  const label = model.conditioning ? ['label'] : [];
  const code = model.latentKind === 'gaussian' ? ['mu', 'log_var'] : ['z'];
  if (part === 'encoder') return { inputs: ['x', ...label], outputs: code };
  if (part === 'decoder') return { inputs: ['z', ...label], outputs: ['x_hat'] };
  return { inputs: ['x', ...label], outputs: ['x_hat'] };
}

/** The .onnx file's bytes. */
export function exportOnnx(o: OnnxExportOptions): Uint8Array {
  const b = new OnnxModelBuilder(o.model, o.normalizer);
  const c = o.model.config;
  const batch = 'batch';
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const label = o.model.conditioning ? 'label' : null;
  const out = (name: string, value: string, width: number) => {
    b.g.rename(value, name);
    outputs.push({ name, dataType: DataType.FLOAT, shape: [batch, width] });
  };
  if (o.part === 'decoder') {
    b.g.fresh('z');
    inputs.push({ name: 'z', dataType: DataType.FLOAT, shape: [batch, c.latentDim] });
  } else {
    b.g.fresh('x');
    inputs.push({ name: 'x', dataType: DataType.FLOAT, shape: [batch, ...o.sampleShape] });
  }
  if (label) {
    b.g.fresh(label);
    inputs.push({ name: label, dataType: DataType.INT64, shape: [batch] });
  }
  if (o.part === 'decoder') out('x_hat', b.decoder('z', label), c.inputDim);
  else {
    const code = b.encoder('x', o.sampleShape, label);
    if (o.part === 'encoder') {
      if (code.logVar) {
        out('mu', code.mu, c.latentDim);
        out('log_var', code.logVar, c.latentDim);
      } else out('z', code.mu, c.latentDim);
    } else out('x_hat', b.decoder(code.mu, label), c.inputDim);
  }
  return encodeModel({
    graph: { name: `aekit_${c.kind}_${o.part}`, nodes: b.g.nodes, initializers: b.g.initializers, inputs, outputs },
    opset: ONNX_OPSET,
    producerName: 'aekit',
    producerVersion: o.producerVersion ?? '',
    docString: `aekit ${c.kind} autoencoder, ${o.part}`,
  });
}

/** Emits the model's layers into a graph; weights come from `namedState` by name. */
class OnnxModelBuilder {
  readonly g = new GraphBuilder();
  private readonly state: Map<string, Tensor>;
  private readonly c: InferenceConfig;
  /** Initialisers already holding a model tensor (a tied decoder shares the encoder's weights). */
  private readonly emitted = new Map<string, string>();

  constructor(private readonly model: Autoencoder, private readonly normalizer: Normalizer | null) {
    this.state = new Map(model.namedState());
    this.c = model.config as InferenceConfig;
  }

  private tensor(name: string): Tensor {
    const t = this.state.get(name);
    if (!t) throw new Error(`ONNX export: the model has no tensor '${name}'`);
    return t;
  }

  /** An initialiser holding the model's tensor `name`, optionally with its axes permuted. */
  private weight(name: string, perm?: readonly number[]): string {
    const t = this.tensor(name);
    if (!perm) {
      const known = this.emitted.get(name);
      if (known) return known;
      const n = this.g.float(name, t.shape, Float32Array.from(t.data));
      this.emitted.set(name, n);
      return n;
    }
    const { shape, data } = permute(Float32Array.from(t.data), t.shape, perm);
    return this.g.float(name, shape, data);
  }

  private get hasStack(): boolean {
    return Array.isArray(this.c.encoder) && Array.isArray(this.c.decoder) && Array.isArray(this.c.imageShape) && this.c.body !== 'dense';
  }

  /** x (B, …sampleShape) in data units → the code (μ and log σ² for a Gaussian encoder). */
  encoder(x: string, sampleShape: readonly number[], label: string | null): { mu: string; logVar: string | null } {
    const c = this.c;
    let h = x;
    const n = this.normalizer;
    if (n && n.kind !== 'none') {
      // y = (x − offset)·scale, per feature, in the sample's shape
      h = this.g.op('Mul', [this.g.op('Sub', [h, this.g.float('normalizer.offset', sampleShape, n.offset)]), this.g.float('normalizer.scale', sampleShape, n.scale)], {}, 'normalized');
    }
    const gaussian = this.model.latentKind === 'gaussian';
    if (this.hasStack) {
      const shape = c.imageShape!;
      h = this.g.op('Reshape', [h, this.g.int64('image_shape', [-1, ...shape])]); // (B, C, H, W)
      h = this.stack('encoder', c.encoder!, shape, h);
      h = this.g.op('Flatten', [h], { axis: 1 }); // C, H, W order, as aekit flattens
    } else {
      h = this.g.op('Flatten', [h], { axis: 1 }); // (B, inputDim)
      const hidden = c.hidden ?? [];
      const act = c.activation ?? 'linear';
      if (!gaussian) return { mu: this.mlp('encoder', [c.inputDim, ...hidden, c.latentDim], act, c.latentActivation ?? 'linear', h, label), logVar: null };
      if (hidden.length) h = this.mlp('encoder', [c.inputDim, ...hidden], act, act, h, label);
    }
    if (!gaussian) return { mu: h, logVar: null };
    return { mu: this.gemm('mu', h, 'linear'), logVar: this.gemm('log_var', h, 'linear') };
  }

  /** z (B, latentDim) → x̂ (B, inputDim) in data units. */
  decoder(z: string, label: string | null): string {
    const c = this.c;
    const gaussian = this.model.latentKind === 'gaussian';
    const act = c.activation ?? 'linear';
    let h: string;
    if (this.hasStack) {
      const encOut = gaussian ? [c.latentDim] : inferShapes('model.encoder', c.encoder!, c.imageShape!).at(-1) ?? c.imageShape!;
      h = encOut.length === 3 ? this.g.op('Reshape', [z, this.g.int64('code_shape', [-1, ...encOut])]) : z;
      h = this.stack('decoder', c.decoder!, encOut, h);
      if (!gaussian) h = this.g.activation(h, c.outputActivation ?? 'linear');
      h = this.g.op('Flatten', [h], { axis: 1 });
    } else if (gaussian) {
      h = this.mlp('decoder', [c.latentDim, ...[...(c.hidden ?? [])].reverse(), c.inputDim], act, 'linear', z, label);
    } else {
      const dims = [c.inputDim, ...(c.hidden ?? []), c.latentDim];
      const logitsOut = c.loss === 'bce' || c.tiedWeights === true;
      h = c.tiedWeights ? this.tiedDecoder(dims, z) : this.mlp('decoder', [...dims].reverse(), act, logitsOut ? 'linear' : c.outputActivation ?? 'linear', z, null);
      if (logitsOut) h = this.g.activation(h, c.outputActivation ?? 'linear');
    }
    if (gaussian && c.likelihood === 'bernoulli') h = this.g.op('Sigmoid', [h]); // the decoder's mean
    const n = this.normalizer;
    if (n && n.kind !== 'none') {
      // x = y / scale + offset
      h = this.g.op('Add', [this.g.op('Div', [h, this.g.float('normalizer.scale', [c.inputDim], n.scale)]), this.g.float('normalizer.offset', [c.inputDim], n.offset)], {}, 'denormalized');
    }
    return h;
  }

  /** act(x·Wᵀ + b) for the Dense layer `prefix` (weight (out, in)). */
  private gemm(prefix: string, x: string, act: ActivationName): string {
    return this.g.activation(this.g.op('Gemm', [x, this.weight(`${prefix}.weight`), this.weight(`${prefix}.bias`)], { transB: 1 }), act);
  }

  /** nn/mlp.ts in evaluation mode: products, the side input's columns at the first layer, batch norm before hidden activations. */
  private mlp(prefix: string, dims: readonly number[], act: ActivationName, finalAct: ActivationName, x: string, label: string | null): string {
    const last = dims.length - 2;
    const side = this.state.get(`${prefix}.side_weight`);
    let h = x;
    for (let i = 0; i <= last; i++) {
      const p = `${prefix}.layers.${i}`;
      h = this.g.op('Gemm', [h, this.weight(`${p}.weight`), this.weight(`${p}.bias`)], { transB: 1 });
      if (i === 0 && side) {
        if (!label) throw new Error('ONNX export: a conditional model needs a label input');
        // Wₛ·onehot(y) is column y of Wₛ: row y of Wₛᵀ (classes, d1).
        const wsT = permute(Float32Array.from(side.data), side.shape, [1, 0]);
        h = this.g.op('Add', [h, this.g.op('Gather', [this.g.float(`${prefix}.side_weight_t`, wsT.shape, wsT.data), label], { axis: 0 })]);
      }
      if (i === last) return this.g.activation(h, finalAct);
      if (this.state.has(`${prefix}.norms.${i}.weight`)) h = this.batchNorm(`${prefix}.norms.${i}`, h);
      h = this.g.activation(h, act);
    }
    return h;
  }

  /** The tied decoder: each mirrored encoder weight (out, in) used untransposed, the decoder's own biases. */
  private tiedDecoder(encDims: readonly number[], z: string): string {
    const layers = encDims.length - 1;
    let h = z;
    for (let i = 0; i < layers; i++) {
      // h (B, out) · W (out, in) → (B, in)
      h = this.g.op('Gemm', [h, this.weight(`encoder.layers.${layers - 1 - i}.weight`), this.weight(`decoder.layers.${i}.bias`)]);
      h = this.g.activation(h, i === layers - 1 ? 'linear' : this.c.activation ?? 'linear');
    }
    return h;
  }

  private batchNorm(prefix: string, x: string): string {
    const names = ['weight', 'bias', 'running_mean', 'running_var'].map((k) => this.weight(`${prefix}.${k}`));
    return this.g.op('BatchNormalization', [x, ...names], { epsilon: { float: 1e-5 } });
  }

  /** nn/stack.ts's layers over NCHW images (B, C, H, W) or vectors (B, F). */
  private stack(prefix: string, specs: readonly string[], inShape: readonly number[], x: string): string {
    const shapes = inferShapes(`model.${prefix}`, specs, inShape);
    let h = x;
    specs.forEach((text, i) => {
      const s = parseLayer(text);
      const input = i === 0 ? inShape : shapes[i - 1]!;
      const p = `${prefix}.layers.${i}`;
      const hw: [number, number] = [input[1] ?? 0, input[2] ?? 0];
      switch (s.type) {
        case 'dense':
          h = this.gemm(p, h, s.activation);
          return;
        case 'conv': {
          const w = makeWindow(s, hw);
          const attrs = { kernel_shape: [...s.kernel], strides: [...s.stride], dilations: [...s.dilation], pads: onnxPads(w.padding) };
          h = this.g.activation(this.g.op('Conv', [h, this.weight(`${p}.weight`, [0, 3, 1, 2]), this.weight(`${p}.bias`)], attrs), s.activation);
          return;
        }
        case 'convt': {
          const { size, window } = convTransposeGeometry(hw, s.kernel, s);
          const pd = window.padding;
          // ONNX's output size (in − 1)·s + d·(k − 1) + 1 − pads + output_padding must give aekit's.
          const natural = [0, 1].map((a) => (hw[a]! - 1) * s.stride[a]! + s.dilation[a]! * (s.kernel[a]! - 1) + 1 - pd[2 * a]! - pd[2 * a + 1]!);
          const attrs = { kernel_shape: [...s.kernel], strides: [...s.stride], dilations: [...s.dilation], pads: onnxPads(pd), output_padding: [size[0] - natural[0]!, size[1] - natural[1]!] };
          h = this.g.activation(this.g.op('ConvTranspose', [h, this.weight(`${p}.weight`, [0, 3, 1, 2]), this.weight(`${p}.bias`)], attrs), s.activation);
          return;
        }
        case 'maxpool':
        case 'avgpool': {
          const w = makeWindow({ kernel: s.kernel, stride: s.stride, padding: s.padding }, hw);
          const attrs = { kernel_shape: [...s.kernel], strides: [...s.stride], pads: onnxPads(w.padding) };
          h = s.type === 'maxpool' ? this.g.op('MaxPool', [h], attrs) : this.g.op('AveragePool', [h], { ...attrs, count_include_pad: 1 });
          return;
        }
        case 'up': {
          const scales = this.g.float('scales', [4], [1, 1, s.factor[0], s.factor[1]]);
          const attrs = s.mode === 'nearest'
            ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
            : { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
          h = this.g.op('Resize', [h, '', scales], attrs);
          return;
        }
        case 'flatten':
          if (input.length === 3) h = this.g.op('Flatten', [h], { axis: 1 });
          return;
        case 'reshape':
          h = this.g.op('Reshape', [h, this.g.int64('shape', [-1, ...s.shape])]);
          return;
        case 'bn':
          h = this.batchNorm(`${p}.norm`, h);
          return;
        case 'dropout':
          return;
      }
    });
    return h;
  }
}

/** aekit's [top, bottom, left, right] → ONNX's [top, left, bottom, right]. */
function onnxPads(p: readonly [number, number, number, number]): number[] {
  return [p[0], p[2], p[1], p[3]];
}

/** A row-major array with its axes permuted (out axis i = in axis perm[i]). */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { shape: number[]; data: Float32Array } {
  const outShape = perm.map((a) => shape[a]!);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < perm.length; i++) src += idx[i]! * inStrides[perm[i]!]!;
    out[o] = data[src]!;
    for (let i = perm.length - 1; i >= 0; i--) {
      if (++idx[i]! < outShape[i]!) break;
      idx[i] = 0;
    }
  }
  return { shape: outShape, data: out };
}
