/**
 * The per-ISA kernel tables are filled by entry name: two entries of one type swapped, or one left
 * out, must fail to compile, and missingIsaEntry() (run on every table at load) names an unset one.
 * These compile native/isa-scalar.cc, edited in a temporary copy, with the system g++.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const NATIVE = fileURLToPath(new URL('../../../../native/', import.meta.url));
const hasGxx = spawnSync('g++', ['--version']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'aekit-isa-table-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A fresh copy of native/ with `edit` applied to every file that holds a table entry. */
function copyWith(name: string, edit: (src: string) => string): string {
  const dir = join(work, name);
  cpSync(NATIVE, dir, { recursive: true });
  for (const file of ['isa-scalar.cc', 'isa-table.inc']) {
    const path = join(dir, file);
    let src: string;
    try {
      src = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    if (/\bbceSumKernel,/.test(src)) writeFileSync(path, edit(src));
  }
  return dir;
}

/** The table entry that holds `kernel`, with its `.field =` designator when it has one. */
const entry = (kernel: string): RegExp => new RegExp(`(\\.\\w+ = )?\\b${kernel},`);

function swapEntries(src: string, first: string, second: string): string {
  const a = entry(first).exec(src);
  const b = entry(second).exec(src);
  assert.ok(a && b && a.index < b.index, `entries ${first} and ${second} not found in order`);
  return src.slice(0, a.index) + b[0] + src.slice(a.index + a[0].length, b.index) + a[0] + src.slice(b.index + b[0].length);
}

function compile(dir: string, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync('g++', ['-std=gnu++20', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('two same-typed entries of the ISA table swapped do not compile', { skip: !hasGxx && 'g++ not found' }, () => {
  const dir = copyWith('swap', (src) => swapEntries(src, 'bceSumKernel', 'sqDiffSumKernel'));
  const r = compile(dir, ['-fsyntax-only', 'isa-scalar.cc']);
  assert.notEqual(r.status, 0, 'bceSum and sqDiffSum swapped compiled');
  assert.match(r.stderr, /designator order/);
});

test('an ISA table with an entry left out does not compile', { skip: !hasGxx && 'g++ not found' }, () => {
  const dir = copyWith('omit', (src) => src.replace(entry('fmaLoopKernel'), ''));
  const r = compile(dir, ['-fsyntax-only', 'isa-scalar.cc']);
  assert.notEqual(r.status, 0, 'a table without fmaLoop compiled');
  assert.match(r.stderr, /missing initializer for member .*fmaLoop/);
});

test('missingIsaEntry passes the built table and names an entry set to null', { skip: !hasGxx && 'g++ not found' }, () => {
  const dir = copyWith('check', (src) => src);
  writeFileSync(
    join(dir, 'check.cc'),
    `#include <cstdio>
#include "isa.h"
int main() {
  aekit::IsaTable t = aekit::kScalarTable;
  const char* before = aekit::missingIsaEntry(t);
  t.adam = nullptr;
  std::printf("%s %s\\n", before ? before : "none", aekit::missingIsaEntry(t));
}
`,
  );
  const built = compile(dir, ['-O0', 'check.cc', 'isa-scalar.cc', '-o', 'check']);
  assert.equal(built.status, 0, built.stderr);
  const run = spawnSync(join(dir, 'check'), { encoding: 'utf8' });
  assert.equal(run.stdout.trim(), 'none adam');
});
