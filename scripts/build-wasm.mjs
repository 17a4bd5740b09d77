// Builds the WebAssembly kernels (wasm/assembly/, AssemblyScript) into build/wasm/: four modules,
// SIMD128 and SIMD128 + relaxed-SIMD, each for shared memory (threads) and for plain memory. The
// compiler comes from npm (assemblyscript, a devDependency), so nothing else is needed. A failed
// build is reported, not fatal: aekit then runs on its other backends and says why at run time.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ENTRY = 'wasm/assembly/index.ts';
const OUT = join('build', 'wasm');
if (!existsSync(ENTRY)) process.exit(0);

let asc;
try {
  asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
} catch {
  console.error('aekit: assemblyscript is not installed (npm install without --omit=dev); the wasm backend is not built.');
  process.exit(0);
}

// The imported memory may grow to 4 GiB (65,536 pages); the host chooses its own, smaller maximum.
const common = [ENTRY, '-O3', '--runtime', 'stub', '--importMemory', '--noExportMemory', '--maximumMemory', '65536', '--disableWarning', '112'];
const variants = [
  { name: 'simd', flags: ['--enable', 'simd,threads'] },
  { name: 'relaxed', flags: ['--enable', 'simd,threads,relaxed-simd'] },
  { name: 'simd-shared', flags: ['--enable', 'simd,threads', '--sharedMemory'] },
  { name: 'relaxed-shared', flags: ['--enable', 'simd,threads,relaxed-simd', '--sharedMemory'] },
];

mkdirSync(OUT, { recursive: true });
const run = ({ name, flags }) =>
  new Promise((resolve) => {
    const tmp = join(OUT, `.aekit-${name}.wasm.tmp`);
    const child = spawn(process.execPath, [asc, ...common, ...flags, '-o', tmp], { stdio: 'inherit' });
    child.on('close', (code) => {
      if (code === 0) renameSync(tmp, join(OUT, `aekit-${name}.wasm`));
      resolve(code === 0);
    });
  });
const ok = (await Promise.all(variants.map(run))).every(Boolean);
if (!ok) console.error('aekit: the wasm kernels did not build; the wasm backend is unavailable. See the output above.');
else console.log(`aekit: wasm kernels built in ${OUT}/`);
