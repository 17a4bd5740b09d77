/**
 * Readers with one known fault each, so that the harness's own test proves it catches every kind of
 * failure it promises to (a test that can fail). Not part of `npm run fuzz`.
 */
import { appendFileSync } from 'node:fs';
import { checkShape, type FuzzTarget } from './target.js';

const retained: number[][] = [];

function broken(name: string, run: (bytes: Uint8Array, path: string) => unknown): FuzzTarget {
  return { name, ext: '.bin', seeds: () => [Uint8Array.of(1, 2, 3)], run, check: () => null };
}

export const TARGETS: readonly FuzzTarget[] = [
  broken('type-error', (bytes) => (bytes as unknown as { no: { such: number } }).no.such),
  broken('no-path', () => { throw new Error('bad input'); }),
  broken('throws-string', () => { throw 'bad input'; }),
  broken('writes-input', (_bytes, path) => appendFileSync(path, 'x')),
  broken('returns-64mib', () => new Uint8Array(64 * 2 ** 20)),
  broken('allocates-64mib', () => new Uint8Array(64 * 2 ** 20).length),
  broken('hangs', () => { for (;;); }),
  broken('exits', () => process.exit(0)),
  // 40 MB of heap kept per case: rss grows without a typed array to see, so only the watchdog can stop it.
  broken('leaks', () => retained.push(new Array<number>(5_000_000).fill(1.5))),
  { ...broken('wrong-result', () => ({ shape: [2], data: new Uint8Array(3) })), check: (r) => checkShape((r as { shape: number[] }).shape, 3) },
];
