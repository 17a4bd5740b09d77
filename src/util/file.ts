/**
 * File access shared by the readers: only regular files are read, their size is checked against a
 * limit before any byte is read, and every failure names the file.
 */
import { constants as bufferConstants } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** Limits the readers apply; an application may change `maxFileBytes` (tests lower it). */
export const readLimits = {
  /** Largest file read: 8 GiB, or what one typed array can hold where that is less (4 GiB on Node 20). */
  maxFileBytes: Math.min(8 * 2 ** 30, bufferConstants.MAX_LENGTH),
};

/** A size limit and what it is called in the error message. */
export interface FileLimit {
  bytes: number;
  what: string;
}

// O_NONBLOCK: opening a FIFO that has no writer would otherwise wait forever, before fstat could refuse it.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function defaultLimit(): FileLimit {
  return { bytes: readLimits.maxFileBytes, what: 'readLimits.maxFileBytes' };
}

/** Read a whole regular file; a missing file throws `no such file: PATH`, a special file or one over `limit` is refused unread. */
export function readFileBytes(path: string, limit: FileLimit = defaultLimit()): Uint8Array {
  const { fd, size } = openForReading(path, limit);
  try {
    const bytes = new Uint8Array(size);
    const got = readAt(fd, bytes, 0, path);
    if (got !== size) throw new Error(`${path}: byte ${got}: the file ended early (it shrank from ${size} bytes while being read)`);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Open a regular file for reading, with the same checks as readFileBytes; returns the descriptor and size. */
export function openForReading(path: string, limit: FileLimit = defaultLimit()): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    // fstat on the open descriptor, so the file checked is the file read (no stat-then-open race).
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(path, st);
    if (st.size > limit.bytes) throw new Error(`${path}: the file is ${st.size} bytes, over the ${limit.bytes}-byte limit (${limit.what})`);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Fill `buf` from byte `position` of `fd`; returns the bytes read (fewer only at the end of the file). */
export function readAt(fd: number, buf: Uint8Array, position: number, path: string): number {
  let got = 0;
  try {
    while (got < buf.length) {
      const k = readSync(fd, buf, got, buf.length - got, position + got);
      if (k === 0) break;
      got += k;
    }
  } catch (err) {
    throw new Error(`${path}: byte ${position + got}: cannot read: ${(err as Error).message}`);
  }
  return got;
}

function notRegular(path: string, st: Stats): Error {
  const kind = st.isDirectory() ? 'a directory'
    : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device'
    : st.isFIFO() ? 'a FIFO (named pipe)'
    : st.isSocket() ? 'a socket'
    : 'of an unknown kind';
  return new Error(`${path}: is not a regular file (${kind})`);
}

function fileError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Error(`no such file: ${path}`);
  // open() answers ENXIO for a socket and EISDIR for a directory on some systems: say what the path is.
  if (code === 'ENXIO' || code === 'EISDIR') {
    try {
      return notRegular(path, statSync(path));
    } catch {
      // The path vanished meanwhile; fall through to the system's message.
    }
  }
  return new Error(`${path}: cannot read: ${(err as Error).message}`);
}

export * from './bytes.js';
