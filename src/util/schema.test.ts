import assert from 'node:assert/strict';
import { test } from 'node:test';
import { integerOneOf, nullable, parseConfig, size2d } from './schema.js';

const schema = {
  channels: integerOneOf('channels', [1, 3] as const, 1),
  size: nullable(size2d('size', { width: 28, height: 28 }, { min: 1, max: 65535 })),
};

test('integerOneOf takes only its listed integers, from text and from JSON', () => {
  assert.equal(schema.channels.fromText('3'), 3);
  assert.equal(schema.channels.typeName, '1|3');
  assert.throws(() => schema.channels.fromText('2'), /^Error: 2 is not one of 1, 3$/);
  assert.throws(() => schema.channels.check('3'), /"3" is not one of 1, 3/);
});

test('size2d reads WIDTHxHEIGHT, writes {width, height}, and round-trips through JSON', () => {
  assert.deepEqual(schema.size.fromText('32x24'), { width: 32, height: 24 });
  assert.deepEqual(schema.size.fromText(' 5 X 7 '), { width: 5, height: 7 });
  assert.equal(schema.size.fromText(''), null);
  const cfg = parseConfig(schema, { channels: 3, size: schema.size.fromText('32x24') }, 'data');
  assert.deepEqual(parseConfig(schema, JSON.parse(JSON.stringify(cfg)), 'data'), cfg);
  assert.deepEqual(parseConfig(schema, {}, 'data'), { channels: 1, size: null });
  const bad: [unknown, RegExp][] = [
    ['32', /"32" is not WIDTHxHEIGHT \(e\.g\. 28x28\)/],
    ['0x5', /width: 0 must be ≥ 1/],
    ['5x70000', /height: 70000 must be ≤ 65535/],
    ['-1x5', /is not WIDTHxHEIGHT/],
  ];
  for (const [text, message] of bad) assert.throws(() => schema.size.fromText(text as string), message, String(text));
  assert.throws(() => parseConfig(schema, { size: [28, 28] }, 'data'), /^Error: data\.size: expected \{"width": W, "height": H\}, got \[28,28\]$/);
  assert.throws(() => parseConfig(schema, { size: { width: 2, height: 2, depth: 1 } }, 'data'), /data\.size: unknown key "depth" \(known: width, height\)/);
  assert.throws(() => parseConfig(schema, { size: { width: 2.5, height: 2 } }, 'data'), /data\.size: width: expected an integer, got 2\.5/);
});
