/** Crash-safe file writes: write a temporary file beside the target, fsync it, rename, fsync the folder. */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError } from './errors.js';

/** Suffix of every temporary file or folder aekit writes; a crash may leave one, and the next run removes it. */
export const TEMP_SUFFIX = '.tmp';

/** Write `chunks` to `path` so that readers see either the old file or the complete new one. */
export function writeFileAtomic(path: string, ...chunks: (Uint8Array | string)[]): void {
  const w = new AtomicFileWriter(path);
  try {
    for (const c of chunks) w.write(c);
  } catch (err) {
    w.abort();
    throw err;
  }
  w.commit();
}

/**
 * A file written piece by piece into a temporary sibling and renamed into place by `commit()`, so
 * output of any size streams to disk and readers still see the old file or the whole new one.
 * `abort()` removes the temporary file; every failure is an OutputError naming `path`.
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number | null;

  constructor(readonly path: string) {
    const dir = dirname(path);
    ensureDir(dir);
    if (isDirectory(path)) throw new OutputError(`cannot write ${path}: it is a directory`);
    this.tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}${TEMP_SUFFIX}`);
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (err) {
      throw outputError(path, err);
    }
  }

  write(chunk: Uint8Array | string): void {
    if (this.fd === null) throw new Error(`AtomicFileWriter ${this.path}: already committed or aborted`);
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    try {
      let off = 0;
      while (off < buf.byteLength) off += writeSync(this.fd, buf, off, buf.byteLength - off);
    } catch (err) {
      this.abort();
      throw outputError(this.path, err);
    }
  }

  commit(): void {
    if (this.fd === null) throw new Error(`AtomicFileWriter ${this.path}: already committed or aborted`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, this.path);
    } catch (err) {
      this.abort();
      throw outputError(this.path, err);
    }
    fsyncDir(dirname(this.path));
  }

  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed.
      }
      this.fd = null;
    }
    rmSync(this.tmp, { force: true });
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Create `dir` and any missing parents, one level at a time. Node's recursive mkdir loops forever
 * under /proc (it retries a parent that exists but refuses children), so we walk up ourselves.
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    const kind = pathKind(p);
    if (kind === 'directory') break;
    if (kind === 'other') throw new OutputError(`cannot create ${dir}: ${p} exists and is not a directory`);
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw outputError(dir, err);
    }
  }
}

/** Remove temporary files and folders a killed aekit left in `dir` (not recursive). */
export function removeStaleTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith('.') || !(name.endsWith(TEMP_SUFFIX) || /\.tmp-\d+$/.test(name))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function pathKind(p: string): 'missing' | 'directory' | 'other' {
  try {
    return statSync(p).isDirectory() ? 'directory' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return lstatExists(p) ? 'other' : 'missing';
    if (code === 'ENOTDIR') return 'other';
    throw outputError(p, err);
  }
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true; // a dangling symbolic link
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded', EISDIR: 'it is a directory', ENOTDIR: 'a parent is not a directory', ENOENT: 'no such directory',
  ENAMETOOLONG: 'the name is too long', EEXIST: 'it already exists',
};

/** A write failure as an OutputError naming the path and the reason in words. */
export function outputError(path: string, err: unknown): Error {
  if (err instanceof OutputError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined) return err as Error;
  return new OutputError(`cannot write ${path}: ${REASONS[code] ?? (err as Error).message}`);
}
