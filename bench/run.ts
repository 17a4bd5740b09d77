/**
 * `npm run bench`: aekit against PyTorch on this machine, in one process tree, on the same MNIST
 * batches: Model A and Model B training throughput (median of timed repeats after warm-up, the
 * two sides alternated so drift hits both), SGEMM GFLOP/s against NumPy/OpenBLAS, peak RSS, and
 * (unless --quick) Model B's test MSE after 10 epochs from the same start (weights and batch order).
 * PyTorch runs in each setting of PEER_CONFIGS and the ratios are taken against its fastest.
 * Writes bench/results/latest.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fmaPeak, gemmBench, type GemmRow } from './gemm.js';
import { aekit, benchArgs, median, PEER_CONFIGS, positiveInts, ROOT, torch } from './peer.js';

const USAGE = `Usage: npm run bench [-- flags]   (or: node dist/bench/run.js [flags])

aekit (native backend) against PyTorch and NumPy/OpenBLAS on this machine, on the same MNIST
batches: Model A, Model B, the keras-denoising-conv net and vae-mlp training samples/s, SGEMM
GFLOP/s, peak RSS, Model B quality.
Prints a table and writes bench/results/latest.json. About 16 minutes on 2 cores.

Flags:
  --rounds N     alternating aekit/PyTorch rounds per model (default 3; medians are reported)
  --quick        skip the 10-epoch quality runs
  --skip-gemm    skip the SGEMM table
  -h, --help     this text`;

const { values } = benchArgs(USAGE, {
  options: { quick: { type: 'boolean', default: false }, 'skip-gemm': { type: 'boolean', default: false }, rounds: { type: 'string', default: '3' } },
});
const [rounds] = positiveInts('rounds', values.rounds!, USAGE) as [number];

interface PeerRuns {
  config: string;
  median: number;
  runs: number[];
  rssMiB: number;
}

interface Speed {
  aekit: number;
  /** The fastest PyTorch configuration's median: what the ratio is taken against. */
  pytorch: number;
  ratio: number;
  pytorchConfig: string;
  aekitRuns: number[];
  pytorchRuns: number[];
  pytorchByConfig: PeerRuns[];
}

type Workload = 'A' | 'B' | 'conv' | 'vae';
/** Timed steps, repeats and warm-up steps of each workload (about 3 s per timed repeat). */
const STEPS: Record<Workload, string[]> = {
  A: ['--steps', '200', '--repeats', '3', '--warmup', '30'],
  B: ['--steps', '40', '--repeats', '3', '--warmup', '15'],
  conv: ['--steps', '30', '--repeats', '3', '--warmup', '5'],
  vae: ['--steps', '300', '--repeats', '3', '--warmup', '30'],
};

/** Each round runs aekit, then PyTorch in every PEER_CONFIGS setting; PyTorch is credited with its fastest setting. */
function speed(model: Workload, rss: { aekit: number[]; pytorch: number }): Speed {
  const steps = STEPS[model];
  const a: number[] = [];
  const peers = PEER_CONFIGS.map((c) => ({ config: c.name, runs: [] as number[], rss: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    const ra = aekit(['speed', '--model', model, ...steps]);
    a.push(ra.samplesPerSec as number);
    rss.aekit.push(ra.rssMiB as number);
    PEER_CONFIGS.forEach((c, i) => {
      const rp = torch(['speed', '--model', model, ...steps], c);
      peers[i]!.runs.push(rp.samplesPerSec as number);
      peers[i]!.rss.push(rp.rssMiB as number);
    });
    process.stderr.write(`  model ${model} round ${r + 1}: aekit ${Math.round(a.at(-1)!)}  pytorch ${peers.map((p) => Math.round(p.runs.at(-1)!)).join(' / ')} samples/s\n`);
  }
  const byConfig = peers.map((p) => ({ config: p.config, median: median(p.runs), runs: p.runs, rssMiB: Math.max(...p.rss) }));
  const best = byConfig.reduce((x, y) => (y.median > x.median ? y : x));
  rss.pytorch = best.rssMiB;
  return { aekit: median(a), pytorch: best.median, ratio: median(a) / best.median, pytorchConfig: best.config, aekitRuns: a, pytorchRuns: best.runs, pytorchByConfig: byConfig };
}

const rss = { aekit: [] as number[], pytorch: 0 };
const rssConv = { aekit: [] as number[], pytorch: 0 };
const rssVae = { aekit: [] as number[], pytorch: 0 };
const peakBefore = await fmaPeak();
process.stderr.write(`FMA peak (register-only loop, 2 threads): ${peakBefore.toFixed(0)} GFLOP/s\n`);
process.stderr.write('Model A (784-128-64-32 mirrored, BCE, Adam, batch 256)\n');
const modelA = speed('A', { aekit: [], pytorch: 0 });
process.stderr.write('Model B (784-1000-500-250-30 mirrored, MSE, Adam, batch 256)\n');
const modelB = speed('B', rss);
process.stderr.write('keras-denoising-conv (Conv32-Pool-Conv32-Pool-ConvT32-ConvT32-Conv1, Gaussian noise 0.4, BCE, Adam, batch 128)\n');
const conv = speed('conv', rssConv);
process.stderr.write('vae-mlp (784-400-40 VAE, Bernoulli, Adam, batch 100)\n');
const vae = speed('vae', rssVae);
process.stderr.write('SGEMM\n');
const gemm: GemmRow[] = values["skip-gemm"] ? [] : await gemmBench();
const peakAfter = await fmaPeak();
let quality: Record<string, unknown> | null = null;
if (!values.quick) {
  process.stderr.write('Model B quality: 10 epochs each, test MSE\n');
  // The same seed gives the same start: aekit draws the initial weights (PyTorch's nn.Linear scheme,
  // `--init torch`) and the batch order of every epoch from seed 42 and exports both; PyTorch loads
  // them, so the two runs differ only in their arithmetic.
  const start = join(mkdtempSync(join(tmpdir(), 'aekit-bench-')), 'start.safetensors');
  const qa = aekit(['quality', '--model', 'B', '--epochs', '10', '--init', 'torch', '--seed', '42', '--export', start]);
  const qp = torch(['quality', '--model', 'B', '--epochs', '10', '--start', start]);
  rmSync(dirname(start), { recursive: true, force: true });
  // Each framework drawing its own start from the seed, and aekit's default init (He for ReLU).
  const qpOwn = torch(['quality', '--model', 'B', '--epochs', '10', '--seed', '42']);
  const qh = aekit(['quality', '--model', 'B', '--epochs', '10']);
  quality = {
    aekitTestMse: qa.testMse, pytorchTestMse: qp.testMse, relDiff: (qa.testMse as number) / (qp.testMse as number) - 1,
    pytorchOwnStartTestMse: qpOwn.testMse, aekitHeInitTestMse: qh.testMse, aekitSeconds: qa.seconds, pytorchSeconds: qp.seconds,
  };
}

const result = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  /** GFLOP/s of the register-only FMA loop before the speed runs and after the SGEMM table (TARGETS.md: 530). */
  fmaPeakGflops: { before: peakBefore, after: peakAfter },
  modelA, modelB, conv, vae, gemm,
  rssMiB: { aekit: Math.max(...rss.aekit), pytorch: rss.pytorch },
  rssConvMiB: { aekit: Math.max(...rssConv.aekit), pytorch: rssConv.pytorch },
  rssVaeMiB: { aekit: Math.max(...rssVae.aekit), pytorch: rssVae.pytorch },
  qualityModelB: quality,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(result, null, 2) + '\n');

const f = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`\naekit vs PyTorch on ${result.machine.cpu} (${result.machine.cores} cores), ${result.date}`);
console.log(`FMA peak ${peakBefore.toFixed(0)} GFLOP/s before, ${peakAfter.toFixed(0)} after (TARGETS.md's machine: 530)\n`);
console.log('workload                         aekit        PyTorch      ratio');
console.log(`Model A training samples/s   ${f(modelA.aekit).padStart(10)}   ${f(modelA.pytorch).padStart(10)}   ${modelA.ratio.toFixed(2)}×`);
console.log(`Model B training samples/s   ${f(modelB.aekit).padStart(10)}   ${f(modelB.pytorch).padStart(10)}   ${modelB.ratio.toFixed(2)}×`);
console.log(`conv net training samples/s  ${f(conv.aekit).padStart(10)}   ${f(conv.pytorch).padStart(10)}   ${conv.ratio.toFixed(2)}×`);
console.log(`vae-mlp training samples/s   ${f(vae.aekit).padStart(10)}   ${f(vae.pytorch).padStart(10)}   ${vae.ratio.toFixed(2)}×`);
for (const [name, s] of [['A', modelA], ['B', modelB], ['conv', conv], ['vae', vae]] as const) {
  console.log(`  PyTorch, model ${name}: ${s.pytorchByConfig.map((c) => `${c.config}: ${f(c.median)}`).join('; ')}`);
}
for (const g of gemm) console.log(`SGEMM ${g.shape.padEnd(13)} ${g.trans}  GFLOP/s ${g.aekit.toFixed(0).padStart(7)}   ${g.openblas.toFixed(0).padStart(10)}   ${g.ratio.toFixed(2)}×`);
console.log(`peak RSS Model B (MiB)       ${result.rssMiB.aekit.toFixed(0).padStart(10)}   ${result.rssMiB.pytorch.toFixed(0).padStart(10)}`);
console.log(`peak RSS conv net (MiB)      ${result.rssConvMiB.aekit.toFixed(0).padStart(10)}   ${result.rssConvMiB.pytorch.toFixed(0).padStart(10)}`);
console.log(`peak RSS vae-mlp (MiB)       ${result.rssVaeMiB.aekit.toFixed(0).padStart(10)}   ${result.rssVaeMiB.pytorch.toFixed(0).padStart(10)}`);
if (quality) {
  console.log(`Model B test MSE, 10 epochs   ${(quality.aekitTestMse as number).toFixed(5).padStart(9)}    ${(quality.pytorchTestMse as number).toFixed(5).padStart(9)}   ${((quality.relDiff as number) * 100).toFixed(2)}%  (same start: seed 42's weights and batch order)`);
  console.log(`  PyTorch from its own seed-42 start: ${(quality.pytorchOwnStartTestMse as number).toFixed(5)}; aekit with its default He init: ${(quality.aekitHeInitTestMse as number).toFixed(5)}`);
}
console.log('\nwritten to bench/results/latest.json');
