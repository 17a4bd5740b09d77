/** safetensors files read by readSafetensors. */
import { serializeSafetensors, safetensor, type SafetensorsFile } from '../../io/safetensors.js';
import { readSafetensors } from '../../io/safetensors-file.js';
import { checkShape, type FuzzTarget } from '../target.js';

const CLASS_OF = { F32: 'Float32Array', F64: 'Float64Array', I32: 'Int32Array', U8: 'Uint8Array', I64: 'BigInt64Array' };

function seeds(): Uint8Array[] {
  return [
    serializeSafetensors(
      { 'encoder.fc1.weight': safetensor([2, 3], Float32Array.of(1, -2.5, 3e-8, 0.1, NaN, -Infinity)), b: safetensor([3], Float64Array.of(1, 2, 3)) },
      { format: 'pt', note: 'fuzz' },
    ),
    serializeSafetensors({
      i: safetensor([2, 2], Int32Array.of(-1, 2, 3, 4)), u: safetensor([3], Uint8Array.of(1, 2, 3)), l: safetensor([1], BigInt64Array.of(-7n)),
    }),
    serializeSafetensors({ s: safetensor([], Float32Array.of(1.5)), e: safetensor([0, 4], new Float32Array(0)) }),
    serializeSafetensors({}),
  ];
}

/** The tensor names the header declares, read independently of the reader. */
function declaredNames(bytes: Uint8Array): string[] {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as object;
  return Object.keys(header).filter((k) => k !== '__metadata__').sort();
}

function checkFile(file: SafetensorsFile, bytes: Uint8Array): string | null {
  for (const [name, t] of Object.entries(file.tensors)) {
    if (t.data.constructor.name !== CLASS_OF[t.dtype]) return `tensor '${name}' of ${t.dtype} arrived as a ${t.data.constructor.name}`;
    const problem = checkShape(t.shape, t.data.length);
    if (problem !== null) return `tensor '${name}': ${problem}`;
  }
  if (Object.values(file.metadata).some((v) => typeof v !== 'string')) return 'a metadata value is not a string';
  const names = Object.keys(file.tensors).sort();
  const declared = declaredNames(bytes);
  return names.join('\n') === declared.join('\n') ? null : `tensors [${names}] but the header declares [${declared}]`;
}

/** Where the JSON object that starts at byte 8 ends (with any spaces after it), or -1. */
function headerEnd(bytes: Uint8Array): number {
  let depth = 0;
  for (let i = 8, inString = false; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
      while (bytes[i + 1] === 0x20) i++;
      return i + 1;
    }
  }
  return -1;
}

/** Set the header length to where the header's JSON ends, so that edits inside the header reach the parser. */
function repair(bytes: Uint8Array): Uint8Array {
  const end = bytes[8] === 0x7b ? headerEnd(bytes) : -1;
  if (end < 0) return bytes;
  const out = bytes.slice();
  new DataView(out.buffer).setBigUint64(0, BigInt(end - 8), true);
  return out;
}

export const safetensorsTarget: FuzzTarget<SafetensorsFile> = {
  name: 'safetensors',
  ext: '.safetensors',
  seeds,
  repair,
  tokens: ['"dtype"', '"shape"', '"data_offsets"', '"F32"', '"F16"', '"I64"', '"BF16"', '"__metadata__"', '"__proto__"', '"constructor"', '[0,4]', '[]', '{}'],
  run: (_bytes, path) => readSafetensors(path),
  check: (file, bytes) => checkFile(file, bytes),
};
