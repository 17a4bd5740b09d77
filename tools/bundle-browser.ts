/**
 * Bundles aekit's browser entry (dist/src/browser.js) with Vite, refusing any Node built-in on the
 * way, and reports the size. Used by test/browser-bundle.test.ts and `npm run bundle`.
 *
 *   node dist/tools/bundle-browser.js [--out DIR]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface BrowserBundle {
  /** ES module, for bundlers and `<script type="module">`. */
  esm: string;
  /** The same as an IIFE assigning the global `aekit`, for a plain script tag (and the test's bare context). */
  iife: string;
  /** Node built-ins that something in the graph tried to import, with the importer. */
  nodeImports: string[];
  sizes: { esmBytes: number; esmGzipBytes: number; iifeBytes: number };
}

const NODE_BUILTINS = new Set(builtinModules);

/**
 * Bundle `entry` (default: the browser entry), relative to `root`. `minify: false` keeps names: TF.js's
 * threaded wasm build starts its workers from the source text of a function, which minified names break.
 */
export async function bundleBrowser(root: string, outDir = mkdtempSync(join(tmpdir(), 'aekit-bundle-')), entry = 'dist/src/browser.js', minify = true): Promise<BrowserBundle> {
  const { build } = await import('vite');
  const nodeImports: string[] = [];
  await build({
    configFile: false,
    logLevel: 'silent',
    root,
    plugins: [{
      name: 'aekit-no-node-builtins',
      enforce: 'pre',
      resolveId(id: string, importer: string | undefined) {
        if (id.startsWith('node:') || NODE_BUILTINS.has(id)) nodeImports.push(`${id} (imported by ${importer ?? '?'})`);
        return null;
      },
    }],
    build: {
      outDir,
      emptyOutDir: true,
      minify,
      lib: { entry: join(root, entry), name: 'aekit', formats: ['es', 'iife'], fileName: (format: string) => `aekit.${format}.js` },
    },
  });
  const esm = readFileSync(join(outDir, 'aekit.es.js'), 'utf8');
  const iife = readFileSync(join(outDir, 'aekit.iife.js'), 'utf8');
  const bytes = (s: string) => Buffer.byteLength(s);
  return { esm, iife, nodeImports, sizes: { esmBytes: bytes(esm), esmGzipBytes: gzipSync(esm).length, iifeBytes: bytes(iife) } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outAt = process.argv.indexOf('--out');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const b = await bundleBrowser(root, outAt > 0 ? process.argv[outAt + 1] : undefined);
  if (b.nodeImports.length > 0) {
    console.error(`the browser entry reaches Node built-ins:\n  ${b.nodeImports.join('\n  ')}`);
    process.exit(1);
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`aekit browser bundle: ${kib(b.sizes.esmBytes)} minified ES module, ${kib(b.sizes.esmGzipBytes)} gzipped (IIFE ${kib(b.sizes.iifeBytes)})`);
}
