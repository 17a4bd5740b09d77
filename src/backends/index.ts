/** The built-in backends. `registerBuiltinBackends()` makes them known to the engine; nothing loads on import. */
import { registerBackend } from '../core/index.js';
import { createNativeBackend } from './native/index.js';
import { registerReferenceBackend } from './reference/index.js';

let registered = false;

export function registerBuiltinBackends(): void {
  if (registered) return;
  registered = true;
  registerReferenceBackend();
  registerBackend('native', () => createNativeBackend(), 10);
}
