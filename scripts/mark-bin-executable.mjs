// tsc writes files 0644. npm's bin linking normally marks the CLI executable, but `npx aekit`
// reuses a cached link from an earlier checkout at the same path without relinking, so a fresh
// build must carry the executable bit itself or the shell answers "Permission denied".
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const rel of Object.values(pkg.bin ?? {})) {
  chmodSync(new URL(`../${rel}`, import.meta.url), 0o755);
}
