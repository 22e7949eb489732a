// Reads a running engine into a StatsSnapshot: one ProxyStats per config section in file
// order (HAProxy's order), with HAProxy's ids (iid from proxyIidBase, sid = position + 1).
// Sections halo serves with an applet (the stats page's own `listen`) have no runtime
// objects; their counters come from `StatsEnvironment.appletCounters`.

import type { Proxy as ProxyConfig } from '../../config/haproxy/model.js';
import type { FaultCounters } from '../../core/faults.js';
import type { VrrpStatus } from '../../run/show-vrrp.js';
import type { BackendRuntime } from '../backend-runtime.js';
import type { ProxyEngine } from '../engine.js';
import type { FrontendRuntime } from '../frontend-runtime.js';
import { checkStatusText } from '../health/result.js';
import type { ServerRuntime } from '../server-runtime.js';
import type { FrontendCounters, ServerCounters } from './counters.js';
import { downtimeSeconds, newServerCounters } from './counters.js';
import type {
  BackendRow,
  CheckSnapshot,
  FrontendRow,
  ProcessInfo,
  ProxyStats,
  ServerRow,
  StatsSnapshot,
  TrafficRow,
} from './snapshot.js';

export interface StatsEnvironment {
  readonly pid: number;
  /** Worker number (1 in a single process) and how many processes serve the config. */
  readonly processNum: number;
  readonly nbproc: number;
  /** Process start, wall clock ms. */
  readonly startedAt: number;
  readonly node: string;
  readonly ulimitN: number;
  readonly version: string;
  /** `Release_date`: tools such as hatop refuse a `show info` without one. */
  readonly releaseDate: string;
  now(): number;
  memRss(): number;
  /** The process's fault counters (DroppedLogs, `show halo`). */
  faults(): FaultCounters;
  /** Counters of proxies answered by applets, by proxy name. */
  appletCounters(name: string): FrontendCounters | undefined;
  /** `halo run`: the VRRP instances, for the stats page and /metrics. */
  vrrp?(): VrrpStatus | undefined;
}

/**
 * HAProxy numbers proxies in file order from 1; a global `stats socket` creates its internal
 * "GLOBAL" proxy first, which takes id 1.
 */
export function proxyIidBase(config: ProxyEngine['config']): number {
  return config.global.statsSockets.length > 0 ? 2 : 1;
}

export function buildSnapshot(engine: ProxyEngine, env: StatsEnvironment): StatsSnapshot {
  const now = env.now();
  const proxies: ProxyStats[] = [];
  const base = proxyIidBase(engine.config);
  engine.config.proxies.forEach((p, i) => {
    if (p.disabled) return;
    const fe = engine.frontends.find((f) => f.cfg === p);
    const be = p.kind === 'frontend' ? undefined : engine.backends.get(p.name);
    const feCounters = fe?.counters ?? env.appletCounters(p.name);
    proxies.push({
      name: p.name,
      iid: i + base,
      mode: p.mode,
      frontend: p.kind === 'backend' ? undefined : frontendRow(p, fe, feCounters, engine, now),
      servers: be ? be.servers.map((s) => serverRow(s, now)) : [],
      backend:
        p.kind === 'frontend'
          ? undefined
          : backendRow(p, be, engine, feCounters, now, env.startedAt),
    });
  });
  return { info: processInfo(engine, env, now), proxies };
}

function processInfo(engine: ProxyEngine, env: StatsEnvironment, now: number): ProcessInfo {
  let cum = 0;
  let rate = 0;
  let max = 0;
  let out = 0;
  for (const fe of engine.frontends) {
    cum += fe.counters.stot;
    rate += fe.counters.rate.rate(now);
    max = Math.max(max, fe.counters.rate.max);
    out += fe.counters.bytesOut;
  }
  const stats = engine.config.proxies.find((p) => p.stats?.enabled)?.stats;
  return {
    name: 'HAProxy',
    version: env.version,
    releaseDate: env.releaseDate,
    hideVersion: stats?.hideVersion === true,
    pid: env.pid,
    processNum: env.processNum,
    nbproc: env.nbproc,
    nbthread: 1,
    uptimeSec: Math.floor((now - env.startedAt) / 1000),
    startTimeSec: Math.floor(env.startedAt / 1000),
    ulimitN: env.ulimitN,
    maxconn: engine.ctx.maxconn,
    currConns: engine.ctx.counters.actconn,
    cumConns: cum,
    connRate: rate,
    maxConnRate: max,
    node: env.node,
    listeners: engine.listeners.size,
    totalBytesOut: out,
    stopping: false,
    memRssBytes: env.memRss(),
    faults: { ...env.faults() },
  };
}

function frontendRow(
  p: ProxyConfig,
  fe: FrontendRuntime | undefined,
  c: FrontendCounters | undefined,
  engine: ProxyEngine,
  now: number,
): FrontendRow | undefined {
  if (p.binds.length === 0) return undefined;
  return {
    scur: fe?.conns ?? 0,
    smax: c?.smax ?? 0,
    slim: p.maxconn ?? engine.ctx.maxconn,
    stot: c?.stot ?? 0,
    bin: c?.bytesIn ?? 0,
    bout: c?.bytesOut ?? 0,
    dreq: c?.denied ?? 0,
    dcon: fe?.deniedConnections ?? 0,
    ereq: c?.errors ?? 0,
    eint: c?.internalErrors ?? 0,
    open: fe ? fe.listeners.length > 0 : true,
    rate: c?.rate.rate(now) ?? 0,
    rateMax: c?.rate.max ?? 0,
    reqTot: p.mode === 'http' ? (c?.requests ?? 0) : undefined,
    hrsp: c?.hrsp ?? [0, 0, 0, 0, 0, 0],
  };
}

function traffic(c: ServerCounters, scur: number, qcur: number, now: number): TrafficRow {
  return {
    qcur,
    qmax: c.qmax,
    scur,
    smax: c.smax,
    slim: undefined,
    stot: c.stot,
    lbtot: c.lbtot,
    bin: c.bytesIn,
    bout: c.bytesOut,
    econ: c.econ,
    eresp: c.eresp,
    wretr: c.wretr,
    wredis: c.wredis,
    cliAbrt: c.cliAbrt,
    srvAbrt: c.srvAbrt,
    rate: c.rate.rate(now),
    rateMax: c.rate.max,
    lastSess: c.lastSess === undefined ? -1 : Math.floor((now - c.lastSess) / 1000),
    ctime: Math.round(c.ctimeAvg),
    ttime: Math.round(c.ttimeAvg),
    ctimeMax: c.ctimeMax,
    ttimeMax: Math.round(c.ttimeMax),
    hrsp: c.hrsp,
    lastChange: Math.max(0, Math.floor((now - c.lastChange) / 1000)),
    downtime: downtimeSeconds(c, now),
    chkdown: c.chkdown,
  };
}

function checkSnapshot(s: ServerRuntime): CheckSnapshot | undefined {
  const ck = s.checker;
  if (!ck) return undefined;
  const r = s.lastCheck;
  return {
    status: r?.status ?? 'INI',
    code: r?.code,
    durationMs: r ? Math.round(r.durationMs) : undefined,
    info: r?.ok === false ? (r.info ?? '') : '',
    desc: r ? checkStatusText[r.status] : 'Initializing',
    rise: s.cfg.rise,
    fall: s.cfg.fall,
    health: ck.counter.health,
    disabled: s.healthDisabled || s.maintenance,
  };
}

/** HAProxy's server status text (stats_fill_sv_stats). */
export function serverStatus(s: ServerRuntime): string {
  if (s.maint) return 'MAINT';
  if (s.rmaint) return 'MAINT (resolution)';
  const ck = s.checker;
  if (!ck || s.healthDisabled) return s.up ? (s.drain ? 'DRAIN' : 'no check') : 'DOWN';
  const text = ck.counter.status();
  return s.drain && s.up ? text.replace(/^UP/, 'DRAIN') : text;
}

function serverRow(s: ServerRuntime, now: number): ServerRow {
  const ck = s.checker;
  const top = s.cfg.rise + s.cfg.fall - 1;
  return {
    ...traffic(s.counters, s.conns, s.queue.length, now),
    slim: s.maxconn || undefined,
    name: s.name,
    sid: s.id + 1,
    backup: s.backup,
    status: serverStatus(s),
    up: s.up,
    maint: s.maintenance,
    forcedMaint: s.maint,
    rmaint: s.rmaint,
    drain: s.drain,
    weight: s.weight,
    uweight: s.uweight,
    iweight: s.cfg.weight,
    qlimit: s.maxqueue || undefined,
    chkfail: s.counters.chkfail,
    check: checkSnapshot(s),
    addr: s.address ?? (s.rmaint ? '' : s.host),
    port: s.port,
    transitional:
      ck !== undefined && !s.maintenance && ck.counter.health > 0 && ck.counter.health < top,
    host: s.host,
    cfgDisabled: s.cfg.disabled,
    healthDisabled: s.healthDisabled,
    ssl: s.cfg.ssl,
    checkPort: s.cfg.checkPort,
  };
}

/** HAProxy's default fullconn: a tenth of the maxconn of the frontends that may use it. */
function fullconn(p: ProxyConfig, engine: ProxyEngine): number {
  let sum = 0;
  for (const f of engine.config.proxies) {
    if (f.kind === 'backend' || f.disabled) continue;
    const uses =
      f === p ||
      f.defaultBackend?.name === p.name ||
      f.useBackends.some((u) => u.backend === p.name);
    if (uses) sum += f.maxconn ?? engine.ctx.maxconn;
  }
  return Math.ceil(sum / 10);
}

function backendRow(
  p: ProxyConfig,
  be: BackendRuntime | undefined,
  engine: ProxyEngine,
  appletCounters: FrontendCounters | undefined,
  now: number,
  startedAt: number,
): BackendRow {
  const empty = {
    stot: appletCounters?.stot ?? 0,
    bin: appletCounters?.bytesIn ?? 0,
    bout: appletCounters?.bytesOut ?? 0,
  };
  let weight = 0;
  let act = 0;
  let bck = 0;
  for (const s of be?.servers ?? []) {
    if (!s.up || s.weight === 0) continue;
    if (s.backup) bck++;
    else act++;
    weight += s.weight;
  }
  const base = be
    ? traffic(be.counters, be.conns, be.queue.length, now)
    : { ...traffic(newServerCounters(startedAt), 0, 0, now), ...empty };
  return {
    ...base,
    slim: fullconn(p, engine),
    up: !be || be.servers.length === 0 || act + bck > 0,
    weight,
    act,
    bck,
    algo: p.balance.algorithm,
  };
}
