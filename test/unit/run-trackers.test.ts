// halo run's built-in trackers as pure code: the proxy's reports turned into tracker states
// (src/run/proxy-trackers.ts), and what a tracker source does to an instance's priority
// and state (PriorityTracking.sourceChanged, VrrpInstance on TrackSourceChanged).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeepalived } from '../../src/config/keepalived/index.js';
import { evaluateTracker, ProxyTrackers } from '../../src/run/proxy-trackers.js';
import { PriorityTracking } from '../../src/vrrp/priority-tracking.js';
import { VrrpInstance } from '../../src/vrrp/state-machine.js';
import type { VrrpEffect } from '../../src/vrrp/types.js';
import { settings } from './vrrp-sim.js';

const be = { kind: 'backend' as const, name: 'api', minUp: 2 };
const fe = { kind: 'frontend' as const, name: 'fe', minUp: 1 };
const wk = { kind: 'worker' as const, name: '', minUp: 1 };
const report = (up: number, bound = true) => ({ backends: { api: up }, frontends: { fe: bound } });

describe('proxy trackers (pure)', () => {
  it('a backend is good with min_up servers UP in some worker', () => {
    assert.equal(evaluateTracker(be, { workers: [report(2)], stopped: false }).ok, true);
    assert.equal(evaluateTracker(be, { workers: [report(1)], stopped: false }).ok, false);
    assert.equal(evaluateTracker(be, { workers: [report(1), report(2)], stopped: false }).ok, true);
    assert.match(evaluateTracker(be, { workers: [report(1)], stopped: false }).why, /1 server/);
  });

  it('no worker or a stopping proxy makes every tracker bad', () => {
    for (const t of [be, fe, wk]) {
      assert.equal(evaluateTracker(t, { workers: [], stopped: false }).ok, false);
      assert.equal(evaluateTracker(t, { workers: [report(5)], stopped: true }).ok, false);
    }
    assert.equal(evaluateTracker(wk, { workers: [report(0, false)], stopped: false }).ok, true);
  });

  it('update reports only changes, with the reason', () => {
    const t = new ProxyTrackers();
    t.setItems([be, fe, wk]);
    assert.deepEqual(t.update({ workers: [report(2)], stopped: false }), []);
    assert.deepEqual(t.update({ workers: [report(3)], stopped: false }), [], 'still good');
    const c = t.update({ workers: [report(1, false)], stopped: false });
    assert.deepEqual(
      c.map((x) => [x.source, x.ok]),
      [
        ['backend api min_up 2', false],
        ['frontend fe', false],
      ],
    );
    const dead = t.update({ workers: [], stopped: false });
    assert.deepEqual(
      dead.map((x) => [x.source, x.ok]),
      [['worker', false]],
    );
    assert.deepEqual(t.states({ workers: [report(2)], stopped: false }), {
      'backend api min_up 2': true,
      'frontend fe': true,
      worker: true,
    });
  });
});

describe('tracker sources in the priority', () => {
  const s = settings({
    trackSources: [
      { name: 'backend api min_up 1', weight: -60 },
      { name: 'worker', weight: 0 },
    ],
  });

  it('start: a bad weight-0 source faults, a bad negative weight counts', () => {
    const t = new PriorityTracking(s);
    const r = t.start({}, {}, false, { 'backend api min_up 1': false, worker: false });
    assert.equal(t.total, 40);
    assert.equal(r.faults, 1);
  });

  it('changes reweigh or fault, once per change (no stability window)', () => {
    const t = new PriorityTracking({
      ...s,
      trackSources: s.trackSources!.map((x) => ({ ...x, stableMs: 0 })),
    });
    t.start({}, {}, false);
    assert.deepEqual(t.sourceChanged('backend api min_up 1', false, false, false), [
      { type: 'reweigh', total: 40 },
    ]);
    assert.deepEqual(t.sourceChanged('backend api min_up 1', false, false, false), []);
    assert.deepEqual(t.sourceChanged('backend api min_up 1', true, false, false), [
      { type: 'reweigh', total: 100 },
    ]);
    assert.deepEqual(t.sourceChanged('worker', false, false, false), [
      { type: 'down', reason: 'worker' },
    ]);
    assert.deepEqual(t.sourceChanged('worker', true, false, false), [{ type: 'up' }]);
    assert.deepEqual(t.sourceChanged('other', false, false, false), []);
    assert.deepEqual(
      t.sourceParts().map((p) => p.part),
      [0, 0],
    );
  });

  it('a MASTER whose weight-0 tracker goes bad sends priority 0 at once and says why', () => {
    const vi = new VrrpInstance(s);
    const fx0 = vi.handle({ type: 'Startup' }, 0);
    const down = fx0.flatMap((e: VrrpEffect) =>
      e.type === 'ArmTimer' && e.kind === 'masterDown' ? [e.at] : [],
    )[0]!;
    vi.handle({ type: 'TimerFired', kind: 'masterDown' }, down);
    assert.equal(vi.snapshot().state, 'MASTER');
    const fx = vi.handle({ type: 'TrackSourceChanged', source: 'worker', ok: false }, down + 10);
    const adverts = fx.flatMap((e) => (e.type === 'SendAdvert' ? [e.priority] : []));
    assert.ok(adverts.length > 0 && adverts.every((p) => p === 0), `adverts ${adverts}`);
    assert.ok(fx.some((e) => e.type === 'RemoveVips'));
    const snap = vi.snapshot();
    assert.equal(snap.state, 'FAULT');
    assert.equal(snap.history.at(-1)?.reason, 'fault: worker down');
    // Back good: counted only after the default 2 s stability window (flap damping).
    const back = vi.handle({ type: 'TrackSourceChanged', source: 'worker', ok: true }, down + 20);
    assert.equal(vi.snapshot().state, 'FAULT');
    const stable = back.flatMap((e) =>
      e.type === 'ArmTimer' && e.kind === 'trackStable' ? [e.at] : [],
    );
    assert.deepEqual(stable, [down + 20 + 2000]);
    const up = vi.handle({ type: 'TimerFired', kind: 'trackStable' }, down + 2020);
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.ok(up.some((e) => e.type === 'Transition'));
  });
});

describe('track_proxy in keepalived.conf', () => {
  const conf = (body: string) =>
    parseKeepalived(
      {
        path: 'k.conf',
        text: `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  198.51.100.10\n }\n track_proxy {\n${body}\n }\n}\n`,
      },
      { readFile: () => '', glob: () => [], interfaceExists: () => true },
    );

  it('parses backend, frontend and worker with weights and min_up', () => {
    const { config, diagnostics } = conf(
      '  backend kubernetes-apiserver min_up 2 weight -60\n  frontend apiserver\n  worker weight 0',
    );
    assert.equal(diagnostics.errors, 0, JSON.stringify(diagnostics.sorted()));
    assert.deepEqual(
      config?.instances[0]?.trackProxy?.map((t) => [t.kind, t.name, t.minUp, t.weight]),
      [
        ['backend', 'kubernetes-apiserver', 2, -60],
        ['frontend', 'apiserver', 1, 0],
        ['worker', '', 1, 0],
      ],
    );
  });

  it('reports unknown trackers and options with their line', () => {
    const { diagnostics } = conf(
      '  backend\n  listen x\n  frontend f min_up 2\n  worker weight 300',
    );
    const msgs = diagnostics.sorted().filter((d) => d.code === 'HALO_TRACK_PROXY');
    assert.deepEqual(
      msgs.map((d) => d.line),
      [9, 10, 11, 12],
    );
  });

  it('stable and preempt_degraded set the flap window and the degraded rule', () => {
    const { config, diagnostics } = conf('  worker weight -10\n  stable 0.5\n  preempt_degraded');
    assert.equal(diagnostics.errors, 0, JSON.stringify(diagnostics.sorted()));
    const inst = config!.instances[0]!;
    assert.equal(inst.trackProxyStableMs, 500);
    assert.equal(inst.trackProxyPreemptDegraded, true);
    const bad = conf('  worker\n  stable\n  stable 2s\n  preempt_degraded maybe');
    const msgs = bad.diagnostics.sorted().filter((d) => d.code === 'HALO_TRACK_PROXY');
    assert.deepEqual(
      msgs.map((d) => d.line),
      [10, 11, 12],
    );
    assert.match(msgs[0]!.message, /stable needs one duration in seconds/);
  });
});

describe('track_proxy placement', () => {
  it('a keyword after the block is warned about (a real Keepalived would lose it)', () => {
    const { diagnostics } = parseKeepalived(
      {
        path: 'k.conf',
        text: 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n track_proxy {\n  worker\n }\n nopreempt\n}\n',
      },
      { readFile: () => '', glob: () => [], interfaceExists: () => true },
    );
    const w = diagnostics.sorted().filter((d) => d.code === 'HALO_TRACK_PROXY_NOT_LAST');
    assert.deepEqual(
      w.map((d) => [d.line, d.severity]),
      [[7, 'warning']],
    );
  });
});
