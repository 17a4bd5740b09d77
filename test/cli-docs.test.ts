import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliDocs } from '../tools/gen-cli-docs.js';
import { repoRoot } from './helpers.js';

test('docs/cli.md matches the commands\' --help (run `npm run docs` after changing flags)', async () => {
  assert.equal(readFileSync(join(repoRoot(), 'docs', 'cli.md'), 'utf8'), await cliDocs());
});
