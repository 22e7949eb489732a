// `balance first`: the first server in config order with a free connection slot takes the
// connection; weights are ignored (except 0). Without maxconn a server is never full, so
// the first usable server takes everything.

import { PoolBalancer } from './pool.js';
import type { BalancerOptions, BalanceServer, PickContext } from './types.js';
import { isFull } from './types.js';

export class First extends PoolBalancer {
  pick(ctx?: PickContext): BalanceServer | undefined {
    let fallback: BalanceServer | undefined;
    for (const s of this.pool.servers) {
      if (isFull(s)) continue;
      if (s === ctx?.avoid) {
        fallback = s;
        continue;
      }
      return s;
    }
    return fallback;
  }
}

export const createFirst = (servers: readonly BalanceServer[], opts: BalancerOptions) =>
  new First(servers, opts);
