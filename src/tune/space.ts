/**
 * Search spaces: named parameters over config paths ('optimizer.lr', 'model.hidden[1]') or helper
 * names without a dot ('depth') that only conditions read. A parameter with `when` exists only
 * when every named earlier parameter satisfies its condition, so per-layer widths can depend on
 * the depth. List elements 'model.hidden[i]' that are active make up the list in index order.
 */
import { parse as parseYaml } from 'yaml';
import { mergeConfig, parseRunConfig } from '../train/config.js';
import { UsageError } from '../util/errors.js';

export type Value = number | string | boolean;
export type Condition = { min?: number; max?: number; in?: Value[] };
interface Base { name: string; when: Record<string, Condition> }
export type Param =
  | (Base & { type: 'float' | 'int'; low: number; high: number; log: boolean; step: number | null; gridPoints: number })
  | (Base & { type: 'choice'; values: Value[] });
export type Space = Param[];
/** One trial's parameter values, active parameters only. */
export type Params = Record<string, Value>;

const KEYS = new Set(['type', 'low', 'high', 'log', 'step', 'values', 'when', 'grid']);

/** Parse a space from JSON or YAML text (`where` names the file in errors). */
export function parseSpaceText(text: string, where: string): Space {
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(where) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where}: not valid ${/\.ya?ml$/i.test(where) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
  return parseSpace(raw, where);
}

export function parseSpace(raw: unknown, where = 'space'): Space {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${where}: expected an object of parameters by name`);
  const space: Space = [];
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) space.push(parseParam(name, spec, space, where));
  if (!space.length) throw new UsageError(`${where}: the space has no parameters`);
  return space;
}

function parseParam(name: string, spec: unknown, before: Space, where: string): Param {
  const at = `${where}: parameter '${name}'`;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new UsageError(`${at}: expected an object such as {"type": "float", "low": 0.0001, "high": 0.01}`);
  const s = spec as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!KEYS.has(k)) throw new UsageError(`${at}: unknown key '${k}' (known: ${[...KEYS].join(', ')})`);
  const when = parseWhen(s.when, before, at);
  if (s.type === 'choice') {
    if (!Array.isArray(s.values) || !s.values.length || !s.values.every((v) => ['number', 'string', 'boolean'].includes(typeof v))) throw new UsageError(`${at}: a choice needs "values": a non-empty list of numbers, strings or booleans`);
    return { name, when, type: 'choice', values: s.values as Value[] };
  }
  if (s.type !== 'float' && s.type !== 'int') throw new UsageError(`${at}: "type" must be float, int or choice (got ${JSON.stringify(s.type)})`);
  const num = (k: string): number => {
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) throw new UsageError(`${at}: "${k}" must be a finite number`);
    if (s.type === 'int' && !Number.isInteger(s[k])) throw new UsageError(`${at}: "${k}" must be an integer for an int parameter`);
    return s[k] as number;
  };
  const [low, high] = [num('low'), num('high')];
  if (!(low <= high)) throw new UsageError(`${at}: low ${low} is above high ${high}`);
  const log = s.log === undefined ? false : s.log;
  if (typeof log !== 'boolean') throw new UsageError(`${at}: "log" must be true or false`);
  if (log && low <= 0) throw new UsageError(`${at}: a log-scale range needs low > 0 (got ${low})`);
  const step = s.step === undefined ? null : num('step');
  if (step !== null && (step <= 0 || log)) throw new UsageError(`${at}: "step" must be > 0 and cannot go with "log"`);
  const gridPoints = s.grid === undefined ? 5 : num('grid');
  if (!Number.isInteger(gridPoints) || gridPoints < 1) throw new UsageError(`${at}: "grid" (points on a grid search) must be an integer ≥ 1`);
  return { name, when, type: s.type, low, high, log, step, gridPoints };
}

function parseWhen(raw: unknown, before: Space, at: string): Record<string, Condition> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${at}: "when" must be an object such as {"depth": {"min": 2}}`);
  const out: Record<string, Condition> = {};
  for (const [other, c] of Object.entries(raw as Record<string, unknown>)) {
    if (!before.some((p) => p.name === other)) throw new UsageError(`${at}: "when" names '${other}', which is not a parameter declared before it`);
    if (Array.isArray(c)) out[other] = { in: c as Value[] };
    else if (typeof c === 'object' && c !== null && Object.keys(c).every((k) => ['min', 'max', 'in'].includes(k))) out[other] = c as Condition;
    else throw new UsageError(`${at}: the condition on '${other}' must be a list of values or {"min", "max", "in"}`);
  }
  return out;
}

export function isActive(p: Param, values: Params): boolean {
  return Object.entries(p.when).every(([name, c]) => {
    const v = values[name];
    if (v === undefined) return false;
    if (c.in && !c.in.includes(v)) return false;
    if (c.min !== undefined && !(typeof v === 'number' && v >= c.min)) return false;
    return c.max === undefined || (typeof v === 'number' && v <= c.max);
  });
}

/** Snap a number into a parameter's domain: bounds, integer, step. */
export function snap(p: Extract<Param, { type: 'float' | 'int' }>, x: number): number {
  let v = Math.min(p.high, Math.max(p.low, x));
  if (p.step !== null) v = Math.min(p.high, p.low + Math.round((v - p.low) / p.step) * p.step);
  if (p.type === 'int') v = Math.min(p.high, Math.max(p.low, Math.round(v)));
  return v;
}

const ELEMENT = /^(.+)\[(\d+)\]$/;

/** Config overrides (nested sections) from a trial's parameters; helper names are left out. */
export function toOverrides(values: Params): Record<string, unknown> {
  const flat = new Map<string, unknown>();
  const lists = new Map<string, Map<number, Value>>();
  for (const [name, v] of Object.entries(values)) {
    if (!name.includes('.')) continue;
    const m = ELEMENT.exec(name);
    if (m) {
      if (!lists.has(m[1]!)) lists.set(m[1]!, new Map());
      lists.get(m[1]!)!.set(Number(m[2]), v);
    } else flat.set(name, v);
  }
  for (const [path, items] of lists) {
    const n = items.size;
    for (let i = 0; i < n; i++) if (!items.has(i)) throw new UsageError(`${path}[${i}] is inactive while a later element is active: list elements must be active from [0] up`);
    flat.set(path, [...Array(n).keys()].map((i) => items.get(i)));
  }
  const out: Record<string, unknown> = {};
  for (const [path, v] of flat) {
    const parts = path.split('.');
    let node = out;
    for (const k of parts.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = v;
  }
  return out;
}

/**
 * Check a space against the run configuration's schema before any trial runs: each path must
 * exist and each bound and choice must be a value the schema accepts, given the base config.
 */
export function validateSpace(space: Space, base: Record<string, unknown>): void {
  for (const p of space) {
    if (!p.name.includes('.')) continue;
    const probes: Value[] = p.type === 'choice' ? p.values : [p.low, p.high];
    for (const v of probes) {
      const name = ELEMENT.exec(p.name)?.[1] ?? p.name;
      const value = name === p.name ? v : [v];
      try {
        parseRunConfig(mergeConfig(base, toOverrides({ [name]: value as Value })));
      } catch (err) {
        const what = p.type === 'choice' ? `the choice ${JSON.stringify(v)}` : `${v === p.low ? 'low' : 'high'} ${v}`;
        throw new UsageError(`search space: parameter '${p.name}': ${what} is not a valid setting: ${(err as Error).message}`);
      }
    }
  }
}
