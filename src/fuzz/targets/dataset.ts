/** The `--data FILE` path of `aekit train` (loadDataset), which picks the reader by the file's extension. */
import type { Dataset } from '../../data/dataset.js';
import { loadDataset } from '../../train/data-setup.js';
import { checkDataset, type FuzzTarget } from '../target.js';
import { CSV_TOKENS, csvSeeds } from './csv.js';
import { idxSeeds, repairIdx } from './idx.js';
import { NPY_TOKENS, npySeeds, repairNpy } from './npy.js';

type Repair = (bytes: Uint8Array) => Uint8Array;

function dataTarget(ext: string, seeds: () => Uint8Array[], tokens: readonly string[], repair?: Repair): FuzzTarget<Dataset> {
  return {
    name: `data${ext.replace('.', '-')}`,
    ext,
    seeds,
    tokens,
    ...(repair === undefined ? {} : { repair }),
    run: (_bytes, path) => loadDataset(path),
    // Only CSV promises finite values; NPY and IDX floats are checked later by the trainer.
    check: (ds, _bytes, path) => checkDataset(ds, path, { finite: ext === '.csv' }),
  };
}

export const dataCsv = dataTarget('.csv', csvSeeds, CSV_TOKENS);
export const dataNpy = dataTarget('.npy', npySeeds, NPY_TOKENS, repairNpy);
export const dataIdx = dataTarget('.idx', idxSeeds, [], repairIdx);
