/**
 * The JSON Schema aekit publishes for run configurations says what the validator does: checked
 * with an independent JSON Schema validator (Ajv, draft 2020-12) against aekit's own parser on
 * every preset, on known-bad configs and on random ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { modelKinds, registerBuiltinModels } from '../models/index.js';
import { mergeConfig, parseRunConfig, PRESETS, runConfigJsonSchema } from './config.js';

registerBuiltinModels();
const schema = runConfigJsonSchema();
const validate = new Ajv2020({ strict: false, allErrors: false }).compile(schema);

function ours(config: unknown): boolean {
  try {
    parseRunConfig(config);
    return true;
  } catch {
    return false;
  }
}

test('every preset is valid for the JSON Schema and for the parser', () => {
  for (const [name, p] of Object.entries(PRESETS)) {
    const config = mergeConfig(p.config, {});
    assert.ok(validate(config), `${name}: ${JSON.stringify(validate.errors)}`);
    assert.ok(ours(config), name);
  }
});

test('a config may name its schema with "$schema" (for editors); the parser ignores it', () => {
  const c = { $schema: './node_modules/aekit/docs/config.schema.json', train: { epochs: 3 } };
  assert.ok(validate(c));
  assert.equal(parseRunConfig(c).train.epochs, 3);
});

test('the JSON Schema names every model kind and carries bounds, choices, defaults and help', () => {
  const props = schema.properties as Record<string, { properties?: Record<string, Record<string, unknown>>; anyOf?: { properties: { kind: { const: string } } }[] }>;
  assert.deepEqual(props.model!.anyOf!.map((o) => o.properties.kind.const).sort(), modelKinds().sort());
  const lr = props.optimizer!.properties!.lr!;
  assert.equal(lr.exclusiveMinimum, 0);
  assert.equal(lr.default, 1e-3);
  assert.equal(lr.description, 'learning rate');
  assert.ok((props.optimizer!.properties!.kind!.enum as string[]).includes('adamw'));
});

test('configs the parser refuses, the JSON Schema refuses too', () => {
  const bad: unknown[] = [
    { optimizer: { lr: 0 } },
    { optimizer: { lr: -1 } },
    { optimizer: { kind: 'lion' } },
    { optimizer: { beta1: 1 } },
    { train: { batchSize: 0 } },
    { train: { epochs: 2.5 } },
    { train: { bogus: 1 } },
    { model: { kind: 'nope' } },
    { model: { kind: 'denoising', noiseLevel: -0.1 } },
    { model: { kind: 'vae', latentDim: 0 } },
    { model: { kind: 'conv', encoder: 'conv(8,3)' } },
    { data: { imageSize: { width: 0, height: 4 } } },
    { data: { channels: 2 } },
    { extra: {} },
  ];
  for (const c of bad) {
    assert.equal(ours(c), false, `parser accepted ${JSON.stringify(c)}`);
    assert.equal(validate(c), false, `JSON Schema accepted ${JSON.stringify(c)}`);
  }
});

test('on random optimizer and train sections the JSON Schema and the parser agree', () => {
  const value = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 1e4 }), fc.integer({ min: -5, max: 5000 }),
    fc.constantFrom('adam', 'sgd', 'cosine', 'none', 'native', 'auto', 'x'), fc.boolean(), fc.constant(null),
  );
  const section = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys, 'unknownKey'), value, { maxKeys: 3 });
  const optimizerKeys = Object.keys((schema.properties as Record<string, { properties: object }>).optimizer!.properties);
  const trainKeys = Object.keys((schema.properties as Record<string, { properties: object }>).train!.properties);
  fc.assert(fc.property(section(optimizerKeys), section(trainKeys), (optimizer, train) => {
    const c = { optimizer, train };
    assert.equal(validate(c), ours(c), `${JSON.stringify(c)}: JSON Schema ${validate(c)}, parser ${ours(c)}`);
  }), { seed: 7, numRuns: 3000 });
});
