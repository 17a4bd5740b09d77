// Builds the native addon with the node-gyp that npm bundles. A failed build is reported, not
// fatal: aekit then runs on its other backends and says why once at run time.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

if (!existsSync('binding.gyp')) process.exit(0);
let r;
if (process.env.npm_lifecycle_event) {
  // Under npm (npm install / npm run), node-gyp is on PATH and npm passes its nodedir setting.
  r = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: true });
} else {
  // Run directly: use the node-gyp bundled with npm beside this node, and this node's own headers
  // when they are installed (so nothing is downloaded).
  const prefix = dirname(dirname(process.execPath));
  const gyp = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const args = [gyp, 'rebuild'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  r = existsSync(gyp) ? spawnSync(process.execPath, args, { stdio: 'inherit' }) : { status: 1, error: new Error(`node-gyp not found at ${gyp}`) };
  if (r.error) console.error(`aekit: ${r.error.message}`);
}
if (r.status !== 0) {
  console.error('aekit: the native addon did not build; the reference backend will be used. See the output above.');
}
