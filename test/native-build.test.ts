/**
 * In CI the native addon must have been built by `npm install`: a broken build would otherwise
 * only show up as skipped native tests and a silent fallback to the reference backend.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerBuiltinBackends } from '../src/backends/index.js';
import { setBackend } from '../src/core/index.js';

test('the native backend loads (required in CI)', { skip: process.env.CI ? false : 'only enforced when CI is set' }, async () => {
  registerBuiltinBackends();
  const be = await setBackend('native');
  assert.equal(be.name, 'native');
});
