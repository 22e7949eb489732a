// `balance static-rr`: round robin over a precomputed weight map. As in HAProxy, changing a
// server's weight at run time has no effect on its share (only 0 <-> non-0 matters, since
// weight 0 takes a server out); up/down changes rebuild the map.

import { ServerPool, weightedMap } from './pool.js';
import type { Balancer, BalancerOptions, BalanceServer, PickContext } from './types.js';
import { isFull } from './types.js';

export class StaticRoundRobin implements Balancer {
  private readonly pool: ServerPool;
  private readonly initialWeight = new Map<BalanceServer, number>();
  private map: BalanceServer[] = [];
  private position = 0;

  constructor(servers: readonly BalanceServer[], opts: BalancerOptions) {
    for (const s of servers) this.initialWeight.set(s, s.weight);
    this.pool = new ServerPool(servers, opts);
    this.rebuild();
  }

  private rebuild(): void {
    this.pool.refresh();
    const weighted = this.pool.servers.map((s) => ({
      s,
      weight: this.initialWeight.get(s) || s.weight,
    }));
    // Map over the configured weights, not the current ones.
    const proxies = weighted.map(({ s, weight }) => ({ ...s, weight, ref: s }));
    this.map = weightedMap(proxies).map((p) => (p as (typeof proxies)[number]).ref);
    this.position = 0;
  }

  pick(ctx?: PickContext): BalanceServer | undefined {
    const n = this.map.length;
    let fallback: BalanceServer | undefined;
    for (let i = 0; i < n; i++) {
      const s = this.map[(this.position + i) % n]!;
      if (isFull(s)) continue;
      if (s === ctx?.avoid) {
        fallback ??= s;
        continue;
      }
      this.position = (this.position + i + 1) % n;
      return s;
    }
    return fallback;
  }

  serverUp(_s: BalanceServer): void {
    this.rebuild();
  }

  serverDown(_s: BalanceServer): void {
    this.rebuild();
  }

  weightChanged(s: BalanceServer): void {
    const wasIn = this.pool.servers.includes(s);
    if (wasIn !== s.weight > 0) this.rebuild();
  }
}

export const createStaticRoundRobin = (servers: readonly BalanceServer[], opts: BalancerOptions) =>
  new StaticRoundRobin(servers, opts);
