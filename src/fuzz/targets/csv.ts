/** CSV tables read by readCsv, with the header guessed and with the last column as labels. */
import { type CsvDataset } from '../../data/csv.js';
import { readCsv } from '../../data/files.js';
import { checkDataset, type FuzzTarget } from '../target.js';

const SEEDS = [
  'a,b,label\n1,2,0\n3.5,-4e-3,1\n',
  '1,2,3\n4,5,6\n',
  '"x","y, z"\r\n1,2\r\n3,4\r\n',
  '\uFEFFf1,f2\n.5,5.\n+1,-0\n\n',
  'x\n1\n2\n3\n',
  '"a""b",c\n1,"2"\n"3",4\n',
  '1e-3,2E+2,7\n-1.5,0,3',
];

/** Seed CSV files, shared with the `--data` targets. */
export function csvSeeds(): Uint8Array[] {
  return SEEDS.map((s) => new TextEncoder().encode(s));
}

export const CSV_TOKENS = ['label', 'NaN', 'inf', '1e39', '-', 'e'];

function checkCsv(ds: CsvDataset, path: string): string | null {
  const problem = checkDataset(ds, path, { finite: true });
  if (problem !== null) return problem;
  if (ds.n < 1) return 'no rows';
  return ds.featureNames !== null && ds.featureNames.length !== ds.dim ? `${ds.featureNames.length} feature names for ${ds.dim} features` : null;
}

export const csv: FuzzTarget<CsvDataset> = {
  name: 'csv',
  ext: '.csv',
  seeds: csvSeeds,
  tokens: CSV_TOKENS,
  run: (_bytes, path) => readCsv(path),
  check: (ds, _bytes, path) => checkCsv(ds, path),
};

export const csvLabelled: FuzzTarget<CsvDataset> = {
  name: 'csv-label',
  ext: '.csv',
  seeds: csvSeeds,
  tokens: CSV_TOKENS,
  run: (_bytes, path) => readCsv(path, { labelColumn: -1 }),
  check: (ds, _bytes, path) => (ds.labels === null ? 'no labels although labelColumn was given' : checkCsv(ds, path)),
};
