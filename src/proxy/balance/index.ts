// The registry of balancing algorithms by their `balance` keyword.

import type { BalanceAlgorithm } from '../../config/haproxy/model.js';
import { createFirst } from './first.js';
import { createLeastConn } from './leastconn.js';
import { createRandom } from './random.js';
import { createRoundRobin } from './roundrobin.js';
import { createSource } from './source.js';
import { createStaticRoundRobin } from './static-rr.js';
import type { Balancer, BalancerFactory, BalancerOptions, BalanceServer } from './types.js';

export const balancers: Readonly<Record<BalanceAlgorithm, BalancerFactory>> = {
  roundrobin: createRoundRobin,
  'static-rr': createStaticRoundRobin,
  leastconn: createLeastConn,
  first: createFirst,
  source: createSource,
  random: createRandom,
};

/** Algorithms whose pick is decided by the request (the server may be full: queue on it). */
export const deterministicAlgorithms: ReadonlySet<BalanceAlgorithm> = new Set(['source']);

export function createBalancer(
  algorithm: BalanceAlgorithm,
  servers: readonly BalanceServer[],
  opts: BalancerOptions = {},
): Balancer {
  return balancers[algorithm](servers, opts);
}

export type { Balancer, BalancerOptions, BalanceServer, PickContext } from './types.js';
export { isFull } from './types.js';
