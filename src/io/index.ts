/** aekit/io: safetensors and the model directory format. */
export * from './safetensors.js';
export * from './model-dir.js';
