// The pure parts split out of the VRRP state machine: PriorityTracking (weights and weight-0
// faults, as ordered steps), ArmedTimers (ArmTimer/CancelTimer reconciliation), countDrop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArmedTimers } from '../../src/vrrp/armed-timers.js';
import { countDrop, newCounters } from '../../src/vrrp/counters.js';
import { clampPriority, PriorityTracking } from '../../src/vrrp/priority-tracking.js';
import { settings } from './vrrp-sim.js';

describe('PriorityTracking', () => {
  const s = settings({
    trackScripts: [
      { name: 'chk', weight: -2, reverse: false, initFail: false },
      { name: 'gate', weight: 0, reverse: false, initFail: false },
    ],
    trackInterfaces: [{ name: 'eth1', weight: 10, reverse: false }],
    trackFiles: [{ name: 'f', weight: 5, reverse: false }],
  });

  it('start: weights of what is up, faults of what is down, scripts still in init', () => {
    const t = new PriorityTracking(s);
    const r = t.start({ eth1: true, ens33: false }, { f: 3 }, false);
    assert.equal(t.total, 100 + 10 + 15);
    assert.equal(r.faults, 1, 'the primary interface is down');
    assert.equal(r.scriptsInInit, 1, 'the weight-0 script has not reported');
    assert.deepEqual(r.logs, ['(VI_1): entering FAULT state (interface ens33 down)']);
  });

  it('a weighted script moves the total; a weight-0 one asks the instance', () => {
    const t = new PriorityTracking(s);
    t.start({}, {}, false);
    assert.deepEqual(t.scriptResult('chk', false, false, false), [{ type: 'reweigh', total: 108 }]);
    assert.equal(t.total, 100 + 10 - 2);
    assert.deepEqual(t.scriptResult('chk', true, false, false), [{ type: 'reweigh', total: 110 }]);
    assert.equal(t.total, 100 + 10);
    assert.deepEqual(t.scriptResult('gate', false, false, false), [
      { type: 'script', first: true, good: false },
    ]);
    assert.deepEqual(t.scriptResult('gate', true, false, false), [
      { type: 'script', first: false, good: true },
    ]);
    assert.deepEqual(t.scriptResult('nope', true, false, false), []);
  });

  it('an address owner ignores weights; STOP ignores everything', () => {
    const t = new PriorityTracking(s);
    t.start({}, {}, true);
    assert.deepEqual(t.scriptResult('chk', false, true, false), []);
    assert.deepEqual(t.linkChanged('eth1', false, false, true), []);
    assert.equal(t.total, 110);
  });

  it('links: weighted ones reweigh, the primary one faults and recovers', () => {
    const t = new PriorityTracking(s);
    t.start({}, {}, false);
    assert.deepEqual(t.linkChanged('eth1', false, false, false), [{ type: 'reweigh', total: 100 }]);
    assert.equal(t.total, 100);
    assert.deepEqual(t.linkChanged('eth1', false, false, false), [], 'no change, no step');
    assert.deepEqual(t.linkChanged('ens33', false, false, false), [{ type: 'down' }]);
    assert.deepEqual(t.linkChanged('ens33', true, false, false), [{ type: 'up' }]);
  });

  it('each step carries the total as it stood after its own item (Keepalived logs each)', () => {
    const t = new PriorityTracking(
      settings({
        trackInterfaces: [
          { name: 'eth1', weight: 10, reverse: false },
          { name: 'eth1', weight: 20, reverse: false },
        ],
      }),
    );
    t.start({ eth1: false }, {}, false);
    assert.deepEqual(t.linkChanged('eth1', true, false, false), [
      { type: 'reweigh', total: 110 },
      { type: 'reweigh', total: 130 },
    ]);
  });

  it('files: value x weight moves the total', () => {
    const t = new PriorityTracking(s);
    t.start({}, { f: 0 }, false);
    assert.deepEqual(t.fileChanged('f', 2, false), [{ type: 'reweigh', total: 120 }]);
    assert.equal(t.total, 110 + 10);
    assert.deepEqual(t.fileChanged('f', 2, false), []);
  });

  it('clampPriority keeps 1..254', () => {
    assert.deepEqual([clampPriority(-5), clampPriority(100), clampPriority(400)], [1, 100, 254]);
  });
});

describe('ArmedTimers', () => {
  it('arms what is new or moved, cancels what is gone, forgets what fired', () => {
    const t = new ArmedTimers();
    assert.deepEqual(t.reconcile(new Map([['advert', 1000]])), [
      { type: 'ArmTimer', kind: 'advert', at: 1000 },
    ]);
    assert.deepEqual(t.reconcile(new Map([['advert', 1000]])), []);
    assert.deepEqual(
      t.reconcile(
        new Map([
          ['masterDown', 3000],
          ['garp', 5000],
        ]),
      ),
      [
        { type: 'CancelTimer', kind: 'advert' },
        { type: 'ArmTimer', kind: 'masterDown', at: 3000 },
        { type: 'ArmTimer', kind: 'garp', at: 5000 },
      ],
    );
    assert.equal(t.take('garp'), 5000);
    assert.equal(t.take('garp'), undefined);
    assert.deepEqual(t.reconcile(new Map([['masterDown', 3000]])), []);
  });
});

describe('countDrop', () => {
  it('counts by reason and in the matching Keepalived counter', () => {
    const c = newCounters();
    countDrop(c, { ok: false, reason: 'ttl', log: undefined, countedAsAdvert: false });
    countDrop(c, { ok: false, reason: 'auth-failure', log: 'x', countedAsAdvert: true });
    countDrop(c, { ok: false, reason: 'ttl', log: undefined, countedAsAdvert: false });
    assert.deepEqual(c.dropped, { ttl: 2, 'auth-failure': 1 });
    assert.equal(c.ipTtlErrors, 2);
    assert.equal(c.authFailure, 1);
    assert.equal(c.advertReceived, 1);
  });
});
