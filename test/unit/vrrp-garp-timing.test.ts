// halo's announcement timing around a VIP move (issue 10, the 5.5 s worst runs): early GARP
// follow-ups after taking over and after a lower-priority advert, the announcement ahead of
// the advert when preempting a live master, and the short grace before a master that steps
// down for a higher-priority advert removes its VIPs. On a fake clock, no sockets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAdvert } from '../../src/vrrp/advert.js';
import { VrrpInstance } from '../../src/vrrp/state-machine.js';
import { GARP_FOLLOW_UP_MS, VIP_RELEASE_DELAY_MS } from '../../src/vrrp/timing.js';
import type { VrrpEffect, VrrpInstanceSettings } from '../../src/vrrp/types.js';
import { settings } from './vrrp-sim.js';

const armed = (fx: VrrpEffect[], kind: string) =>
  fx.flatMap((e) => (e.type === 'ArmTimer' && e.kind === kind ? [e.at] : []));
const wire = (fx: VrrpEffect[]) =>
  fx.flatMap((e) =>
    e.type === 'SendAdvert'
      ? [`advert ${e.priority}`]
      : e.type === 'SendGarp'
        ? [`garp x${e.repeat}`]
        : e.type === 'AddVips' || e.type === 'RemoveVips'
          ? [e.type]
          : [],
  );

function packet(s: VrrpInstanceSettings, from: string, priority: number) {
  const bytes = buildAdvert(s, priority, { src: from, dst: '224.0.0.18', ipId: 1 });
  return { type: 'PacketReceived' as const, datagram: { bytes } };
}

/** An instance that has just become MASTER on its down timer; `t` is when. */
function master(over: Partial<VrrpInstanceSettings> = {}) {
  const s = settings(over);
  const vi = new VrrpInstance(s);
  const t = armed(vi.handle({ type: 'Startup' }, 0), 'masterDown')[0]!;
  const fx = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, t);
  assert.equal(vi.snapshot().state, 'MASTER');
  return { s, vi, t, fx };
}

/** Fires every garpFollowUp timer in turn from `fx`; returns the SendGarp repeats and times. */
function drainFollowUps(vi: VrrpInstance, fx: VrrpEffect[]): { at: number; wire: string[] }[] {
  const out: { at: number; wire: string[] }[] = [];
  let next = armed(fx, 'garpFollowUp')[0];
  while (next !== undefined) {
    const step = vi.handle({ type: 'TimerFired', kind: 'garpFollowUp' }, next);
    out.push({ at: next, wire: wire(step) });
    next = armed(step, 'garpFollowUp')[0];
  }
  return out;
}

describe('GARP follow-ups after taking over', () => {
  it('after the advert, the VIPs and Keepalived burst: one GARP at +10, 25, 50, 100, 200 ms', () => {
    const { vi, t, fx } = master();
    assert.deepEqual(wire(fx), ['advert 100', 'AddVips', 'garp x5']);
    assert.deepEqual(armed(fx, 'garp'), [t + 5000], 'garp_master_delay round kept');
    const rounds = drainFollowUps(vi, fx);
    assert.deepEqual(
      rounds.map((r) => r.at),
      GARP_FOLLOW_UP_MS.map((ms) => t + ms),
    );
    assert.deepEqual([...GARP_FOLLOW_UP_MS], [10, 25, 50, 100, 200]);
    for (const r of rounds) assert.deepEqual(r.wire, ['garp x1']);
  });

  it('a lower-priority advert as MASTER (a late claimant) restarts them from its arrival', () => {
    const { s, vi, t } = master();
    const at = t + 700;
    const fx = vi.handle(packet(s, '198.51.100.3', 98), at);
    assert.deepEqual(wire(fx), ['advert 100', 'garp x5']);
    const rounds = drainFollowUps(vi, fx);
    assert.deepEqual(
      rounds.map((r) => r.at),
      GARP_FOLLOW_UP_MS.map((ms) => at + ms),
    );
  });

  it('none with garp_master_repeat 0 (gratuitous ARPs turned off)', () => {
    const { fx } = master({ garpMasterRepeat: 0 });
    assert.deepEqual(armed(fx, 'garpFollowUp'), []);
  });

  it('leaving MASTER cancels them (no announcement for a VIP that is going)', () => {
    const { s, vi, t } = master();
    const fx = vi.handle(packet(s, '198.51.100.2', 150), t + 5);
    assert.ok(fx.some((e) => e.type === 'CancelTimer' && e.kind === 'garpFollowUp'));
    assert.ok(fx.some((e) => e.type === 'CancelTimer' && e.kind === 'garp'));
  });
});

describe('preempting a live lower-priority master', () => {
  it('VIPs and one GARP before the advert, then the burst; after priority 0 the advert stays first', () => {
    const s = settings();
    const vi = new VrrpInstance(s);
    vi.handle({ type: 'Startup' }, 0);
    // master2 (99) holds the VIP; we (100) hear it and wait out our down timer to preempt.
    const heard = vi.handle(packet(s, '198.51.100.2', 99), 1000);
    const at = armed(heard, 'masterDown')[0] ?? 3609.375;
    const fx = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, at);
    assert.equal(vi.snapshot().state, 'MASTER');
    assert.deepEqual(wire(fx), ['AddVips', 'garp x1', 'advert 100', 'garp x5']);

    const b = new VrrpInstance(s);
    b.handle({ type: 'Startup' }, 0);
    b.handle(packet(s, '198.51.100.2', 99), 1000);
    const zero = b.handle(packet(s, '198.51.100.2', 0), 1500);
    const down = armed(zero, 'masterDown')[0]!;
    assert.deepEqual(wire(b.handle({ type: 'TimerFired', kind: 'masterDown' }, down)), [
      'advert 100',
      'AddVips',
      'garp x5',
    ]);
  });
});

describe('stepping down for a higher-priority advert', () => {
  it('BACKUP at once, silent, VIPs kept VIP_RELEASE_DELAY_MS then removed', () => {
    const { s, vi, t } = master();
    const fx = vi.handle(packet(s, '198.51.100.2', 150), t + 300);
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.deepEqual(wire(fx), []);
    assert.equal(vi.snapshot().vipsSet, true);
    assert.deepEqual(armed(fx, 'vipRelease'), [t + 300 + VIP_RELEASE_DELAY_MS]);
    const gone = vi.handle(
      { type: 'TimerFired', kind: 'vipRelease' },
      t + 300 + VIP_RELEASE_DELAY_MS,
    );
    assert.deepEqual(wire(gone), ['RemoveVips']);
    assert.equal(vi.snapshot().vipsSet, false);
  });

  it('a fault or a shutdown in the grace removes them at once', () => {
    const { s, vi, t } = master();
    vi.handle(packet(s, '198.51.100.2', 150), t + 300);
    const stop = vi.handle({ type: 'Shutdown' }, t + 310);
    assert.deepEqual(wire(stop), ['RemoveVips']);
    assert.ok(stop.some((e) => e.type === 'CancelTimer' && e.kind === 'vipRelease'));
  });

  it('taking over again in the grace re-adds and re-announces them', () => {
    // VRRPv3 at 0.1 s: Skew_Time (61 ms) ends inside the grace.
    const { s, vi, t } = master({ version: 3, advertIntMs: 100, authType: 0 });
    vi.handle(packet(s, '198.51.100.2', 150), t + 30);
    const zero = vi.handle(packet(s, '198.51.100.2', 0), t + 40);
    const down = armed(zero, 'masterDown')[0]!;
    assert.ok(down < t + 30 + VIP_RELEASE_DELAY_MS, `Skew_Time ends inside the grace (${down})`);
    const again = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, down);
    assert.deepEqual(wire(again), ['RemoveVips', 'advert 100', 'AddVips', 'garp x5']);
    assert.equal(vi.snapshot().vipsSet, true);
  });

  it('a FAULT (weight-0 tracker) still drops the VIPs at once, with priority 0', () => {
    const s = settings({
      trackScripts: [{ name: 'chk', weight: 0, reverse: false, initFail: false }],
    });
    const vi = new VrrpInstance(s);
    vi.handle({ type: 'Startup' }, 0);
    const up = vi.handle({ type: 'ScriptResult', script: 'chk', ok: true }, 5);
    const down = armed(up, 'masterDown')[0]!;
    vi.handle({ type: 'TimerFired', kind: 'masterDown' }, down);
    assert.equal(vi.snapshot().state, 'MASTER');
    const fx = vi.handle({ type: 'ScriptResult', script: 'chk', ok: false }, down + 100);
    assert.equal(vi.snapshot().state, 'FAULT');
    assert.ok(wire(fx).includes('advert 0'));
    assert.ok(wire(fx).includes('RemoveVips'));
    assert.deepEqual(armed(fx, 'vipRelease'), []);
  });
});
