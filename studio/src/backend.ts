/**
 * Which backend the studio trains on. A run config's 'auto' lets aekit choose among the backends
 * registered in the page: worker.ts registers the WebAssembly backend with the modules that
 * serve/studio-files.ts sends from build/wasm/ at wasm/ (beside the page), so 'auto' takes wasm and falls back to the
 * reference backend when they cannot be fetched (e.g. under `npm run studio:dev`). A config
 * naming a backend the page lacks ('native') falls back to 'auto', since Node-only backends never
 * load here.
 */
const IN_PAGE = new Set(['auto', 'reference', 'wasm', 'webgpu']);

export function pickBackend(asked: string): string {
  return IN_PAGE.has(asked) ? asked : 'auto';
}
