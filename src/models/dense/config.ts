/** Configuration of the dense (fully connected) autoencoder. */
import { ACTIVATIONS, type ActivationName } from '../../core/index.js';
import { INITS, type InitName } from '../../nn/init.js';
import { boolean, integer, integerList, number, oneOf, type Schema } from '../../util/schema.js';
import type { FlagTable } from '../registry.js';

export type ReconLoss = 'mse' | 'bce' | 'l1';

/** The fields of a dense body, shared by the variants built on it (denoising, sparse). */
export type DenseBody = Omit<DenseAEConfig, 'kind'> & { kind: string };

export interface DenseAEConfig {
  kind: 'dense';
  inputDim: number;
  hidden: number[];
  latentDim: number;
  activation: ActivationName;
  latentActivation: ActivationName;
  outputActivation: ActivationName;
  loss: ReconLoss;
  tiedWeights: boolean;
  init: InitName | 'auto';
  batchNorm: boolean;
  dropout: number;
}

export const denseSchema: Schema<Omit<DenseAEConfig, 'kind'>> = {
  inputDim: integer('input features per sample (0: taken from the data)', 0, { min: 0 }),
  hidden: integerList('encoder hidden sizes; the decoder mirrors them', [256, 64], { min: 1 }),
  latentDim: integer('size of the latent code (bottleneck)', 32, { min: 1 }),
  activation: oneOf('hidden-layer activation', ACTIVATIONS, 'relu'),
  latentActivation: oneOf('activation of the code layer', ACTIVATIONS, 'linear'),
  outputActivation: oneOf('output activation (sigmoid for data in [0, 1])', ACTIVATIONS, 'sigmoid'),
  loss: oneOf('reconstruction loss', ['mse', 'bce', 'l1'] as const, 'bce'),
  tiedWeights: boolean('decoder reuses the transposed encoder weights', false),
  init: oneOf('weight initialiser (auto: He for ReLU-like, Glorot otherwise)', ['auto', ...INITS] as const, 'auto'),
  batchNorm: boolean('batch norm after each hidden layer (encoder and decoder)', false),
  dropout: number('dropout probability after each hidden layer in training (0: none)', 0, { min: 0, below: 1 }),
};

export const denseFlags: FlagTable<Omit<DenseAEConfig, 'kind'>> = {
  inputDim: null,
  hidden: 'hidden',
  latentDim: 'latent-dim',
  activation: 'activation',
  latentActivation: 'latent-activation',
  outputActivation: 'output-activation',
  loss: 'loss',
  tiedWeights: 'tied-weights',
  init: 'init',
  batchNorm: 'batch-norm',
  dropout: 'dropout',
};

/** Weights above this count (4 GiB of float32, three times that with Adam) are refused before any allocation. */
export const MAX_PARAMETERS = 2 ** 30;

export function validateDense(c: DenseBody): void {
  if (c.tiedWeights && (c.batchNorm || c.dropout > 0)) throw new Error('model.tiedWeights cannot be combined with model.batchNorm or model.dropout (the tied decoder has no layers of its own)');
  const widths = [c.inputDim, ...c.hidden, c.latentDim];
  let params = 0;
  for (let i = 1; i < widths.length; i++) params += 2 * (widths[i - 1]! * widths[i]! + widths[i]!);
  if (params > MAX_PARAMETERS) throw new Error(`model: ${widths.join('-')} mirrored has about ${params.toExponential(2)} parameters, more than the ${MAX_PARAMETERS.toExponential(2)} aekit allows`);
  if (c.loss === 'bce' && c.outputActivation !== 'sigmoid') {
    throw new Error(`model.loss 'bce' needs model.outputActivation 'sigmoid' (got '${c.outputActivation}'); use --loss mse for unbounded data`);
  }
}
