/**
 * The fuzzer's inputs as fast-check arbitraries: valid seed files with a few mutations (bit flips,
 * byte inserts and deletes, truncation, header numbers and strings swapped for awkward ones), and
 * random bytes. Mutations are plain data, so fast-check can shrink a failing case to its fewest edits.
 */
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'fill'; at: number; length: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'copy'; from: number; at: number; length: number }
  | { kind: 'int'; at: number; width: 1 | 2 | 4 | 8; littleEndian: boolean; value: bigint }
  | { kind: 'number'; nth: number; text: string }
  | { kind: 'string'; nth: number; text: string }
  | { kind: 'token'; at: number; text: string };

/** Integers at the edges of every width a header field may have. */
const EDGES: readonly bigint[] = [
  0n, 1n, 2n, 3n, 7n, 8n, 127n, 128n, 255n, 256n, 784n, 65535n, 65536n,
  2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 50n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n,
];
/** Number spellings that readers of text headers and CSV fields must refuse or read exactly. */
const NUMBER_TEXTS: readonly string[] = [
  ...EDGES.map(String), '-1', '-0', '1e400', '-1e400', '3.4028236e38', '1e-50', '9'.repeat(400), '0x10', '1.5', '+1', '.5', '5.', '1e', 'NaN', 'Infinity', '',
];
/** Bytes and strings that break text formats: quotes, separators, line ends, a BOM, bad UTF-8. */
const COMMON_TOKENS: readonly string[] = [
  '"', "'", ',', ';', ' ', '\t', '\n', '\r', '\r\n', '\0', '{', '}', '(', ')', '[', ']', ':', '\\', '\uFEFF', 'é', '\uD800', '__proto__',
];

/** One mutation; positions are taken modulo the input length when applied, so any mutation fits any input. */
function mutation(tokens: readonly string[]): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  const text = fc.oneof(fc.constantFrom(...NUMBER_TEXTS, ...tokens, ...COMMON_TOKENS), fc.string({ maxLength: 8 }));
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('set' as const), at, value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x22, 0x2c) }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('fill' as const), at, length: fc.integer({ min: 1, max: 2048 }), value: fc.constantFrom(0, 0x20, 0x31, 0xff) }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('copy' as const), from: at, at, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({
      kind: fc.constant('int' as const), at: fc.nat(63), width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      littleEndian: fc.boolean(), value: fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    }),
    fc.record({ kind: fc.constant('number' as const), nth: fc.nat(), text: fc.constantFrom(...NUMBER_TEXTS) }),
    fc.record({ kind: fc.constant('string' as const), nth: fc.nat(), text }),
    fc.record({ kind: fc.constant('token' as const), at, text }),
  );
}

/** Inputs for a target: mostly mutated seeds, some random bytes, some random bytes behind a seed's first bytes (its magic). */
export function inputs(seeds: readonly Uint8Array[], tokens: readonly string[] = [], repair?: (b: Uint8Array) => Uint8Array): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('fuzz: a target needs at least one seed file');
  // Plain copies: a Buffer's slice() is a view, so mutating one would change the seed itself.
  const own = seeds.map((s) => Uint8Array.from(s));
  const seed = fc.nat(own.length - 1).map((i) => own[i]!);
  const mutated = fc.tuple(seed, fc.array(mutation(tokens), { minLength: 1, maxLength: 6, size: 'xsmall' })).map(([s, ms]) => ms.reduce(applyMutation, s));
  const random = fc.uint8Array({ maxLength: 512 });
  const behindMagic = fc.tuple(seed, fc.integer({ min: 1, max: 16 }), random).map(([s, k, r]) => concat(s.subarray(0, k), r));
  const any = fc.oneof({ weight: 8, arbitrary: mutated }, { weight: 1, arbitrary: random }, { weight: 1, arbitrary: behindMagic });
  return repair === undefined ? any : fc.tuple(any, fc.boolean()).map(([b, fix]) => (fix ? repair(b) : b));
}

/** `input` with one mutation applied; the input itself is never modified. */
export function applyMutation(input: Uint8Array, m: Mutation): Uint8Array {
  const n = input.length;
  const pos = (i: number) => i % (n + 1);
  switch (m.kind) {
    case 'flip': return n === 0 ? input : edit(input, m.at % n, (b) => b ^ (1 << m.bit));
    case 'set': return n === 0 ? input : edit(input, m.at % n, () => m.value);
    case 'insert': return splice(input, pos(m.at), 0, m.bytes);
    case 'fill': return splice(input, pos(m.at), m.length, new Uint8Array(m.length).fill(m.value));
    case 'delete': return splice(input, pos(m.at), m.length, new Uint8Array(0));
    case 'truncate': return input.slice(0, pos(m.at));
    case 'copy': return splice(input, pos(m.at), 0, input.slice(pos(m.from), pos(m.from) + m.length));
    case 'int': return writeInt(input, m);
    case 'number': return replaceNth(input, /[0-9]+/g, m.nth, m.text);
    case 'string': return replaceNth(input, /(?<=["'])[^"'\n]*(?=["'])/g, m.nth, m.text);
    case 'token': return splice(input, pos(m.at), 0, utf8(m.text));
  }
}

function edit(input: Uint8Array, at: number, f: (b: number) => number): Uint8Array {
  const out = input.slice();
  out[at] = f(out[at]!) & 0xff;
  return out;
}

function splice(input: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  return concat(input.subarray(0, at), insert, input.subarray(Math.min(input.length, at + remove)));
}

/** Overwrite `width` bytes at `at` with `value` (its low bits), growing the input if it is too short. */
function writeInt(input: Uint8Array, m: Extract<Mutation, { kind: 'int' }>): Uint8Array {
  const out = new Uint8Array(Math.max(input.length, m.at + m.width));
  out.set(input);
  for (let i = 0; i < m.width; i++) {
    const byte = Number((m.value >> BigInt(8 * i)) & 0xffn);
    out[m.littleEndian ? m.at + i : m.at + m.width - 1 - i] = byte;
  }
  return out;
}

/** Replace the nth match of `re` (modulo the match count) in the input read as latin1, byte for byte. */
function replaceNth(input: Uint8Array, re: RegExp, nth: number, text: string): Uint8Array {
  const matches = [...Buffer.from(input.buffer, input.byteOffset, input.length).toString('latin1').matchAll(re)];
  if (matches.length === 0) return input;
  const hit = matches[nth % matches.length]!;
  return splice(input, hit.index, hit[0].length, utf8(text));
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
