// `balance leastconn`: the server with the fewest connections relative to its weight
// ((conns + 1) / weight, as HAProxy keys its tree). Among equals, the one picked longest
// ago wins, so an idle farm still rotates like round robin.

import { ServerPool } from './pool.js';
import type { Balancer, BalancerOptions, BalanceServer, PickContext } from './types.js';
import { isFull } from './types.js';

export class LeastConn implements Balancer {
  private readonly pool: ServerPool;
  private readonly lastPick = new Map<BalanceServer, number>();
  private sequence = 0;

  constructor(servers: readonly BalanceServer[], opts: BalancerOptions) {
    this.pool = new ServerPool(servers, opts);
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

  serverUp(_s: BalanceServer): void {
    this.pool.refresh();
  }

  serverDown(_s: BalanceServer): void {
    this.pool.refresh();
  }

  weightChanged(_s: BalanceServer): void {
    this.pool.refresh();
  }
}

export const createLeastConn = (servers: readonly BalanceServer[], opts: BalancerOptions) =>
  new LeastConn(servers, opts);
