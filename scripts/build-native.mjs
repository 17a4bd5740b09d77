// Builds the native addon with the node-gyp that npm bundles. A failed build is reported, not
// fatal: aekit then runs on its other backends and says why once at run time.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('binding.gyp')) process.exit(0);
const r = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: true });
if (r.status !== 0) {
  console.error('aekit: the native addon did not build; the reference backend will be used. See the output above.');
}
