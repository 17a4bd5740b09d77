/**
 * What the fuzzer runs: a target reads one file (a reader, later a CLI command or a config loader)
 * and says whether what it returned is right. Shared validity checks for the results live here too.
 */
import type { Dataset } from '../data/dataset.js';

/** A reader under test; add one to `targets/index.ts` and `npm run fuzz` covers it. */
export interface FuzzTarget<R = unknown> {
  /** Unique name, as given to `npm run fuzz -- --target NAME`. */
  readonly name: string;
  /** Extension of the case file, for readers that choose the format by it (`'.csv'`). */
  readonly ext: string;
  /** Valid example files; most cases are these with a few mutations. */
  seeds(): Uint8Array[];
  /** Read the case file at `path` (its bytes are `bytes`); bad input must throw a plain Error naming `path`. */
  run(bytes: Uint8Array, path: string): R;
  /** Why `result` is not a correct reading, or null when it is. */
  check(result: R, bytes: Uint8Array, path: string): string | null;
  /** Fix checksums in a mutated file, so that half the cases get past them to the parser. */
  repair?(bytes: Uint8Array): Uint8Array;
  /** Strings the mutator also inserts: the format's keywords, dtype names, field names. */
  readonly tokens?: readonly string[];
  /** Bytes of typed arrays a result may hold per input byte (before 64 KiB of slack); default 8. */
  readonly maxExpansion?: number;
  /** Time bound of one case when the default (2 s) is too short, e.g. a whole CLI command. */
  readonly timeoutMs?: number;
  /** Cases in npm test's short run when 100 would take too long. */
  readonly quickRuns?: number;
}

/** Why `shape` is not a list of non-negative safe integers holding `length` values, or null. */
export function checkShape(shape: readonly number[], length: number): string | null {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `shape [${shape}] is not a list of non-negative integers`;
  const count = shape.includes(0) ? 0 : shape.reduce((a, b) => a * b, 1);
  return count === length ? null : `shape [${shape}] holds ${count} values but the data has ${length}`;
}

/** Why a dataset's fields disagree with each other, or null. */
export function checkDataset(ds: Dataset, path: string, opts: { finite?: boolean } = {}): string | null {
  if (ds.source !== path) return `source is ${JSON.stringify(ds.source)}, not the file`;
  if (!ds.sampleShape.every((d) => Number.isSafeInteger(d) && d >= 1)) return `sample shape [${ds.sampleShape}] is not positive integers`;
  const dim = ds.sampleShape.reduce((a, b) => a * b, 1);
  if (ds.dim !== dim) return `dim ${ds.dim} but sample shape [${ds.sampleShape}]`;
  if (!(ds.x instanceof Float32Array) || ds.x.length !== ds.n * dim) return `${ds.x.length} values for ${ds.n} rows of ${dim}`;
  if (ds.labels !== null && (!(ds.labels instanceof Int32Array) || ds.labels.length !== ds.n)) return `${ds.labels.length} labels for ${ds.n} rows`;
  if (opts.finite === true) {
    const bad = ds.x.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return `value ${ds.x[bad]} at ${bad} is not finite`;
  }
  return null;
}
