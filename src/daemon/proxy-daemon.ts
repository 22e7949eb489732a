// The proxy process: the running engine, seamless in-process reload (SIGHUP/SIGUSR2),
// soft stop (SIGUSR1), hard stop (SIGTERM), and the SIGTTOU/SIGTTIN pause/resume that
// `-sf`/`-st` take-over uses. Old engines keep their sessions until these end or
// `hard-stop-after` expires.

import { availableParallelism } from 'node:os';
import { formatDiagnostic } from '../config/diagnostics.js';
import type { HaproxyConfig } from '../config/haproxy/model.js';
import { answerLine, applyRelayed } from '../proxy/cli-socket/session.js';
import { StatsSockets } from '../proxy/cli-socket/stats-socket.js';
import type { ProcessCounters, RuntimeContext } from '../proxy/context.js';
import type { EngineOptions } from '../proxy/engine.js';
import { ProxyEngine } from '../proxy/engine.js';
import type { LogPort } from '../proxy/log/sinks.js';
import { statsApplets } from '../proxy/stats/applet.js';
import { buildSnapshot } from '../proxy/stats/build-snapshot.js';
import {
  HALO_STATS_VERSION,
  openFilesLimit,
  statsEnvironment,
} from '../proxy/stats/environment.js';
import type { ConfigSource } from './proxy-config.js';
import { loadConfig, parseConfig } from './proxy-config.js';

/** How long a hard stop waits for the sessions it cut to report closed; then it returns anyway. */
const HARD_STOP_WAIT_MS = 1500;

export interface ProxyDaemonOptions {
  readonly files: readonly string[];
  readonly env: Record<string, string | undefined>;
  readonly log: LogPort;
  readonly notify: RuntimeContext['notify'];
  readonly engine?: Partial<EngineOptions>;
  /** Serve the global `stats socket`s (default true; only worker 1 does with `nbthread`). */
  readonly statsSockets?: boolean;
  /** Where the runtime API's state changes go for the other workers (`nbthread`). */
  readonly statsRelay?: (words: string[]) => void;
}

export class ProxyDaemon {
  engine: ProxyEngine | undefined;
  private readonly draining = new Set<ProxyEngine>();
  private readonly counters: ProcessCounters = { actconn: 0 };
  private reloading = false;
  private stopping = false;
  private statsSockets: StatsSockets | undefined;
  private statsSocketsKey = '';
  /** When the serving engine started (wall clock): a worker's uptime in `show proc`. */
  servingSince = Date.now();

  constructor(private readonly opts: ProxyDaemonOptions) {}

  private newEngine(config: HaproxyConfig): ProxyEngine {
    return new ProxyEngine(config, {
      log: this.opts.log,
      notify: this.opts.notify,
      counters: this.counters,
      applets: statsApplets,
      fdFacts: { fdLimit: openFilesLimit(), cpus: availableParallelism() },
      ...this.opts.engine,
    });
  }

  /** First start from already-validated config. */
  async start(config: HaproxyConfig): Promise<void> {
    const engine = this.newEngine(config);
    await engine.start();
    this.engine = engine;
    this.servingSince = Date.now();
    try {
      await this.openStatsSockets(config);
    } catch (err) {
      engine.stopAccepting();
      throw err;
    }
  }

  /**
   * The runtime API sockets follow the serving engine; they are reopened only when the
   * `stats socket` / `stats timeout` lines change (a failure then keeps the old ones).
   */
  private async openStatsSockets(config: HaproxyConfig): Promise<void> {
    if (this.opts.statsSockets === false) return;
    const g = config.global;
    const key = JSON.stringify([g.statsSockets.map((s) => [s.address, s.options]), g.statsTimeout]);
    if (key === this.statsSocketsKey) return;
    const next = new StatsSockets({
      global: g,
      engine: () => this.engine,
      notify: this.opts.notify,
      ...(this.opts.statsRelay ? { relay: this.opts.statsRelay } : {}),
    });
    this.statsSockets?.close();
    this.statsSockets = undefined;
    await next.start();
    this.statsSockets = next;
    this.statsSocketsKey = key;
  }

  /**
   * Reload: read and validate the files again (or the `sources` a master validated); on any error the running engine stays and
   * the reason is reported. Otherwise the new engine takes over shared listeners and the
   * old one drains. Resolves to whether the new config is now serving.
   */
  async reload(sources?: readonly ConfigSource[]): Promise<boolean> {
    if (this.reloading || this.stopping || !this.engine) return false;
    this.reloading = true;
    try {
      const loaded = sources
        ? parseConfig(sources, this.opts.env)
        : loadConfig(this.opts.files, this.opts.env);
      const errors = loaded.diagnostics.list.filter((d) => d.severity === 'error');
      if (loaded.readError || !loaded.config || errors.length > 0) {
        const why = loaded.readError ?? errors.map((d) => formatDiagnostic(d)).join('; ');
        this.opts.notify(
          'ALERT',
          `Reload failed, the previous configuration keeps running: ${why}`,
        );
        return false;
      }
      const next = this.newEngine(loaded.config);
      const prev = this.engine;
      try {
        await next.start(prev);
      } catch (err) {
        next.stopAccepting(prev);
        this.opts.notify(
          'ALERT',
          `Reload failed, the previous configuration keeps running: ${(err as Error).message}`,
        );
        return false;
      }
      this.engine = next;
      this.servingSince = Date.now();
      prev.stopAccepting(next);
      this.drain(prev);
      await this.openStatsSockets(loaded.config).catch((err: Error) =>
        this.opts.notify('ALERT', `Reload: cannot bind the stats socket: ${err.message}`),
      );
      this.opts.notify('NOTICE', `Reloaded configuration from ${this.opts.files.join(', ')}`);
      return true;
    } finally {
      this.reloading = false;
    }
  }

  private drain(prev: ProxyEngine): void {
    this.draining.add(prev);
    const hardStopAfter = prev.config.global.hardStopAfter;
    let timer: NodeJS.Timeout | undefined;
    if (hardStopAfter !== undefined) {
      timer = setTimeout(() => prev.killSessions(), hardStopAfter);
      timer.unref();
    }
    void prev.idle().then(() => {
      if (timer) clearTimeout(timer);
      this.draining.delete(prev);
      // A connection a session just released returns to its agent's pool a tick later.
      setImmediate(() => prev.closeServerConnections());
    });
  }

  /** SIGUSR1: stop listening, let every session finish; resolves when the last one ends. */
  async softStop(): Promise<void> {
    this.stopping = true;
    this.statsSockets?.close();
    const all = [...this.draining, ...(this.engine ? [this.engine] : [])];
    for (const e of all) e.stopAccepting();
    const hsa = this.engine?.config.global.hardStopAfter;
    if (hsa !== undefined) {
      setTimeout(() => this.hardStop(), hsa).unref();
    }
    await Promise.all(all.map((e) => e.idle()));
  }

  /**
   * SIGTERM: stop listening and cut every session now. Bounded in time: a session that does
   * not report its end (a bug) must not keep the process from exiting.
   */
  async hardStop(): Promise<void> {
    this.stopping = true;
    this.statsSockets?.close();
    const all = [...this.draining, ...(this.engine ? [this.engine] : [])];
    for (const e of all) {
      e.stopAccepting();
      e.killSessions();
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), HARD_STOP_WAIT_MS);
    });
    const idle = Promise.all(all.map((e) => e.idle())).then(() => false);
    if (await Promise.race([idle, late]))
      this.opts.notify(
        'WARNING',
        `Hard stop: ${this.counters.actconn} sessions did not end within ${HARD_STOP_WAIT_MS / 1000} s; stopping anyway.`,
      );
    clearTimeout(timer);
  }

  /** SIGTTOU: a new process wants our ports; close listeners, keep sessions. */
  pauseListeners(): void {
    this.engine?.closeListeners();
  }

  /** SIGTTIN: the new process gave up; listen again. */
  async resumeListeners(): Promise<void> {
    await this.engine?.reopenListeners();
  }

  /** A state change made on another worker's runtime API (`set server ... state maint`). */
  applyRelayed(words: string[]): void {
    if (this.engine) applyRelayed(this.engine, words);
  }

  /** One runtime-API line at admin level (the master CLI's `@1 <command>`), its answer. */
  answerCli(line: string): string {
    return answerLine(
      () => this.engine,
      (e) => buildSnapshot(e, statsEnvironment(e)),
      HALO_STATS_VERSION,
      line,
      this.opts.statsRelay,
    );
  }

  get actconn(): number {
    return this.counters.actconn;
  }
}
