/** TPE against random search on a cheap synthetic objective: mean best-so-far over 10 seeds, 50 trials (PNG: docs/tune-samplers.png). */
import { writeFileSync } from 'node:fs';
import { lineChart } from '../src/util/plot.js';
import { makeSampler, type Observation } from '../src/tune/sampler.js';
import { parseSpace, type Params } from '../src/tune/space.js';

// Optimum at lr = 1e-3, x = 0.3, c = 'b' (value 0).
const objective = (p: Params): number => (Math.log10(p.lr as number) + 3) ** 2 + 4 * ((p.x as number) - 0.3) ** 2 + (p.c === 'b' ? 0 : 0.5);
const space = parseSpace({ lr: { type: 'float', low: 1e-5, high: 1e-1, log: true }, x: { type: 'float', low: -1, high: 1 }, c: { type: 'choice', values: ['a', 'b', 'c'] } });
const [N, SEEDS] = [50, 10];

function meanCurve(name: 'tpe' | 'random'): number[] {
  const sum = new Array<number>(N).fill(0);
  for (let seed = 0; seed < SEEDS; seed++) {
    const s = makeSampler(name, space, 1000 + seed);
    const hist: Observation[] = [];
    let best = Infinity;
    for (let i = 0; i < N; i++) {
      const p = s.suggest(i, hist)!;
      hist.push({ params: p, loss: objective(p) });
      best = Math.min(best, objective(p));
      sum[i]! += best / SEEDS;
    }
  }
  return sum;
}

const [tpe, rnd] = [meanCurve('tpe'), meanCurve('random')];
for (const i of [9, 19, 29, 49]) console.log(`after ${i + 1} trials: TPE ${tpe[i]!.toFixed(4)}  random ${rnd[i]!.toFixed(4)}  ratio random/TPE ${(rnd[i]! / tpe[i]!).toFixed(2)}`);
writeFileSync(process.argv[2] ?? 'docs/tune-samplers.png', lineChart({ title: `TPE vs random: mean best over ${SEEDS} seeds`, xLabel: 'trial', yLabel: 'best value so far', logY: true, series: [{ name: 'TPE', y: tpe }, { name: 'random', y: rnd }] }));
