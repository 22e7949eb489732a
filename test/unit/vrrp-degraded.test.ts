// halo run's built-in trackers against flapping and against a cluster that is degraded
// everywhere, on the fake LAN and clock of vrrp-sim.ts (real advert bytes between nodes):
// flap damping (a recovered tracker counts only after its stability window), a degraded
// node not preempting, and `halo handover` (the Handover event). Three masters 100/99/98 as
// in the article, each tracking its apiserver backend with weight -60.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TRACK_STABLE_MS, PriorityTracking } from '../../src/vrrp/priority-tracking.js';
import type { VrrpInstanceSettings } from '../../src/vrrp/types.js';
import { Sim, type SimNode, settings } from './vrrp-sim.js';

const API = 'backend api min_up 1';

function group(
  over: Partial<VrrpInstanceSettings> = {},
  weights: readonly number[] = [-60, -60, -60],
  stableMs?: number,
): { sim: Sim; nodes: SimNode[] } {
  const sim = new Sim();
  const nodes = [100, 99, 98].map((priority, i) =>
    sim.add(
      settings({
        priority,
        primaryAddress: `198.51.100.${i + 1}`,
        trackSources: [
          { name: API, weight: weights[i]!, ...(stableMs !== undefined ? { stableMs } : {}) },
        ],
        ...over,
      }),
    ),
  );
  for (const n of nodes) sim.start(n);
  sim.runUntil(10_000);
  assert.deepEqual(sim.vipHolders(), ['198.51.100.1']);
  return { sim, nodes };
}

const setApi = (sim: Sim, n: SimNode, ok: boolean) =>
  sim.send(n, { type: 'TrackSourceChanged', source: API, ok });

/** Every VIP move after `from`: [time, new holder]. */
function moves(nodes: readonly SimNode[], from: number): [number, string][] {
  return nodes
    .flatMap((n) =>
      n.effects
        .filter((e) => e.at >= from && e.effect.type === 'AddVips')
        .map((e) => [e.at, n.addr]),
    )
    .sort((a, b) => Number(a[0]) - Number(b[0])) as [number, string][];
}

describe('flap damping (PriorityTracking, fake clock)', () => {
  const s = settings({ trackSources: [{ name: API, weight: -60, stableMs: 2000 }] });

  it('bad counts at once; good only after staying good for the window', () => {
    const t = new PriorityTracking(s);
    t.start({}, {}, false);
    assert.deepEqual(t.sourceChanged(API, false, false, false, 1000), [
      { type: 'reweigh', total: 40 },
    ]);
    assert.equal(t.sourceChanged(API, true, false, false, 1500)[0]?.type, 'log');
    assert.equal(t.nextStableAt(), 3500);
    // A flap inside the window cancels it; the next good starts a new one.
    assert.deepEqual(t.sourceChanged(API, false, false, false, 2000), []);
    assert.equal(t.nextStableAt(), undefined);
    t.sourceChanged(API, true, false, false, 2500);
    assert.deepEqual(
      t.sourceChanged(API, true, false, false, 3000),
      [],
      'a repeat keeps the window',
    );
    assert.equal(t.nextStableAt(), 4500);
    assert.ok(t.degraded(), 'not yet counted good: still degraded');
    assert.deepEqual(t.stableDue(4499, false, false), []);
    const due = t.stableDue(4500, false, false);
    assert.deepEqual(
      due.filter((x) => x.type !== 'log'),
      [{ type: 'reweigh', total: 100 }],
    );
    assert.equal(t.degraded(), false);
    assert.equal(t.total, 100);
  });

  it('the default window is DEFAULT_TRACK_STABLE_MS; 0 counts good at once', () => {
    const t = new PriorityTracking(settings({ trackSources: [{ name: API, weight: -60 }] }));
    t.start({}, {}, false);
    t.sourceChanged(API, false, false, false, 0);
    t.sourceChanged(API, true, false, false, 100);
    assert.equal(t.nextStableAt(), 100 + DEFAULT_TRACK_STABLE_MS);
    const z = new PriorityTracking(
      settings({ trackSources: [{ name: API, weight: -60, stableMs: 0 }] }),
    );
    z.start({}, {}, false);
    z.sourceChanged(API, false, false, false, 0);
    assert.deepEqual(z.sourceChanged(API, true, false, false, 100), [
      { type: 'reweigh', total: 100 },
    ]);
  });
});

describe('a flapping tracker on the master (simulated group)', () => {
  /** master1's apiserver check: bad 400 ms of every 1 s from 20 s to 40 s, then good. */
  function flap(stableMs?: number): [number, string][] {
    const { sim, nodes } = group({}, undefined, stableMs);
    for (let t = 20_000; t < 40_000; t += 1000) {
      sim.runUntil(t);
      setApi(sim, nodes[0]!, false);
      sim.runUntil(t + 400);
      setApi(sim, nodes[0]!, true);
    }
    sim.runUntil(60_000);
    return moves(nodes, 10_001);
  }

  it('with the 2 s window the VIP moves once to master2 and returns once, after the flapping', () => {
    const m = flap();
    assert.equal(m.length, 2, JSON.stringify(m));
    assert.equal(m[0]![1], '198.51.100.2');
    // Failover is not slowed: master2 takes over within one Master_Down_Interval (3.61 s).
    assert.ok(m[0]![0] - 20_000 <= 3610, `failover at ${m[0]![0]}`);
    assert.equal(m[1]![1], '198.51.100.1');
    assert.ok(m[1]![0] >= 39_400 + 2000, `return at ${m[1]![0]}, before the window ended`);
  });

  it('without damping (stable 0) the flapping master keeps the VIP in its good phases', () => {
    // Its good adverts (100) keep resetting master2's down timer: the VIP stays on a node
    // whose apiservers fail 40% of the time. The damped run above moved it away.
    const m = flap(0);
    assert.ok(
      m.length === 0 || m[0]![0] - 20_000 > 3610,
      `expected no timely failover without damping, got ${JSON.stringify(m)}`,
    );
  });
});

describe('every node degraded: the VIP stays where it is', () => {
  it('sequential: master1, then master2, then master3 degrade; the VIP ends on master3 and stays', () => {
    const { sim, nodes } = group();
    setApi(sim, nodes[0]!, false);
    sim.runUntil(20_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.2']);
    setApi(sim, nodes[1]!, false);
    sim.runUntil(30_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.3'], 'healthy master3 wins');
    setApi(sim, nodes[2]!, false);
    sim.runUntil(90_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.3']);
    assert.deepEqual(moves(nodes, 30_000), [], 'no move once all are degraded');
    assert.ok(nodes.every((n) => n.inst.snapshot().degraded));
  });

  it('the same with preempt_degraded (Keepalived rule): master1 (40 > 38) takes the VIP back', () => {
    const { sim, nodes } = group({ preemptDegraded: true });
    setApi(sim, nodes[0]!, false);
    sim.runUntil(20_000);
    setApi(sim, nodes[1]!, false);
    sim.runUntil(30_000);
    setApi(sim, nodes[2]!, false);
    sim.runUntil(90_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1'], 'the bounce the default rule prevents');
  });

  it('simultaneous, unequal weights: the VIP stays on master1 (40) although master2 has 89', () => {
    const { sim, nodes } = group({}, [-60, -10, -10]);
    for (const n of nodes) setApi(sim, n, false);
    sim.runUntil(90_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1']);
    assert.deepEqual(moves(nodes, 10_001), []);
    assert.equal(nodes[1]!.inst.snapshot().effectivePriority, 89);
    const k = group({ preemptDegraded: true }, [-60, -10, -10]);
    for (const n of k.nodes) setApi(k.sim, n, false);
    k.sim.runUntil(90_000);
    assert.deepEqual(k.sim.vipHolders(), ['198.51.100.2'], 'Keepalived rule: master2 preempts');
  });

  it('one node recovering among degraded ones takes the VIP (after its window)', () => {
    const { sim, nodes } = group();
    for (const n of nodes) setApi(sim, n, false);
    sim.runUntil(20_000);
    setApi(sim, nodes[2]!, true);
    sim.runUntil(20_000 + DEFAULT_TRACK_STABLE_MS - 1);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1'], 'not before the window');
    sim.runUntil(40_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.3'], 'healthy master3 (98) beats 40');
    assert.equal(moves(nodes, 10_001).length, 1);
  });

  it('a degraded master that stops hands over to a degraded backup (priority 0 advert)', () => {
    const { sim, nodes } = group();
    for (const n of nodes) setApi(sim, n, false);
    sim.runUntil(20_000);
    sim.stop(nodes[0]!);
    sim.runUntil(21_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.2']);
  });
});

describe('halo handover (Handover event, simulated group)', () => {
  it('moves the VIP to the target at once and keeps it there until cancelled', () => {
    const { sim, nodes } = group();
    const t0 = sim.now;
    const fx = sim.send(nodes[2]!, { type: 'Handover', on: true });
    // The VIPs are announced first; the holder answers on until our first advert, 50 ms on.
    assert.deepEqual(
      fx.filter((e) => ['AddVips', 'SendGarp', 'SendAdvert'].includes(e.type)).map((e) => e.type),
      ['AddVips', 'SendGarp'],
    );
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1', '198.51.100.3']);
    sim.runUntil(t0 + 49);
    assert.equal(nodes[0]!.inst.snapshot().state, 'MASTER');
    sim.runUntil(t0 + 50);
    assert.equal(nodes[0]!.inst.snapshot().state, 'BACKUP');
    // The stepped-down holder keeps the VIPs, silent, for its release delay (150 ms) so that
    // handshakes under way finish; then only the target has them.
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1', '198.51.100.3']);
    sim.runUntil(t0 + 50 + 150);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.3']);
    assert.equal(nodes[2]!.inst.snapshot().effectivePriority, 254);
    assert.equal(nodes[2]!.inst.snapshot().handover, true);
    sim.runUntil(60_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.3'], 'sticky');
    sim.send(nodes[2]!, { type: 'Handover', on: false });
    sim.runUntil(70_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1'], 'master1 preempts after the cancel');
  });

  it('is refused on a degraded node, and suspended when the target degrades', () => {
    const { sim, nodes } = group();
    setApi(sim, nodes[2]!, false);
    sim.send(nodes[2]!, { type: 'Handover', on: true });
    assert.equal(nodes[2]!.inst.snapshot().handover, false);
    setApi(sim, nodes[2]!, true);
    sim.runUntil(20_000);
    sim.send(nodes[2]!, { type: 'Handover', on: true });
    sim.runUntil(20_300);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.3']);
    setApi(sim, nodes[2]!, false);
    sim.runUntil(30_000);
    assert.deepEqual(sim.vipHolders(), ['198.51.100.1'], 'a failing target gives the VIP back');
  });
});
