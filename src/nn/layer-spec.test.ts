import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countParameters, inferShapes, parseLayer } from './layer-spec.js';

describe('layer specifications', () => {
  test('every layer type parses with its options and defaults', () => {
    assert.deepEqual(parseLayer('conv(32,3,relu,same)'), { type: 'conv', filters: 32, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padding: 'same', activation: 'relu' });
    assert.deepEqual(parseLayer(' conv( 8, 3x5, s2x1, d2, p1x2 ) '), { type: 'conv', filters: 8, kernel: [3, 5], stride: [2, 1], dilation: [2, 2], padding: [1, 1, 2, 2], activation: 'linear' });
    assert.deepEqual(parseLayer('convt(16,3,s2,p1,op1,tanh)'), { type: 'convt', filters: 16, kernel: [3, 3], stride: [2, 2], dilation: [1, 1], padding: 1, outputPadding: [1, 1], activation: 'tanh' });
    assert.deepEqual(parseLayer('maxpool(2)'), { type: 'maxpool', kernel: [2, 2], stride: [2, 2], padding: 'valid' });
    assert.deepEqual(parseLayer('avgpool(3,s1,same)'), { type: 'avgpool', kernel: [3, 3], stride: [1, 1], padding: 'same' });
    assert.deepEqual(parseLayer('up(2,bilinear)'), { type: 'up', factor: [2, 2], mode: 'bilinear' });
    assert.deepEqual(parseLayer('up(2)'), { type: 'up', factor: [2, 2], mode: 'nearest' });
    assert.deepEqual(parseLayer('dense(16,relu)'), { type: 'dense', units: 16, activation: 'relu' });
    assert.deepEqual(parseLayer('reshape(64,7,7)'), { type: 'reshape', shape: [64, 7, 7] });
    assert.deepEqual(parseLayer('flatten'), { type: 'flatten' });
    assert.deepEqual(parseLayer('bn'), { type: 'bn' });
    assert.deepEqual(parseLayer('dropout(0.25)'), { type: 'dropout', rate: 0.25 });
  });

  test('malformed layers are refused with a message naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['pool(2)', /unknown layer type 'pool'/], ['conv(0,3)', /number of filters must be a positive integer/], ['conv(8)', /kernel size '' is not/],
      ['conv(8,3,bogus)', /'bogus' is not an option of conv/], ['maxpool(2,relu)', /'relu' is not an option of maxpool/], ['convt(8,3,op1x)', /output padding/],
      ['reshape(3,4)', /reshape takes C,H,W/], ['dropout(1)', /dropout takes one probability in \[0, 1\)/], ['flatten(2)', /flatten takes no arguments/], ['conv 8 3', /cannot read layer/],
    ];
    for (const [text, re] of cases) assert.throws(() => parseLayer(text), re, text);
  });

  test('shapes are inferred per sample, and a layer that does not fit names the list and the item', () => {
    const shapes = inferShapes('model.encoder', ['conv(32,3,relu,same)', 'maxpool(2,same)', 'conv(8,3,s2,same)', 'flatten', 'dense(16)'], [1, 28, 28]);
    assert.deepEqual(shapes, [[32, 28, 28], [32, 14, 14], [8, 7, 7], [392], [16]]);
    assert.deepEqual(inferShapes('d', ['dense(3136)', 'reshape(64,7,7)', 'convt(32,3,s2,same)', 'up(2,bilinear)'], [2]).at(-1), [32, 28, 28]);
    assert.deepEqual(inferShapes('d', ['convt(1,3,s2,p1,op1)'], [4, 7, 7]).at(-1), [1, 14, 14]);
    assert.throws(() => inferShapes('model.encoder', ['flatten', 'conv(4,3)'], [1, 8, 8]), /model\.encoder\[1\] 'conv\(4,3\)': conv needs an image \[C, H, W\], got \[64\]/);
    assert.throws(() => inferShapes('model.decoder', ['dense(10)'], [4, 2, 2]), /model\.decoder\[0\] 'dense\(10\)': dense needs a vector/);
    assert.throws(() => inferShapes('model.decoder', ['reshape(2,3,3)'], [10]), /reshape to \[2, 3, 3\] needs 18 values, the input \[10\] has 10/);
    assert.throws(() => inferShapes('model.encoder', ['conv(4,5)'], [1, 3, 3]), /does not fit a 3×3 input/);
  });

  test('parameters are counted per layer type', () => {
    // conv 1→4 3×3: 36 + 4; bn over 4 channels: 8; dense 4·2·2 → 3: 48 + 3
    assert.equal(countParameters(['conv(4,3,same)', 'bn', 'maxpool(2)', 'flatten', 'dense(3)'], [1, 4, 4]), 40 + 8 + 51);
  });
});
