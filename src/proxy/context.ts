// What every runtime object of one process shares: the log port, the connection counters
// that outlive a reload, and injectable timers/randomness for tests.

import type { Deadlines } from './io/deadlines.js';
import type { LogPort } from './log/sinks.js';

export interface ProcessCounters {
  /** HAProxy's actconn: sessions alive in this process, across old and new configs. */
  actconn: number;
  /** One per running engine: lets its listeners accept again when a slot frees anywhere. */
  wakers?: Set<() => void>;
}

export interface RuntimeContext {
  readonly log: LogPort;
  readonly counters: ProcessCounters;
  /** HTTP/1 sizes (`tune.bufsize`, `tune.maxrewrite`, `tune.http.maxhdr`). */
  readonly h1?: import('./http/h1-request.js').H1Limits;
  /** Global maxconn; 0 = unlimited. */
  readonly maxconn: number;
  /** Stick tables by proxy name (`stick-table`), for track-sc and the sc_* fetches. */
  readonly tables?: ReadonlyMap<string, import('./stick/stick-table.js').StickTable>;
  /** `userlist` sections, for `http_auth` conditions. */
  readonly userlists?: import('./acl.js').Userlists;
  /** Operator-facing notices (stderr in the foreground), HAProxy's `[WARNING]` lines. */
  readonly notify: (level: 'NOTICE' | 'WARNING' | 'ALERT', message: string) => void;
  readonly random?: () => number;
  /** Inactivity timeouts of every session of this engine. */
  readonly deadlines: Deadlines;
  /**
   * Cuts the sessions established on servers that `match` accepts: `on-marked-down
   * shutdown-sessions` (cause 'D'), `on-marked-up shutdown-backup-sessions` ('U') and the
   * runtime API's `shutdown sessions server` ('K', HAProxy's SF_ERR_KILLED).
   */
  shutdownSessions(match: (server: unknown) => boolean, cause: 'D' | 'U' | 'K'): number;
  /** A server went UP or DOWN (`halo run` reports the backend's UP count to its VRRP half). */
  readonly serverStateChanged?: () => void;
  /** Called when a session ends, so frontends blocked on global maxconn can accept again. */
  slotFreed(): void;
}
