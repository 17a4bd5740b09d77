/**
 * Typed, validated, serialisable configuration, on zod 4. A schema is a record of fields; each
 * field is a zod schema (bounds, choices, help text, default) plus how the command line writes it.
 * `parseConfig` fills defaults, rejects unknown keys and out-of-range values with messages that
 * name the key, and returns a plain object that round-trips through JSON. CLI flags and docs derive
 * from the fields; `configZod` and `configJsonSchema` expose the same rules as a zod object and as
 * JSON Schema (for search spaces, forms and the HTTP API), so there is one source of truth.
 */
import * as z from 'zod';
import { quoted, shown } from './text.js';

export interface Field<T> {
  readonly help: string;
  readonly default: T;
  /** Parse a value given as command-line text. */
  fromText(text: string): T;
  /** Validate a JSON value; throws with a message that does not include the key (the caller adds it). */
  check(value: unknown): T;
  /** Short type description for help output. */
  readonly typeName: string;
  /** The JSON value's rules, without the default (`configZod` adds it). */
  readonly zod: z.ZodType<T>;
}

export type Schema<T> = { readonly [K in keyof T]-?: Field<T[K]> };

/** A zod error callback: the message for an issue, given the offending input. */
type Message = (input: unknown) => string;
const says = (m: Message) => ({ error: (iss: { input?: unknown }) => m(iss.input) });

/** The first issue's message, prefixed with the path inside the value (`width: …`, `item 2: …`). */
function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.map((p) => (typeof p === 'number' ? `item ${p}` : String(p))).join('.');
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}

/** A field validated by `zod`; `fromText` turns command-line text into the JSON value first. */
export function field<T>(zod: z.ZodType<T>, help: string, def: T, typeName: string, fromText: (text: string) => unknown): Field<T> {
  const check = (v: unknown): T => {
    const r = zod.safeParse(v);
    if (!r.success) throw new Error(firstProblem(r.error));
    return r.data;
  };
  return { help, default: def, typeName, check, fromText: (t) => check(fromText(t)), zod: zod.describe(help) };
}

function num(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || Number.isNaN(v)) throw new Error(`${quoted(text)} is not a number`);
  return v;
}

export interface NumOpts {
  min?: number;
  max?: number;
  /** Exclude 0 and below (e.g. a learning rate must be > 0). */
  positive?: boolean;
  /** An exclusive upper bound (e.g. Adam's β must be < 1). */
  below?: number;
}

function ranged(base: z.ZodNumber, o: NumOpts): z.ZodNumber {
  let s = base;
  if (o.positive) s = s.gt(0, says((v) => `${v} must be > 0`));
  if (o.min !== undefined) s = s.gte(o.min, says((v) => `${v} must be ≥ ${o.min}`));
  if (o.max !== undefined) s = s.lte(o.max, says((v) => `${v} must be ≤ ${o.max}`));
  if (o.below !== undefined) s = s.lt(o.below, says((v) => `${v} must be < ${o.below}`));
  return s;
}

const finite = (expected: string): Message => (v) => (typeof v === 'number' ? `${v} is not a finite number` : `expected ${expected}, got ${shown(v)}`);
const anInteger = (what: string): z.ZodNumber => z.number(says(finite(what))).int(says((v) => `expected ${what}, got ${shown(v)}`));

export function number(help: string, def: number, o: NumOpts = {}): Field<number> {
  return field(ranged(z.number(says(finite('a number'))), o), help, def, 'number', num);
}

export function integer(help: string, def: number, o: NumOpts = {}): Field<number> {
  return field(ranged(anInteger('an integer below 2^53'), o), help, def, 'integer', num);
}

export function boolean(help: string, def: boolean): Field<boolean> {
  const fromText = (t: string): boolean => {
    if (t === 'true' || t === '1' || t === 'yes') return true;
    if (t === 'false' || t === '0' || t === 'no') return false;
    throw new Error(`"${t}" is not true or false`);
  };
  return field(z.boolean(says((v) => `expected true or false, got ${shown(v)}`)), help, def, 'boolean', fromText);
}

export function string(help: string, def: string): Field<string> {
  return field(z.string(says((v) => `expected a string, got ${shown(v)}`)), help, def, 'string', (t) => t);
}

export function oneOf<const V extends string>(help: string, values: readonly V[], def: V): Field<V> {
  const zod = z.enum(values as unknown as [V, ...V[]], says((v) => `${shown(v)} is not one of ${values.join(', ')}`)) as unknown as z.ZodType<V>;
  return field(zod, help, def, values.join('|'), (t) => t);
}

/** An integer from a short list, e.g. image channels 1 or 3. */
export function integerOneOf<const V extends number>(help: string, values: readonly V[], def: V): Field<V> {
  const zod = z.literal(values as unknown as V[], says((v) => `${shown(v)} is not one of ${values.join(', ')}`)) as unknown as z.ZodType<V>;
  return field(zod, help, def, values.join('|'), num);
}

/** A width and a height in pixels. */
export interface Size2d {
  width: number;
  height: number;
}

/** A size written WIDTHxHEIGHT on the command line (as image tools write it) and {width, height} in JSON. */
export function size2d(help: string, def: Size2d, o: NumOpts = {}): Field<Size2d> {
  const side = ranged(anInteger('an integer'), o);
  const zod = z.strictObject({ width: side, height: side }, {
    error: (iss) => iss.code === 'unrecognized_keys'
      ? `unknown key ${quoted(iss.keys[0]!)} (known: width, height)`
      : `expected {"width": W, "height": H}, got ${shown(iss.input)}`,
  });
  const fromText = (t: string): Size2d => {
    const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(t);
    if (m === null) throw new Error(`${quoted(t)} is not WIDTHxHEIGHT (e.g. 28x28)`);
    return { width: Number(m[1]), height: Number(m[2]) };
  };
  return field(zod, help, { ...def }, 'WIDTHxHEIGHT', fromText);
}

export function integerList(help: string, def: readonly number[], o: NumOpts = {}): Field<number[]> {
  const zod = z.array(ranged(anInteger('an integer below 2^53'), o), says((v) => `expected a list of integers, got ${shown(v)}`));
  return field(zod, help, [...def], 'int,int,…', (t) => (t.trim() === '' ? [] : t.split(',').map((s) => num(s))));
}

/** A field that may be null (meaning "not set"), e.g. an optional path or seed. */
export function nullable<T>(inner: Field<T>): Field<T | null> {
  return field(inner.zod.nullable(), inner.help, null, inner.typeName, (t) => (t === '' || t === 'null' ? null : inner.fromText(t)));
}

/** Validate `input` against `schema`: defaults for missing keys, errors naming `where.key`. */
export function parseConfig<T>(schema: Schema<T>, input: unknown, where: string): T {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new Error(`${where}: expected an object`);
  const obj = input as Record<string, unknown>;
  const known = Object.keys(schema);
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown key ${quoted(key)} (known: ${known.join(', ')})`);
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const f = schema[key as keyof T] as Field<unknown>;
    const v = obj[key];
    try {
      out[key] = v === undefined ? structuredClone(f.default) : f.check(v);
    } catch (err) {
      throw new Error(`${where}.${key}: ${(err as Error).message}`);
    }
  }
  return out as T;
}

export function defaults<T>(schema: Schema<T>): T {
  return parseConfig(schema, {}, 'defaults');
}

/** The schema as one zod object: every key optional with its default, unknown keys refused. */
export function configZod<T>(schema: Schema<T>, extra: Record<string, z.ZodType> = {}): z.ZodObject {
  const shape: Record<string, z.ZodType> = { ...extra };
  for (const [key, f] of Object.entries(schema) as [string, Field<unknown>][]) {
    shape[key] = f.zod.default(structuredClone(f.default) as never);
  }
  return z.strictObject(shape);
}

/** JSON Schema (draft 2020-12) of what a config file may hold. */
export function jsonSchemaOf(zod: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(zod, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export { z };
