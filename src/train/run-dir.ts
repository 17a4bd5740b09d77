/**
 * Run directories. `run.json` says what a run directory holds: its status (running, finished,
 * diverged, failed, interrupted), how many epochs its last checkpoint completed, and where that
 * checkpoint is. Checkpoints are complete model directories `checkpoints/epoch-NNNN` written into
 * a temporary sibling and renamed into place; run.json is then replaced atomically, and only after
 * that are older checkpoints removed, so a process killed at any moment leaves a run.json that
 * points to a complete checkpoint (or to none, before the first epoch ends). The top-level
 * model.safetensors exists only once a run has finished, so no command can mistake initial or
 * diverged weights for a trained model. aekit creates run directories itself and never writes into
 * a non-empty directory that is not one of its runs.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readJsonObject, saveModelDir, type SaveOptions } from '../io/model-dir.js';
import { ensureDir, fsyncDir, outputError, removeStaleTemps, writeJsonAtomic } from '../util/atomic.js';
import { shown } from '../util/text.js';
import { classify, InputError, UsageError } from '../util/errors.js';

export const RUN_FILE = 'run.json';
export const RUN_FORMAT = 'aekit-run';
const RUN_VERSION = 1;
const STATUSES = ['running', 'finished', 'diverged', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof STATUSES)[number];
const CHECKPOINT_DIR = /^checkpoints\/epoch-(\d{4,})$/;

export interface RunRecord {
  format: typeof RUN_FORMAT;
  version: number;
  status: RunStatus;
  /** Epochs the run was asked for. */
  epochs: number;
  /** Epochs completed by the latest checkpoint (0 before the first one). */
  epochsDone: number;
  /** The latest complete checkpoint, relative to the run directory, or null. */
  checkpoint: string | null;
  updated: string;
  /** Why the run stopped, when it did not finish. */
  message: string | null;
}

export function newRunRecord(epochs: number): RunRecord {
  return { format: RUN_FORMAT, version: RUN_VERSION, status: 'running', epochs, epochsDone: 0, checkpoint: null, updated: new Date().toISOString(), message: null };
}

export function writeRunRecord(runDir: string, r: RunRecord): void {
  writeJsonAtomic(join(runDir, RUN_FILE), { ...r, updated: new Date().toISOString() });
}

/**
 * Make `dir` a new run directory holding what `fill` writes (run.json and config.json): built in a
 * temporary sibling and renamed into place, so a kill leaves either no run or a resumable one. A
 * missing directory is created and an empty one replaced; anything else is refused, so aekit never
 * overwrites files it did not write.
 */
export function createRunDir(dir: string, fill: (tmp: string) => void): void {
  checkRunDirFree(dir);
  const parent = dirname(resolve(dir));
  ensureDir(parent);
  const prefix = `.${basename(resolve(dir))}.tmp-`;
  // Half-built copies of this run left by killed processes.
  for (const name of readdirSync(parent)) if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) rmSync(join(parent, name), { recursive: true, force: true });
  const tmp = join(parent, `${prefix}${process.pid}`);
  try {
    mkdirSync(tmp);
  } catch (err) {
    throw outputError(dir, err);
  }
  fill(tmp);
  try {
    renameSync(tmp, dir); // replaces `dir` only if it is an empty directory
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw outputError(dir, err);
  }
  fsyncDir(parent);
}

/** Throw unless `dir` is missing or an empty directory, so a new run may be written there. */
export function checkRunDirFree(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir}: exists and is not a directory`);
    const names = readdirSync(dir);
    if (names.length > 0) {
      if (readRunRecord(dir) !== null) throw new UsageError(`${dir} already holds a run: resume it with --resume ${dir}, or choose another --out`);
      throw new UsageError(`--out ${dir}: the directory is not empty and is not an aekit run (it holds ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}); choose a new or empty directory`);
    }
  }
}

/** The run record of `dir`, or null when `dir` is not a run directory; a malformed record is an InputError. */
export function readRunRecord(dir: string): RunRecord | null {
  const path = join(dir, RUN_FILE);
  if (!existsSync(path)) return legacyRecord(dir);
  return readRunFile(path);
}

/** Read and validate the run record at `path`; errors are InputErrors naming the file and the field. */
export function readRunFile(path: string): RunRecord {
  return checkRunRecord(classify(InputError, () => readJsonObject(path, 'run record')), path);
}

function checkRunRecord(raw: unknown, path: string): RunRecord {
  const bad = (what: string) => new InputError(`${path}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('expected a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.format !== RUN_FORMAT) throw bad(`not an aekit run record (format is ${shown(r.format)})`);
  if (r.version !== RUN_VERSION) throw bad(`version ${shown(r.version)} is not supported (this aekit reads ${RUN_VERSION})`);
  if (!STATUSES.includes(r.status as RunStatus)) throw bad(`status must be one of ${STATUSES.join(', ')}, got ${shown(r.status)}`);
  for (const k of ['epochs', 'epochsDone'] as const) {
    if (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0) throw bad(`${k} must be a non-negative integer, got ${shown(r[k])}`);
  }
  const pointed = r.checkpoint === null ? 0 : checkpointEpoch(r.checkpoint, path);
  if (pointed !== r.epochsDone) throw bad(r.checkpoint === null ? `epochsDone is ${String(r.epochsDone)} but there is no checkpoint` : `checkpoint ${String(r.checkpoint)} does not match epochsDone ${String(r.epochsDone)}`);
  if (r.message !== null && typeof r.message !== 'string') throw bad('message must be a string or null');
  return { format: RUN_FORMAT, version: RUN_VERSION, status: r.status as RunStatus, epochs: r.epochs as number, epochsDone: r.epochsDone as number, checkpoint: r.checkpoint as string | null, updated: String(r.updated ?? ''), message: r.message as string | null };
}

/** The epoch a checkpoint path names; the path must be `checkpoints/epoch-NNNN`, never outside the run. */
function checkpointEpoch(p: unknown, path: string): number {
  const m = typeof p === 'string' ? CHECKPOINT_DIR.exec(p) : null;
  if (!m) throw new InputError(`${path}: checkpoint must be "checkpoints/epoch-NNNN" inside the run directory, got ${shown(p)}`);
  return Number(m[1]);
}

/** Runs written before run.json: checkpoint.json pointed at the checkpoint and metrics.json marked the end. */
function legacyRecord(dir: string): RunRecord | null {
  const ptrPath = join(dir, 'checkpoint.json');
  if (!existsSync(ptrPath)) return null;
  const rel = classify(InputError, () => readJsonObject(ptrPath, 'checkpoint pointer')).dir;
  const epoch = checkpointEpoch(typeof rel === 'string' ? rel.replaceAll('\\', '/') : rel, ptrPath);
  const finished = existsSync(join(dir, 'metrics.json'));
  return { ...newRunRecord(epoch), status: finished ? 'finished' : 'interrupted', epochsDone: epoch, checkpoint: `checkpoints/epoch-${String(epoch).padStart(4, '0')}` };
}

/**
 * Write the checkpoint after `epochsDone` epochs, then point run.json at it, then remove older
 * checkpoints; returns the checkpoint directory.
 */
export function writeCheckpoint(runDir: string, rec: RunRecord, epochsDone: number, o: SaveOptions): string {
  const rel = `checkpoints/epoch-${String(epochsDone).padStart(4, '0')}`;
  const dir = join(runDir, rel);
  ensureDir(join(runDir, 'checkpoints'));
  rmSync(dir, { recursive: true, force: true }); // a leftover from a crash before run.json pointed at it
  saveModelDir(dir, o);
  Object.assign(rec, { epochsDone, checkpoint: rel });
  writeRunRecord(runDir, rec);
  for (const old of readdirSync(join(runDir, 'checkpoints'))) {
    if (join('checkpoints', old) !== join(rel)) rmSync(join(runDir, 'checkpoints', old), { recursive: true, force: true });
  }
  return dir;
}

/** The directory of the run's latest complete checkpoint, or null if it has none yet. */
export function latestCheckpoint(runDir: string, rec: RunRecord | null = readRunRecord(runDir)): string | null {
  if (rec === null || rec.checkpoint === null) return null;
  const dir = join(runDir, rec.checkpoint);
  if (!existsSync(join(dir, 'model.safetensors'))) throw new InputError(`${join(runDir, RUN_FILE)}: its checkpoint ${rec.checkpoint} is missing or incomplete`);
  return dir;
}

/** Remove what a killed process left half-written in a run directory and its checkpoints folder. */
export function cleanRunDir(runDir: string): void {
  removeStaleTemps(runDir);
  removeStaleTemps(join(runDir, 'checkpoints'));
}

/** Which weights a command should use from `dir`, and a note when they are not a finished model. */
export interface WeightsChoice {
  /** The model directory whose model.safetensors to load. */
  dir: string;
  /** Said to the user when the weights come from a checkpoint of an unfinished run. */
  note: string | null;
}

/**
 * A finished run or a plain model directory gives its own weights; an unfinished run gives its
 * last checkpoint's, with a note; a run with no checkpoint yet has no trained weights (an error).
 */
export function chooseWeights(dir: string): WeightsChoice {
  const rec = readRunRecord(dir);
  if (rec === null || rec.status === 'finished') return { dir, note: null };
  const why = rec.status === 'running' ? 'is still running or was killed' : `stopped: ${rec.status}${rec.message ? ` (${rec.message})` : ''}`;
  const ckpt = latestCheckpoint(dir, rec);
  if (ckpt === null) throw new InputError(`${dir} holds no trained weights: the run ${why} before its first epoch ended; continue it with aekit train --resume ${dir}`);
  return { dir: ckpt, note: `${dir} is not a finished model: the run ${why}; using the weights of its last checkpoint (epoch ${rec.epochsDone} of ${rec.epochs})` };
}
