/** Flag specs derived from the config schemas and their flag tables, plus each command's own options. */
import { getVariant } from '../models/index.js';
import { dataFlags, dataSchema, optimizerFlags, optimizerSchema, trainFlags, trainSchema } from '../train/config.js';
import { boolean, nullable, string, type Field, type Schema } from '../util/schema.js';
import type { FlagSpec } from './args.js';
import { classify, UsageError } from './errors.js';

function fromTable<T>(section: string, group: string, schema: Schema<T>, table: { readonly [K in keyof T]-?: string | null }): FlagSpec[] {
  const out: FlagSpec[] = [];
  for (const key of Object.keys(table) as (keyof T & string)[]) {
    const name = table[key];
    if (name !== null) out.push({ name, field: schema[key] as Field<unknown>, path: [section, key], group });
  }
  return out;
}

/** All flags that set config values, for the model kind `kind`. */
export function configFlags(kind: string): FlagSpec[] {
  const v = classify(UsageError, () => getVariant(kind));
  return [
    ...fromTable('model', `Model (${kind}: ${v.summary})`, v.schema, v.flags as { readonly [k: string]: string | null }),
    ...fromTable('data', 'Data', dataSchema, dataFlags),
    ...fromTable('optimizer', 'Optimizer', optimizerSchema, optimizerFlags),
    ...fromTable('train', 'Training', trainSchema, trainFlags),
  ];
}

export const opt = (name: string, field: Field<unknown>, group = 'Options'): FlagSpec => ({ name, field, path: ['opt', name], group });

export const COMMON_FLAGS: FlagSpec[] = [
  opt('json', boolean('print the result as JSON on stdout', false), 'Output'),
  opt('quiet', boolean('print nothing but errors', false), 'Output'),
  opt('help', boolean('show this help', false), 'Output'),
];

/** The same fields (and bounds) as the training flags --backend and --threads. */
export const BACKEND_FLAGS: FlagSpec[] = [
  opt('backend', trainSchema.backend as Field<unknown>, 'Engine'),
  opt('threads', trainSchema.threads as Field<unknown>, 'Engine'),
];

export { string, boolean, nullable };
