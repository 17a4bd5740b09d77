/** aekit/nn: modules, layers, initialisers, losses, optimizers, schedules and gradient clipping. */
export * from './module.js';
export * from './dense.js';
export * from './mlp.js';
export * from './layer-spec.js';
export * from './stack.js';
export * from './init.js';
export * from './losses.js';
export * from './optim/index.js';
export * from './schedules.js';
export * from './clip.js';
export * from './probe.js';
