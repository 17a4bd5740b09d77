/**
 * A local study in one SQLite file (better-sqlite3): its settings, every trial with its parameters,
 * state and value, and every per-epoch value the pruners read. Each change is one statement in
 * WAL mode, so a kill at any moment leaves the file consistent; trials still 'running' at a kill
 * are run again by --resume.
 */
import Database from 'better-sqlite3';
import type { Params } from './space.js';
import type { TrialStatus } from './trial-process.js';

export type TrialState = 'running' | TrialStatus;
export interface TrialRecord {
  number: number;
  params: Params;
  state: TrialState;
  value: number | null;
  metrics: Record<string, number>;
  epochs: number;
  seconds: number;
  error: string | null;
}

export class StudyStore {
  private db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS trials (number INTEGER PRIMARY KEY, params TEXT NOT NULL, state TEXT NOT NULL,
        value REAL, metrics TEXT NOT NULL DEFAULT '{}', epochs INTEGER NOT NULL DEFAULT 0, seconds REAL NOT NULL DEFAULT 0, error TEXT);
      CREATE TABLE IF NOT EXISTS intermediates (trial INTEGER NOT NULL, epoch INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (trial, epoch));`);
  }

  getMeta<T>(key: string): T | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  setMeta(key: string, value: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  addTrial(number: number, params: Params): void {
    this.db.prepare("INSERT INTO trials (number, params, state) VALUES (?, ?, 'running')").run(number, JSON.stringify(params));
  }

  finishTrial(number: number, r: { state: TrialStatus; value: number | null; metrics: Record<string, number>; epochs: number; seconds: number; error: string | null }): void {
    this.db.prepare('UPDATE trials SET state = ?, value = ?, metrics = ?, epochs = ?, seconds = ?, error = ? WHERE number = ?')
      .run(r.state, r.value, JSON.stringify(r.metrics), r.epochs, r.seconds, r.error, number);
  }

  /** Record a per-epoch value; returns every trial's value at that epoch. */
  report(trial: number, epoch: number, value: number): Map<number, number> {
    this.db.prepare('INSERT OR REPLACE INTO intermediates (trial, epoch, value) VALUES (?, ?, ?)').run(trial, epoch, value);
    const rows = this.db.prepare('SELECT trial, value FROM intermediates WHERE epoch = ?').all(epoch) as { trial: number; value: number }[];
    return new Map(rows.map((r) => [r.trial, r.value]));
  }

  trials(): TrialRecord[] {
    const rows = this.db.prepare('SELECT * FROM trials ORDER BY number').all() as { number: number; params: string; state: TrialState; value: number | null; metrics: string; epochs: number; seconds: number; error: string | null }[];
    return rows.map((r) => ({ ...r, params: JSON.parse(r.params) as Params, metrics: JSON.parse(r.metrics) as Record<string, number> }));
  }

  close(): void {
    this.db.close();
  }
}
