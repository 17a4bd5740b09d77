/** Hold out a validation split, the same rows for the same seed on every machine and backend. */
import { Rng } from '../core/index.js';
import { subset, type Dataset } from './dataset.js';

export interface Split {
  train: Dataset;
  /** null when `fraction` is 0: there is no validation split, and `train` is the input itself. */
  val: Dataset | null;
}

/**
 * Move round(n × fraction) rows, at least one, chosen by `seed` into `val`; both splits keep
 * the original row order. `fraction` must lie in [0, 1) and leave `train` at least one row.
 */
export function splitValidation(ds: Dataset, fraction: number, seed: number): Split {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`splitValidation: fraction must be in [0, 1), got ${fraction}`);
  if (!Number.isInteger(seed)) throw new Error(`splitValidation: seed must be an integer, got ${seed}`);
  if (fraction === 0) return { train: ds, val: null };
  const nVal = Math.max(1, Math.round(ds.n * fraction));
  if (nVal >= ds.n) throw new Error(`${ds.source}: validation fraction ${fraction} of ${ds.n} rows leaves no training rows`);
  const order = new Int32Array(ds.n);
  for (let i = 0; i < ds.n; i++) order[i] = i;
  new Rng(seed).shuffle(order);
  const val = order.slice(0, nVal).sort();
  const train = order.slice(nVal).sort();
  return { train: subset(ds, train), val: subset(ds, val) };
}
