// The last-resort handler of a long-running halo process (`halo proxy`, its workers,
// `halo vrrp`): an exception nothing caught or a rejection nothing handled is reported
// once per site (where it was thrown, and what it was), counted in the process's fault
// counters (`show halo` on the runtime API), and never ends the process. Node's default
// would exit, taking every frontend, the stats page and the runtime API along with the one
// session whose input caused it. Sessions are meant to catch their own failures; this is
// the net under them. One-shot commands (`halo check`) do not install it.

import type { FaultCounters } from '../core/faults.js';
import { processFaults } from '../core/faults.js';

export type FaultKind = 'exception' | 'rejection';

export interface LastResortOptions {
  /** Where the first report of a site goes (an ALERT notice, the VRRP log). */
  readonly report: (message: string) => void;
  readonly faults?: FaultCounters;
  /** Distinct sites reported before new ones are only counted (a flood of sites stays quiet). */
  readonly maxSites?: number;
}

/** Where an error came from: its type and code and the first frame of its stack. */
export function faultSite(err: unknown): string {
  if (!(err instanceof Error)) return `non-error ${typeof err}`;
  const code = (err as NodeJS.ErrnoException).code;
  const frame = /\n\s+at (.+)/.exec(err.stack ?? '')?.[1] ?? 'unknown frame';
  return `${err.name}${code ? ` [${code}]` : ''} at ${frame}`;
}

/** One line (a log line stays one line): the message and the first frames of the stack. */
function describe(err: unknown): string {
  if (err instanceof Error) {
    const lines = (err.stack ?? `${err.name}: ${err.message}`).split('\n').map((l) => l.trim());
    return lines.slice(0, 6).join(' | ');
  }
  try {
    return `non-error value ${String(err).slice(0, 200)}`;
  } catch {
    return 'non-error value';
  }
}

export class LastResort {
  private readonly sites = new Set<string>();
  private readonly faults: FaultCounters;
  private readonly maxSites: number;
  private installed:
    | { proc: NodeJS.Process; listeners: [string, (e: unknown) => void][] }
    | undefined;

  constructor(private readonly opts: LastResortOptions) {
    this.faults = opts.faults ?? processFaults;
    this.maxSites = opts.maxSites ?? 100;
  }

  /** Counts `err`, and reports it if its site is new. */
  caught(kind: FaultKind, err: unknown): void {
    if (kind === 'exception') this.faults.uncaughtExceptions++;
    else this.faults.unhandledRejections++;
    const site = faultSite(err);
    if (this.sites.has(site) || this.sites.size >= this.maxSites) return;
    this.sites.add(site);
    const total = this.faults.uncaughtExceptions + this.faults.unhandledRejections;
    try {
      this.opts.report(
        `Uncaught ${kind === 'exception' ? 'exception' : 'promise rejection'} (fault #${total}; ` +
          `the process keeps running; later ones from the same place are only counted, see 'show halo'): ${describe(err)}`,
      );
    } catch {
      // The report itself failed (its output is gone): the count stays.
    }
  }

  /** Takes over Node's uncaught-exception and unhandled-rejection exits in `proc`. */
  install(proc: NodeJS.Process = process): void {
    if (this.installed) return;
    const listeners: [string, (e: unknown) => void][] = [
      ['uncaughtException', (e) => this.caught('exception', e)],
      ['unhandledRejection', (e) => this.caught('rejection', e)],
    ];
    for (const [event, fn] of listeners) proc.on(event, fn);
    this.installed = { proc, listeners };
  }

  uninstall(): void {
    if (!this.installed) return;
    for (const [event, fn] of this.installed.listeners) this.installed.proc.off(event, fn);
    this.installed = undefined;
  }
}
