/**
 * The kinds of failure a user can act on, told apart so the CLI maps each to its exit code and no
 * layer reports our own bug as the user's bad input (or the other way round).
 */

/** Bad command line or configuration: unknown flag, value out of range, a directory aekit may not use. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input data or model files: missing, malformed, wrong shape, NaN/Inf, untrained weights. */
export class InputError extends Error {
  override name = 'InputError';
}

/** An output could not be written (a directory in the way, no permission, a full disk); nothing was left half-written. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/** Run `fn`, turning a plain Error it throws into `Kind` with the same message; typed errors pass through. */
export function classify<T>(Kind: new (message: string) => Error, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError || err instanceof OutputError) throw err;
    if (!(err instanceof Error) || isBug(err)) throw err;
    throw new Kind(err.message);
  }
}

/** `classify` for an async call. */
export async function classifyAsync<T>(Kind: new (message: string) => Error, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return classify(Kind, () => {
      throw err;
    });
  }
}

/** Errors that mean a defect in aekit rather than anything about the user's files. */
function isBug(err: Error): boolean {
  return err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError;
}
