/** Stable exit codes and the error kinds that map to them. */
import { classify, classifyAsync, InputError, OutputError, UsageError } from '../util/errors.js';

export const EXIT = {
  ok: 0,
  /** An unexpected failure inside aekit (a bug: please report it). */
  internal: 1,
  /** Bad command line or configuration: unknown flag, invalid value, missing argument, an --out aekit may not use. */
  usage: 2,
  /** Bad input data or model files: missing, malformed, wrong shape, NaN/Inf, no trained weights. */
  input: 3,
  /** Training diverged (NaN/Inf or runaway loss); the last good checkpoint is kept. */
  diverged: 4,
  /** An output file or directory could not be written (permission, full disk, a directory in the way). */
  output: 5,
  /** Interrupted by a signal; resume from the last checkpoint. */
  interrupted: 130,
} as const;

export { classify, classifyAsync, InputError, OutputError, UsageError };
