// Runs one server's health checks: probe, feed the rise/fall counter, report, schedule the
// next check at the interval the counter asks for. Timers are injected so tests drive it
// with a fake clock.

import type { HealthParams, HealthTransition } from './counter.js';
import { HealthCounter } from './counter.js';
import type { Probe, ProbeTarget } from './probe.js';
import type { CheckResult } from './result.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface CheckReport {
  readonly result: CheckResult;
  readonly transition: HealthTransition;
  readonly counter: HealthCounter;
  /** Whether the check moved the health counter (HAProxy's `report`). */
  readonly healthChanged: boolean;
}

export interface ServerCheckerOptions {
  readonly params: HealthParams;
  readonly target: ProbeTarget;
  readonly probe: Probe;
  readonly onReport: (report: CheckReport) => void;
  readonly timers?: Timers;
  readonly initiallyUp?: boolean;
}

export class ServerChecker {
  readonly counter: HealthCounter;
  private timer: unknown;
  private running = false;
  private stopped = true;
  private readonly timers: Timers;

  constructor(private readonly opts: ServerCheckerOptions) {
    this.counter = new HealthCounter(opts.params, opts.initiallyUp ?? true);
    this.timers = opts.timers ?? realTimers;
  }

  /** Starts checking after `delay` ms (HAProxy spreads first checks over the farm). */
  start(delay: number): void {
    this.stopped = false;
    this.schedule(delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.runOnce();
    }, delay);
  }

  /**
   * `observe` saw errors on live traffic: the next check comes after `fastinter` (when
   * set) instead of the usual interval, as HAProxy forces after a health-analyze event.
   */
  hurry(): void {
    const fast = this.opts.params.fastinter;
    if (this.stopped || this.running || !fast || this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.schedule(fast);
  }

  /** One check now; resolves after the report. Exposed for tests and `on-error fastinter`. */
  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let result: CheckResult;
    try {
      result = await this.opts.probe(this.opts.target);
    } catch (err) {
      result = { status: 'SOCKERR', ok: false, info: String(err), durationMs: 0 };
    }
    this.running = false;
    if (this.stopped) return;
    const before = this.counter.health;
    const transition = result.ok ? this.counter.success() : this.counter.failure();
    this.opts.onReport({
      result,
      transition,
      counter: this.counter,
      healthChanged: this.counter.health !== before,
    });
    this.schedule(this.counter.interval());
  }
}

/**
 * Check timeouts as HAProxy derives them: with `timeout check`, connect within
 * min(timeout connect, inter) and then read within `timeout check`; without it, the whole
 * check must fit in `inter`.
 */
export function checkTimeouts(
  inter: number,
  timeoutConnect: number | undefined,
  timeoutCheck: number | undefined,
): { connectTimeout: number; readTimeout: number } {
  if (timeoutCheck === undefined) return { connectTimeout: inter, readTimeout: inter };
  return {
    connectTimeout: Math.min(timeoutConnect ?? inter, inter),
    readTimeout: timeoutCheck,
  };
}
