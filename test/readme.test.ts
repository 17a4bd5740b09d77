/** The library example in README.md runs as written (through the package's own `exports` map). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers.js';

test('README library example runs', () => {
  const root = repoRoot();
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README.md has a ```ts example');
  // Written inside the package so that `import 'aekit'` resolves to this package itself.
  const file = join(root, 'dist', 'readme-example.mjs');
  writeFileSync(file, `${block[1]}\nconsole.log(JSON.stringify({ ok: true, params: model.numParameters() }));\n`);
  const r = spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), { ok: true, params: 784 * 128 + 128 + 128 * 64 + 64 + 64 * 32 + 32 + 32 * 64 + 64 + 64 * 128 + 128 + 128 * 784 + 784 });
});
