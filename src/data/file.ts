/** File access shared by the readers, so every missing file fails with the same message. */
import { fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/** Read a whole file; a missing file throws `no such file: PATH`. */
export function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fileError(path, err);
  }
}

/** Open a file for reading, with the same errors as readFileBytes; returns the descriptor and size. */
export function openForReading(path: string): { fd: number; size: number } {
  try {
    const fd = openSync(path, 'r');
    return { fd, size: fstatSync(fd).size };
  } catch (err) {
    throw fileError(path, err);
  }
}

/** Fill `buf` from byte `position` of `fd`; returns the bytes read (fewer only at the end of the file). */
export function readAt(fd: number, buf: Uint8Array, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const k = readSync(fd, buf, got, buf.length - got, position + got);
    if (k === 0) break;
    got += k;
  }
  return got;
}

function fileError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Error(`no such file: ${path}`);
  if (code === 'EISDIR') return new Error(`${path}: is a directory, expected a file`);
  return new Error(`${path}: cannot read: ${(err as Error).message}`);
}

/** Error for a binary file, naming the file and the byte offset where the problem lies. */
export function byteError(path: string, offset: number, message: string): Error {
  return new Error(`${path}: byte ${offset}: ${message}`);
}
