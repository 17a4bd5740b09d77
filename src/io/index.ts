/** aekit/io: safetensors and the model directory format. */
export * from './safetensors.js';
export * from './safetensors-file.js';
export * from './model-format.js';
export * from './model-dir.js';
