/**
 * Where a training step's time goes, kernel by kernel: every kernel of the backend is wrapped with
 * a wall-clock timer (kernels run synchronously), then a few steps of a bench workload are timed.
 * Rows are (kernel, input shapes); "outside kernels" is the step time the kernels do not account
 * for (autograd, dispatch, the batch gather). `--clock cpu` counts the process's CPU time instead of
 * wall time: with `--threads 1` that is the step's own work, whatever else loads the machine.
 *
 *   node dist/bench/kernel-profile.js [--model conv|A|B|vae] [--steps 20] [--warmup 5] [--top 30] [--threads T] [--clock wall|cpu]
 */
import { registerBuiltinBackends } from '../src/backends/index.js';
import { getBackend, getKernel, kernelsOf, registerKernel, Rng, setBackend, type KernelFn, type KernelName, type TensorInfo } from '../src/core/index.js';
import { loadMnist } from '../src/data/index.js';
import { createModel, fitModelToData, registerBuiltinModels } from '../src/models/index.js';
import { createOptimizer } from '../src/nn/optim/index.js';
import { mergeConfig, parseRunConfig, PRESETS } from '../src/train/config.js';
import { trainStep } from '../src/train/trainer.js';
import { benchArgs } from './peer.js';

const USAGE = `Usage: node dist/bench/kernel-profile.js [--model conv|A|B|vae] [--steps N] [--warmup W] [--top K] [--threads T] [--clock wall|cpu] [--backend native]

Per-kernel wall time of a training step of a bench workload (bench/aekit-models.ts' nets).`;
const { values } = benchArgs(USAGE, {
  options: {
    model: { type: 'string', default: 'conv' }, steps: { type: 'string', default: '20' }, warmup: { type: 'string', default: '5' },
    top: { type: 'string', default: '30' }, threads: { type: 'string', default: '0' }, clock: { type: 'string', default: 'wall' }, backend: { type: 'string', default: 'native' },
  },
});
const WORKLOADS: Record<string, [string, number]> = { A: ['keras-deep', 256], B: ['hinton2006', 256], conv: ['keras-denoising-conv', 128], vae: ['vae-mlp', 100] };
const [preset, bs] = WORKLOADS[values.model!] ?? (console.error(USAGE), process.exit(2));

registerBuiltinBackends();
registerBuiltinModels();
await setBackend(values.backend!);
if (Number(values.threads) > 0) getBackend().setThreads?.(Number(values.threads));
const be = getBackend().name;
const totals = new Map<string, { ms: number; calls: number }>();
let recording = false;
const cpuClock = values.clock === 'cpu';
/** Milliseconds on the chosen clock. */
const now = (): number => (cpuClock ? (({ user, system }) => (user + system) / 1000)(process.cpuUsage()) : performance.now());
for (const name of kernelsOf(be)) {
  const fn = getKernel(be, name) as KernelFn<KernelName>;
  const timed: KernelFn<KernelName> = (inputs, attrs, ctx) => {
    if (!recording) return fn(inputs, attrs, ctx);
    const t0 = now();
    const out = fn(inputs, attrs, ctx);
    const key = `${name} ${(inputs as TensorInfo[]).map((t) => `(${t.shape.join(',')})`).join(' ')}`;
    const row = totals.get(key) ?? { ms: 0, calls: 0 };
    row.ms += now() - t0;
    row.calls++;
    totals.set(key, row);
    return out;
  };
  registerKernel(be, name, timed);
}

const config = parseRunConfig(mergeConfig(PRESETS[preset]!.config, {}));
const train = loadMnist('train');
const model = createModel(fitModelToData(config.model, train.sampleShape), new Rng(config.train.seed));
const ctx = { model, optimizer: createOptimizer({ kind: 'adam', lr: 1e-3 }), train, config: { clipNorm: 0 } };
const params = model.parameters();
const rng = new Rng(1);
const nb = Math.floor(train.n / bs);
const idxOf = (s: number): Int32Array => Int32Array.from({ length: bs }, (_, i) => (s % nb) * bs + i);
const steps = Number(values.steps);
let s = 0;
for (; s < Number(values.warmup); s++) trainStep(ctx, params, idxOf(s), rng);
recording = true;
const poolOf = (): { allocations: number } | undefined => (getBackend() as { poolStats?: () => { allocations: number } }).poolStats?.();
const allocs0 = poolOf()?.allocations ?? 0;
const faults0 = process.resourceUsage().minorPageFault;
const t0 = now();
for (let i = 0; i < steps; i++, s++) trainStep(ctx, params, idxOf(s), rng);
const stepMs = (now() - t0) / steps;
const allocsPerStep = ((poolOf()?.allocations ?? 0) - allocs0) / steps;
const faultsPerStep = (process.resourceUsage().minorPageFault - faults0) / steps;

const rows = [...totals].map(([key, r]) => ({ key, ms: r.ms / steps, calls: r.calls / steps })).sort((a, b) => b.ms - a.ms);
const kernelMs = rows.reduce((a, r) => a + r.ms, 0);
console.log(`${preset}, batch ${bs}, backend ${be}, ${cpuClock ? 'CPU' : 'wall'} time: ${stepMs.toFixed(2)} ms per step (${((bs * 1000) / stepMs).toFixed(0)} samples/s), mean of ${steps}; ${allocsPerStep} new buffers and ${faultsPerStep.toFixed(0)} page faults per step`);
console.log('| kernel (input shapes) | calls/step | ms/step | share |\n|---|---:|---:|---:|');
for (const r of rows.slice(0, Number(values.top))) console.log(`| ${r.key} | ${r.calls} | ${r.ms.toFixed(2)} | ${((100 * r.ms) / stepMs).toFixed(1)}% |`);
console.log(`| outside kernels | | ${(stepMs - kernelMs).toFixed(2)} | ${((100 * (stepMs - kernelMs)) / stepMs).toFixed(1)}% |`);
