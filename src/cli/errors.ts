/** Stable exit codes and the error kinds that map to them. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure inside aekit. */
  internal: 1,
  /** Bad command line or configuration: unknown flag, invalid value, missing argument. */
  usage: 2,
  /** Bad input data or model files: missing, malformed, wrong shape, NaN/Inf. */
  input: 3,
  /** Training diverged (NaN/Inf loss); the last good checkpoint is kept. */
  diverged: 4,
  /** Interrupted by a signal; resume from the last checkpoint. */
  interrupted: 130,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export class InputError extends Error {
  override name = 'InputError';
}

/** Run `fn`, turning any error it throws into an InputError with the same message. */
export function asInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) throw err;
    throw new InputError((err as Error).message);
  }
}
