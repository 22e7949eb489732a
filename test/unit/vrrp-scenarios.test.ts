// Whole groups of instances on a fake LAN and a fake clock, exchanging real advert bytes:
// the article's failover/failback, Keepalived's own log of the same run, priority-0
// hand-over, equal-priority tie-break, split brain, nopreempt.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrackedScript } from '../../src/vrrp/types.js';
import { readLogFixture } from './vrrp-fixtures.js';
import { Sim, type SimNode, settings } from './vrrp-sim.js';

const track: TrackedScript[] = [
  { name: 'check_haproxy', weight: -2, reverse: false, initFail: false },
];
const checkHaproxy = (intervalMs: number, status: (t: number) => number) => ({
  name: 'check_haproxy',
  intervalMs,
  rise: 3,
  fall: 3,
  status,
});

/** Instance and script lines, consecutive repeats collapsed (their count depends on timing). */
function keyLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (!/^\(VI_1\) |^VRRP_Script\(|^Script `/.test(l)) continue;
    if (out[out.length - 1] !== l) out.push(l);
  }
  return out;
}
const simLines = (n: SimNode) => keyLines(n.log.map((l) => l.text));

function firstAt(n: SimNode, text: string, after = 0): number {
  const hit = n.log.find((l) => l.at >= after && l.text === text);
  assert.ok(hit, `no '${text}' after ${after}`);
  return hit.at;
}

describe("the article's scenario", () => {
  const runs = [
    { fixture: 'v2', over: {}, addrs: ['198.51.100.1', '198.51.100.2'] },
    {
      fixture: 'v3',
      over: { version: 3 as const, authType: 0 },
      addrs: ['198.51.100.1', '198.51.100.2'],
    },
    {
      fixture: 'v3-ipv6',
      over: { version: 3 as const, authType: 0, family: 6 as const, vips: ['2001:db8:50::100'] },
      // The link-local addresses the two veths had in that capture.
      addrs: ['fe80::f41a:d9ff:fea1:bf78', 'fe80::a4c7:40ff:fed4:87fc'],
    },
  ];
  for (const run of runs) {
    it(`${run.fixture}: reproduces Keepalived 2.2.7's log lines of the same two-node run`, () => {
      // capture.sh: master1 starts, master2 4 s later, master1's check fails from 9 s to
      // 17 s (interval 1), master1 stops at 25 s, master2 at 29 s.
      const sim = new Sim();
      const a = sim.add(
        settings({
          ...run.over,
          initialState: 'MASTER',
          primaryAddress: run.addrs[0]!,
          trackScripts: track,
        }),
        [checkHaproxy(1000, (t) => (t >= 9000 && t < 17_000 ? 1 : 0))],
      );
      const b = sim.add(
        settings({ ...run.over, priority: 99, primaryAddress: run.addrs[1]!, trackScripts: track }),
        [checkHaproxy(1000, () => 0)],
      );
      sim.start(a);
      sim.runUntil(4000);
      sim.start(b);
      sim.runUntil(25_000);
      sim.stop(a);
      sim.runUntil(29_000);
      sim.stop(b);
      // Config-time warnings are the config parser's, not the engine's.
      const real = (name: string) =>
        keyLines(readLogFixture(name)).filter(
          (l) => !/does not support authentication|should be link local/.test(l),
        );
      assert.ok(simLines(a).length >= 20, 'the run produced the whole story');
      assert.deepEqual(simLines(a), real(`${run.fixture}-master1`));
      assert.deepEqual(simLines(b), real(`${run.fixture}-master2`));
    });
  }

  it("faults: Keepalived's log of ties, a weight-0 script's FAULT and a link going down", () => {
    // capture.sh `faults`: both priority 100, VRRP blocked for the first 6 s (both MASTER),
    // master2's weight-0 check fails from 10 s to 16 s, master1's link (a veth: both ends
    // lose carrier) is down from 22 s to 28 s, both stop at 34 s.
    const sim = new Sim();
    const fault0: TrackedScript[] = [
      { name: 'check_haproxy', weight: 0, reverse: false, initFail: false },
    ];
    const a = sim.add(settings({ primaryAddress: '198.51.100.1', trackScripts: fault0 }), [
      checkHaproxy(1000, () => 0),
    ]);
    const b = sim.add(settings({ primaryAddress: '198.51.100.2', trackScripts: fault0 }), [
      checkHaproxy(1000, (t) => (t >= 10_000 && t < 16_000 ? 1 : 0)),
    ]);
    sim.cut.add('198.51.100.1|198.51.100.2');
    sim.start(a);
    sim.start(b);
    sim.runUntil(6000);
    assert.deepEqual(sim.masters().sort(), ['198.51.100.1', '198.51.100.2']);
    sim.cut.clear();
    sim.runUntil(22_000);
    sim.setLink(a, false);
    sim.setLink(b, false);
    sim.runUntil(28_000);
    sim.setLink(a, true);
    sim.setLink(b, true);
    sim.runUntil(34_000);
    sim.stop(a);
    sim.stop(b);
    assert.deepEqual(simLines(a), keyLines(readLogFixture('faults-master1')));
    assert.deepEqual(simLines(b), keyLines(readLogFixture('faults-master2')));
    // Entering FAULT from MASTER sends priority 0 twice (vrrp_state_leave_master and
    // vrrp_restore_interface), as seen on the wire.
    const zeros = b.effects.filter(
      (e) => e.effect.type === 'SendAdvert' && e.effect.priority === 0,
    );
    assert.equal(zeros.length, 2);
    assert.equal(zeros[0]!.at, zeros[1]!.at);
  });

  it('three masters 100/99/98, weight -2, fall/rise 3 every 3 s: VIP moves to master2 and back', () => {
    const sim = new Sim();
    let listening = true;
    const m1 = sim.add(
      settings({ initialState: 'MASTER', primaryAddress: '198.51.100.19', trackScripts: track }),
      [checkHaproxy(3000, () => (listening ? 0 : 1))],
    );
    const m2 = sim.add(
      settings({ priority: 99, primaryAddress: '198.51.100.20', trackScripts: track }),
      [checkHaproxy(3000, () => 0)],
    );
    const m3 = sim.add(
      settings({ priority: 98, primaryAddress: '198.51.100.21', trackScripts: track }),
      [checkHaproxy(3000, () => 0)],
    );
    for (const n of [m1, m2, m3]) sim.start(n);
    sim.runUntil(10_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.19']);

    const stopAt = 20_500; // systemctl stop haproxy
    sim.runUntil(stopAt);
    listening = false;
    sim.runUntil(40_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.20']);
    assert.deepEqual(sim.masters(), ['198.51.100.20']);
    assert.equal(m1.inst.snapshot().effectivePriority, 98);
    const failover = firstAt(m2, '(VI_1) Entering MASTER STATE', stopAt) - stopAt;

    const startAt = 40_500; // systemctl start haproxy
    listening = true;
    sim.runUntil(70_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.19']);
    assert.equal(m1.inst.snapshot().effectivePriority, 100);
    const failback = firstAt(m1, '(VI_1) Entering MASTER STATE', startAt) - startAt;

    // The article's sequence on master1, in order.
    const seq = simLines(m1).filter((l) => l.indexOf('received lower') < 0);
    const want = [
      'Script `check_haproxy` now returning 1',
      'VRRP_Script(check_haproxy) failed (exited with status 1)',
      '(VI_1) Changing effective priority from 100 to 98',
      '(VI_1) Master received advert from 198.51.100.20 with higher priority 99, ours 98',
      '(VI_1) Entering BACKUP STATE',
      '(VI_1) removing VIPs.',
      'Script `check_haproxy` now returning 0',
      'VRRP_Script(check_haproxy) succeeded',
      '(VI_1) Changing effective priority from 98 to 100',
      '(VI_1) Receive advertisement timeout',
      '(VI_1) Entering MASTER STATE',
      '(VI_1) setting VIPs.',
      '(VI_1) Sending/queueing gratuitous ARPs on ens33 for 198.51.100.100',
    ];
    const from = seq.indexOf(want[0]!);
    assert.deepEqual(seq.slice(from, from + want.length), want);
    // Keepalived in three namespaces measured 12.1 s and 11.6 s; the script phase alone is
    // 6-9 s, the master-down wait about 3.6 s.
    assert.ok(failover > 9000 && failover < 13_000, `failover ${failover} ms`);
    assert.ok(failback > 6000 && failback < 13_000, `failback ${failback} ms`);
    // master3 never took part.
    assert.equal(m3.inst.snapshot().counters.becomeMaster, 0);
  });
});

describe('elections', () => {
  it('a stopping master hands over within Skew_Time (priority 0 advert)', () => {
    const sim = new Sim();
    const a = sim.add(settings({ primaryAddress: '198.51.100.1' }));
    const b = sim.add(settings({ priority: 99, primaryAddress: '198.51.100.2' }));
    sim.start(a);
    sim.start(b);
    sim.runUntil(10_000);
    assert.deepEqual(sim.masters(), ['198.51.100.1']);
    sim.stop(a);
    sim.runUntil(20_000);
    assert.deepEqual(sim.masters(), ['198.51.100.2']);
    const took = firstAt(b, '(VI_1) Entering MASTER STATE', 10_000) - 10_000;
    assert.ok(Math.abs(took - 613.281) < 0.001, `${took}`); // (256 - 99) / 256 s
    assert.deepEqual(sim.vipHolders(), ['198.51.100.2']);
  });

  it('equal priorities, both MASTER at once: the higher primary address stays', () => {
    const sim = new Sim();
    const low = sim.add(settings({ primaryAddress: '198.51.100.3' }));
    const high = sim.add(settings({ primaryAddress: '198.51.100.30' }));
    // Both time out before either hears the other (as when started at the same instant).
    sim.cut.add('198.51.100.3|198.51.100.30');
    sim.start(low);
    sim.start(high);
    sim.runUntil(5000);
    assert.deepEqual(sim.masters().sort(), ['198.51.100.3', '198.51.100.30']);
    sim.cut.clear();
    sim.runUntil(20_000);
    assert.deepEqual(sim.masters(), ['198.51.100.30']);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.30']);
    assert.ok(
      simLines(low).includes(
        '(VI_1) Master received advert from 198.51.100.30 with same priority 100 but higher IP address than ours',
      ),
    );
  });

  it('an equal-priority BACKUP does not preempt, whatever its address (RFC 5798 6.4.2)', () => {
    const sim = new Sim();
    const low = sim.add(settings({ primaryAddress: '198.51.100.3' }));
    const high = sim.add(settings({ primaryAddress: '198.51.100.30' }));
    sim.start(low);
    sim.runUntil(5000);
    sim.start(high);
    sim.runUntil(20_000);
    assert.deepEqual(sim.masters(), ['198.51.100.3']);
  });

  it('split brain: both MASTER while cut, exactly one once the link is back', () => {
    const sim = new Sim();
    const a = sim.add(settings({ primaryAddress: '198.51.100.1' }));
    const b = sim.add(settings({ priority: 99, primaryAddress: '198.51.100.2' }));
    sim.start(a);
    sim.start(b);
    sim.runUntil(10_000);
    sim.cut.add('198.51.100.1|198.51.100.2');
    sim.runUntil(20_000);
    assert.deepEqual(sim.masters().sort(), ['198.51.100.1', '198.51.100.2']);
    sim.cut.clear();
    sim.runUntil(30_000);
    assert.deepEqual(sim.masters(), ['198.51.100.1']);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1']);
  });

  it('nopreempt: a higher-priority node coming back stays BACKUP', () => {
    const sim = new Sim();
    const a = sim.add(settings({ primaryAddress: '198.51.100.1', nopreempt: true }));
    const b = sim.add(settings({ priority: 99, primaryAddress: '198.51.100.2' }));
    sim.start(b);
    sim.runUntil(10_000);
    sim.start(a);
    sim.runUntil(40_000);
    assert.deepEqual(sim.masters(), ['198.51.100.2']);
    assert.equal(a.inst.snapshot().state, 'BACKUP');
  });

  it('without nopreempt the same node takes over, forcing an election', () => {
    const sim = new Sim();
    const a = sim.add(settings({ primaryAddress: '198.51.100.1' }));
    const b = sim.add(settings({ priority: 99, primaryAddress: '198.51.100.2' }));
    sim.start(b);
    sim.runUntil(10_000);
    sim.start(a);
    sim.runUntil(40_000);
    assert.deepEqual(sim.masters(), ['198.51.100.1']);
    assert.ok(
      simLines(b).includes(
        '(VI_1) Master received advert from 198.51.100.1 with higher priority 100, ours 99',
      ),
    );
  });

  it('VRRPv3 groups elect and hand over the same way', () => {
    const sim = new Sim();
    const v3 = { version: 3 as const, authType: 0, authPass: undefined };
    const a = sim.add(settings({ ...v3, primaryAddress: '198.51.100.1' }));
    const b = sim.add(settings({ ...v3, priority: 99, primaryAddress: '198.51.100.2' }));
    sim.start(a);
    sim.start(b);
    sim.runUntil(10_000);
    assert.deepEqual(sim.masters(), ['198.51.100.1']);
    assert.equal(b.inst.snapshot().counters.advertReceived > 5, true);
    sim.stop(a);
    sim.runUntil(12_000);
    assert.deepEqual(sim.masters(), ['198.51.100.2']);
  });
});
