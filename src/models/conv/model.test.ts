import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ak from '../../index.js';
import { createOptimizer } from '../../nn/optim/index.js';
import { createModel, fitModelToData, parseModelConfig, registerBuiltinModels, type Autoencoder } from '../index.js';

await ak.setBackend('reference');
registerBuiltinModels();

const IMAGE = [1, 8, 8];
const ENC = ['conv(4,3,relu,same)', 'maxpool(2)', 'conv(4,3,s2,relu,same)'];
const DEC = ['convt(4,3,s2,relu,same)', 'up(2)', 'conv(1,3,same)'];

function config(over: Record<string, unknown> = {}) {
  return fitModelToData(parseModelConfig({ kind: 'conv', encoder: ENC, decoder: DEC, ...over }), IMAGE);
}
const make = (over: Record<string, unknown> = {}): Autoencoder => createModel(config(over), new ak.Rng(1));

/** 16 images of two blobs each: learnable by a small conv net. */
function images(): ak.Tensor {
  const rng = new ak.Rng(3);
  const v = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    const a = rng.uniform();
    const b = rng.uniform();
    for (let p = 0; p < 64; p++) v[i * 64 + p] = (p % 8 < 4 ? a : b) * (Math.floor(p / 8) % 2 === 0 ? 1 : 0.5);
  }
  return ak.tensor(v, [16, ...IMAGE]);
}

describe('conv autoencoder', () => {
  test('the config is completed from the data: image shape, input width and code size', () => {
    const c = config() as unknown as { imageShape: number[]; inputDim: number; latentDim: number };
    assert.deepEqual([c.imageShape, c.inputDim, c.latentDim], [[1, 8, 8], 64, 4 * 2 * 2]);
    assert.deepEqual(parseModelConfig(JSON.parse(JSON.stringify(c))), c, 'config round trip');
  });

  test('forward gives a scalar loss, the recon term, z (B, code) and recon in the input\'s shape', () => {
    const m = make();
    const r = ak.tidy(() => {
      const o = m.forward(images(), { training: true, rng: new ak.Rng(2) });
      return { loss: o.loss.shape, terms: Object.keys(o.terms), z: o.z.shape, recon: o.recon.shape, enc: m.encode(images()).shape, dec: m.decode(ak.zeros([3, 16])).shape };
    });
    assert.deepEqual(r, { loss: [], terms: ['recon'], z: [16, 16], recon: [16, 1, 8, 8], enc: [16, 16], dec: [3, 64] });
  });

  test('parameters are named after the layer lists and every weight changes after one step', () => {
    const m = make();
    assert.deepEqual(m.namedParameters().map(([n]) => n), [
      'encoder.layers.0.weight', 'encoder.layers.0.bias', 'encoder.layers.2.weight', 'encoder.layers.2.bias',
      'decoder.layers.0.weight', 'decoder.layers.0.bias', 'decoder.layers.2.weight', 'decoder.layers.2.bias',
    ]);
    assert.deepEqual(m.namedParameters()[0]![1].shape, [4, 3, 3, 1], 'conv weights are (Cout, kh, kw, Cin)');
    assert.deepEqual(m.namedParameters()[4]![1].shape, [4, 3, 3, 4], 'transposed conv weights are (Cin, kh, kw, Cout)');
    const before = m.parameters().map((p) => Float64Array.from(p.data));
    const opt = createOptimizer({ kind: 'adam', lr: 1e-2 });
    ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(images(), { training: true }).loss)));
    m.parameters().forEach((p, i) => assert.ok(p.data.some((v, j) => v !== before[i]![j]), `${p.name} did not change`));
  });

  test('the loss falls on a small fixed set', () => {
    const m = make();
    const opt = createOptimizer({ kind: 'adam', lr: 1e-2 });
    const loss = () => ak.tidy(() => m.forward(images(), { training: false }).loss.item());
    const first = loss();
    for (let i = 0; i < 60; i++) ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(images(), { training: true }).loss)));
    assert.ok(loss() < 0.9 * first, `${first} → ${loss()}`);
  });

  test('bad configs are refused with a message naming the field', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ decoder: ['convt(4,3,s2,relu,same)', 'conv(1,3,same)'] }, /model\.decoder ends at shape \[1, 4, 4\], not the image shape \[1, 8, 8\]: the decoder must return to the input/],
      [{ decoder: ['conv(1,3,same)', 'convt(4,3,s2,same)', 'up(2)'] }, /model\.decoder ends at shape \[4, 8, 8\]/],
      [{ encoder: ['conv(4,9)'] }, /model\.encoder\[0\] 'conv\(4,9\)': .*does not fit a 8×8 input/],
      [{ encoder: [] }, /model\.encoder: a convolutional body needs at least one encoder layer/],
      [{ latentDim: 7 }, /model\.latentDim is 7 but the encoder's output \[4, 2, 2\] has 16 values/],
      [{ encoder: ['conv(4,three)'] }, /model\.encoder: item 0: layer 'conv\(4,three\)': kernel size 'three'/],
      [{ loss: 'bce', outputActivation: 'tanh' }, /model\.loss 'bce' needs model\.outputActivation 'sigmoid'/],
      [{ imageShape: [8, 8] }, /model\.imageShape must be C,H,W/],
    ];
    for (const [over, re] of cases) assert.throws(() => config(over), re, JSON.stringify(over));
    assert.throws(() => fitModelToData(parseModelConfig({ kind: 'conv', encoder: ENC, decoder: DEC }), [64]), /needs images, the data has samples of shape \[64\]/);
  });

  test('a VAE over a conv body: encoder ending in a vector, heads, and a decoder from the code', () => {
    const c = fitModelToData(parseModelConfig({ kind: 'vae', body: 'conv', latentDim: 2, encoder: ['conv(4,3,s2,relu,same)', 'flatten', 'dense(8,relu)'], decoder: ['dense(64,relu)', 'reshape(4,4,4)', 'convt(1,3,s2,same)'] }), IMAGE);
    const m = createModel(c, new ak.Rng(1));
    const r = ak.tidy(() => {
      const o = m.forward(images(), { training: true, rng: new ak.Rng(2) });
      return { terms: Object.keys(o.terms).sort(), z: o.z.shape, recon: o.recon.shape, sample: m.sample!(5, new ak.Rng(3)).shape };
    });
    assert.deepEqual(r, { terms: ['kl', 'recon'], z: [16, 2], recon: [16, 1, 8, 8], sample: [5, 64] });
    assert.throws(() => fitModelToData(parseModelConfig({ kind: 'vae', body: 'conv', encoder: ['conv(4,3,s2,relu,same)'], decoder: ['dense(64)', 'reshape(4,4,4)', 'convt(1,3,s2,same)'] }), IMAGE), /model\.encoder of a VAE must end in a vector/);
  });

  test('a denoiser over a conv body corrupts only in training', () => {
    const m = createModel(fitModelToData(parseModelConfig({ kind: 'denoising', body: 'conv', encoder: ENC, decoder: DEC, noise: 'gaussian', noiseLevel: 0.5 }), IMAGE), new ak.Rng(1));
    const loss = (training: boolean, seed: number) => ak.tidy(() => m.forward(images(), { training, rng: new ak.Rng(seed) }).loss.item());
    assert.equal(loss(false, 1), loss(false, 2));
    assert.notEqual(loss(true, 1), loss(true, 2));
    assert.ok(m.corrupt);
  });
});
