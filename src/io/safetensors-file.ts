/** safetensors files on disk (Node only); the format itself is in safetensors.ts, which is pure. */
import { readFileBytes } from '../data/file.js';
import { writeFileAtomic } from '../util/atomic.js';
import { parseSafetensors, serializeChunks, type SafetensorsFile, type SafetensorsTensor } from './safetensors.js';

/** Write a safetensors file atomically (readers see the old file or the whole new one). */
export function writeSafetensors(path: string, tensors: Record<string, SafetensorsTensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, ...serializeChunks(tensors, metadata));
}

/** Read and validate a safetensors file. */
export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileBytes(path), path);
}
