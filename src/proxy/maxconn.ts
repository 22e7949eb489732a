// The global maxconn HAProxy 2.6 derives when none is set, so that `show info`, the stats
// and the limit halo applies say what HAProxy would on the same machine and config. Pure.
// Measured on the real 2.6.12 (ulimit -n 1024 / 4096 / 20000, 1-4 threads, 1-4 listeners,
// 0-3 checks): two descriptors per connection out of the process's file-descriptor limit at
// boot, less 20 kept in reserve, one per listener (bind address or stats socket), one per
// health check and three per thread (poller and wake-up pipe); `ulimit-n` does not change it.

import type { HaproxyConfig } from '../config/haproxy/model.js';

export interface FdFacts {
  /** The open-files limit the process started with (the larger of soft and hard). */
  readonly fdLimit: number;
  /** CPUs the process may run on: HAProxy's nbthread when the config sets none. */
  readonly cpus: number;
}

const RESERVED_FDS = 20;
const FDS_PER_THREAD = 3;

/** 0 (no limit) when the descriptor limit is unknown. */
export function derivedMaxconn(config: HaproxyConfig, fd: FdFacts): number {
  if (fd.fdLimit <= 0) return 0;
  const active = config.proxies.filter((p) => !p.disabled);
  const listeners =
    config.global.statsSockets.length +
    active.reduce((n, p) => n + p.binds.reduce((m, b) => m + b.addresses.length, 0), 0);
  const checks = active.reduce(
    (n, p) => n + (p.kind === 'frontend' ? 0 : p.servers.filter((s) => s.check).length),
    0,
  );
  const threads = config.global.nbthread ?? Math.max(1, fd.cpus);
  const remain = fd.fdLimit - RESERVED_FDS - listeners - checks - FDS_PER_THREAD * threads;
  return Math.max(0, Math.floor(remain / 2));
}
