// `balance roundrobin`: weighted, smooth (a server of weight 3 next to one of weight 1 gets
// a,a,b,a rather than a,a,a,b) and dynamic: weight changes apply on the next pick.
// Full servers (maxconn reached) are skipped; if every one is full, pick returns undefined
// and the connection waits in the backend queue.

import { ServerPool } from './pool.js';
import type { Balancer, BalancerOptions, BalanceServer, PickContext } from './types.js';
import { isFull } from './types.js';

export class RoundRobin implements Balancer {
  private readonly pool: ServerPool;
  private readonly current = new Map<BalanceServer, number>();

  constructor(servers: readonly BalanceServer[], opts: BalancerOptions) {
    this.pool = new ServerPool(servers, opts);
  }

  pick(ctx?: PickContext): BalanceServer | undefined {
    const pool = this.pool.servers;
    const avoid = ctx?.avoid;
    let alternatives = false;
    if (avoid) for (const s of pool) if (s !== avoid && !isFull(s)) alternatives = true;
    let best: BalanceServer | undefined;
    let bestCw = 0;
    let total = 0;
    for (const s of pool) {
      if (isFull(s) || (alternatives && s === avoid)) continue;
      const cw = (this.current.get(s) ?? 0) + s.weight;
      this.current.set(s, cw);
      total += s.weight;
      if (best === undefined || cw > bestCw) {
        best = s;
        bestCw = cw;
      }
    }
    if (best) this.current.set(best, bestCw - total);
    return best;
  }

  serverUp(s: BalanceServer): void {
    this.current.set(s, 0);
    this.pool.refresh();
  }

  serverDown(s: BalanceServer): void {
    this.current.delete(s);
    this.pool.refresh();
  }

  weightChanged(s: BalanceServer): void {
    this.current.set(s, 0);
    this.pool.refresh();
  }
}

export const createRoundRobin = (servers: readonly BalanceServer[], opts: BalancerOptions) =>
  new RoundRobin(servers, opts);
