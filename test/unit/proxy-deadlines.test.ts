// Inactivity deadlines with a fake clock: expiry exactly at last activity + duration,
// touched entries move instead of expiring, one timer per duration, disarm and re-arm.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeadlineClock } from '../../src/proxy/io/deadlines.js';
import { Deadline, Deadlines } from '../../src/proxy/io/deadlines.js';

class FakeClock implements DeadlineClock {
  t = 0;
  timers: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.t;
  }
  schedule(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }
  get pending(): number {
    return this.timers.filter((x) => x.live).length;
  }
  /** Advances to `to`, running due timers in time order. */
  advance(to: number): void {
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      due.live = false;
      due.fn();
    }
    this.t = to;
  }
}

function setup() {
  const clock = new FakeClock();
  const fired: [string, number, number][] = [];
  const dl = new Deadlines(clock, (owner, tag) => fired.push([owner as string, tag, clock.t]));
  return { clock, fired, dl };
}

describe('deadlines', () => {
  it('expires at last activity + duration, and not before', () => {
    const { clock, fired, dl } = setup();
    const a = new Deadline('a', 0);
    dl.arm(a, 100);
    clock.advance(99);
    assert.deepEqual(fired, []);
    clock.advance(100);
    assert.deepEqual(fired, [['a', 0, 100]]);
  });

  it('a touched entry is moved, not expired, and expires from its last activity', () => {
    const { clock, fired, dl } = setup();
    const a = new Deadline('a', 0);
    const b = new Deadline('b', 1);
    dl.arm(a, 100);
    clock.advance(10);
    dl.arm(b, 100);
    clock.advance(60);
    a.last = clock.now(); // activity at 60
    clock.advance(150);
    assert.deepEqual(fired, [['b', 1, 110]]);
    clock.advance(300);
    assert.deepEqual(fired, [
      ['b', 1, 110],
      ['a', 0, 160],
    ]);
  });

  it('one pending timer per duration, whatever the number of entries', () => {
    const { clock, dl } = setup();
    for (let i = 0; i < 1000; i++) dl.arm(new Deadline(i, 0), 5000);
    for (let i = 0; i < 1000; i++) dl.arm(new Deadline(i, 1), 30000);
    assert.equal(clock.pending, 2);
  });

  it('disarm removes; re-arming with another duration replaces the watch', () => {
    const { clock, fired, dl } = setup();
    const a = new Deadline('a', 0);
    const b = new Deadline('b', 0);
    dl.arm(a, 100);
    dl.arm(b, 100);
    dl.disarm(a);
    assert.equal(dl.durationOf(a), 0);
    dl.arm(b, 500);
    assert.equal(dl.durationOf(b), 500);
    clock.advance(400);
    assert.deepEqual(fired, []);
    clock.advance(500);
    assert.deepEqual(fired, [['b', 0, 500]]);
  });

  it('expiry callbacks may disarm or re-arm other entries of the same list', () => {
    const { clock, dl } = setup();
    const seen: string[] = [];
    const lists = new Deadlines(clock, (owner) => {
      seen.push(owner as string);
      if (owner === 'a') {
        lists.disarm(b);
        lists.arm(c, 100);
      }
    });
    const a = new Deadline('a', 0);
    const b = new Deadline('b', 0);
    const c = new Deadline('c', 0);
    lists.arm(a, 100);
    lists.arm(b, 100);
    clock.advance(100);
    assert.deepEqual(seen, ['a']);
    clock.advance(250);
    assert.deepEqual(seen, ['a', 'c']);
    assert.equal(dl.durationOf(c), 0);
  });

  it('entries are kept in deadline order however activity interleaves', () => {
    const { clock, fired, dl } = setup();
    const ds = Array.from({ length: 50 }, (_, i) => new Deadline(`d${i}`, 0));
    for (const d of ds) dl.arm(d, 1000);
    // Touch in a scrambled order at distinct times.
    for (let i = 0; i < 50; i++) {
      clock.advance(clock.now() + 7);
      ds[(i * 17) % 50]!.last = clock.now();
    }
    clock.advance(5000);
    const expected = ds
      .map((d) => [d.owner as string, d.last + 1000] as const)
      .sort((x, y) => x[1] - y[1]);
    assert.deepEqual(
      fired.map(([o, , t]) => [o, t]),
      expected.map(([o, t]) => [o, t]),
    );
  });
});
