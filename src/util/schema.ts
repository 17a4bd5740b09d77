/**
 * Typed, validated, serialisable configuration. A schema is a record of fields; `parseConfig`
 * fills defaults, rejects unknown keys and out-of-range values with messages that name the key,
 * and returns a plain object that round-trips through JSON. CLI flags and docs derive from it.
 */
import { quoted, shown } from './text.js';

export interface FieldBase<T> {
  readonly help: string;
  readonly default: T;
  /** Parse a value given as command-line text. */
  fromText(text: string): T;
  /** Validate a JSON value; throws with a message that does not include the key (the caller adds it). */
  check(value: unknown): T;
  /** Short type description for help output. */
  readonly typeName: string;
}

export type Field<T> = FieldBase<T>;
export type Schema<T> = { readonly [K in keyof T]-?: Field<T[K]> };

function num(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || Number.isNaN(v)) throw new Error(`${quoted(text)} is not a number`);
  return v;
}

interface NumOpts {
  min?: number;
  max?: number;
  /** Exclude `min` itself (e.g. a learning rate must be > 0). */
  positive?: boolean;
  /** An exclusive upper bound (e.g. Adam's β must be < 1). */
  below?: number;
}

function checkRange(v: number, o: NumOpts): number {
  if (!Number.isFinite(v)) throw new Error(`${v} is not a finite number`);
  if (o.positive && v <= 0) throw new Error(`${v} must be > 0`);
  if (o.min !== undefined && v < o.min) throw new Error(`${v} must be ≥ ${o.min}`);
  if (o.max !== undefined && v > o.max) throw new Error(`${v} must be ≤ ${o.max}`);
  if (o.below !== undefined && v >= o.below) throw new Error(`${v} must be < ${o.below}`);
  return v;
}

export function number(help: string, def: number, o: NumOpts = {}): Field<number> {
  const check = (v: unknown): number => {
    if (typeof v !== 'number') throw new Error(`expected a number, got ${shown(v)}`);
    return checkRange(v, o);
  };
  return { help, default: def, typeName: 'number', check, fromText: (t) => check(num(t)) };
}

export function integer(help: string, def: number, o: NumOpts = {}): Field<number> {
  const check = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`expected an integer below 2^53, got ${shown(v)}`);
    return checkRange(v, o);
  };
  return { help, default: def, typeName: 'integer', check, fromText: (t) => check(num(t)) };
}

export function boolean(help: string, def: boolean): Field<boolean> {
  const check = (v: unknown): boolean => {
    if (typeof v !== 'boolean') throw new Error(`expected true or false, got ${shown(v)}`);
    return v;
  };
  const fromText = (t: string): boolean => {
    if (t === 'true' || t === '1' || t === 'yes') return true;
    if (t === 'false' || t === '0' || t === 'no') return false;
    throw new Error(`"${t}" is not true or false`);
  };
  return { help, default: def, typeName: 'boolean', check, fromText };
}

export function string(help: string, def: string): Field<string> {
  const check = (v: unknown): string => {
    if (typeof v !== 'string') throw new Error(`expected a string, got ${shown(v)}`);
    return v;
  };
  return { help, default: def, typeName: 'string', check, fromText: check };
}

export function oneOf<const V extends string>(help: string, values: readonly V[], def: V): Field<V> {
  const check = (v: unknown): V => {
    if (typeof v !== 'string' || !values.includes(v as V)) throw new Error(`${shown(v)} is not one of ${values.join(', ')}`);
    return v as V;
  };
  return { help, default: def, typeName: values.join('|'), check, fromText: check };
}

/** An integer from a short list, e.g. image channels 1 or 3. */
export function integerOneOf<const V extends number>(help: string, values: readonly V[], def: V): Field<V> {
  const check = (v: unknown): V => {
    if (typeof v !== 'number' || !values.includes(v as V)) throw new Error(`${shown(v)} is not one of ${values.join(', ')}`);
    return v as V;
  };
  return { help, default: def, typeName: values.join('|'), check, fromText: (t) => check(num(t)) };
}

/** A width and a height in pixels. */
export interface Size2d {
  width: number;
  height: number;
}

/** A size written WIDTHxHEIGHT on the command line (as image tools write it) and {width, height} in JSON. */
export function size2d(help: string, def: Size2d, o: NumOpts = {}): Field<Size2d> {
  const side = (v: unknown, name: string): number => {
    try {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`expected an integer, got ${shown(v)}`);
      return checkRange(v, o);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  };
  const check = (v: unknown): Size2d => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`expected {"width": W, "height": H}, got ${shown(v)}`);
    const extra = Object.keys(v).filter((k) => k !== 'width' && k !== 'height');
    if (extra.length > 0) throw new Error(`unknown key ${quoted(extra[0]!)} (known: width, height)`);
    const { width, height } = v as Record<string, unknown>;
    return { width: side(width, 'width'), height: side(height, 'height') };
  };
  const fromText = (t: string): Size2d => {
    const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(t);
    if (m === null) throw new Error(`${quoted(t)} is not WIDTHxHEIGHT (e.g. 28x28)`);
    return check({ width: Number(m[1]), height: Number(m[2]) });
  };
  return { help, default: { ...def }, typeName: 'WIDTHxHEIGHT', check, fromText };
}

export function integerList(help: string, def: readonly number[], o: NumOpts = {}): Field<number[]> {
  const check = (v: unknown): number[] => {
    if (!Array.isArray(v)) throw new Error(`expected a list of integers, got ${shown(v)}`);
    return v.map((x) => {
      if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new Error(`expected integers below 2^53, got ${shown(x)}`);
      return checkRange(x, o);
    });
  };
  const fromText = (t: string): number[] => (t.trim() === '' ? [] : check(t.split(',').map((s) => num(s))));
  return { help, default: [...def], typeName: 'int,int,…', check, fromText };
}

/** A field that may be null (meaning "not set"), e.g. an optional path or seed. */
export function nullable<T>(inner: Field<T>): Field<T | null> {
  return {
    help: inner.help,
    default: null,
    typeName: inner.typeName,
    check: (v) => (v === null ? null : inner.check(v)),
    fromText: (t) => (t === '' || t === 'null' ? null : inner.fromText(t)),
  };
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
    const field = schema[key as keyof T] as Field<unknown>;
    const v = obj[key];
    try {
      out[key] = v === undefined ? structuredClone(field.default) : field.check(v);
    } catch (err) {
      throw new Error(`${where}.${key}: ${(err as Error).message}`);
    }
  }
  return out as T;
}

export function defaults<T>(schema: Schema<T>): T {
  return parseConfig(schema, {}, 'defaults');
}
