/**
 * The part of the WebAssembly JavaScript API this backend uses, typed here because the project's
 * TypeScript libraries (ES2022 + Node types) do not declare it. The value is the runtime's own global.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
/** A compiled module (structured-cloneable to workers). */
export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}
export interface WasmApi {
  readonly Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
  validate(bytes: Uint8Array): boolean;
}

declare const WebAssembly: WasmApi;
export const wasmApi: WasmApi = WebAssembly;
