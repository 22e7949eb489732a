// A transition caused by an advert names its sender: in the Transition effect's reason (halo
// run's `(VI_1) MASTER -> BACKUP: ...` log line, `show vrrp`, the state dump) and, where
// Keepalived 2.2.7 names it, in Keepalived's own line at its default log level. Keepalived
// names the sender of a higher (or equal, higher-address) priority advert that makes a
// master step down, always (vrrp.c vrrp_state_master_rx); a backup's priority-0 advert is
// logged only with -D and without the address (vrrp_state_backup), so at the default level
// only "Entering MASTER STATE" shows: there halo's reason is the one line naming the sender.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAdvert } from '../../src/vrrp/advert.js';
import { VrrpInstance } from '../../src/vrrp/state-machine.js';
import type { VrrpEffect, VrrpInstanceSettings } from '../../src/vrrp/types.js';
import { settings } from './vrrp-sim.js';

/** Keepalived's lines at its default log level (no -D), and with -D. */
const lines = (fx: VrrpEffect[]) =>
  fx.flatMap((e) => (e.type === 'Log' && !e.detail ? [e.text] : []));
const detail = (fx: VrrpEffect[]) =>
  fx.flatMap((e) => (e.type === 'Log' && e.detail ? [e.text] : []));
const transitions = (fx: VrrpEffect[]) =>
  fx.flatMap((e) => (e.type === 'Transition' ? [`${e.from} -> ${e.to}: ${e.reason}`] : []));
const downAt = (fx: VrrpEffect[]) =>
  fx.flatMap((e) => (e.type === 'ArmTimer' && e.kind === 'masterDown' ? [e.at] : []))[0]!;

function advert(s: VrrpInstanceSettings, from: string, priority: number) {
  const bytes = buildAdvert(s, priority, { src: from, dst: '224.0.0.18', ipId: 1 });
  return { type: 'PacketReceived' as const, datagram: { bytes } };
}

/** A started instance that has become MASTER on its down timer. */
function master(over: Partial<VrrpInstanceSettings> = {}) {
  const s = settings(over);
  const vi = new VrrpInstance(s);
  const t = downAt(vi.handle({ type: 'Startup' }, 0));
  vi.handle({ type: 'TimerFired', kind: 'masterDown' }, t);
  assert.equal(vi.snapshot().state, 'MASTER');
  return { s, vi, t };
}

describe('a master steps down for an advert: the reason names its sender', () => {
  const cases: {
    name: string;
    over?: Partial<VrrpInstanceSettings>;
    from: string;
    priority: number;
    keepalived: string;
    reason: string;
  }[] = [
    {
      name: 'higher priority',
      from: '198.51.100.12',
      priority: 150,
      keepalived:
        '(VI_1) Master received advert from 198.51.100.12 with higher priority 150, ours 100',
      reason: 'higher priority advert from 198.51.100.12 (priority 150, ours 100)',
    },
    {
      // a `halo handover` target advertises 254; the holder steps down on that advert
      name: 'handover target (254)',
      over: { priority: 99 },
      from: '198.51.100.13',
      priority: 254,
      keepalived:
        '(VI_1) Master received advert from 198.51.100.13 with higher priority 254, ours 99',
      reason: 'higher priority advert from 198.51.100.13 (priority 254, ours 99)',
    },
    {
      name: 'same priority, higher address',
      from: '198.51.100.7',
      priority: 100,
      keepalived:
        '(VI_1) Master received advert from 198.51.100.7 with same priority 100 but higher IP address than ours',
      reason: 'same priority advert from 198.51.100.7 (priority 100, higher address than ours)',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { s, vi, t } = master(c.over);
      const fx = vi.handle(advert(s, c.from, c.priority), t + 300);
      assert.deepEqual(lines(fx), [c.keepalived, '(VI_1) Entering BACKUP STATE']);
      assert.deepEqual(transitions(fx), [`MASTER -> BACKUP: ${c.reason}`]);
      assert.equal(vi.snapshot().history.at(-1)?.reason, c.reason);
    });
  }
});

describe('a backup takes over on a priority-0 advert: the reason names its sender', () => {
  it('Keepalived at its default level: only Entering MASTER STATE; halo: from whom', () => {
    const s = settings({ priority: 99 });
    const vi = new VrrpInstance(s);
    vi.handle({ type: 'Startup' }, 0);
    vi.handle(advert(s, '198.51.100.11', 100), 500);
    const zero = vi.handle(advert(s, '198.51.100.11', 0), 1000);
    assert.deepEqual(lines(zero), []);
    assert.deepEqual(detail(zero), ['(VI_1) Backup received priority 0 advertisement']);
    const fx = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, downAt(zero));
    assert.deepEqual(lines(fx), ['(VI_1) Entering MASTER STATE']);
    assert.deepEqual(detail(fx).slice(0, 1), ['(VI_1) Receive advertisement timeout']);
    assert.deepEqual(transitions(fx), ['BACKUP -> MASTER: priority 0 advert from 198.51.100.11']);
  });

  it('the sender of the priority-0 advert, not the master heard before it', () => {
    const s = settings({ priority: 99 });
    const vi = new VrrpInstance(s);
    vi.handle({ type: 'Startup' }, 0);
    vi.handle(advert(s, '198.51.100.11', 100), 500);
    const zero = vi.handle(advert(s, '198.51.100.13', 0), 1000);
    const fx = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, downAt(zero));
    assert.deepEqual(transitions(fx), ['BACKUP -> MASTER: priority 0 advert from 198.51.100.13']);
  });

  it('a priority-0 advert followed by a new master and its silence: master down timer', () => {
    const s = settings({ priority: 99 });
    const vi = new VrrpInstance(s);
    vi.handle({ type: 'Startup' }, 0);
    vi.handle(advert(s, '198.51.100.11', 0), 1000);
    const next = vi.handle(advert(s, '198.51.100.12', 100), 1200);
    const fx = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, downAt(next));
    assert.deepEqual(transitions(fx), ['BACKUP -> MASTER: master down timer']);
  });
});
