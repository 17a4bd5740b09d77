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
  --only LIST    run only these training workloads, e.g. conv,vae (A, B, conv, vae; default: all)
  -h, --help     this text`;

const { values } = benchArgs(USAGE, {
  options: {
    quick: { type: 'boolean', default: false }, 'skip-gemm': { type: 'boolean', default: false }, rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'A,B,conv,vae' },
  },
});
const [rounds] = positiveInts('rounds', values.rounds!, USAGE) as [number];
const only = new Set(values.only!.split(',').map((w) => w.trim()));
for (const w of only) {
  if (!['A', 'B', 'conv', 'vae'].includes(w)) {
    console.error(`--only: unknown workload '${w}' (A, B, conv, vae)\n\n${USAGE}`);
    process.exit(2);
  }
}

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
/** A workload's speed when --only selects it, else null. */
function maybe(w: Workload, title: string, r: { aekit: number[]; pytorch: number }): Speed | null {
  if (!only.has(w)) return null;
  process.stderr.write(`${title}\n`);
  return speed(w, r);
}
const modelA = maybe('A', 'Model A (784-128-64-32 mirrored, BCE, Adam, batch 256)', { aekit: [], pytorch: 0 });
const modelB = maybe('B', 'Model B (784-1000-500-250-30 mirrored, MSE, Adam, batch 256)', rss);
const conv = maybe('conv', 'keras-denoising-conv (Conv32-Pool-Conv32-Pool-ConvT32-ConvT32-Conv1, Gaussian noise 0.4, BCE, Adam, batch 128)', rssConv);
const vae = maybe('vae', 'vae-mlp (784-400-40 VAE, Bernoulli, Adam, batch 100)', rssVae);
process.stderr.write('SGEMM\n');
const gemm: GemmRow[] = values["skip-gemm"] ? [] : await gemmBench();
const peakAfter = await fmaPeak();
let quality: Record<string, unknown> | null = null;
if (!values.quick && modelB) {
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
  rssMiB: modelB ? { aekit: Math.max(...rss.aekit), pytorch: rss.pytorch } : null,
  rssConvMiB: conv ? { aekit: Math.max(...rssConv.aekit), pytorch: rssConv.pytorch } : null,
  rssVaeMiB: vae ? { aekit: Math.max(...rssVae.aekit), pytorch: rssVae.pytorch } : null,
  qualityModelB: quality,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(result, null, 2) + '\n');

const f = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`\naekit vs PyTorch on ${result.machine.cpu} (${result.machine.cores} cores), ${result.date}`);
console.log(`FMA peak ${peakBefore.toFixed(0)} GFLOP/s before, ${peakAfter.toFixed(0)} after (TARGETS.md's machine: 530)\n`);
console.log('workload                         aekit        PyTorch      ratio');
const rows: [string, Speed | null][] = [['Model A', modelA], ['Model B', modelB], ['conv net', conv], ['vae-mlp', vae]];
for (const [name, sp] of rows) if (sp) console.log(`${`${name} training samples/s`.padEnd(29)}${f(sp.aekit).padStart(10)}   ${f(sp.pytorch).padStart(10)}   ${sp.ratio.toFixed(2)}×`);
for (const [name, sp] of rows) if (sp) console.log(`  PyTorch, ${name}: ${sp.pytorchByConfig.map((c) => `${c.config}: ${f(c.median)}`).join('; ')}`);
for (const g of gemm) console.log(`SGEMM ${g.shape.padEnd(13)} ${g.trans}  GFLOP/s ${g.aekit.toFixed(0).padStart(7)}   ${g.openblas.toFixed(0).padStart(10)}   ${g.ratio.toFixed(2)}×`);
for (const [name, r] of [['Model B', result.rssMiB], ['conv net', result.rssConvMiB], ['vae-mlp', result.rssVaeMiB]] as const) {
  if (r) console.log(`${`peak RSS ${name} (MiB)`.padEnd(29)}${r.aekit.toFixed(0).padStart(10)}   ${r.pytorch.toFixed(0).padStart(10)}`);
}
if (quality) {
  console.log(`Model B test MSE, 10 epochs   ${(quality.aekitTestMse as number).toFixed(5).padStart(9)}    ${(quality.pytorchTestMse as number).toFixed(5).padStart(9)}   ${((quality.relDiff as number) * 100).toFixed(2)}%  (same start: seed 42's weights and batch order)`);
  console.log(`  PyTorch from its own seed-42 start: ${(quality.pytorchOwnStartTestMse as number).toFixed(5)}; aekit with its default He init: ${(quality.aekitHeInitTestMse as number).toFixed(5)}`);
}
console.log('\nwritten to bench/results/latest.json');
