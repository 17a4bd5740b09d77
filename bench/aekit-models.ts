/**
 * aekit side of the Model A / Model B benchmarks (one process per measurement, so its peak RSS is
 * its own). Uses the trainer's own step function on the same MNIST batches as bench/torch_models.py.
 *
 *   node dist/bench/aekit-models.js speed --model A|B --steps N --repeats R --warmup W [--backend native]
 *   node dist/bench/aekit-models.js quality --model B --epochs 10 --seed S [--init torch] [--export FILE]
 *
 * --export FILE writes the run's starting point before training: the initial weights (aekit's
 * names) and every epoch's batch order (`order`, int32 epochs × n) as safetensors, so that
 * `torch_models.py quality --start FILE` trains from exactly the same start on the same batches.
 */
import { registerBuiltinBackends } from '../src/backends/index.js';
import { getBackend, Rng, setBackend } from '../src/core/index.js';
import { loadMnist } from '../src/data/index.js';
import { createModel, fitModelToData, registerBuiltinModels } from '../src/models/index.js';
import { createOptimizer } from '../src/nn/optim/index.js';
import { mergeConfig, parseRunConfig, PRESETS } from '../src/train/config.js';
import { evaluateReconstruction } from '../src/train/evaluate.js';
import { trainStep } from '../src/train/trainer.js';
import { benchArgs } from './peer.js';

const USAGE = `Usage:
  node dist/bench/aekit-models.js speed --model A|B|conv|vae [--steps N] [--repeats R] [--warmup W] [--threads T] [--backend native]
  node dist/bench/aekit-models.js quality --model B [--epochs 10] [--seed S] [--init torch] [--export FILE]

aekit's side of bench/run.ts: training samples/s (speed) or test MSE after training (quality),
as one JSON line.`;

const { positionals, values } = benchArgs(USAGE, {
  allowPositionals: true,
  options: {
    model: { type: 'string', default: 'A' }, steps: { type: 'string', default: '100' }, repeats: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '20' }, backend: { type: 'string', default: 'native' }, epochs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '42' }, init: { type: 'string', default: 'auto' }, threads: { type: 'string', default: '0' },
    export: { type: 'string' },
  },
});

/** The preset behind each workload (the same nets as bench/torch_models.py) and its batch size. */
const WORKLOADS: Record<string, [string, number]> = { A: ['keras-deep', 256], B: ['hinton2006', 256], conv: ['keras-denoising-conv', 128], vae: ['vae-mlp', 100] };
if (!WORKLOADS[values.model!]) {
  console.error(`unknown --model ${values.model} (A, B, conv, vae)\n\n${USAGE}`);
  process.exit(2);
}
const [preset, bs] = WORKLOADS[values.model!]!;
registerBuiltinBackends();
registerBuiltinModels();
await setBackend(values.backend!);
if (Number(values.threads) > 0) getBackend().setThreads?.(Number(values.threads));
// Model B is TARGETS.md's net: the hinton2006 shape with MSE on sigmoid outputs (the preset trains it with cross-entropy).
const over = values.model === 'B' ? { model: { loss: 'mse' } } : {};
const config = parseRunConfig(mergeConfig(PRESETS[preset]!.config, { ...over, train: { seed: Number(values.seed) } }));
const train = loadMnist('train');
const model = createModel(fitModelToData({ ...config.model, ...(values.init === 'auto' ? {} : { init: values.init }) } as typeof config.model, train.sampleShape), new Rng(config.train.seed));
const optimizer = createOptimizer({ kind: 'adam', lr: 1e-3 });
const ctx = { model, optimizer, train, config: { clipNorm: 0 } };
const params = model.parameters();
const nb = Math.floor(train.n / bs);
const rng = new Rng(1);
const idxOf = (s: number): Int32Array => Int32Array.from({ length: bs }, (_, i) => (s % nb) * bs + i);

if (positionals[0] === 'quality') {
  const { BatchLoader } = await import('../src/data/index.js');
  const loader = new BatchLoader(train, { batchSize: bs, shuffle: true, seed: config.train.seed });
  const epochs = Number(values.epochs);
  if (values.export) {
    const { safetensor, writeSafetensors } = await import('../src/io/index.js');
    const tensors: Record<string, ReturnType<typeof safetensor>> = {};
    for (const [name, t] of model.namedParameters()) tensors[name] = safetensor([...t.shape], Float32Array.from(t.data as Float32Array));
    const order = new Int32Array(epochs * train.n);
    for (let e = 0; e < epochs; e++) order.set(loader.order(e), e * train.n);
    tensors['order'] = safetensor([epochs, train.n], order);
    writeSafetensors(values.export, tensors, { batchSize: String(bs) });
  }
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) for (const idx of loader.batches(e)) trainStep(ctx, params, idx, rng);
  const seconds = (performance.now() - t0) / 1000;
  const m = evaluateReconstruction(model, loadMnist('test'), 1000);
  console.log(JSON.stringify({ init: values.init, testMse: m.mse, testBce: m.bce, sqErrPerImage: m.sqErrPerImage, epochs, seconds, backend: getBackend().name }));
} else {
  const steps = Number(values.steps);
  let s = 0;
  for (; s < Number(values.warmup); s++) trainStep(ctx, params, idxOf(s), rng);
  const runs: number[] = [];
  for (let r = 0; r < Number(values.repeats); r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++, s++) trainStep(ctx, params, idxOf(s), rng);
    runs.push((steps * bs) / ((performance.now() - t0) / 1000));
  }
  runs.sort((a, b) => a - b);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ samplesPerSec: runs[Math.floor(runs.length / 2)], runs, rssMiB, backend: getBackend().name, info: getBackend().describe() }));
}
