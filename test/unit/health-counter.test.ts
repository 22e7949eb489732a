// HAProxy's rise/fall health counter, driven step by step.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthCounter } from '../../src/proxy/health/counter.js';

const params = { rise: 2, fall: 3, inter: 2000 };

function run(c: HealthCounter, steps: string): string[] {
  const out: string[] = [];
  for (const step of steps) {
    const t = step === '+' ? c.success() : c.failure();
    out.push(t ? `${c.status()}!` : c.status());
  }
  return out;
}

describe('health counter (rise 2, fall 3)', () => {
  it('starts UP 1/3, as HAProxy shows before the first check', () => {
    const c = new HealthCounter(params);
    assert.equal(c.status(), 'UP 1/3');
    assert.equal(c.health, 2);
  });

  it('one failure before the first success marks the server DOWN', () => {
    assert.deepEqual(run(new HealthCounter(params), '-'), ['DOWN!']);
  });

  it('one success at start makes it fully UP', () => {
    assert.deepEqual(run(new HealthCounter(params), '+'), ['UP']);
  });

  it('fully UP needs fall consecutive failures to go DOWN', () => {
    const c = new HealthCounter(params);
    c.success();
    assert.deepEqual(run(c, '---'), ['UP 2/3', 'UP 1/3', 'DOWN!']);
  });

  it('a success while going down restores fully UP', () => {
    const c = new HealthCounter(params);
    c.success();
    assert.deepEqual(run(c, '--+-'), ['UP 2/3', 'UP 1/3', 'UP', 'UP 2/3']);
  });

  it('DOWN needs rise consecutive successes; a failure restarts the count', () => {
    const c = new HealthCounter(params, false);
    assert.equal(c.status(), 'DOWN');
    assert.deepEqual(run(c, '+-++'), ['DOWN 1/2', 'DOWN', 'DOWN 1/2', 'UP!']);
  });

  it('rise 3 fall 1', () => {
    const c = new HealthCounter({ rise: 3, fall: 1, inter: 1000 }, false);
    assert.deepEqual(run(c, '+++-'), ['DOWN 1/3', 'DOWN 2/3', 'UP!', 'DOWN!']);
  });

  it('rise 1 fall 1 flips on every result', () => {
    const c = new HealthCounter({ rise: 1, fall: 1, inter: 1000 });
    assert.deepEqual(run(c, '-+-+'), ['DOWN!', 'UP!', 'DOWN!', 'UP!']);
  });

  it('health never leaves 0..rise+fall-1 (exhaustive over 8-step sequences)', () => {
    for (let mask = 0; mask < 256; mask++) {
      const c = new HealthCounter(params);
      let ups = 0;
      let downs = 0;
      for (let i = 0; i < 8; i++) {
        const t = mask & (1 << i) ? c.success() : c.failure();
        if (t === 'up') ups++;
        if (t === 'down') downs++;
        assert.ok(c.health >= 0 && c.health <= 4);
        assert.equal(c.up, c.health >= 2 || (c.up && c.health > 0));
      }
      assert.ok(Math.abs(ups - downs) <= 1, 'transitions alternate');
    }
  });
});

describe('check interval (srv_getinter)', () => {
  const p = { rise: 2, fall: 3, inter: 2000, fastinter: 500, downinter: 5000 };
  it('inter when fully UP, fastinter while changing, downinter when fully DOWN', () => {
    const c = new HealthCounter(p);
    assert.equal(c.interval(), 500, 'UP 1/3 at start is a transition');
    c.success();
    assert.equal(c.interval(), 2000);
    c.failure();
    assert.equal(c.interval(), 500);
    c.failure();
    c.failure();
    assert.equal(c.status(), 'DOWN');
    assert.equal(c.interval(), 5000);
    c.success();
    assert.equal(c.interval(), 500);
  });
  it('fastinter and downinter default to inter', () => {
    const c = new HealthCounter({ rise: 2, fall: 3, inter: 2000 }, false);
    assert.equal(c.interval(), 2000);
    c.success();
    assert.equal(c.interval(), 2000);
  });
});
