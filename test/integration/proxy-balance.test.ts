// Distribution per algorithm through real sockets: 30 sequential connections over two
// servers of weight 1 and 2.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { BalanceAlgorithm } from '../../src/config/haproxy/model.js';
import { backend, exchange, startProxy, tcpDefaults } from './proxy-harness.js';

const expected: Record<BalanceAlgorithm, (a: number, b: number) => boolean> = {
  roundrobin: (a, b) => a === 10 && b === 20,
  'static-rr': (a, b) => a === 10 && b === 20,
  // Idle farm: the key (conns+1)/weight is 1 for s1 and 0.5 for s2, so s2 always wins,
  // as with HAProxy's (inflight+1)*EWGHT_MAX/eweight.
  leastconn: (a, b) => a === 0 && b === 30,
  first: (a, b) => a === 30 && b === 0,
  source: (a, b) => a === 30 || b === 30,
  random: (a, b) => a > 0 && b > 0 && a + b === 30,
};

describe('distribution per algorithm (loopback)', async () => {
  const s1 = await backend('s1');
  const s2 = await backend('s2');
  after(async () => {
    await s1.close();
    await s2.close();
  });
  for (const alg of Object.keys(expected) as BalanceAlgorithm[]) {
    it(alg, async () => {
      const p = await startProxy(`${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    balance ${alg}
    server s1 127.0.0.1:${s1.port} weight 1
    server s2 127.0.0.1:${s2.port} weight 2
`);
      try {
        const counts = { s1: 0, s2: 0 };
        for (let i = 0; i < 30; i++) {
          const r = await exchange(p.port, 'x');
          counts[r.data.split('\n')[0] as 's1' | 's2']++;
        }
        assert.ok(expected[alg](counts.s1, counts.s2), `${alg}: ${JSON.stringify(counts)}`);
      } finally {
        await p.stop();
      }
    });
  }
});
