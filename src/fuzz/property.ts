/**
 * The property every case must satisfy: the reader returns a correct result or throws a plain Error
 * naming the file; it leaves the file as it was, stays within the time bound, and allocates in
 * proportion to the file.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError, OutputError, UsageError } from '../util/errors.js';
import type { FuzzTarget } from './target.js';

export interface CaseBounds {
  /** A case that takes longer fails (the watchdog kills one that never returns). */
  timeoutMs: number;
  /** Array-buffer growth allowed beyond the target's expansion of the file. */
  slackBytes: number;
}

/** Longest error message that still reads as one clear line. */
export const MAX_MESSAGE = 1000;

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** What went wrong in a case (null: nothing), and whether the reader returned a result rather than an error. */
export interface CaseOutcome {
  problem: string | null;
  read: boolean;
}

/** Write `bytes` to `file`, let the target read it, and say what went wrong. */
export function runCase(target: FuzzTarget, bytes: Uint8Array, file: string, bounds: CaseBounds): CaseOutcome {
  writeFileSync(file, bytes);
  const before = digest(bytes);
  const mem0 = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    outcome = { ok: true, result: target.run(bytes, file) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const ms = performance.now() - t0;
  const grown = process.memoryUsage().arrayBuffers - mem0;
  const expansion = target.maxExpansion ?? 8;
  const problem = digest(readFileSync(file)) !== before ? 'the input file changed'
    : ms > bounds.timeoutMs ? `took ${ms.toFixed(0)} ms, over the ${bounds.timeoutMs} ms bound`
    : grown > (expansion + 4) * bytes.length + bounds.slackBytes ? `array buffers grew by ${grown} bytes for a ${bytes.length}-byte file`
    : outcome.ok ? judgeResult(target, outcome.result, bytes, file) : judgeError(outcome.error, file);
  return { problem, read: outcome.ok };
}

/** A bad input must fail as a plain Error with a short message naming the file; anything else is our bug. */
export function judgeError(error: unknown, file: string): string | null {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error)}`;
  const message = error.message;
  if (!isReport(error)) return `${error.constructor.name} (a bug, not a report on the input): ${message.slice(0, MAX_MESSAGE)}`;
  if (!message.includes(file)) return `the error does not name the file: ${message.slice(0, MAX_MESSAGE)}`;
  if (/\n\s+at /.test(message)) return `the error message holds a stack trace: ${message.slice(0, MAX_MESSAGE)}`;
  if (message.length > MAX_MESSAGE) return `the error message is ${message.length} characters long: ${message.slice(0, 200)}…`;
  return null;
}

function judgeResult(target: FuzzTarget, result: unknown, bytes: Uint8Array, file: string): string | null {
  const held = arrayBytes(result, 3);
  const allowed = (target.maxExpansion ?? 8) * bytes.length + 65536;
  if (held > allowed) return `the result holds ${held} bytes of arrays for a ${bytes.length}-byte file`;
  const problem = target.check(result, bytes, file);
  return problem === null ? null : `wrong result: ${problem}`;
}

/** Bytes of the typed arrays reachable from `value` within `depth` levels. */
function arrayBytes(value: unknown, depth: number): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (depth === 0 || typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce((n: number, v) => n + arrayBytes(v, depth - 1), 0);
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A plain Error, or one of the kinds the CLI reports to the user (util/errors.ts); any other class is a bug. */
function isReport(error: Error): boolean {
  return error.constructor === Error || error.constructor === InputError || error.constructor === UsageError || error.constructor === OutputError;
}
