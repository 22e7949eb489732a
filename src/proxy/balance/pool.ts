// Which servers an algorithm may choose from: the usable active servers, or, when none is
// usable, the first usable backup (every usable backup with `option allbackups`).
// Weight 0 makes a server unusable, as in HAProxy, so backups take over from an all-zero farm.

import type { Balancer, BalancerOptions, BalanceServer, PickContext } from './types.js';

export function isUsable(s: BalanceServer): boolean {
  return s.up && s.weight > 0;
}

export function usablePool(
  servers: readonly BalanceServer[],
  opts: BalancerOptions,
): BalanceServer[] {
  const active = servers.filter((s) => !s.backup && isUsable(s));
  if (active.length > 0) return active;
  const backups = servers.filter((s) => s.backup && isUsable(s));
  if (opts.allbackups || backups.length === 0) return backups;
  return [backups[0]!];
}

/** Keeps the pool current; algorithms call `refresh()` from their lb callbacks. */
export class ServerPool {
  servers: BalanceServer[];

  constructor(
    readonly all: readonly BalanceServer[],
    readonly opts: BalancerOptions,
  ) {
    this.servers = usablePool(all, opts);
  }

  refresh(): void {
    this.servers = usablePool(this.all, this.opts);
  }

  /** Total weight of the pool. */
  totalWeight(): number {
    let t = 0;
    for (const s of this.servers) t += s.weight;
    return t;
  }
}

/**
 * Expands weights into a smooth sequence of length sum(weights) (each server appears
 * `weight` times, spread out), as HAProxy's map-based algorithms (static-rr, source) use.
 */
export function weightedMap(servers: readonly BalanceServer[]): BalanceServer[] {
  const total = servers.reduce((t, s) => t + s.weight, 0);
  const current = servers.map(() => 0);
  const map: BalanceServer[] = [];
  for (let n = 0; n < total; n++) {
    let best = -1;
    for (let i = 0; i < servers.length; i++) {
      current[i]! += servers[i]!.weight;
      if (best < 0 || current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    map.push(servers[best]!);
  }
  return map;
}

/** A balancer whose only server state is the usable pool: any change rebuilds the pool. */
export abstract class PoolBalancer implements Balancer {
  protected readonly pool: ServerPool;

  constructor(servers: readonly BalanceServer[], opts: BalancerOptions) {
    this.pool = new ServerPool(servers, opts);
  }

  abstract pick(ctx?: PickContext): BalanceServer | undefined;

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
