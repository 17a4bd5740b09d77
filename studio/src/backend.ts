/**
 * Which backend the studio trains on. A run config's 'auto' lets aekit choose among the backends
 * its browser entry registers (webgpu → wasm → reference; today only reference). When the wasm
 * backend lands in src/browser.ts, 'auto' picks it with no change here; a config naming a
 * backend the page lacks ('native') falls back to 'auto', since Node-only backends never load here.
 */
const IN_PAGE = new Set(['auto', 'reference', 'wasm', 'webgpu']);

export function pickBackend(asked: string): string {
  return IN_PAGE.has(asked) ? asked : 'auto';
}
