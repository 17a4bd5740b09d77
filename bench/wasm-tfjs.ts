/**
 * TensorFlow.js 4.22's wasm backend, the peer of aekit's wasm backend (bench/wasm.ts): SGEMM and
 * Model A / Model B training, with Layers `fit` and with a hand-written backward that keeps every
 * product untransposed (TF.js's wasm matmul is 10–50× slower when an operand is transposed, so the
 * transposes are made explicit copies first: dW = transpose(x)·dz, dx = dz·transpose(W)).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export interface NetSpec {
  /** Layer widths from input to output, e.g. [784, 128, 64, 32, 64, 128, 784]. */
  readonly sizes: readonly number[];
  /** Activation of each layer (sizes.length − 1 of them); the last is 'sigmoid'. */
  readonly acts: readonly ('relu' | 'linear' | 'sigmoid')[];
  readonly loss: 'bce' | 'mse';
}

/**
 * Switch TF.js to its wasm backend. In a page, `wasmPaths` is the URL prefix its .wasm files are
 * served under, and `threads` the size of its thread pool where the page is cross-origin isolated
 * (TF.js then loads its threaded SIMD build); in Node TF.js runs on one thread.
 */
export async function useTfjsWasm(options: { wasmPaths?: string; threads?: number } = {}): Promise<Record<string, unknown>> {
  if (options.wasmPaths) setWasmPaths(options.wasmPaths);
  if (options.threads) {
    setThreadsCount(options.threads);
    // TF.js 4.22 ignores setThreadsCount (tensorflow/tfjs#8513, measured here too: 1 thread on this
    // 2-core machine) and sizes its pool from navigator.hardwareConcurrency / 2, so a page that wants
    // `threads` threads for it reports twice that many logical cores before the backend starts.
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    if (nav && (nav.hardwareConcurrency ?? 0) < 2 * options.threads) {
      Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => 2 * options.threads! });
    }
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend did not initialise');
  await tf.ready();
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return { version: tf.version.tfjs, simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), threads, threadsCount: threads ? getThreadsCount() : 1 };
}

/** TF.js's side of the bench as bench/wasm-cases.ts runs it. */
export const tfjsSide = { gemm: tfjsGemm, fit: tfjsFit, manual: tfjsManual };

/** GFLOP/s of tf.matMul for M = K = N = n (the median of `reps` after warm-up). */
export function tfjsGemm(n: number, trans: string, reps: number): number {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const run = (): number => {
    const t0 = performance.now();
    const c = tf.matMul(a, b, trans[0] === 'T', trans[1] === 'T');
    c.dataSync();
    c.dispose();
    return performance.now() - t0;
  };
  run();
  run();
  const times = Array.from({ length: reps }, run).sort((x, y) => x - y);
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (times[Math.floor(reps / 2)]! * 1e6);
}

function batchOf(x: Float32Array, step: number, bs: number, dim: number): tf.Tensor2D {
  const n = Math.floor(x.length / dim / bs);
  const off = (step % n) * bs * dim;
  return tf.tensor2d(x.subarray(off, off + bs * dim), [bs, dim]);
}

/** Samples/s of Layers `fit` (one epoch over `steps` batches, after one warm-up epoch). */
export async function tfjsFit(spec: NetSpec, x: Float32Array, bs: number, steps: number): Promise<number> {
  const model = tf.sequential();
  spec.sizes.slice(1).forEach((units, i) => model.add(tf.layers.dense({ units, activation: spec.acts[i]!, ...(i === 0 ? { inputShape: [spec.sizes[0]!] } : {}) })));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: spec.loss === 'bce' ? 'binaryCrossentropy' : 'meanSquaredError' });
  const data = tf.tensor2d(x.subarray(0, steps * bs * spec.sizes[0]!), [steps * bs, spec.sizes[0]!]);
  const fit = async (): Promise<number> => {
    const t0 = performance.now();
    await model.fit(data, data, { batchSize: bs, epochs: 1, shuffle: false, verbose: 0 });
    return performance.now() - t0;
  };
  await fit();
  const ms = await fit();
  data.dispose();
  model.dispose();
  return (steps * bs) / (ms / 1000);
}

/** Samples/s of a hand-written forward, backward (no transposed matmul) and Adam step. */
export function tfjsManual(spec: NetSpec, x: Float32Array, bs: number, warmup: number, steps: number): number {
  const dim = spec.sizes[0]!;
  const layers = spec.sizes.slice(1).map((out, i) => {
    const inF = spec.sizes[i]!;
    const limit = Math.sqrt(6 / (inF + out));
    return { w: tf.variable(tf.randomUniform([inF, out], -limit, limit), true, `w${i}`), b: tf.variable(tf.zeros([out]), true, `b${i}`) };
  });
  const opt = tf.train.adam(1e-3);
  const step = (s: number): void => {
    tf.tidy(() => {
      const xb = batchOf(x, s, bs, dim);
      const hs: tf.Tensor2D[] = [xb];
      layers.forEach(({ w, b }, i) => {
        const z = tf.add(tf.matMul(hs[i]!, w), b) as tf.Tensor2D;
        const act = spec.acts[i]!;
        hs.push(act === 'relu' ? tf.relu(z) : act === 'sigmoid' && !(i === layers.length - 1 && spec.loss === 'bce') ? tf.sigmoid(z) : z);
      });
      const out = hs[hs.length - 1]!;
      const n = bs * dim;
      // dz of the last layer: BCE with logits → (σ(z) − x)/N; MSE on σ(z) → 2(y − x)/N · y(1 − y).
      let dz: tf.Tensor = spec.loss === 'bce' ? tf.div(tf.sub(tf.sigmoid(out), xb), n) : tf.mul(tf.div(tf.mul(tf.sub(out, xb), 2), n), tf.mul(out, tf.sub(1, out)));
      const grads: { name: string; tensor: tf.Tensor }[] = [];
      for (let i = layers.length - 1; i >= 0; i--) {
        const { w, b } = layers[i]!;
        grads.push({ name: w.name, tensor: tf.matMul(tf.transpose(hs[i]!), dz) }, { name: b.name, tensor: tf.sum(dz, 0) });
        if (i > 0) {
          const dh = tf.matMul(dz as tf.Tensor2D, tf.transpose(w));
          dz = spec.acts[i - 1] === 'relu' ? tf.mul(dh, tf.step(hs[i]!)) : dh;
        }
      }
      opt.applyGradients(grads);
    });
  };
  for (let s = 0; s < warmup; s++) step(s);
  layers[0]!.w.dataSync();
  const t0 = performance.now();
  for (let s = warmup; s < warmup + steps; s++) step(s);
  layers[0]!.w.dataSync();
  const seconds = (performance.now() - t0) / 1000;
  for (const { w, b } of layers) tf.dispose([w, b]);
  opt.dispose();
  return (steps * bs) / seconds;
}
