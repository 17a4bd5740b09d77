import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, formatTick, linearTicks, logTicks, niceStep } from './ticks.js';

test('nice steps are 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(100, 6), 20);
  assert.equal(niceStep(7, 6), 1);
  assert.equal(niceStep(0.003, 6), 0.0005);
});

test('linear ticks lie inside the range with clean values and labels', () => {
  assert.deepEqual(linearTicks(-0.04, 1.04, 5), { values: [0, 0.2, 0.4, 0.6, 0.8, 1], labels: ['0', '0.2', '0.4', '0.6', '0.8', '1.0'] });
  assert.deepEqual(linearTicks(0.1, 0.4, 3).values, [0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(linearTicks(-3, 3, 3).labels, ['-2', '0', '2']);
  assert.deepEqual(linearTicks(0.9, 3.1, 6, true).labels, ['1', '2', '3'], 'integer data: no ticks between whole numbers');
  assert.deepEqual(linearTicks(2e5, 6e5, 4).labels, ['2e5', '3e5', '4e5', '5e5', '6e5']);
  assert.deepEqual(linearTicks(1.2e-4, 1.6e-4, 4).labels, ['1.2e-4', '1.3e-4', '1.4e-4', '1.5e-4', '1.6e-4']);
});

test('log ticks: decades, 1-2-5 within few decades, thinned over many, linear inside one', () => {
  assert.deepEqual(logTicks(0.0008, 2.5).values, [0.001, 0.01, 0.1, 1]);
  assert.deepEqual(logTicks(0.0008, 2.5).labels, ['0.001', '0.01', '0.1', '1']);
  assert.deepEqual(logTicks(0.9, 60).values, [1, 2, 5, 10, 20, 50]);
  assert.deepEqual(logTicks(1e-12, 1, 6).values, [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]);
  assert.deepEqual(logTicks(0.021, 0.029, 4).values, [0.022, 0.024, 0.026, 0.028]);
});

test('number formatting is short and exact', () => {
  assert.equal(formatTick(0.30000000000000004, 0.1), '0.3');
  assert.equal(formatTick(0, 0.1), '0');
  assert.equal(formatTick(1500, 500), '1500');
  assert.equal(formatNumber(1e-5), '1e-5');
  assert.equal(formatNumber(2.5e6), '2.5e6');
  assert.equal(formatNumber(0.002), '0.002');
});
