/**
 * In CI the wasm kernels must have been built by `npm install` (scripts/build-wasm.mjs): a broken
 * build would otherwise only show up as skipped wasm tests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNodeWasmBackend } from '../src/backends/wasm/node.js';

test('the wasm backend loads, plain memory and shared (required in CI)', { skip: process.env.CI ? false : 'only enforced when CI is set' }, async () => {
  assert.equal((await createNodeWasmBackend({ shared: false })).describe()['sharedMemory'], false);
  const be = await createNodeWasmBackend({ threads: 2 });
  assert.equal(be.threads(), 2);
  be.close();
});
