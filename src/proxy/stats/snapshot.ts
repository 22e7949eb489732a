// What the stats renderers show: plain data, taken from the running engine in one go
// (build-snapshot.ts) so the CSV, HTML and runtime-API renderers stay pure functions
// from a snapshot to a string.

import type { FaultCounters } from '../../core/faults.js';
import type { CheckStatus } from '../health/result.js';

export interface ProcessInfo {
  readonly name: string;
  readonly version: string;
  readonly releaseDate: string;
  readonly hideVersion: boolean;
  readonly pid: number;
  /** Process number (1 in a single process; the worker number with `nbthread` > 1). */
  readonly processNum: number;
  readonly nbproc: number;
  readonly nbthread: number;
  readonly uptimeSec: number;
  readonly startTimeSec: number;
  readonly ulimitN: number;
  readonly maxconn: number;
  readonly currConns: number;
  readonly cumConns: number;
  readonly connRate: number;
  readonly maxConnRate: number;
  readonly node: string;
  readonly listeners: number;
  readonly totalBytesOut: number;
  readonly stopping: boolean;
  readonly memRssBytes: number;
  readonly faults: FaultCounters;
}

export interface CheckSnapshot {
  readonly status: CheckStatus | 'INI';
  readonly code: number | undefined;
  readonly durationMs: number | undefined;
  readonly info: string;
  readonly desc: string;
  readonly rise: number;
  readonly fall: number;
  readonly health: number;
  /** Checks paused (`disable health`, maintenance). */
  readonly disabled: boolean;
}

/** Counters shared by server and backend rows. */
export interface TrafficRow {
  readonly qcur: number;
  readonly qmax: number;
  readonly scur: number;
  readonly smax: number;
  readonly slim: number | undefined;
  readonly stot: number;
  readonly lbtot: number;
  readonly bin: number;
  readonly bout: number;
  readonly econ: number;
  readonly eresp: number;
  readonly wretr: number;
  readonly wredis: number;
  readonly cliAbrt: number;
  readonly srvAbrt: number;
  readonly rate: number;
  readonly rateMax: number;
  /** Seconds since the last session, -1 if none. */
  readonly lastSess: number;
  readonly ctime: number;
  readonly ttime: number;
  readonly ctimeMax: number;
  readonly ttimeMax: number;
  /** HTTP responses by class (1xx..5xx, other). */
  readonly hrsp: readonly number[];
  /** Seconds since the last state change, DOWN time in seconds. */
  readonly lastChange: number;
  readonly downtime: number;
  readonly chkdown: number;
}

export interface ServerRow extends TrafficRow {
  readonly name: string;
  readonly sid: number;
  readonly backup: boolean;
  /** HAProxy's status text: `UP`, `UP 1/3`, `DOWN`, `MAINT`, `DRAIN`, `no check`. */
  readonly status: string;
  readonly up: boolean;
  /** In any maintenance; `forcedMaint` (config or operator) and `rmaint` (resolution) say which. */
  readonly maint: boolean;
  readonly forcedMaint: boolean;
  readonly rmaint: boolean;
  readonly drain: boolean;
  /** Effective weight (what the balancer uses), user weight, initial weight. */
  readonly weight: number;
  readonly uweight: number;
  readonly iweight: number;
  readonly qlimit: number | undefined;
  readonly chkfail: number;
  readonly check: CheckSnapshot | undefined;
  readonly addr: string;
  readonly port: number | undefined;
  /** Going up or down: health between 0 and the top (`UP 1/3`, `DOWN 1/2`). */
  readonly transitional: boolean;
  /** For `show servers state`: host as written, config `disabled`, checks turned off, TLS. */
  readonly host: string;
  readonly cfgDisabled: boolean;
  readonly healthDisabled: boolean;
  readonly ssl: boolean;
  readonly checkPort: number | undefined;
}

export interface BackendRow extends TrafficRow {
  readonly up: boolean;
  readonly weight: number;
  readonly act: number;
  readonly bck: number;
  readonly algo: string;
}

export interface FrontendRow {
  readonly scur: number;
  readonly smax: number;
  readonly slim: number;
  readonly stot: number;
  readonly bin: number;
  readonly bout: number;
  readonly dreq: number;
  /** Connections `tcp-request connection reject` closed. */
  readonly dcon: number;
  readonly ereq: number;
  readonly eint: number;
  readonly open: boolean;
  readonly rate: number;
  readonly rateMax: number;
  readonly reqTot: number | undefined;
  readonly hrsp: readonly number[];
}

export interface ProxyStats {
  readonly name: string;
  /** HAProxy's proxy id (`iid`). */
  readonly iid: number;
  readonly mode: 'tcp' | 'http';
  readonly frontend: FrontendRow | undefined;
  readonly servers: readonly ServerRow[];
  readonly backend: BackendRow | undefined;
}

export interface StatsSnapshot {
  readonly info: ProcessInfo;
  readonly proxies: readonly ProxyStats[];
}
