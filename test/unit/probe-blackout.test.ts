import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbeArgs } from '../../src/cli/commands/probe.js';
import { type Attempt, blackouts, summarize } from '../../src/probe/blackout.js';

const ok = (at: number): Attempt => ({ at, ok: true, ms: 1 });
const bad = (at: number, error = 'ECONNREFUSED'): Attempt => ({ at, ok: false, ms: 1, error });

test('a blackout runs from the first failure to the next success, whatever the order', () => {
  const b = blackouts([ok(0), bad(20), ok(50), bad(10, 'timeout'), ok(30)].reverse());
  assert.deepEqual(
    b.map((x) => [x.start, x.end, x.ms, x.failures, x.errors, x.open]),
    [[10, 30, 20, 2, ['timeout', 'ECONNREFUSED'], false]],
  );
});

test('separate blackouts stay separate; one open at the end is marked open', () => {
  const s = summarize([ok(0), bad(10), ok(20), ok(30), bad(40), bad(50), ok(60), bad(70), bad(90)]);
  assert.deepEqual(
    s.blackouts.map((x) => [x.start, x.end, x.open]),
    [
      [10, 20, false],
      [40, 60, false],
      [70, 90, true],
    ],
  );
  assert.equal(s.longestMs, 20);
  assert.equal(s.totalMs, 10 + 20 + 20);
  assert.equal(s.failures, 5);
  assert.equal(s.attempts, 9);
});

test('no failure, no blackout', () => {
  assert.deepEqual(summarize([ok(0), ok(10)]).blackouts, []);
  assert.equal(summarize([]).longestMs, 0);
});

test('halo probe arguments', () => {
  assert.deepEqual(parseProbeArgs(['198.51.100.100:9443', '--interval', '5', '--tcp']), {
    host: '198.51.100.100',
    port: 9443,
    tls: false,
    intervalMs: 5,
    timeoutMs: 1000,
    json: false,
  });
  const v6 = parseProbeArgs(['[2001:db8::1]:6443', '--for', '2']);
  assert.equal(typeof v6 === 'object' && v6.host, '2001:db8::1');
  assert.match(String(parseProbeArgs(['host'])), /not HOST:PORT/);
  assert.match(String(parseProbeArgs(['h:1', '--interval', '0'])), /positive/);
  assert.match(String(parseProbeArgs([])), /no HOST:PORT/);
});
