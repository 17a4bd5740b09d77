/**
 * `npm run bench`: aekit against PyTorch on this machine, in one process tree, on the same MNIST
 * batches: Model A and Model B training throughput (median of timed repeats after warm-up, the
 * two sides alternated so drift hits both), SGEMM GFLOP/s against NumPy/OpenBLAS, peak RSS, and
 * (unless --quick) Model B's test MSE after 10 epochs. Writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gemmBench, type GemmRow } from './gemm.js';
import { aekit, median, ROOT, torch } from './peer.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);

interface Speed {
  aekit: number;
  pytorch: number;
  ratio: number;
  aekitRuns: number[];
  pytorchRuns: number[];
}

function speed(model: 'A' | 'B', rss: { aekit: number[]; pytorch: number[] }): Speed {
  const steps = model === 'A' ? ['--steps', '200', '--repeats', '3', '--warmup', '30'] : ['--steps', '40', '--repeats', '3', '--warmup', '15'];
  const a: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ra = aekit(['speed', '--model', model, ...steps]);
    const rp = torch(['speed', '--model', model, ...steps]);
    a.push(ra.samplesPerSec as number);
    p.push(rp.samplesPerSec as number);
    if (model === 'B') {
      rss.aekit.push(ra.rssMiB as number);
      rss.pytorch.push(rp.rssMiB as number);
    }
    process.stderr.write(`  model ${model} round ${r + 1}: aekit ${Math.round(a.at(-1)!)}  pytorch ${Math.round(p.at(-1)!)} samples/s\n`);
  }
  return { aekit: median(a), pytorch: median(p), ratio: median(a) / median(p), aekitRuns: a, pytorchRuns: p };
}

const rss = { aekit: [] as number[], pytorch: [] as number[] };
process.stderr.write('Model A (784-128-64-32 mirrored, BCE, Adam, batch 256)\n');
const modelA = speed('A', rss);
process.stderr.write('Model B (784-1000-500-250-30 mirrored, MSE, Adam, batch 256)\n');
const modelB = speed('B', rss);
process.stderr.write('SGEMM\n');
const gemm: GemmRow[] = await gemmBench();
let quality: Record<string, unknown> | null = null;
if (!values.quick) {
  process.stderr.write('Model B quality: 10 epochs each, test MSE\n');
  // Same init scheme as PyTorch's nn.Linear (`torch`), and aekit's default (He for ReLU).
  const qa = aekit(['quality', '--model', 'B', '--epochs', '10', '--init', 'torch']);
  const qh = aekit(['quality', '--model', 'B', '--epochs', '10']);
  const qp = torch(['quality', '--model', 'B', '--epochs', '10']);
  quality = {
    aekitTestMse: qa.testMse, pytorchTestMse: qp.testMse, relDiff: (qa.testMse as number) / (qp.testMse as number) - 1,
    aekitHeInitTestMse: qh.testMse, aekitSeconds: qa.seconds, pytorchSeconds: qp.seconds,
  };
}

const result = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  modelA, modelB, gemm,
  rssMiB: { aekit: Math.max(...rss.aekit), pytorch: Math.max(...rss.pytorch) },
  qualityModelB: quality,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(result, null, 2) + '\n');

const f = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`\naekit vs PyTorch on ${result.machine.cpu} (${result.machine.cores} cores), ${result.date}\n`);
console.log('workload                         aekit        PyTorch      ratio');
console.log(`Model A training samples/s   ${f(modelA.aekit).padStart(10)}   ${f(modelA.pytorch).padStart(10)}   ${modelA.ratio.toFixed(2)}×`);
console.log(`Model B training samples/s   ${f(modelB.aekit).padStart(10)}   ${f(modelB.pytorch).padStart(10)}   ${modelB.ratio.toFixed(2)}×`);
for (const g of gemm) console.log(`SGEMM ${g.shape.padEnd(13)} ${g.trans}  GFLOP/s ${g.aekit.toFixed(0).padStart(7)}   ${g.openblas.toFixed(0).padStart(10)}   ${g.ratio.toFixed(2)}×`);
console.log(`peak RSS Model B (MiB)       ${result.rssMiB.aekit.toFixed(0).padStart(10)}   ${result.rssMiB.pytorch.toFixed(0).padStart(10)}`);
if (quality) {
  console.log(`Model B test MSE, 10 epochs   ${(quality.aekitTestMse as number).toFixed(5).padStart(9)}    ${(quality.pytorchTestMse as number).toFixed(5).padStart(9)}   ${((quality.relDiff as number) * 100).toFixed(1)}%  (both with PyTorch's Linear init)`);
  console.log(`  aekit with its default He init: ${(quality.aekitHeInitTestMse as number).toFixed(5)}`);
}
console.log('\nwritten to bench/results/latest.json');
