// The check scheduler with a fake clock and a scripted probe: no sockets, no sleeps.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckReport, Timers } from '../../src/proxy/health/checker.js';
import { checkTimeouts, ServerChecker } from '../../src/proxy/health/checker.js';
import type { Probe } from '../../src/proxy/health/probe.js';
import { formatCheckReason } from '../../src/proxy/health/result.js';

class FakeClock implements Timers {
  now = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.queue.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== h);
  }
  /** Advances to the next timer, runs it, and lets its promise chain settle. */
  async step(): Promise<number> {
    this.queue.sort((a, b) => a.at - b.at);
    const t = this.queue.shift();
    assert.ok(t, 'a timer is pending');
    this.now = t.at;
    t.fn();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return this.now;
  }
}

function scripted(results: boolean[]): Probe {
  let i = 0;
  return async () => {
    const ok = results[i++] ?? true;
    return ok
      ? { status: 'L4OK', ok, durationMs: 0 }
      : { status: 'L4CON', ok, info: 'Connection refused', durationMs: 0 };
  };
}

describe('ServerChecker', () => {
  it('marks DOWN after fall failures and UP after rise successes, at inter/fastinter/downinter', async () => {
    const clock = new FakeClock();
    const reports: (CheckReport & { at: number })[] = [];
    const checker = new ServerChecker({
      params: { rise: 2, fall: 3, inter: 1000, fastinter: 200, downinter: 5000 },
      target: { host: '127.0.0.1', port: 1, connectTimeout: 1000, readTimeout: 1000 },
      probe: scripted([true, false, false, false, true, true, true]),
      timers: clock,
      onReport: (r) => reports.push({ ...r, at: clock.now }),
    });
    checker.start(0);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) times.push(await clock.step());
    // +: UP (inter 1000), -: UP 2/3 (fast 200), -: UP 1/3 (200), -: DOWN (down 5000),
    // +: DOWN 1/2 (fast 200), +: UP (1000), +
    assert.deepEqual(times, [0, 1000, 1200, 1400, 6400, 6600, 7600]);
    assert.deepEqual(
      reports.map((r) => r.transition ?? ''),
      ['', '', '', 'down', '', 'up', ''],
    );
    assert.equal(
      formatCheckReason(reports[3]!.result),
      ', reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms',
    );
    checker.stop();
  });

  it('stop() cancels the pending check', async () => {
    const clock = new FakeClock();
    let probes = 0;
    const checker = new ServerChecker({
      params: { rise: 2, fall: 3, inter: 1000 },
      target: { host: '127.0.0.1', port: 1, connectTimeout: 1000, readTimeout: 1000 },
      probe: async () => {
        probes++;
        return { status: 'L4OK', ok: true, durationMs: 0 };
      },
      timers: clock,
      onReport: () => {},
    });
    checker.start(0);
    await clock.step();
    checker.stop();
    await assert.rejects(clock.step());
    assert.equal(probes, 1);
  });
});

describe('checkTimeouts', () => {
  it('uses inter for everything without timeout check', () => {
    assert.deepEqual(checkTimeouts(2000, 10000, undefined), {
      connectTimeout: 2000,
      readTimeout: 2000,
    });
  });
  it('uses min(connect, inter) then timeout check', () => {
    assert.deepEqual(checkTimeouts(2000, 10000, 10000), {
      connectTimeout: 2000,
      readTimeout: 10000,
    });
    assert.deepEqual(checkTimeouts(2000, 500, 3000), { connectTimeout: 500, readTimeout: 3000 });
  });
});
