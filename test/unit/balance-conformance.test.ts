// One conformance suite run over every balancing algorithm (weights honoured, down and
// weight-0 servers skipped, backups only when no active server is up, fairness over 10,000
// picks), in the manner of a shared router test suite.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalanceAlgorithm } from '../../src/config/haproxy/model.js';
import { balancers, createBalancer } from '../../src/proxy/balance/index.js';
import type { Balancer, BalancerOptions, BalanceServer } from '../../src/proxy/balance/types.js';

function servers(spec: { weight?: number; backup?: boolean; up?: boolean; maxconn?: number }[]) {
  return spec.map(
    (s, id): BalanceServer => ({
      id,
      name: `s${id + 1}`,
      weight: s.weight ?? 1,
      backup: s.backup ?? false,
      up: s.up ?? true,
      conns: 0,
      maxconn: s.maxconn ?? 0,
    }),
  );
}

/** A deterministic PRNG (mulberry32) so random's statistics are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks n times; each connection is released at once (idle farm) unless `hold`. */
function distribution(b: Balancer, n: number, hold = false, clients = true): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const ctx = clients
      ? { clientAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }
      : {};
    const s = b.pick(ctx);
    assert.ok(s, `pick ${i} returned no server`);
    counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
    if (hold) s.conns++;
  }
  return counts;
}

interface Traits {
  /** Share follows weight with an idle farm (first: no; leastconn: only under load). */
  weightedIdle: boolean;
  /** Tolerance on shares (0 = exact). */
  tolerance: number;
}

const traits: Record<BalanceAlgorithm, Traits> = {
  roundrobin: { weightedIdle: true, tolerance: 0 },
  'static-rr': { weightedIdle: true, tolerance: 0 },
  leastconn: { weightedIdle: false, tolerance: 0 },
  first: { weightedIdle: false, tolerance: 0 },
  source: { weightedIdle: true, tolerance: 0.03 },
  random: { weightedIdle: true, tolerance: 0.03 },
};

function make(alg: BalanceAlgorithm, list: BalanceServer[], opts: BalancerOptions = {}) {
  return createBalancer(alg, list, { random: seeded(42), ...opts });
}

for (const alg of Object.keys(balancers) as BalanceAlgorithm[]) {
  const t = traits[alg];
  describe(`balance ${alg}: conformance`, () => {
    it('never picks a down, disabled or weight-0 server', () => {
      const list = servers([{}, { up: false }, { weight: 0 }, {}]);
      const counts = distribution(make(alg, list), 10_000);
      assert.equal(counts.get('s2'), undefined);
      assert.equal(counts.get('s3'), undefined);
      assert.ok((counts.get('s1') ?? 0) + (counts.get('s4') ?? 0) === 10_000);
    });

    it('skips a server after serverDown and takes it back after serverUp', () => {
      const list = servers([{}, {}, {}]);
      const b = make(alg, list);
      list[0]!.up = false;
      b.serverDown(list[0]!);
      assert.equal(distribution(b, 1000).get('s1'), undefined);
      list[0]!.up = true;
      b.serverUp(list[0]!);
      const back = alg === 'first' ? distribution(b, 10) : distribution(b, 3000);
      assert.ok((back.get('s1') ?? 0) > 0, 's1 is picked again once up');
    });

    it('uses backups only when no active server is usable', () => {
      const list = servers([{}, {}, { backup: true }, { backup: true }]);
      const b = make(alg, list);
      const normal = distribution(b, 1000);
      assert.equal((normal.get('s3') ?? 0) + (normal.get('s4') ?? 0), 0);
      for (const s of list.slice(0, 2)) {
        s.up = false;
        b.serverDown(s);
      }
      assert.deepEqual([...distribution(b, 1000).keys()], ['s3'], 'only the first backup');
      const all = make(alg, list, { allbackups: true });
      const spread = distribution(all, 4000);
      if (alg !== 'first')
        assert.ok((spread.get('s4') ?? 0) > 0, 'allbackups spreads over s3 and s4');
      else assert.deepEqual([...spread.keys()], ['s3']);
    });

    it('uses backups when every active server has weight 0', () => {
      const list = servers([{ weight: 0 }, { backup: true }]);
      assert.deepEqual([...distribution(make(alg, list), 100).keys()], ['s2']);
    });

    it('returns undefined when nothing is usable', () => {
      const list = servers([{ up: false }, { weight: 0 }]);
      assert.equal(make(alg, list).pick({ clientAddress: '10.0.0.1' }), undefined);
    });

    it('honours weights over 10,000 picks', () => {
      const list = servers([{ weight: 1 }, { weight: 2 }, { weight: 3 }, { weight: 4 }]);
      const b = make(alg, list);
      if (t.weightedIdle) {
        const counts = distribution(b, 10_000);
        for (const s of list) {
          const share = (counts.get(s.name) ?? 0) / 10_000;
          const expected = s.weight / 10;
          assert.ok(
            Math.abs(share - expected) <= t.tolerance + 1e-9,
            `${s.name}: share ${share} vs ${expected}`,
          );
        }
      } else if (alg === 'leastconn') {
        // Under load (connections held), leastconn keeps conns proportional to weight.
        const counts = distribution(b, 10_000, true);
        for (const s of list) assert.ok(Math.abs((counts.get(s.name) ?? 0) - s.weight * 1000) <= 1);
      } else {
        // first: everything goes to the first server while it has free slots.
        assert.deepEqual([...distribution(b, 10_000).keys()], ['s1']);
      }
    });

    it('is fair among equal servers over 10,000 picks', () => {
      const list = servers([{}, {}, {}, {}, {}]);
      const counts = distribution(make(alg, list), 10_000);
      if (alg === 'first') {
        assert.equal(counts.get('s1'), 10_000);
        return;
      }
      for (const s of list) {
        const share = (counts.get(s.name) ?? 0) / 10_000;
        assert.ok(Math.abs(share - 0.2) <= t.tolerance + 1e-9, `${s.name}: ${share}`);
      }
    });

    it('follows a weight change (or, for static-rr, only 0 <-> non-0)', () => {
      const list = servers([{ weight: 1 }, { weight: 1 }]);
      const b = make(alg, list);
      list[1]!.weight = 0;
      b.weightChanged(list[1]!);
      assert.equal(distribution(b, 1000).get('s2'), undefined);
      list[1]!.weight = 3;
      b.weightChanged(list[1]!);
      const counts = distribution(b, 4000);
      if (alg === 'first') assert.equal(counts.get('s1'), 4000);
      else assert.ok((counts.get('s2') ?? 0) > 0);
      if (alg === 'roundrobin') assert.equal(counts.get('s2'), 3000);
      if (alg === 'static-rr') assert.equal(counts.get('s2'), 2000);
    });

    it('avoids the server given in ctx.avoid when another is usable', () => {
      const list = servers([{}, {}]);
      const b = make(alg, list);
      for (let i = 0; i < 50; i++) {
        assert.equal(b.pick({ clientAddress: `10.0.0.${i}`, avoid: list[0] })?.name, 's2');
      }
      const single = servers([{}]);
      assert.equal(make(alg, single).pick({ avoid: single[0] })?.name, 's1');
    });
  });
}
