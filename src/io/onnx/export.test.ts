/**
 * Every variant's inference graph run by ONNX Runtime (onnxruntime-node's CPU build) against
 * aekit's own encode / decode / reconstruct on the reference backend: outputs agree to 1e-5.
 * Weights and batch-norm statistics are random (not the initial ones), so every tensor matters.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as ak from '../../index.js';
import { normalizerFromJSON, type Normalizer } from '../../data/normalize.js';
import { createModel, fitModelToData, parseModelConfig, registerBuiltinModels, type Autoencoder } from '../../models/index.js';
import { exportOnnx, ONNX_PARTS, onnxSignature, permute, type OnnxPart } from './export.js';

await ak.setBackend('reference');
registerBuiltinModels();

const CONV_ENC = ['conv(4,3,relu,same)', 'bn', 'maxpool(2)', 'conv(6,3,s2,relu,same)', 'dropout(0.1)'];
const CONV_DEC = ['convt(6,3,s2,relu,same)', 'up(2)', 'avgpool(3,s1,p1)', 'conv(2,3,same)'];
const CONV_ENC2 = ['conv(3,3,p1,d2,elu)', 'avgpool(2,same)', 'maxpool(3,s2,same)', 'flatten', 'dense(5,tanh)'];
const CONV_DEC2 = ['dense(18,relu)', 'reshape(2,3,3)', 'convt(3,3,s2,p1,op1,gelu)', 'up(2,bilinear)', 'bn', 'conv(2,5,valid)'];

const CASES: Record<string, { config: Record<string, unknown>; shape: number[]; normalize?: boolean }> = {
  'dense, batch norm, GELU, BCE logits, normalised': { config: { kind: 'dense', hidden: [8, 6], latentDim: 3, batchNorm: true, activation: 'gelu' }, shape: [12], normalize: true },
  'dense, tied weights, ELU': { config: { kind: 'dense', hidden: [8], latentDim: 3, tiedWeights: true, activation: 'elu', loss: 'mse' }, shape: [2, 3, 2] },
  'dense, MSE, leaky ReLU, softplus output': { config: { kind: 'dense', hidden: [7], latentDim: 2, activation: 'leakyRelu', latentActivation: 'tanh', outputActivation: 'softplus', loss: 'mse' }, shape: [10] },
  sparse: { config: { kind: 'sparse', hidden: [8], latentDim: 4, latentActivation: 'sigmoid' }, shape: [12] },
  contractive: { config: { kind: 'contractive', hidden: [8], latentDim: 4, activation: 'sigmoid' }, shape: [12] },
  denoising: { config: { kind: 'denoising', hidden: [8], latentDim: 4 }, shape: [1, 3, 4] },
  'conv: batch norm, pooling, strided and transposed convolutions': { config: { kind: 'conv', encoder: CONV_ENC, decoder: CONV_DEC }, shape: [2, 8, 8], normalize: true },
  'conv: dilation, padding, dense code, bilinear upsampling, output padding': { config: { kind: 'conv', encoder: CONV_ENC2, decoder: CONV_DEC2, outputActivation: 'linear', loss: 'mse' }, shape: [2, 8, 8] },
  'denoising over a conv body': { config: { kind: 'denoising', body: 'conv', encoder: CONV_ENC, decoder: CONV_DEC }, shape: [2, 8, 8] },
  'vae, bernoulli': { config: { kind: 'vae', hidden: [8, 6], latentDim: 2 }, shape: [12], normalize: true },
  'vae, gaussian, no hidden layer': { config: { kind: 'vae', hidden: [], latentDim: 3, likelihood: 'gaussian' }, shape: [9] },
  'vae over a conv body': {
    config: { kind: 'vae', body: 'conv', latentDim: 2, encoder: ['conv(4,3,s2,relu,same)', 'flatten', 'dense(8,relu)'], decoder: ['dense(64,relu)', 'reshape(4,4,4)', 'convt(4,3,s2,relu,same)', 'up(2,bilinear)', 'conv(1,3,same)'] },
    shape: [1, 16, 16],
  },
  cvae: { config: { kind: 'cvae', hidden: [8], latentDim: 2, numClasses: 3 }, shape: [12] },
};

const B = 5;

function randomize(model: Autoencoder, rng: ak.Rng): void {
  for (const [name, t] of model.namedState()) {
    const v = Float32Array.from({ length: t.size }, () => (name.endsWith('running_var') ? 0.5 + rng.uniform() : (rng.uniform() - 0.5) * 1.2));
    t.assign(v);
  }
}

function normalizer(width: number, rng: ak.Rng): Normalizer {
  return normalizerFromJSON({ kind: 'standard', offset: Array.from({ length: width }, () => rng.uniform() * 0.5), scale: Array.from({ length: width }, () => 0.5 + rng.uniform() * 1.5) });
}

/** aekit's answer for one part, in data units. */
function expected(model: Autoencoder, part: OnnxPart, input: Float32Array, shape: number[], norm: Normalizer | null, labels: Int32Array | null): Float32Array[] {
  return ak.tidy(() => {
    const width = input.length / B;
    const toModel = (v: Float32Array) => (norm ? v.map((x, i) => (x - norm.offset[i % width]!) * norm.scale[i % width]!) : v);
    const toData = (t: ak.Tensor) => {
      const out = Float32Array.from(t.data);
      return norm ? norm.invert(out) : out;
    };
    if (part === 'decoder') return [toData(model.decode(ak.tensor(input, [B, model.config.latentDim]), labels))];
    const x = ak.tensor(toModel(input), [B, ...shape]);
    if (part === 'full') return [toData(model.reconstruct(x, labels))];
    const vae = model as Autoencoder & { distribution?: (x: ak.Tensor, l?: Int32Array | null) => { mu: ak.Tensor; logVar: ak.Tensor } };
    if (vae.distribution) {
      const q = vae.distribution(x, labels);
      return [Float32Array.from(q.mu.data), Float32Array.from(q.logVar.data)];
    }
    return [Float32Array.from(model.encode(x, labels).data)];
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

describe('ONNX export: onnxruntime-node matches aekit to 1e-5', () => {
  for (const [name, c] of Object.entries(CASES)) {
    test(name, async () => {
      const rng = new ak.Rng(7);
      const model = createModel(fitModelToData(parseModelConfig(c.config), c.shape), new ak.Rng(1));
      randomize(model, rng);
      const width = c.shape.reduce((a, b) => a * b, 1);
      const norm = c.normalize ? normalizer(width, rng) : null;
      const labels = model.conditioning ? Int32Array.from({ length: B }, (_, i) => i % model.conditioning!.numClasses) : null;
      for (const part of ONNX_PARTS) {
        const bytes = exportOnnx({ model, sampleShape: c.shape, normalizer: norm, part });
        const session = await ort.InferenceSession.create(bytes);
        const sig = onnxSignature(model, part);
        assert.deepEqual([...session.inputNames], sig.inputs, `${part} inputs`);
        assert.deepEqual([...session.outputNames], sig.outputs, `${part} outputs`);
        const inWidth = part === 'decoder' ? model.config.latentDim : width;
        const input = Float32Array.from({ length: B * inWidth }, () => rng.uniform() * 2 - 0.5);
        const feeds: Record<string, ort.Tensor> = { [sig.inputs[0]!]: new ort.Tensor('float32', input, [B, ...(part === 'decoder' ? [inWidth] : c.shape)]) };
        if (labels) feeds.label = new ort.Tensor('int64', BigInt64Array.from(labels, (y) => BigInt(y)), [B]);
        const got = await session.run(feeds);
        const want = expected(model, part, input, c.shape, norm, labels);
        sig.outputs.forEach((o, i) => {
          const d = maxDiff(got[o]!.data as Float32Array, want[i]!);
          assert.ok(d <= 1e-5, `${part} output ${o}: max difference ${d}`);
          assert.equal(got[o]!.dims[0], B, 'batch axis');
        });
        await session.release();
      }
    });
  }
});

test('permute moves axes as numpy.transpose does', () => {
  const x = Float32Array.from({ length: 24 }, (_, i) => i);
  const { shape, data } = permute(x, [2, 3, 4], [2, 0, 1]);
  assert.deepEqual(shape, [4, 2, 3]);
  // out[k][i][j] = in[i][j][k] = i·12 + j·4 + k
  assert.equal(data[1 * 6 + 1 * 3 + 2], 1 * 12 + 2 * 4 + 1);
});
