import assert from 'node:assert/strict';
import { constants as bufferConstants } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadNpy, readCsv, readIdx, readNpy } from './files.js';
import { readFileBytes, readLimits } from './file.js';

const dir = mkdtempSync(join(tmpdir(), 'aekit-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const posix = process.platform !== 'win32';
const READERS: [string, (path: string) => unknown][] = [
  ['readCsv', readCsv], ['readNpy', readNpy], ['loadNpy', loadNpy], ['readIdx', readIdx], ['readFileBytes', readFileBytes],
];

/** Run `read` and return how long it took to fail, asserting the message. */
function failsWithin(read: () => unknown, re: RegExp, ms: number): void {
  const t0 = performance.now();
  assert.throws(read, (err: Error) => err.constructor === Error && re.test(err.message), String(re));
  const took = performance.now() - t0;
  assert.ok(took < ms, `took ${took.toFixed(0)} ms`);
}

test('/dev/zero is refused at once by every reader, unread (it would grow memory without bound)', { skip: !existsSync('/dev/zero') }, () => {
  for (const [, read] of READERS) failsWithin(() => read('/dev/zero'), /^\/dev\/zero: is not a regular file \(a character device\)$/, 1000);
});

test('a FIFO with no writer is refused, not waited on', { skip: !posix }, () => {
  const fifo = join(dir, 'pipe.csv');
  execFileSync('mkfifo', [fifo]);
  for (const [, read] of READERS) failsWithin(() => read(fifo), /pipe\.csv: is not a regular file \(a FIFO \(named pipe\)\)$/, 1000);
});

test('a directory and a socket are refused naming what they are', { skip: !posix }, async () => {
  assert.throws(() => readNpy(dir), { message: `${dir}: is not a regular file (a directory)` });
  const sock = join(dir, 'data.sock');
  const server = createServer().listen(sock);
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    for (const [, read] of READERS) assert.throws(() => read(sock), { message: `${sock}: is not a regular file (a socket)` });
  } finally {
    server.close();
  }
});

/** A sparse file of `size` bytes: its size is real, its blocks are not written. */
function sparse(name: string, size: number): string {
  const path = join(dir, name);
  closeSync(openSync(path, 'w'));
  truncateSync(path, size);
  return path;
}

test('a file over readLimits.maxFileBytes is refused before reading, naming its size and the limit', () => {
  const big = sparse('big.npy', readLimits.maxFileBytes + 1);
  const re = new RegExp(`big\\.npy: the file is ${readLimits.maxFileBytes + 1} bytes, over the ${readLimits.maxFileBytes}-byte limit \\(readLimits\\.maxFileBytes\\)$`);
  // readCsv has a lower limit of its own (next test).
  for (const [name, read] of READERS) if (name !== 'readCsv') failsWithin(() => read(big), re, 1000);
  rmSync(big);
});

test('readLimits.maxFileBytes can be lowered', () => {
  const path = join(dir, 'small.idx');
  writeFileSync(path, Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9));
  const saved = readLimits.maxFileBytes;
  readLimits.maxFileBytes = 9;
  try {
    assert.throws(() => readIdx(path), /small\.idx: the file is 10 bytes, over the 9-byte limit \(readLimits\.maxFileBytes\)$/);
  } finally {
    readLimits.maxFileBytes = saved;
  }
  assert.deepEqual([...readIdx(path).data], [7, 9]);
});

test('a CSV file longer than a JavaScript string can hold is refused before reading', () => {
  const big = sparse('big.csv', bufferConstants.MAX_STRING_LENGTH + 1);
  const re = new RegExp(`big\\.csv: the file is ${bufferConstants.MAX_STRING_LENGTH + 1} bytes, over the ${bufferConstants.MAX_STRING_LENGTH}-byte limit \\(the longest string JavaScript holds\\)$`);
  failsWithin(() => readCsv(big), re, 1000);
  rmSync(big);
});
