// RFC 5798 section 6.4 row by row (with Keepalived 2.2.7's additions), on a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAdvert } from '../../src/vrrp/advert.js';
import { masterDownIntervalMs, skewTimeMs, VrrpInstance } from '../../src/vrrp/state-machine.js';
import type { VrrpEffect, VrrpInstanceSettings } from '../../src/vrrp/types.js';
import { settings } from './vrrp-sim.js';

const types = (effects: VrrpEffect[]) => effects.map((e) => e.type);
const logs = (effects: VrrpEffect[]) => effects.flatMap((e) => (e.type === 'Log' ? [e.text] : []));
const armed = (effects: VrrpEffect[], kind: string) =>
  effects.flatMap((e) => (e.type === 'ArmTimer' && e.kind === kind ? [e.at] : []));
const adverts = (effects: VrrpEffect[]) =>
  effects.flatMap((e) => (e.type === 'SendAdvert' ? [e.priority] : []));

/** An advert from `from` as the wire would carry it, through PacketReceived. */
function packet(
  s: VrrpInstanceSettings,
  from: string,
  priority: number,
  over: Partial<VrrpInstanceSettings> = {},
) {
  const bytes = buildAdvert({ ...s, ...over }, priority, { src: from, dst: '224.0.0.18', ipId: 7 });
  return { type: 'PacketReceived' as const, datagram: { bytes } };
}

/** A started instance in BACKUP at t=0. */
function backup(over: Partial<VrrpInstanceSettings> = {}) {
  const s = settings(over);
  const vi = new VrrpInstance(s);
  const fx = vi.handle({ type: 'Startup' }, 0);
  return { s, vi, fx };
}

/** A started instance that has become MASTER at t=down. */
function master(over: Partial<VrrpInstanceSettings> = {}) {
  const b = backup(over);
  const down = armed(b.fx, 'masterDown')[0]!;
  const fx = b.vi.handle({ type: 'TimerFired', kind: 'masterDown' }, down);
  assert.equal(b.vi.snapshot().state, 'MASTER');
  return { ...b, fx, t: down };
}

describe('timers (RFC 5798 6.1, Keepalived arithmetic)', () => {
  it('Skew_Time and Master_Down_Interval for priorities 100, 99, 98, 254, 1', () => {
    assert.equal(skewTimeMs(2, 100, 1000), 609.375);
    assert.equal(skewTimeMs(3, 100, 1000), 609.375);
    assert.equal(skewTimeMs(2, 99, 1000), 613.281);
    assert.equal(skewTimeMs(2, 98, 1000), 617.187);
    assert.equal(skewTimeMs(2, 254, 1000), 7.812);
    assert.equal(skewTimeMs(3, 1, 100), 99.609);
    assert.equal(masterDownIntervalMs(2, 100, 1000), 3609.375);
    assert.equal(masterDownIntervalMs(3, 100, 3000), 9000 + 1828.125);
  });
});

describe('6.4.1 Initialize', () => {
  it('priority 255 (address owner) with state MASTER: advert, VIPs, gratuitous ARP, Master at once', () => {
    const vi = new VrrpInstance(settings({ priority: 255, initialState: 'MASTER' }));
    const fx0 = vi.handle({ type: 'Startup' }, 0);
    const at = armed(fx0, 'masterDown')[0]!;
    assert.ok(at < 0.01, `owner takes over within 1us, armed at ${at}`);
    const fx = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, at);
    assert.deepEqual(adverts(fx), [255]);
    const order = types(fx).filter((t) => ['SendAdvert', 'AddVips', 'SendGarp'].includes(t));
    assert.deepEqual(order, ['SendAdvert', 'AddVips', 'SendGarp']);
    assert.equal(vi.snapshot().state, 'MASTER');
    assert.deepEqual(armed(fx, 'advert'), [at + 1000]);
  });

  it('otherwise: Master_Down_Timer = Master_Down_Interval, Backup, logged as Keepalived does', () => {
    const { vi, fx } = backup();
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.deepEqual(armed(fx, 'masterDown'), [3609.375]);
    assert.ok(logs(fx).includes('(VI_1) Entering BACKUP STATE (init)'));
    assert.deepEqual(adverts(fx), []);
  });

  it('state MASTER below 255 is only a preference: Keepalived 2.2.7 starts it in BACKUP too', () => {
    const { vi, fx } = backup({ initialState: 'MASTER' });
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.deepEqual(armed(fx, 'masterDown'), [3609.375]);
    assert.deepEqual(adverts(fx), []);
  });
});

describe('6.4.2 Backup', () => {
  it('Master_Down_Timer fires: advert, VIPs, gratuitous ARPs, Adver_Timer, Master', () => {
    const { fx } = master();
    assert.deepEqual(adverts(fx), [100]);
    assert.deepEqual(logs(fx), [
      '(VI_1) Receive advertisement timeout',
      '(VI_1) Entering MASTER STATE',
      '(VI_1) setting VIPs.',
      '(VI_1) Sending/queueing gratuitous ARPs on ens33 for 198.51.100.100',
    ]);
    const garp = fx.find((e) => e.type === 'SendGarp');
    assert.deepEqual(garp, { type: 'SendGarp', addresses: ['198.51.100.100'], repeat: 5 });
    assert.deepEqual(armed(fx, 'advert'), [3609.375 + 1000]);
    assert.deepEqual(armed(fx, 'garp'), [3609.375 + 5000]); // garp_master_delay
  });

  it('Shutdown: cancels the timer, sends nothing', () => {
    const { vi } = backup();
    const fx = vi.handle({ type: 'Shutdown' }, 100);
    assert.deepEqual(adverts(fx), []);
    assert.ok(types(fx).includes('CancelTimer'));
    assert.equal(vi.snapshot().state, 'STOP');
  });

  it('priority 0 advert: Master_Down_Timer = Skew_Time', () => {
    const { s, vi } = backup();
    const fx = vi.handle(packet(s, '198.51.100.2', 0), 1000);
    assert.deepEqual(armed(fx, 'masterDown'), [1000 + 609.375]);
    assert.ok(logs(fx).includes('(VI_1) Backup received priority 0 advertisement'));
    assert.equal(vi.snapshot().counters.priorityZeroReceived, 1);
  });

  it('priority 0 advert, then our own priority changes: still Skew_Time, not Master_Down_Interval', () => {
    const { s, vi } = backup({
      priority: 100,
      // stableMs 0: the recovery counts at once (flap damping would defer it by 2 s).
      trackSources: [{ name: 'backend b', weight: -20, stableMs: 0 }],
    });
    vi.handle({ type: 'TrackSourceChanged', source: 'backend b', ok: false }, 500);
    vi.handle(packet(s, '198.51.100.2', 0), 1000);
    // Our backend recovers 10 ms after the master's hand-over: 80 -> 100.
    const fx = vi.handle({ type: 'TrackSourceChanged', source: 'backend b', ok: true }, 1010);
    assert.equal(vi.snapshot().effectivePriority, 100);
    // Skew_Time of priority 100 from the priority-0 advert (Keepalived: + 3 advert intervals).
    assert.deepEqual(armed(fx, 'masterDown'), [1000 + 609.375]);
    // A later normal advert resets the full interval as usual.
    const fx2 = vi.handle(packet(s, '198.51.100.2', 120), 1100);
    assert.deepEqual(armed(fx2, 'masterDown'), [1100 + 3609.375]);
  });

  it('priority >= local: Master_Down_Timer reset, master recorded', () => {
    const { s, vi } = backup();
    const fx = vi.handle(packet(s, '198.51.100.2', 100), 2000);
    assert.deepEqual(armed(fx, 'masterDown'), [2000 + 3609.375]);
    const snap = vi.snapshot();
    assert.equal(snap.masterAddress, '198.51.100.2');
    assert.equal(snap.masterPriority, 100);
    assert.equal(snap.counters.advertReceived, 1);
  });

  it('lower priority with preempt: discarded, the timer keeps running', () => {
    const { s, vi } = backup();
    const fx = vi.handle(packet(s, '198.51.100.2', 98), 2000);
    assert.deepEqual(logs(fx), [
      '(VI_1) received lower priority (98) advert from 198.51.100.2 - discarding',
    ]);
    assert.deepEqual(armed(fx, 'masterDown'), []); // unchanged: still 3609.375
    const fx2 = vi.handle({ type: 'TimerFired', kind: 'masterDown' }, 3609.375);
    assert.equal(vi.snapshot().state, 'MASTER');
    assert.deepEqual(adverts(fx2), [100]);
  });

  it('lower priority with nopreempt: accepted as master (timer reset)', () => {
    const { s, vi } = backup({ nopreempt: true });
    const fx = vi.handle(packet(s, '198.51.100.2', 50), 2000);
    assert.deepEqual(armed(fx, 'masterDown'), [2000 + 3609.375]);
    assert.deepEqual(logs(fx), []);
  });

  it('VRRPv3: takes Master_Adver_Interval from the advert', () => {
    const { s, vi } = backup({ version: 3, authType: 0 });
    const fx = vi.handle(packet(s, '198.51.100.2', 150, { advertIntMs: 2000 }), 500);
    // 3 x 2000 + (256 - 100) x 2000 / 256
    assert.deepEqual(armed(fx, 'masterDown'), [500 + 6000 + 1218.75]);
    assert.equal(vi.snapshot().masterAdverIntMs, 2000);
  });
});

describe('6.4.3 Master', () => {
  it('Adver_Timer fires: advert, timer reset', () => {
    const { vi, t } = master();
    const fx = vi.handle({ type: 'TimerFired', kind: 'advert' }, t + 1000);
    assert.deepEqual(adverts(fx), [100]);
    assert.deepEqual(armed(fx, 'advert'), [t + 2000]);
    assert.deepEqual(
      types(fx).filter((x) => x === 'AddVips' || x === 'SendGarp'),
      [],
    );
  });

  it('Shutdown: priority 0 advert, VIPs removed', () => {
    const { vi, t } = master();
    const fx = vi.handle({ type: 'Shutdown' }, t + 10);
    assert.deepEqual(adverts(fx), [0]);
    assert.ok(types(fx).includes('RemoveVips'));
    assert.deepEqual(logs(fx), ['(VI_1) sent 0 priority', '(VI_1) removing VIPs.']);
    assert.equal(vi.snapshot().counters.priorityZeroSent, 1);
  });

  it('priority 0 advert: answer with an advert, restart Adver_Timer', () => {
    const { s, vi, t } = master();
    const fx = vi.handle(packet(s, '198.51.100.2', 0), t + 300);
    assert.deepEqual(adverts(fx), [100]);
    assert.deepEqual(armed(fx, 'advert'), [t + 1300]);
    assert.equal(vi.snapshot().state, 'MASTER');
  });

  it('higher priority: Backup, VIPs removed (halo: after VIP_RELEASE_DELAY_MS), Master_Down_Timer set', () => {
    const { s, vi, t } = master();
    const fx = vi.handle(packet(s, '198.51.100.2', 150), t + 300);
    assert.deepEqual(logs(fx), [
      '(VI_1) Master received advert from 198.51.100.2 with higher priority 150, ours 100',
      '(VI_1) Entering BACKUP STATE',
    ]);
    assert.deepEqual(adverts(fx), []);
    assert.deepEqual(armed(fx, 'vipRelease'), [t + 300 + 150]);
    const gone = vi.handle({ type: 'TimerFired', kind: 'vipRelease' }, t + 450);
    assert.deepEqual(logs(gone), ['(VI_1) removing VIPs.']);
    assert.ok(types(gone).includes('RemoveVips'));
    assert.deepEqual(armed(fx, 'masterDown'), [t + 300 + 3609.375]);
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.equal(vi.snapshot().counters.releaseMaster, 1);
  });

  it('equal priority, higher primary address: the sender wins', () => {
    const { s, vi, t } = master();
    const fx = vi.handle(packet(s, '198.51.100.7', 100), t + 300);
    assert.deepEqual(
      logs(fx)[0],
      '(VI_1) Master received advert from 198.51.100.7 with same priority 100 but higher IP address than ours',
    );
    assert.equal(vi.snapshot().state, 'BACKUP');
  });

  it('equal priority, lower primary address: we stay and force an election (Keepalived)', () => {
    const { s, vi, t } = master({ primaryAddress: '198.51.100.9' });
    const fx = vi.handle(packet(s, '198.51.100.7', 100), t + 300);
    assert.equal(vi.snapshot().state, 'MASTER');
    assert.deepEqual(adverts(fx), [100]);
  });

  it('lower priority: RFC discards; Keepalived answers at once with an advert and gratuitous ARPs', () => {
    const { s, vi, t } = master();
    const fx = vi.handle(packet(s, '198.51.100.2', 99), t + 300);
    assert.deepEqual(
      logs(fx)[0],
      '(VI_1) Received advert from 198.51.100.2 with lower priority 99, ours 100, forcing new election',
    );
    assert.deepEqual(adverts(fx), [100]);
    assert.ok(types(fx).includes('SendGarp'));
    assert.deepEqual(armed(fx, 'advert'), [t + 1300]);
    assert.equal(vi.snapshot().state, 'MASTER');
  });

  it('lower priority with lower_prio_no_advert: no answer', () => {
    const { s, vi, t } = master({ lowerPrioNoAdvert: true });
    const fx = vi.handle(packet(s, '198.51.100.2', 99), t + 300);
    assert.deepEqual(adverts(fx), []);
    assert.deepEqual(
      logs(fx)[0],
      '(VI_1) Received advert from 198.51.100.2 with lower priority 99, ours 100',
    );
  });

  it('two address owners: configuration error logged, ours lowered to 254', () => {
    const { s, vi, t } = master({
      priority: 255,
      initialState: 'MASTER',
      primaryAddress: '198.51.100.9',
    });
    vi.handle(packet(s, '198.51.100.2', 255), t + 10);
    assert.equal(vi.snapshot().effectivePriority, 254);
  });
});

describe('Keepalived extensions', () => {
  it('weighted script: priority moves with the script, clamped to 1..254', () => {
    const track = [{ name: 'chk', weight: -2, reverse: false, initFail: false }];
    const { vi } = backup({ trackScripts: track });
    assert.deepEqual(logs(vi.handle({ type: 'ScriptResult', script: 'chk', ok: true }, 10)), []);
    assert.deepEqual(logs(vi.handle({ type: 'ScriptResult', script: 'chk', ok: false }, 20)), [
      '(VI_1) Changing effective priority from 100 to 98',
    ]);
    assert.deepEqual(logs(vi.handle({ type: 'ScriptResult', script: 'chk', ok: true }, 30)), [
      '(VI_1) Changing effective priority from 98 to 100',
    ]);
    const big = backup({
      priority: 250,
      trackScripts: [{ name: 'up', weight: 20, reverse: false, initFail: false }],
    });
    big.vi.handle({ type: 'ScriptResult', script: 'up', ok: true }, 10);
    assert.equal(big.vi.snapshot().effectivePriority, 254);
    const low = backup({
      priority: 5,
      trackScripts: [{ name: 'dn', weight: -20, reverse: false, initFail: true }],
    });
    assert.equal(low.vi.snapshot().effectivePriority, 1);
  });

  it('a priority change in BACKUP moves the master-down deadline by the skew difference', () => {
    const { vi } = backup({
      trackScripts: [{ name: 'chk', weight: -2, reverse: false, initFail: false }],
    });
    vi.handle({ type: 'ScriptResult', script: 'chk', ok: true }, 0);
    const fx = vi.handle({ type: 'ScriptResult', script: 'chk', ok: false }, 100);
    assert.deepEqual(armed(fx, 'masterDown'), [3609.375 + (617.187 - 609.375)]);
  });

  it('weight 0 script: FAULT while failing, with priority 0 adverts when leaving MASTER', () => {
    const track = [{ name: 'chk', weight: 0, reverse: false, initFail: false }];
    const s = settings({ trackScripts: track });
    const vi = new VrrpInstance(s);
    // Not yet run: FAULT (silently, as Keepalived) until the first result.
    vi.handle({ type: 'Startup' }, 0);
    assert.equal(vi.snapshot().state, 'FAULT');
    const up = vi.handle({ type: 'ScriptResult', script: 'chk', ok: true }, 5);
    assert.deepEqual(logs(up), ['(VI_1) Entering BACKUP STATE']);
    const down = armed(up, 'masterDown')[0]!;
    vi.handle({ type: 'TimerFired', kind: 'masterDown' }, down);
    assert.equal(vi.snapshot().state, 'MASTER');
    const fx = vi.handle({ type: 'ScriptResult', script: 'chk', ok: false }, down + 100);
    assert.equal(vi.snapshot().state, 'FAULT');
    assert.deepEqual(adverts(fx), [0, 0]); // leave_master and restore_interface each send one
    assert.ok(types(fx).includes('RemoveVips'));
    assert.deepEqual(logs(fx).slice(0, 1), ['(VI_1) Entering FAULT STATE']);
    assert.ok(fx.some((e) => e.type === 'CancelTimer' && e.kind === 'advert'));
    // Adverts are ignored in FAULT.
    assert.deepEqual(vi.handle(packet(s, '198.51.100.2', 50), down + 200), []);
  });

  it('interface down: FAULT; up again: BACKUP', () => {
    const { vi, t } = master();
    const fx = vi.handle({ type: 'LinkChanged', ifname: 'ens33', up: false }, t + 50);
    assert.equal(vi.snapshot().state, 'FAULT');
    assert.deepEqual(adverts(fx), [0, 0]);
    // A repeated report changes nothing.
    assert.deepEqual(vi.handle({ type: 'LinkChanged', ifname: 'ens33', up: false }, t + 60), []);
    const fx2 = vi.handle({ type: 'LinkChanged', ifname: 'ens33', up: true }, t + 70);
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.deepEqual(logs(fx2), ['(VI_1) Entering BACKUP STATE']);
    assert.deepEqual(armed(fx2, 'masterDown'), [t + 70 + 3609.375]);
  });

  it('interface down at start: FAULT with Keepalived line', () => {
    const vi = new VrrpInstance(settings());
    const fx = vi.handle({ type: 'Startup', links: { ens33: false } }, 0);
    assert.equal(vi.snapshot().state, 'FAULT');
    assert.ok(logs(fx).includes('(VI_1): entering FAULT state (interface ens33 down)'));
  });

  it('track_interface with a weight changes the priority instead', () => {
    const { vi } = backup({ trackInterfaces: [{ name: 'eth1', weight: -10, reverse: false }] });
    const fx = vi.handle({ type: 'LinkChanged', ifname: 'eth1', up: false }, 10);
    assert.deepEqual(logs(fx), ['(VI_1) Changing effective priority from 100 to 90']);
    assert.equal(vi.snapshot().state, 'BACKUP');
  });

  it('preempt_delay: a lower-priority master is tolerated for the delay, then preempted', () => {
    const { s, vi } = backup({ preemptDelayMs: 10_000 });
    let fx = vi.handle(packet(s, '198.51.100.2', 50), 1000);
    assert.ok(logs(fx).includes('(VI_1) start preempt delay (10.000000)'));
    assert.deepEqual(armed(fx, 'masterDown'), [1000 + 3609.375]);
    for (let t = 2000; t <= 11_000; t += 1000) fx = vi.handle(packet(s, '198.51.100.2', 50), t);
    assert.equal(vi.snapshot().state, 'BACKUP');
    // 11 s: the delay is over, this one is discarded and the timer runs out.
    assert.deepEqual(logs(fx), [
      '(VI_1) received lower priority (50) advert from 198.51.100.2 - discarding',
    ]);
    vi.handle({ type: 'TimerFired', kind: 'masterDown' }, 10_000 + 3609.375);
    assert.equal(vi.snapshot().state, 'MASTER');
  });

  it('drops hostile packets without a state change and counts them', () => {
    const { s, vi, t } = master();
    const good = packet(s, '198.51.100.2', 150).datagram.bytes;
    const mutate = (f: (b: Uint8Array) => void) => {
      const b = Uint8Array.from(good);
      f(b);
      return { type: 'PacketReceived' as const, datagram: { bytes: b } };
    };
    const cases: [string, ReturnType<typeof packet>, string][] = [
      [
        'ttl',
        mutate((b) => {
          b[8] = 64;
        }),
        '(VI_1) invalid TTL/HL. Received 64 and expect 255',
      ],
      [
        'checksum',
        mutate((b) => {
          b[26] = b[26]! ^ 0xff;
        }),
        '(VI_1) Invalid VRRPv2 checksum',
      ],
      [
        'auth-failure',
        mutate((b) => {
          b[good.length - 1] = 0x41;
        }),
        '(VI_1) received an invalid passwd!',
      ],
      [
        'version',
        packet(s, '198.51.100.2', 150, { version: 3 }),
        '(VI_1) wrong version. Received 3 and expect 2',
      ],
      [
        'advert-interval',
        mutate((b) => {
          b[25] = 3;
        }),
        "(VI_1) advertisement interval mismatch mine=1 sec rcv'd=3 sec",
      ],
      [
        'length',
        mutate((b) => {
          b[23] = 200;
        }),
        '(VI_1) vrrp packet too short, length 40 and expect 836',
      ],
      [
        'auth-type-mismatch',
        mutate((b) => {
          b[24] = 0;
        }),
        '(VI_1) received a 0 auth, expecting 1!',
      ],
    ];
    for (const [reason, ev, line] of cases) {
      const fx = vi.handle(ev, t + 10);
      assert.deepEqual(logs(fx), [line], reason);
      assert.equal(vi.snapshot().state, 'MASTER', reason);
      assert.equal(vi.snapshot().counters.dropped[reason as 'ttl'], 1, reason);
    }
    assert.deepEqual(
      vi.handle(
        mutate((b) => {
          b[21] = 51;
        }),
        t + 10,
      ),
      [],
    ); // other VRID: silent
    assert.deepEqual(
      vi.handle({ type: 'PacketReceived', datagram: { bytes: good.subarray(0, 25) } }, t + 10)
        .length,
      1,
    );
    const c = vi.snapshot().counters;
    assert.equal(c.ipTtlErrors, 1);
    assert.equal(c.authFailure, 1);
    assert.equal(c.packetLengthErrors, 1);
    assert.equal(c.advertReceived, 0);
  });

  it('keeps a transition history and counters for the stats view', () => {
    const { s, vi, t } = master();
    vi.handle(packet(s, '198.51.100.2', 150), t + 10);
    const snap = vi.snapshot();
    assert.deepEqual(
      snap.history.map((h) => `${h.from}>${h.to}`),
      ['INIT>BACKUP', 'BACKUP>MASTER', 'MASTER>BACKUP'],
    );
    assert.equal(snap.counters.becomeMaster, 1);
    assert.equal(snap.counters.advertSent, 1);
    assert.equal(snap.lastTransitionAt, t + 10);
  });
});
