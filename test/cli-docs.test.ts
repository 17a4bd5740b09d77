import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliDocs, configSchemaDoc } from '../tools/gen-cli-docs.js';
import { repoRoot } from './helpers.js';

test('docs/cli.md matches the commands\' --help (run `npm run docs` after changing flags)', async () => {
  assert.equal(readFileSync(join(repoRoot(), 'docs', 'cli.md'), 'utf8'), await cliDocs());
});

test('docs/config.schema.json is the current config schema (run `npm run docs` after changing config fields)', () => {
  assert.equal(readFileSync(join(repoRoot(), 'docs', 'config.schema.json'), 'utf8'), configSchemaDoc());
});
