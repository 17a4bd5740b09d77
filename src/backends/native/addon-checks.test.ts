/**
 * The addon's entry points check what they are given before they touch memory: sizes are
 * non-negative integers, their products are checked for overflow, each buffer holds exactly what
 * the sizes say, enumerated codes are in their set, and memory that cannot be had is an Error.
 * Calls straight to the raw addon (the kernels above it check shapes first), each of which crashed
 * the process or was silently misread before these checks; now each throws naming the function
 * and the problem.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ADDON_PATH, loadAddon } from './addon.js';

const addon = loadAddon();
const f32 = (n: number): Float32Array => new Float32Array(n);
const empty = (): Float32Array => new Float32Array(0);
const ints = (...v: number[]): Int32Array => Int32Array.from(v);

/** Asserts that `call` throws a RangeError from native `fn` whose message matches `problem`. */
function refuses(fn: string, call: () => unknown, problem: RegExp): void {
  assert.throws(call, (err: unknown) => {
    assert.ok(err instanceof RangeError, `${fn}: expected a RangeError, got ${String(err)}`);
    assert.ok(err.message.startsWith(`aekit native ${fn}: `), err.message);
    assert.match(err.message, problem);
    return true;
  });
}

test('sizes must be non-negative integers: negative, fractional and NaN sizes are refused', () => {
  refuses('matmul', () => addon.matmul(empty(), empty(), empty(), -1, 0, 0, 0, 0), /m must be a non-negative integer .*got -1$/);
  refuses('matmul', () => addon.matmul(f32(2), f32(2), f32(4), 2, 2, 1.5, 0, 0), /k must be a non-negative integer .*got 1\.5$/);
  refuses('fusedDense', () => addon.fusedDense(f32(2), f32(2), f32(1), f32(1), 1, 2, NaN, 0), /out must be a non-negative integer .*got nan$/);
  refuses('gatherRows', () => addon.gatherRows(f32(10), 2.5, ints(0), f32(10)), /dim must be a non-negative integer .*got 2\.5$/);
  refuses('gatherRows', () => addon.gatherRows(f32(10), 0, ints(0), f32(10)), /dim must be at least 1/);
  refuses('alloc', () => addon.alloc(-1), /size must be a non-negative integer .*got -1$/);
  // 2^62 floats are 2^64 bytes: the byte count wrapped to 0 and V8 aborted on the typed array.
  refuses('alloc', () => addon.alloc(2 ** 62), /size must be a non-negative integer \(at most 2\^53 - 1\)/);
});

test('products of sizes past 2^63 are refused before any buffer is touched', () => {
  // Each product wraps to 0 in 64 bits, which matched the empty buffers: the kernels then ran.
  refuses('matmul', () => addon.matmul(empty(), empty(), empty(), 2 ** 32, 2 ** 32, 2 ** 32, 0, 0), /m × k overflows: 4294967296 × 4294967296/);
  refuses('fusedDense', () => addon.fusedDense(empty(), empty(), f32(2 ** 16), empty(), 2 ** 48, 2 ** 48, 2 ** 16, 0), /batch × in overflows/);
  const e = empty;
  refuses('fusedDenseGrad', () => addon.fusedDenseGrad(e(), e(), e(), e(), e(), e(), f32(2 ** 16), 2 ** 48, 2 ** 48, 2 ** 16, 1), /batch × out overflows/);
  refuses('gatherRows', () => addon.gatherRows(empty(), 2 ** 52, new Int32Array(4096), empty()), /indices × dim overflows: 4096 × 4503599627370496/);
});

test('layouts whose dims wrap around 2^64 or are negative are refused', () => {
  // 3·2833·37171·1824726041 = 2^59 + 1, so these dims times 32 wrap to 32 elements: rows of 32
  // were then read and written far past the 32-element buffers.
  const wrapping = [3, 2833, 37171, 1824726041, 32];
  const layout = (operands: number): Int32Array => ints(5, ...wrapping, ...Array<number[]>(operands).fill([1, 1, 1, 1, 32]).flat());
  const overflow = /the layout's element count overflows/;
  refuses('broadcastTo', () => addon.broadcastTo(f32(32), f32(32), layout(1)), overflow);
  refuses('binary', () => addon.binary(0, f32(32), f32(32), f32(32), layout(2)), overflow);
  refuses('where', () => addon.where(f32(32), f32(32), f32(32), f32(32), layout(3)), overflow);
  refuses('reduce', () => addon.reduce(0, f32(32), f32(32), layout(1)), overflow);
  refuses('transpose', () => addon.transpose(f32(32), f32(32), ints(5, ...wrapping, 0, 0, 0, 0, 1)), overflow);
  refuses('binary', () => addon.binary(0, f32(2), f32(6), f32(6), ints(3, -1, -2, 3, -1, -2, 1, -1, -2, 3)), /layout dimension -1 is negative/);
});

test('a buffer of the wrong length is refused by name', () => {
  refuses('matmul', () => addon.matmul(f32(5), f32(6), f32(4), 2, 2, 3, 0, 0), /a has length 5 where m × k is 6$/);
  refuses('fusedDenseGrad', () => addon.fusedDenseGrad(f32(4), f32(6), f32(6), f32(4), f32(6), f32(6), f32(1), 2, 3, 2, 0), /db has length 1 where out is 2$/);
  refuses('sgdUpdate', () => addon.sgdUpdate(f32(4), f32(3), f32(4), 0.1, 0.9, 0, 0, 0, 0), /grad has length 3 where param's length is 4$/);
  refuses('meanLossAndGrad', () => addon.meanLossAndGrad(0, f32(4), f32(4), f32(2), f32(4)), /value has length 2 where the mean loss's length is 1$/);
  refuses('gatherRows', () => addon.gatherRows(f32(10), 2, ints(0, 1, 2), f32(4)), /out is too short: length 4 where indices × dim is 6$/);
});

test('enumerated codes outside their set are refused, naming the argument and the value', () => {
  const kinds = /kind must be 0 \(BCE with logits\) or 1 \(MSE\), got/;
  // An unknown loss kind was computed as MSE; op codes were truncated to int (2^32 + 3 ran Exp).
  refuses('meanLoss', () => addon.meanLoss(7, f32(4), f32(4), f32(1)), new RegExp(`${kinds.source} 7$`));
  refuses('meanLossGrad', () => addon.meanLossGrad(2, f32(1), f32(4), f32(4), f32(4)), new RegExp(`${kinds.source} 2$`));
  refuses('meanLossAndGrad', () => addon.meanLossAndGrad(-1, f32(4), f32(4), f32(1), f32(4)), new RegExp(`${kinds.source} -1$`));
  refuses('unary', () => addon.unary(2 ** 32 + 3, f32(1), f32(1)), /op must be an integer from 0 to 11, got 4294967299$/);
  refuses('binary', () => addon.binary(2 ** 32 + 2, f32(1), f32(1), f32(1)), /op must be an integer from 0 to 9, got 4294967298$/);
  refuses('fusedDense', () => addon.fusedDense(f32(2), f32(2), f32(1), f32(1), 1, 2, 1, 9), /act must be 0 \(linear\), 1 \(relu\), 2 \(sigmoid\) or 3 \(tanh\), got 9$/);
  // Flags were read as "not zero": 2 meant true and 0.5 false.
  refuses('matmul', () => addon.matmul(f32(6), f32(6), f32(4), 2, 2, 3, 2, 0), /transA must be 0 or 1, got 2$/);
  refuses('reduce', () => addon.reduce(2, f32(2), f32(1), ints(1, 2, 1)), /isMax must be 0 or 1, got 2$/);
  refuses('adamUpdate', () => addon.adamUpdate(f32(2), f32(2), f32(2), f32(2), 0.1, 0.9, 0.999, 1e-8, 0, 0.5, 1), /decoupled must be 0 or 1, got 0\.5$/);
});

test('the fused convolutions refuse a bad geometry, buffers that do not match it, and an unknown activation', () => {
  // x (2, 5, 5, 3), w (4, 3·3·3), y (2, 5, 5, 4) for a 3×3 window with padding 1
  const g = ints(2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  refuses('conv2d', () => addon.conv2d(f32(150), f32(108), f32(4), f32(200), ints(2, 5, 5, 3), 4, 0), /window geometry must have 14 entries, got 4/);
  refuses('conv2d', () => addon.conv2d(f32(150), f32(108), f32(4), f32(200), ints(2, 2, 2, 3, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0), 4, 0), /a 5x5 window does not fit a 2x2 image/);
  refuses('conv2d', () => addon.conv2d(f32(150), f32(107), f32(4), f32(200), g, 4, 0), /w has length 107 where Cout × kh·kw·Cin is 108/);
  refuses('conv2dGrad', () => addon.conv2dGrad(f32(200), f32(150), f32(108), f32(200), f32(149), f32(108), f32(4), g, 4, 1), /dx has length 149 where B·H·W·Cin \(or 0 for no input gradient\) is 150/);
  refuses('convTranspose2d', () => addon.convTranspose2d(f32(200), f32(108), f32(3), f32(150), g, 4, 4), /act must be 0 \(linear\), 1 \(relu\), 2 \(sigmoid\) or 3 \(tanh\), got 4/);
  refuses('convTranspose2dGrad', () => addon.convTranspose2dGrad(f32(150), f32(200), f32(108), f32(150), empty(), f32(108), f32(2), g, 4, 0), /db has length 2 where Cout is 3/);
});

test('alloc past the 2^32 bytes of an external buffer throws an Error naming the bytes', () => {
  // Node 20 refused the buffer after freeing the block through our finalizer, and alloc freed it
  // again (SIGSEGV); 2^52 floats were reported only as "out of memory".
  assert.throws(() => addon.alloc(2 ** 30 + 16), { name: 'Error', message: 'aekit native alloc: cannot allocate 4294967360 bytes: more than the 2^32 of a Node-API external buffer' });
  assert.throws(() => addon.alloc(2 ** 52), { name: 'Error', message: /^aekit native alloc: cannot allocate 18014398509481984 bytes/ });
});

test('alloc throws an Error naming the bytes when the system has no memory for them', { skip: process.platform !== 'linux' && 'needs ulimit -v' }, () => {
  // A process limited to 4 GiB of address space cannot get a block of 4 GiB - 64 bytes.
  const script = `const a = require(${JSON.stringify(ADDON_PATH)});
    try { a.alloc(2 ** 30 - 16); console.log('allocated'); } catch (e) { console.log(e.message); }`;
  const env = { ...process.env, AEKIT_THREADS: '1' };
  const r = spawnSync('bash', ['-c', 'ulimit -v 4194304 && exec "$0" -e "$1"', process.execPath, script], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'aekit native alloc: cannot allocate 4294967232 bytes: out of memory');
});

test('after the refused calls the addon still computes', () => {
  const out = f32(2);
  addon.matmul(Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6), out, 2, 1, 2, 0, 0);
  assert.deepEqual([...out], [17, 39]);
});
