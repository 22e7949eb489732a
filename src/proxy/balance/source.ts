// `balance source`: a hash of the client address indexes a weight map (HAProxy's default
// `hash-type map-based`), so one client keeps hitting one server while the farm is stable.
// The hashed server is returned even when full: the caller queues on it (server queue,
// `maxqueue`), as HAProxy does for deterministic algorithms. Without a client address
// (unix socket clients) it falls back to round robin, as HAProxy does.

import { ServerPool, weightedMap } from './pool.js';
import { RoundRobin } from './roundrobin.js';
import type { Balancer, BalancerOptions, BalanceServer, PickContext } from './types.js';

/** 32-bit FNV-1a over the address text: stable across runs and processes. */
export function hashAddress(address: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) {
    h ^= address.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche so that neighbouring addresses spread over the map.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export class Source implements Balancer {
  private readonly pool: ServerPool;
  private readonly fallback: RoundRobin;
  private map: BalanceServer[] = [];

  constructor(servers: readonly BalanceServer[], opts: BalancerOptions) {
    this.pool = new ServerPool(servers, opts);
    this.fallback = new RoundRobin(servers, opts);
    this.rebuild();
  }

  private rebuild(): void {
    this.pool.refresh();
    this.map = weightedMap(this.pool.servers);
  }

  pick(ctx?: PickContext): BalanceServer | undefined {
    const address = ctx?.clientAddress;
    if (!address) return this.fallback.pick(ctx);
    if (this.map.length === 0) return undefined;
    const s = this.map[hashAddress(address) % this.map.length]!;
    if (ctx.avoid === s && this.map.length > 1) return this.fallback.pick(ctx);
    return s;
  }

  serverUp(s: BalanceServer): void {
    this.fallback.serverUp(s);
    this.rebuild();
  }

  serverDown(s: BalanceServer): void {
    this.fallback.serverDown(s);
    this.rebuild();
  }

  weightChanged(s: BalanceServer): void {
    this.fallback.weightChanged(s);
    this.rebuild();
  }
}

export const createSource = (servers: readonly BalanceServer[], opts: BalancerOptions) =>
  new Source(servers, opts);
