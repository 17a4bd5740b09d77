/** Configuration of the convolutional autoencoder: image shape, encoder and decoder layer lists. */
import { ACTIVATIONS, type ActivationName } from '../../core/index.js';
import { INITS, type InitName } from '../../nn/init.js';
import { countParameters, inferShapes, LAYER_SYNTAX, parseLayer } from '../../nn/layer-spec.js';
import { field, integer, integerList, oneOf, z, type Field, type Schema } from '../../util/schema.js';
import { shown } from '../../util/text.js';
import { MAX_PARAMETERS, type ReconLoss } from '../dense/config.js';
import type { FlagTable } from '../registry.js';

/** The fields of a convolutional body, shared by the variants built on one (conv, denoising, vae). */
export interface ConvBodyFields {
  /** [C, H, W] of one sample; [] takes it from the data. */
  imageShape: number[];
  encoder: string[];
  decoder: string[];
}

export interface ConvAEConfig extends ConvBodyFields {
  kind: 'conv';
  inputDim: number;
  /** Size of the flattened encoder output; 0 while it is not yet computed from the image shape. */
  latentDim: number;
  outputActivation: ActivationName;
  loss: ReconLoss;
  init: InitName | 'auto';
}

/** Split a comma-separated layer list at the commas outside parentheses. */
export function splitLayers(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** A list of layer specifications (nn/layer-spec.ts), checked one by one. */
export function layerList(help: string, def: readonly string[]): Field<string[]> {
  const layer = z.string({ error: (iss) => `expected a layer such as "conv(32,3,relu,same)", got ${shown(iss.input)}` }).superRefine((s, ctx) => {
    try {
      parseLayer(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
  const zod = z.array(layer, { error: (iss) => `expected a list of layers such as "conv(32,3,relu,same)", got ${shown(iss.input)}` });
  return field(zod, `${help}; layers: ${LAYER_SYNTAX}`, [...def], 'layer,layer,…', splitLayers);
}

export const convBodySchema: Schema<ConvBodyFields> = {
  imageShape: integerList('image shape per sample C,H,W (empty: taken from the data)', [], { min: 1 }),
  encoder: layerList('encoder layers, from the image to the code', ['conv(16,3,s2,relu,same)', 'conv(32,3,s2,relu,same)']),
  decoder: layerList('decoder layers, from the code back to the image (ending linear: the output activation follows)', ['convt(32,3,s2,relu,same)', 'convt(16,3,s2,relu,same)', 'conv(1,3,same)']),
};

export const convBodyFlags: FlagTable<ConvBodyFields> = { imageShape: 'image-shape', encoder: 'encoder', decoder: 'decoder' };

export const convSchema: Schema<Omit<ConvAEConfig, 'kind'>> = {
  inputDim: integer('input values per sample (0: taken from the data)', 0, { min: 0 }),
  latentDim: integer('size of the code: the flattened encoder output (0: computed from the layers)', 0, { min: 0 }),
  ...convBodySchema,
  outputActivation: oneOf('output activation (sigmoid for data in [0, 1])', ACTIVATIONS, 'sigmoid'),
  loss: oneOf('reconstruction loss', ['mse', 'bce', 'l1'] as const, 'bce'),
  init: oneOf('weight initialiser (auto: He for ReLU-like, Glorot otherwise)', ['auto', ...INITS] as const, 'auto'),
};

export const convFlags: FlagTable<Omit<ConvAEConfig, 'kind'>> = {
  inputDim: null,
  latentDim: null,
  ...convBodyFlags,
  outputActivation: 'output-activation',
  loss: 'loss',
  init: 'init',
};

/**
 * Complete a conv body from the data's sample shape and check it: the image shape, the encoder's
 * code size, and a decoder that returns to the image. Returns the code's per-sample shape.
 */
export function checkConvBody(c: ConvBodyFields & { inputDim: number }, sampleShape?: readonly number[], decoderInput?: readonly number[]): number[] {
  if (c.imageShape.length === 0 && sampleShape) {
    if (sampleShape.length !== 3 && sampleShape.length !== 2) throw new Error(`model.imageShape: a convolutional body needs images, the data has samples of shape [${sampleShape.join(', ')}]; give --image-shape C,H,W`);
    c.imageShape = sampleShape.length === 3 ? [...sampleShape] : [1, ...sampleShape];
  }
  if (c.imageShape.length === 0) return [];
  if (c.imageShape.length !== 3) throw new Error(`model.imageShape must be C,H,W, got [${c.imageShape.join(', ')}]`);
  const size = c.imageShape.reduce((a, b) => a * b, 1);
  if (c.inputDim !== 0 && c.inputDim !== size) throw new Error(`model.imageShape [${c.imageShape.join(', ')}] holds ${size} values but model.inputDim is ${c.inputDim}`);
  if (c.encoder.length === 0) throw new Error('model.encoder: a convolutional body needs at least one encoder layer');
  const code = inferShapes('model.encoder', c.encoder, c.imageShape).at(-1)!;
  const from = decoderInput ?? code;
  const out = inferShapes('model.decoder', c.decoder, from).at(-1) ?? from;
  if (out.join() !== c.imageShape.join()) {
    throw new Error(`model.decoder ends at shape [${out.join(', ')}], not the image shape [${c.imageShape.join(', ')}]: the decoder must return to the input`);
  }
  const params = countParameters(c.encoder, c.imageShape) + countParameters(c.decoder, from);
  if (params > MAX_PARAMETERS) throw new Error(`model: about ${params.toExponential(2)} parameters, more than the ${MAX_PARAMETERS.toExponential(2)} aekit allows`);
  return code;
}

export function validateConv(c: ConvAEConfig, sampleShape?: readonly number[]): void {
  const code = checkConvBody(c, sampleShape);
  if (code.length) {
    const size = code.reduce((a, b) => a * b, 1);
    if (c.latentDim !== 0 && c.latentDim !== size) throw new Error(`model.latentDim is ${c.latentDim} but the encoder's output [${code.join(', ')}] has ${size} values`);
    c.latentDim = size;
    c.inputDim = c.imageShape.reduce((a, b) => a * b, 1);
  }
  if (c.loss === 'bce' && c.outputActivation !== 'sigmoid') {
    throw new Error(`model.loss 'bce' needs model.outputActivation 'sigmoid' (got '${c.outputActivation}'); use --loss mse for unbounded data`);
  }
}
