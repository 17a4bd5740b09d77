/**
 * Run directories. A run keeps its latest checkpoint as checkpoints/epoch-NNNN (a complete model
 * directory with optimizer and trainer state) and points to it from checkpoint.json, replaced
 * atomically after the new directory is complete; older checkpoints are removed afterwards. A
 * process killed at any moment leaves a pointer to a complete checkpoint.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { saveModelDir, type SaveOptions } from '../io/model-dir.js';
import { writeJsonAtomic } from '../util/atomic.js';

export interface CheckpointPointer {
  dir: string;
  epoch: number;
}

export function writeCheckpoint(runDir: string, epochsDone: number, o: SaveOptions): string {
  const name = `epoch-${String(epochsDone).padStart(4, '0')}`;
  const rel = join('checkpoints', name);
  const dir = join(runDir, rel);
  rmSync(dir, { recursive: true, force: true }); // a leftover from a crash before its pointer was written
  saveModelDir(dir, o);
  writeJsonAtomic(join(runDir, 'checkpoint.json'), { dir: rel, epoch: epochsDone } satisfies CheckpointPointer);
  for (const old of readdirSync(join(runDir, 'checkpoints'))) {
    if (old !== name) rmSync(join(runDir, 'checkpoints', old), { recursive: true, force: true });
  }
  return dir;
}

/** The directory of the run's latest complete checkpoint, or null if it has none. */
export function latestCheckpoint(runDir: string): string | null {
  const p = join(runDir, 'checkpoint.json');
  if (!existsSync(p)) return null;
  const ptr = JSON.parse(readFileSync(p, 'utf8')) as CheckpointPointer;
  return join(runDir, ptr.dir);
}
