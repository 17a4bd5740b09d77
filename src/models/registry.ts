/**
 * Model variants register a kind, a config schema, a CLI flag table and a constructor. Loading a
 * saved model goes through here, so a new variant needs no change elsewhere.
 */
import type { Rng } from '../core/index.js';
import { configZod, parseConfig, z, type Schema } from '../util/schema.js';
import { quoted } from '../util/text.js';
import type { Autoencoder, ModelConfigBase } from './contract.js';

/** Every config field gets a CLI decision: a flag name, or null for "not a flag". Checked by the compiler. */
export type FlagTable<C> = { readonly [K in keyof C]-?: string | null };

export interface ModelVariant<C extends ModelConfigBase> {
  readonly kind: C['kind'];
  readonly summary: string;
  readonly schema: Schema<Omit<C, 'kind'>>;
  readonly flags: FlagTable<Omit<C, 'kind'>>;
  /** Extra checks across fields (e.g. BCE needs a sigmoid output). */
  validate?(config: C): void;
  /**
   * Complete the config from the data's per-sample shape (after `inputDim` is set), e.g. a conv
   * body's image shape and code size; throws when the data does not fit the model.
   */
  fitData?(config: C, sampleShape: readonly number[]): void;
  create(config: C, rng: Rng): Autoencoder<C>;
}

/** A variant with its config type erased, as the registry stores it. */
export interface RegisteredVariant {
  readonly kind: string;
  readonly summary: string;
  readonly schema: Schema<Record<string, unknown>>;
  readonly flags: Readonly<Record<string, string | null>>;
  validate(config: ModelConfigBase): void;
  fitData(config: ModelConfigBase, sampleShape: readonly number[]): void;
  create(config: ModelConfigBase, rng: Rng): Autoencoder;
}

const variants = new Map<string, RegisteredVariant>();

export function registerModel<C extends ModelConfigBase>(v: ModelVariant<C>): void {
  // The registry only hands a variant configs that its own schema parsed, so the narrowing is sound.
  variants.set(v.kind, {
    kind: v.kind,
    summary: v.summary,
    schema: v.schema as Schema<Record<string, unknown>>,
    flags: v.flags,
    validate: (c) => v.validate?.(c as C),
    fitData: (c, shape) => v.fitData?.(c as C, shape),
    create: (c, rng) => v.create(c as C, rng),
  });
}

export function modelKinds(): string[] {
  return [...variants.keys()];
}

export function getVariant(kind: string): RegisteredVariant {
  const v = variants.get(kind);
  if (!v) throw new Error(`unknown model kind '${kind}' (known: ${modelKinds().join(', ')})`);
  return v;
}

/**
 * The model section of a config as one zod schema: a union over the registered variants, each an
 * object whose `kind` names it (optional for dense, the default kind). Cross-field checks
 * (`validate`) are not in it; `parseModelConfig` applies them.
 */
export function modelConfigZod(): z.ZodType {
  const options = [...variants.values()].map((v) => {
    const kind = z.literal(v.kind).describe(v.summary);
    return configZod(v.schema, { kind: v.kind === 'dense' ? kind.optional() : kind }).describe(`${v.kind}: ${v.summary}`);
  });
  return options.length === 1 ? options[0]! : z.union(options as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

/** Validate a model config (with its kind) and fill defaults. */
export function parseModelConfig(input: unknown, where = 'model'): ModelConfigBase {
  const obj = (input ?? {}) as Record<string, unknown>;
  const kind = typeof obj.kind === 'string' ? obj.kind : 'dense';
  if (!variants.has(kind)) throw new Error(`${where}.kind: unknown model kind ${quoted(kind)} (known: ${modelKinds().join(', ')})`);
  const variant = getVariant(kind);
  const { kind: _ignored, ...rest } = obj;
  const config = { kind, ...parseConfig(variant.schema, rest, where) } as ModelConfigBase;
  try {
    variant.validate(config);
  } catch (err) {
    // Variants name fields from `model`; a config read from a file also names the file.
    if (where === 'model' || !(err instanceof Error) || err.constructor !== Error) throw err;
    throw new Error(`${where.replace(/: model$/, '')}: ${err.message}`);
  }
  return config;
}

/** A copy of `config` fitted to data of per-sample shape `sampleShape` (width and, for conv bodies, image shape and code size). */
export function fitModelToData(config: ModelConfigBase, sampleShape: readonly number[]): ModelConfigBase {
  const width = sampleShape.reduce((a, b) => a * b, 1);
  if (config.inputDim !== 0 && config.inputDim !== width) throw new Error(`model.inputDim is ${config.inputDim} but the data has ${width} values per sample`);
  const fitted = structuredClone({ ...config, inputDim: width });
  getVariant(config.kind).fitData(fitted, sampleShape);
  return fitted;
}

export function createModel(config: ModelConfigBase, rng: Rng): Autoencoder {
  if (!(Number.isSafeInteger(config.inputDim) && config.inputDim >= 1)) {
    throw new Error(`model.inputDim is ${config.inputDim}: set it to the number of values per sample (aekit train takes it from the data)`);
  }
  const model = getVariant(config.kind).create(config, rng);
  model.nameParameters();
  return model;
}
