/**
 * aekit: autoencoders in TypeScript.
 *
 *   import * as aekit from 'aekit';
 *   await aekit.setBackend('auto');
 */
import { registerBuiltinBackends } from './backends/index.js';
import { setBackend as coreSetBackend, type Backend } from './core/index.js';

export * from './core/index.js';

/** Select a backend ('auto', 'native', 'wasm', 'reference'); registers the built-in ones first. */
export async function setBackend(name: string = 'auto'): Promise<Backend> {
  registerBuiltinBackends();
  return coreSetBackend(name);
}
