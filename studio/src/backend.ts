/**
 * Which backend the studio trains on. A run config's 'auto' lets aekit choose among the backends
 * registered in the page; today that is the reference backend only. The hook for wasm: call
 * `aekit.registerWasmBackend((file) => fetch('/wasm/' + file)…)` in worker.ts before setBackend
 * and have studio-server.ts serve build/wasm/ at /wasm/; 'auto' then prefers it, and a config may
 * name 'wasm'. A config naming a backend the page lacks ('native') falls back to 'auto', since
 * Node-only backends never load here.
 */
const IN_PAGE = new Set(['auto', 'reference', 'wasm', 'webgpu']);

export function pickBackend(asked: string): string {
  return IN_PAGE.has(asked) ? asked : 'auto';
}
