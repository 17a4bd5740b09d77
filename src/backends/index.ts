/** The built-in backends (native, wasm, reference). `registerBuiltinBackends()` makes them known to the engine; nothing loads on import. */
import { registerBackend } from '../core/index.js';
import { createNativeBackend } from './native/index.js';
import { WASM } from './wasm/index.js';
import { createNodeWasmBackend } from './wasm/node.js';
import { registerReferenceBackend } from './reference/index.js';

let registered = false;

export function registerBuiltinBackends(): void {
  if (registered) return;
  registered = true;
  registerReferenceBackend();
  registerBackend('native', () => createNativeBackend(), 10);
  // 'auto' in Node: native, then WebAssembly, then the reference backend.
  registerBackend(WASM, () => createNodeWasmBackend(), 5);
}
