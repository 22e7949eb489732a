import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSize, parseTime } from '../../src/config/haproxy/units.js';

describe('haproxy time values', () => {
  const ok: [string, number, ('ms' | 's')?][] = [
    ['10s', 10_000],
    ['1m', 60_000],
    ['500', 500],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1500us', 2],
    ['1us', 1],
    ['0', 0],
    ['30s', 30, 's'],
    ['30', 30, 's'],
    ['2147483647', 2_147_483_647],
  ];
  for (const [text, value, unit] of ok) {
    it(`${text} -> ${value}${unit ?? 'ms'}`, () =>
      assert.deepEqual(parseTime(text, unit), { ok: true, value }));
  }
  it('names the bad character', () => {
    assert.deepEqual(parseTime('5q'), { ok: false, reason: 'char', char: 'q' });
    assert.deepEqual(parseTime('-1'), { ok: false, reason: 'char', char: '-' });
    assert.deepEqual(parseTime(''), { ok: false, reason: 'char', char: '' });
    assert.deepEqual(parseTime('2x'), { ok: false, reason: 'char', char: 'x' });
  });
  it('reports overflow and underflow', () => {
    assert.deepEqual(parseTime('25d'), { ok: false, reason: 'overflow' });
    assert.deepEqual(parseTime('2147483648'), { ok: false, reason: 'overflow' });
    assert.deepEqual(parseTime('1us', 's'), { ok: true, value: 1 });
  });
  it('keeps trailing text after a unit (HAProxy only warns)', () => {
    assert.deepEqual(parseTime('10sx'), { ok: true, value: 10_000, trailing: 'x' });
  });
});

describe('haproxy size values', () => {
  const ok: [string, number][] = [
    ['1024', 1024],
    ['16k', 16_384],
    ['1m', 1_048_576],
    ['1G', 1_073_741_824],
  ];
  for (const [text, value] of ok)
    it(`${text} -> ${value}`, () => assert.deepEqual(parseSize(text), { ok: true, value }));
  it('rejects bad sizes', () => {
    assert.equal(parseSize('1x').ok, false);
    assert.equal(parseSize('k').ok, false);
    assert.equal(parseSize('8g').ok, false);
  });
});
