/** The built-in backends. `registerBuiltinBackends()` makes them known to the engine; nothing loads on import. */
import { registerReferenceBackend } from './reference/index.js';

let registered = false;

export function registerBuiltinBackends(): void {
  if (registered) return;
  registered = true;
  registerReferenceBackend();
}
