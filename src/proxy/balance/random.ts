// `balance random(N)`: draw N servers at random, each with probability proportional to
// its weight, and keep the least loaded (power of N choices; HAProxy's default N is 2).

import { PoolBalancer } from './pool.js';
import type { BalancerOptions, BalanceServer, PickContext } from './types.js';
import { isFull } from './types.js';

export class RandomBalancer extends PoolBalancer {
  private readonly draws: number;
  private readonly random: () => number;

  constructor(servers: readonly BalanceServer[], opts: BalancerOptions) {
    super(servers, opts);
    this.draws = Math.max(1, opts.draws ?? 2);
    this.random = opts.random ?? Math.random;
  }

  private drawOne(candidates: BalanceServer[], total: number): BalanceServer {
    let r = this.random() * total;
    for (const s of candidates) {
      r -= s.weight;
      if (r < 0) return s;
    }
    return candidates[candidates.length - 1]!;
  }

  pick(ctx?: PickContext): BalanceServer | undefined {
    let candidates = this.pool.servers.filter((s) => !isFull(s));
    if (ctx?.avoid && candidates.length > 1) candidates = candidates.filter((s) => s !== ctx.avoid);
    if (candidates.length === 0) return undefined;
    let total = 0;
    for (const s of candidates) total += s.weight;
    let best = this.drawOne(candidates, total);
    for (let i = 1; i < this.draws; i++) {
      const s = this.drawOne(candidates, total);
      if (s.conns / s.weight < best.conns / best.weight) best = s;
    }
    return best;
  }
}

export const createRandom = (servers: readonly BalanceServer[], opts: BalancerOptions) =>
  new RandomBalancer(servers, opts);
