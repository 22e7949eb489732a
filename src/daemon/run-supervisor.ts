// `halo run`'s supervisor process: the proxy master (it binds, its workers serve, as
// `halo proxy` with nbthread) and every VRRP instance, in this one process, so that proxy
// load (in the workers) never delays an advert. The workers' reports and their deaths
// become tracker events (ProxyTrackers) for the instances; `show vrrp` text goes back to
// the workers on every change. Stop order: VRRP first (priority-0 adverts, VIPs removed),
// then the proxy, so the backup takes over while this node still serves what it has.

import type { KeepalivedConfig } from '../config/keepalived/model.js';
import { type ProxyReport, ProxyTrackers, type ProxyView } from '../run/proxy-trackers.js';
import { renderShowVrrp, SHOWN_TRANSITIONS } from '../run/show-vrrp.js';
import type { ProxyMaster } from './proxy-master.js';
import type { ToMaster } from './proxy-worker.js';
import type { VrrpDaemon } from './vrrp-daemon.js';
import type { VrrpLog } from './vrrp-log.js';

/** How long the start waits for each serving worker's first report before VRRP starts. */
const FIRST_REPORT_WAIT_MS = 2000;
/** `show vrrp` is refreshed this often besides every change (master address, ages). */
const STATUS_REFRESH_MS = 1000;

export interface RunSupervisorOptions {
  readonly log: VrrpLog;
  /** Monotonic milliseconds (the VRRP instances' clock). */
  readonly clock: () => number;
}

export class RunSupervisor {
  private readonly reports = new Map<number, ProxyReport>();
  private readonly serving = new Set<number>();
  private readonly trackers = new ProxyTrackers();
  private proxyStopped = false;
  private vrrpStarted = false;
  private waiters: (() => void)[] = [];
  private statusQueued = false;
  private refresh: NodeJS.Timeout | undefined;
  master!: ProxyMaster;
  vrrp!: VrrpDaemon;

  constructor(private readonly opts: RunSupervisorOptions) {}

  /** ProxyMaster hook: a worker's message (tracker reports). */
  readonly onWorkerMessage = (id: number, m: ToMaster): void => {
    if (m.t === 'vrrp-control') {
      this.control(m.words);
      return;
    }
    if (m.t !== 'track') return;
    this.reports.set(id, m.report);
    this.evaluate();
  };

  /** ProxyMaster hook: a worker serves, or is gone (crash, stop). */
  readonly onWorkerServing = (id: number, serving: boolean): void => {
    if (serving) this.serving.add(id);
    else {
      this.serving.delete(id);
      this.reports.delete(id);
    }
    this.evaluate();
    this.queueStatus();
  };

  /** VrrpDaemon hook: each built-in tracker's state, for instances that start. */
  readonly sourceStates = (): Record<string, boolean> => this.trackers.states(this.view());

  /** VrrpDaemon hook: every transition with its reason, in the log and `show vrrp`. */
  readonly onTransition = (instance: string, from: string, to: string, reason: string): void => {
    this.opts.log.info(`(${instance}) ${from} -> ${to}: ${reason}`);
    this.queueStatus();
  };

  /** A runtime-API VRRP command (`set vrrp handover on|off`), for every instance. */
  private control(words: readonly string[]): void {
    if (!this.vrrpStarted || words[0] !== 'handover') return;
    const on = words[1] === 'on';
    this.opts.log.info(`Runtime API: handover ${on ? 'on' : 'off'}`);
    this.vrrp.handover(on);
    this.queueStatus();
  }

  private view(): ProxyView {
    const workers = [...this.serving].flatMap((id) => {
      const r = this.reports.get(id);
      return r ? [r] : [];
    });
    return { workers, stopped: this.proxyStopped };
  }

  private evaluate(): void {
    if (this.serving.size > 0 && [...this.serving].every((id) => this.reports.has(id)))
      for (const w of this.waiters.splice(0)) w();
    if (!this.vrrpStarted) return;
    for (const c of this.trackers.update(this.view())) {
      this.opts.log.info(`Tracker ${c.source} is ${c.ok ? 'good' : 'bad'} (${c.why})`);
      this.vrrp.trackSourceChanged(c.source, c.ok, `tracker ${c.source}: ${c.why}`);
    }
    this.queueStatus();
  }

  /** Resolves when every serving worker has reported once (or after a short wait). */
  firstReports(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, FIRST_REPORT_WAIT_MS);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
      this.evaluate();
    });
  }

  /** Starts VRRP once the proxy serves and has reported, with the trackers' states. */
  async startVrrp(config: KeepalivedConfig): Promise<void> {
    await this.firstReports();
    this.setTrackers(config);
    this.trackers.update(this.view());
    this.vrrpStarted = true;
    await this.vrrp.start(config);
    this.refresh = setInterval(() => this.queueStatus(), STATUS_REFRESH_MS);
    this.refresh.unref();
    this.queueStatus();
  }

  private setTrackers(config: KeepalivedConfig): void {
    this.trackers.setItems(config.instances.flatMap((i) => i.trackProxy ?? []));
  }

  /**
   * SIGHUP with both files already validated: the proxy first (the master reads and checks
   * its files again, as `halo proxy` does), then VRRP.
   */
  async reload(keepalived: KeepalivedConfig): Promise<void> {
    const ok = await this.master.reload();
    if (!ok) this.opts.log.info('Proxy reload failed; VRRP reloads anyway (the files were valid)');
    this.setTrackers(keepalived);
    this.trackers.update(this.view());
    await this.vrrp.reload(keepalived);
    this.evaluate();
  }

  /** Stops VRRP (priority 0 from every MASTER, VIPs removed), then the proxy. */
  async stop(hard: boolean): Promise<void> {
    this.proxyStopped = true;
    clearInterval(this.refresh);
    if (this.vrrpStarted) await this.vrrp.stop();
    this.vrrpStarted = false;
    await this.master.stop(hard);
  }

  private queueStatus(): void {
    if (this.statusQueued || !this.vrrpStarted) return;
    this.statusQueued = true;
    setImmediate(() => {
      this.statusQueued = false;
      if (!this.vrrpStarted) return;
      const status = {
        instances: this.vrrp.instances().map((i) => ({
          ...i,
          history: i.history.slice(-SHOWN_TRANSITIONS),
        })),
        now: this.opts.clock(),
        wallNow: Date.now(),
      };
      const text = renderShowVrrp(status.instances, status.now, status.wallNow);
      this.master.broadcast({ t: 'vrrp', text, status });
    });
  }
}
