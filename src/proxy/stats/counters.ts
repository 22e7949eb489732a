// Read-only counters the stats page and the runtime API show (HAProxy's `struct fe_counters`
// / `be_counters`), kept by the runtime objects. They are bumped once per session start,
// session end or check result, never per relayed chunk. Pure: the caller passes `now`.

/** Events per second over the current and previous second (HAProxy's freq_ctr). */
export class RateCounter {
  private sec = 0;
  private cur = 0;
  private prev = 0;
  /** Highest per-second rate seen (`rate_max`). */
  max = 0;

  hit(nowMs: number): void {
    this.roll(nowMs);
    this.cur++;
    const r = this.rate(nowMs);
    if (r > this.max) this.max = r;
  }

  /** The rate HAProxy reports: this second's count plus the unelapsed share of the last one. */
  rate(nowMs: number): number {
    this.roll(nowMs);
    const elapsed = (nowMs % 1000) / 1000;
    return this.cur + Math.floor(this.prev * (1 - elapsed));
  }

  private roll(nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (sec === this.sec) return;
    this.prev = sec === this.sec + 1 ? this.cur : 0;
    this.cur = 0;
    this.sec = sec;
  }
}

/** What a frontend counts. */
export interface FrontendCounters {
  /** Cumulated sessions (`stot`), connections (`conn_tot`). */
  stot: number;
  smax: number;
  bytesIn: number;
  bytesOut: number;
  /** Requests/connections denied (`dreq`), request errors (`ereq`). */
  denied: number;
  errors: number;
  /** Internal errors (`eint`): exceptions inside a session, each ended that session only. */
  internalErrors: number;
  /** HTTP requests (`req_tot`) and responses by class: 1xx..5xx, other (`hrsp_*`). */
  requests: number;
  readonly hrsp: number[];
  readonly rate: RateCounter;
}

/** What a backend and each of its servers count. */
export interface ServerCounters {
  /** Sessions sent here (`stot` for a backend, `lbtot` counts balancer picks). */
  stot: number;
  lbtot: number;
  smax: number;
  qmax: number;
  bytesIn: number;
  bytesOut: number;
  /** Connection errors, response errors, retries, redispatches. */
  econ: number;
  eresp: number;
  wretr: number;
  wredis: number;
  cliAbrt: number;
  srvAbrt: number;
  /** Failed checks (`chkfail`), UP->DOWN transitions (`chkdown`). */
  chkfail: number;
  chkdown: number;
  /** When the state last changed (ms, wall clock) and the DOWN time before `downSince`. */
  lastChange: number;
  downtime: number;
  /** Set while DOWN: when it went down. */
  downSince: number | undefined;
  /** Last session start (ms), or undefined. */
  lastSess: number | undefined;
  /** Connect and total times of recent sessions (ms), HAProxy's averages over 1024. */
  ctimeAvg: number;
  ttimeAvg: number;
  ctimeMax: number;
  ttimeMax: number;
  /** Sessions that went into the averages. */
  samples: number;
  /** HTTP responses by class: 1xx..5xx, other (`hrsp_*`). */
  readonly hrsp: number[];
  readonly rate: RateCounter;
}

export function newFrontendCounters(): FrontendCounters {
  return {
    stot: 0,
    smax: 0,
    bytesIn: 0,
    bytesOut: 0,
    denied: 0,
    errors: 0,
    internalErrors: 0,
    requests: 0,
    hrsp: [0, 0, 0, 0, 0, 0],
    rate: new RateCounter(),
  };
}

export function newServerCounters(now: number): ServerCounters {
  return {
    stot: 0,
    lbtot: 0,
    smax: 0,
    qmax: 0,
    bytesIn: 0,
    bytesOut: 0,
    econ: 0,
    eresp: 0,
    wretr: 0,
    wredis: 0,
    cliAbrt: 0,
    srvAbrt: 0,
    chkfail: 0,
    chkdown: 0,
    lastChange: now,
    downtime: 0,
    downSince: undefined,
    lastSess: undefined,
    ctimeAvg: 0,
    ttimeAvg: 0,
    ctimeMax: 0,
    ttimeMax: 0,
    samples: 0,
    hrsp: [0, 0, 0, 0, 0, 0],
    rate: new RateCounter(),
  };
}

/** `clear counters`: the maximums (HAProxy's operator level); `all`: every counter (admin). */
export function clearServerCounters(c: ServerCounters, all: boolean, now: number): void {
  c.smax = 0;
  c.qmax = 0;
  c.rate.max = 0;
  c.ctimeMax = 0;
  c.ttimeMax = 0;
  if (!all) return;
  Object.assign(
    c,
    { ...newServerCounters(now), rate: c.rate },
    {
      lastChange: c.lastChange,
      downSince: c.downSince,
      downtime: 0,
    },
  );
}

export function clearFrontendCounters(c: FrontendCounters, all: boolean): void {
  c.smax = 0;
  c.rate.max = 0;
  if (!all) return;
  c.hrsp.fill(0);
  Object.assign(c, {
    stot: 0,
    bytesIn: 0,
    bytesOut: 0,
    denied: 0,
    errors: 0,
    internalErrors: 0,
    requests: 0,
  });
}

/** HAProxy's average over the last 1024 samples (a plain mean until there are 1024). */
export function slidingAverage(avg: number, sample: number, count: number): number {
  return avg + (sample - avg) / Math.min(Math.max(count, 1), 1024);
}

/** A state change (UP<->DOWN, maintenance): lastchg restarts, DOWN time accumulates. */
export function markStateChange(c: ServerCounters, down: boolean, now: number): void {
  if (c.downSince !== undefined) c.downtime += now - c.downSince;
  c.downSince = down ? now : undefined;
  c.lastChange = now;
}

/** Seconds spent DOWN so far (`downtime`). */
export function downtimeSeconds(c: ServerCounters, now: number): number {
  const open = c.downSince === undefined ? 0 : now - c.downSince;
  return Math.floor((c.downtime + open) / 1000);
}

/** A finished session's contribution (at session end). */
export interface SessionFacts {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly retries: number;
  readonly redispatched: boolean;
  /** Connection to the server failed for good (termination `SC`/`sC`). */
  readonly connectFailed: boolean;
  /** Who closed first: `C` client abort, `S` server abort during data, or neither. */
  readonly abortBy: 'C' | 'S' | undefined;
  /** Connect time and total time (ms), -1 if unknown. */
  readonly tc: number;
  readonly tt: number;
  /** HTTP status sent to the client (HTTP mode), for `hrsp_*`. */
  readonly status?: number | undefined;
}

/** Counts an HTTP status in its class (HAProxy's hrsp_1xx..hrsp_5xx, hrsp_other). */
export function countStatus(hrsp: number[], status: number | undefined): void {
  if (status === undefined) return;
  const cls = Math.floor(status / 100);
  hrsp[cls >= 1 && cls <= 5 ? cls - 1 : 5]!++;
}

export function addSession(c: ServerCounters, f: SessionFacts): void {
  countStatus(c.hrsp, f.status);
  c.bytesIn += f.bytesIn;
  c.bytesOut += f.bytesOut;
  c.wretr += f.retries;
  if (f.redispatched) c.wredis++;
  if (f.connectFailed) c.econ++;
  if (f.abortBy === 'C') c.cliAbrt++;
  else if (f.abortBy === 'S') c.srvAbrt++;
  if (f.tc < 0) return; // never connected: not in the connect/total time averages
  c.samples++;
  c.ctimeAvg = slidingAverage(c.ctimeAvg, f.tc, c.samples);
  c.ctimeMax = Math.max(c.ctimeMax, f.tc);
  c.ttimeAvg = slidingAverage(c.ttimeAvg, f.tt, c.samples);
  c.ttimeMax = Math.max(c.ttimeMax, f.tt);
}
