// `balance leastconn`: the server with the fewest connections relative to its weight
// ((conns + 1) / weight, as HAProxy keys its tree). Among equals, the one picked longest
// ago wins, so an idle farm still rotates like round robin.

import { PoolBalancer } from './pool.js';
import type { BalancerOptions, BalanceServer, PickContext } from './types.js';
import { isFull } from './types.js';

export class LeastConn extends PoolBalancer {
  private readonly lastPick = new Map<BalanceServer, number>();
  private sequence = 0;

  constructor(servers: readonly BalanceServer[], opts: BalancerOptions) {
    super(servers, opts);
  }

  pick(ctx?: PickContext): BalanceServer | undefined {
    let best: BalanceServer | undefined;
    let bestKey = 0;
    let bestSeq = 0;
    let fallback: BalanceServer | undefined;
    for (const s of this.pool.servers) {
      if (isFull(s)) continue;
      if (s === ctx?.avoid) {
        fallback = s;
        continue;
      }
      const key = (s.conns + 1) / s.weight;
      const seq = this.lastPick.get(s) ?? -1;
      if (best === undefined || key < bestKey || (key === bestKey && seq < bestSeq)) {
        best = s;
        bestKey = key;
        bestSeq = seq;
      }
    }
    best ??= fallback;
    if (best) this.lastPick.set(best, this.sequence++);
    return best;
  }
}

export const createLeastConn = (servers: readonly BalanceServer[], opts: BalancerOptions) =>
  new LeastConn(servers, opts);
