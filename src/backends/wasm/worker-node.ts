/** A GEMM worker thread in Node: instantiates the kernels over the shared memory and serves jobs until terminated. */
import { workerData } from 'node:worker_threads';
import { kernelsOf } from './module.js';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';

interface WorkerInit {
  readonly id: number;
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly control: number;
}

const init = workerData as WorkerInit;
const instance = await wasmApi.instantiate(init.module, {
  env: {
    memory: init.memory,
    abort: (_m: number, _f: number, line: number, column: number) => {
      throw new Error(`wasm kernels aborted at line ${line}:${column} (worker ${init.id})`);
    },
  },
});
const kernels = kernelsOf(instance.exports);
kernels.setup(init.control);
kernels.workerLoop(init.id);
