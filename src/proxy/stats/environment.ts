// The process facts the stats need (pid, start time, host name, memory) and the counters of
// proxies that halo answers with an applet. This is the stats' only contact with the OS;
// the snapshot builder and renderers get it injected.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { FOLLOWS_HAPROXY, RELEASE_DATE, VERSION } from '../../cli/version.js';
import { processFaults } from '../../core/faults.js';
import { vrrpInstances } from '../cli-socket/vrrp-status.js';
import type { ProxyEngine } from '../engine.js';
import type { StatsEnvironment } from './build-snapshot.js';
import type { FrontendCounters } from './counters.js';
import { newFrontendCounters } from './counters.js';

const processStart = Date.now();

/** Which process this is: set by a `nbthread` worker at start (worker N of M). */
export const processIdentity = { num: 1, nbproc: 1 };

const appletCounters = new WeakMap<ProxyEngine, Map<string, FrontendCounters>>();

/** The counters of a proxy answered by an applet in `engine` (created on first use). */
export function appletCountersFor(engine: ProxyEngine, proxy: string): FrontendCounters {
  let m = appletCounters.get(engine);
  if (!m) {
    m = new Map();
    appletCounters.set(engine, m);
  }
  let c = m.get(proxy);
  if (!c) {
    c = newFrontendCounters();
    m.set(proxy, c);
  }
  return c;
}

/** The process's open-files limit (`ulimit -n`), as `show info` reports it; 0 if unknown. */
export function openFilesLimit(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export const HALO_STATS_VERSION = `${FOLLOWS_HAPROXY}-halo-${VERSION}`;

export function statsEnvironment(engine: ProxyEngine): StatsEnvironment {
  return {
    pid: process.pid,
    processNum: processIdentity.num,
    nbproc: processIdentity.nbproc,
    startedAt: processStart,
    node: hostname(),
    ulimitN: engine.config.global.ulimitN ?? openFilesLimit(),
    version: HALO_STATS_VERSION,
    releaseDate: RELEASE_DATE,
    now: () => Date.now(),
    memRss: () => process.memoryUsage.rss(),
    faults: () => processFaults,
    appletCounters: (name) => appletCounters.get(engine)?.get(name),
    vrrp: vrrpInstances,
  };
}
