/**
 * Enforces the layering of docs/design.md §2: each top-level folder of src/ may import only from
 * the folders listed for it. A new import across layers fails here with the file and the import.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers.js';

const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  core: [],
  backends: ['core', 'util'],
  nn: ['core', 'util'],
  models: ['core', 'nn', 'util'],
  data: ['core', 'util'],
  io: ['core', 'nn', 'models', 'data', 'util'],
  train: ['core', 'backends', 'nn', 'models', 'data', 'io', 'util'],
  apps: ['core', 'backends', 'nn', 'models', 'data', 'io', 'train', 'util'],
  tune: ['core', 'backends', 'nn', 'models', 'data', 'io', 'train', 'util'],
  serve: ['core', 'backends', 'nn', 'models', 'data', 'io', 'train', 'apps', 'util'],
  cli: ['core', 'backends', 'nn', 'models', 'data', 'io', 'train', 'apps', 'tune', 'serve', 'util'],
  fuzz: ['core', 'backends', 'nn', 'models', 'data', 'io', 'train', 'apps', 'tune', 'serve', 'cli', 'util'],
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** The top-level folder of src/ that a file belongs to ('' for src/index.ts). */
function layerOf(src: string, file: string): string {
  const rel = relative(src, file).split(/[\\/]/);
  return rel.length > 1 ? rel[0]! : '';
}

export function violations(src: string): string[] {
  const found: string[] = [];
  for (const file of sources(src)) {
    const from = layerOf(src, file);
    if (from === '') continue;
    const allowed = ALLOWED[from];
    if (!allowed) {
      found.push(`${relative(src, file)}: folder '${from}' has no entry in the layering table`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]!);
      const to = layerOf(src, target.endsWith('.js') ? target : target + '/x');
      if (to !== from && !allowed.includes(to)) found.push(`${relative(src, file)} imports ${m[1]} (${from} → ${to || 'src/index'})`);
    }
  }
  return found;
}

test('imports follow the layering of docs/design.md', () => {
  assert.deepEqual(violations(join(repoRoot(), 'src')), []);
});

test('the layering check catches a violation', () => {
  const bad = violations(join(repoRoot(), 'test', 'fixtures', 'layering'));
  assert.equal(bad.length, 1, bad.join('\n'));
  assert.match(bad[0]!, /core\/bad\.ts imports \.\.\/train\/x\.js \(core → train\)/);
});
