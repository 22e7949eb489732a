// Shared answers and a fixed random source for the `halo init` tests.

import type { InitAnswers } from '../../src/init/cluster.js';

export const answers = (over: Partial<InitAnswers> = {}): InitAnswers => ({
  vip: '192.0.2.10',
  port: 9443,
  masters: ['192.0.2.11', '192.0.2.12', '192.0.2.13'],
  interface: 'ens33',
  apiserverPort: 6443,
  vrrpVersion: 3,
  unicast: false,
  tracker: 'script',
  extraPorts: [],
  statsPort: 9188,
  ...over,
});

/** A fixed byte sequence, so passwords are the same on every run. */
export function counterRandom(): (n: number) => Uint8Array {
  let next = 0;
  return (n) => Uint8Array.from({ length: n }, () => next++ % 256);
}
