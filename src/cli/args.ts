/**
 * Command-line parsing. Flags are declared as data (name, field, where the value goes); config
 * flags come from the schemas' flag tables, so help text, types and validation have one source.
 */
import type { Field } from '../util/schema.js';
import { printable } from '../util/text.js';
import { UsageError } from './errors.js';

export interface FlagSpec {
  /** Without the leading dashes, e.g. 'batch-size'. */
  readonly name: string;
  readonly field: Field<unknown>;
  /** Where the value goes in the nested config, e.g. ['train', 'batchSize']; or a plain option key. */
  readonly path: readonly string[];
  readonly group: string;
}

export interface ParsedArgs {
  positionals: string[];
  /** Values by path joined with '.', e.g. 'train.batchSize'. */
  values: Map<string, unknown>;
  /** Each flag given, by name, with its text as given ('true' for a bare boolean): to pass flags on to another process. */
  texts: Map<string, string>;
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], command: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, unknown>();
  const texts = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let text: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) [name, text] = [name.slice(0, eq), name.slice(eq + 1)];
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.field.typeName === 'boolean') {
      spec = byName.get(name.slice(3))!;
      text = 'false';
    }
    if (!spec) throw new UsageError(`unknown flag --${printable(name, 40)} for 'aekit ${command}'${suggest(name, specs)} (see aekit ${command} --help)`);
    if (text === undefined) {
      const next = argv[i + 1];
      if (spec.field.typeName === 'boolean' && (next === undefined || next.startsWith('--') || !['true', 'false', '1', '0', 'yes', 'no'].includes(next))) text = 'true';
      else if (next === undefined) throw new UsageError(`flag --${name} needs a value (${spec.field.typeName})`);
      else text = argv[++i]!;
    }
    try {
      values.set(spec.path.join('.'), spec.field.fromText(text));
      texts.set(spec.name, text);
    } catch (err) {
      throw new UsageError(`--${name}: ${(err as Error).message}`);
    }
  }
  return { positionals, values, texts };
}

function suggest(name: string, specs: readonly FlagSpec[]): string {
  const close = specs.map((s) => s.name).filter((n) => distance(n, name) <= 2);
  return close.length ? ` (did you mean --${close[0]}?)` : '';
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** Nested object from dotted paths: 'train.epochs' → { train: { epochs } }, for sections in `sections`. */
export function toNested(values: ReadonlyMap<string, unknown>, sections: readonly string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [path, v] of values) {
    const [section, key] = path.split('.');
    if (key === undefined || !sections.includes(section!)) continue;
    (out[section!] ??= {})[key] = v;
  }
  return out;
}

/** Help text: usage line, then flags grouped with type and default. */
export function formatHelp(usage: string, description: string, specs: readonly FlagSpec[], notes: readonly string[] = []): string {
  const lines = [`Usage: ${usage}`, '', description, ''];
  const groups = [...new Set(specs.map((s) => s.group))];
  for (const g of groups) {
    lines.push(`${g}:`);
    for (const s of specs.filter((x) => x.group === g)) {
      const def = s.field.default === null || s.field.default === '' ? '' : ` (default: ${JSON.stringify(s.field.default)})`;
      const left = `  --${s.name} <${s.field.typeName}>`;
      lines.push(left.length < 44 ? `${left.padEnd(44)} ${s.field.help}${def}` : `${left}\n${' '.repeat(45)}${s.field.help}${def}`);
    }
    lines.push('');
  }
  lines.push(...notes);
  return lines.join('\n').trimEnd() + '\n';
}
