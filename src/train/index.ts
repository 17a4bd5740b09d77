/** aekit/train: configuration, the trainer, events, evaluation and run directories. */
export * from './config.js';
export * from './events.js';
export * from './trainer.js';
export * from './evaluate.js';
export * from './schedule.js';
export * from './run-dir.js';
export * from './data-setup.js';
export * from './data-prep.js';
