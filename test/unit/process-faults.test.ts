// The last-resort handler (once per site, counted) and the bounded stdout/stderr and log
// sinks (drop and count instead of queueing), on fake streams and counters.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { LogTarget } from '../../src/config/haproxy/model.js';
import { newFaultCounters } from '../../src/core/faults.js';
import { faultSite, LastResort } from '../../src/daemon/last-resort.js';
import { DEFAULT_RESPAWN, respawnDecision } from '../../src/daemon/proxy-master.js';
import { SyslogSinks } from '../../src/proxy/log/sinks.js';
import type { OutputStream } from '../../src/proxy/log/stdio.js';
import { BoundedOutput } from '../../src/proxy/log/stdio.js';

function thrower(n: number): Error {
  // Two call sites, so two distinct first frames.
  if (n === 1) return new TypeError(`one ${Math.random()}`);
  return new TypeError(`two ${Math.random()}`);
}

describe('last-resort handler', () => {
  it('reports once per site, with what it was, and counts every one', () => {
    const faults = newFaultCounters();
    const reports: string[] = [];
    const lr = new LastResort({ report: (m) => reports.push(m), faults });
    for (let i = 0; i < 5; i++) lr.caught('exception', thrower(1));
    lr.caught('exception', thrower(2));
    lr.caught('rejection', thrower(2));
    lr.caught('rejection', 'a string');
    assert.equal(faults.uncaughtExceptions, 6);
    assert.equal(faults.unhandledRejections, 2);
    assert.equal(reports.length, 3, reports.join('\n'));
    assert.match(reports[0]!, /^Uncaught exception \(fault #1;.*TypeError: one /);
    assert.match(reports[2]!, /^Uncaught promise rejection .*non-error value a string/);
    for (const r of reports) assert.doesNotMatch(r, /\n/, 'one line');
  });

  it('a site is the error type, its code and the first frame, not the message', () => {
    const a = Object.assign(new Error('x'), { code: 'ERR_X' });
    assert.match(faultSite(a), /^Error \[ERR_X\] at .*process-faults\.test/);
    assert.equal(faultSite(thrower(1)), faultSite(thrower(1)));
    assert.notEqual(faultSite(thrower(1)), faultSite(thrower(2)));
  });

  it('stops reporting new sites past maxSites but keeps counting; a failing report is survived', () => {
    const faults = newFaultCounters();
    let reports = 0;
    const lr = new LastResort({
      report: () => {
        reports++;
        throw new Error('stderr is gone');
      },
      faults,
      maxSites: 1,
    });
    lr.caught('exception', thrower(1));
    lr.caught('exception', thrower(2));
    assert.equal(reports, 1);
    assert.equal(faults.uncaughtExceptions, 2);
  });

  it('install takes the process events, uninstall gives them back', () => {
    const events = new EventEmitter();
    const proc = events as unknown as NodeJS.Process;
    const faults = newFaultCounters();
    const lr = new LastResort({ report: () => {}, faults });
    lr.install(proc);
    events.emit('uncaughtException', new Error('boom'));
    events.emit('unhandledRejection', new Error('nope'));
    assert.deepEqual([faults.uncaughtExceptions, faults.unhandledRejections], [1, 1]);
    lr.uninstall();
    assert.equal(events.listenerCount('uncaughtException'), 0);
    assert.equal(events.listenerCount('unhandledRejection'), 0);
  });
});

class FakeStream implements OutputStream {
  writableLength = 0;
  destroyed = false;
  writableEnded = false;
  readonly written: string[] = [];
  write(text: string): boolean {
    this.written.push(text);
    this.writableLength += text.length; // nobody reads: everything stays queued
    return false;
  }
}

describe('bounded stdout/stderr', () => {
  it('drops and counts past the queue limit, and everything once the reader is gone', () => {
    const faults = newFaultCounters();
    const s = new FakeStream();
    const out = new BoundedOutput(s, 100, faults);
    let sent = 0;
    for (let i = 0; i < 50; i++) if (out.write('0123456789')) sent++;
    assert.equal(sent, 10);
    assert.equal(s.writableLength, 100);
    assert.equal(faults.droppedOutputBytes, 400);
    s.writableLength = 0; // the reader caught up
    assert.equal(out.write('x'), true);
    out.readerGone();
    assert.equal(out.write('y'), false);
    s.destroyed = true;
    assert.equal(new BoundedOutput(s, 100, faults).write('z'), false);
    assert.equal(faults.droppedOutputBytes, 402);
  });

  it('a log sink counts the lines its stdout target dropped in DroppedLogs', () => {
    const faults = newFaultCounters();
    const s = new FakeStream();
    const out = new BoundedOutput(s, 1000, faults);
    const sinks = new SyslogSinks({ stdout: (l) => out.write(l), faults, now: () => 0, pid: 1 });
    const target: LogTarget = {
      pos: { file: 't.cfg', line: 1, col: 1 },
      target: { kind: 'stdout' },
      facility: 'local0',
      level: 'info',
      format: 'raw',
    };
    for (let i = 0; i < 100; i++) sinks.send([target], 6, 'x'.repeat(99));
    assert.equal(s.written.length, 10);
    assert.equal(faults.droppedLogs, 90);
    sinks.close();
  });
});

describe('worker respawn policy', () => {
  it('doubles the delay per death in the window, caps it, gives up at maxDeaths', () => {
    const policy = { ...DEFAULT_RESPAWN, maxDeaths: 8 };
    const deaths: number[] = [];
    const delays: (number | 'give up')[] = [];
    for (let i = 0; i < 8; i++) {
      deaths.push(i * 1000);
      const d = respawnDecision(deaths, i * 1000, policy);
      delays.push(d.giveUp ? 'give up' : d.delayMs);
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 5000, 'give up']);
  });

  it('forgets deaths older than the window', () => {
    const d = respawnDecision([0, 1, 2, 3, 4, 70_000], 70_000, DEFAULT_RESPAWN);
    assert.deepEqual(d, { giveUp: false, delayMs: 100, recent: 1 });
    assert.equal(respawnDecision([1, 2, 3, 4, 5, 6], 7, DEFAULT_RESPAWN).giveUp, true);
  });
});
