/**
 * Byte-format helpers shared by the parsers: error messages naming a byte offset, element and byte
 * counts that do not overflow silently. Pure (no file system), so the parsers load in a browser.
 */
/** Error for a binary file, naming the file and the byte offset where the problem lies. */
export function byteError(path: string, offset: number, message: string): Error {
  return new Error(`${path}: byte ${offset}: ${message}`);
}

export { printable, quoted } from './text.js';

/**
 * How many values a shape holds. 0 when any dimension is 0: a plain product turns NaN once the
 * other dimensions overflow to Infinity, and NaN passes every size comparison.
 */
export function elementCount(shape: readonly number[]): number {
  return shape.includes(0) ? 0 : shape.reduce((a, b) => a * b, 1);
}

/** A byte count for an error message; past 2^53 the count itself is inexact. */
export function byteCount(n: number): string {
  return n > Number.MAX_SAFE_INTEGER ? 'more than 2^53' : String(n);
}

/** A JSON value for an error message, cut like `printable`. */
export function jsonExcerpt(value: unknown, max = 80): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** The dimensions of a shape for an error message, the first eight and then their count. */
export function dims(shape: readonly number[], separator = ','): string {
  return shape.length <= 8 ? shape.join(separator) : `${shape.slice(0, 8).join(separator)}${separator}… (${shape.length} dimensions)`;
}

/** Bytes as a string of the same length, one character per byte (ISO-8859-1), as Node's 'latin1' decoding. */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** How many bytes `text` takes in UTF-8. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
