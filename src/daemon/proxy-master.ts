// `nbthread N` as N worker processes (Node has one JS thread per process). The master binds
// every listening socket without listening (as node:cluster's master does), hands them to
// the workers over IPC, and keeps them across reloads: a worker listens on the same
// kernel socket, so all workers share one accept queue and no connection is refused
// while any of them is up. Signals go to the master, which drives the workers:
// SIGHUP/SIGUSR2 validate the files, bind new addresses, send them, then every worker
// reloads in-process (seamless, as with one process); SIGUSR1/SIGTERM stop them softly or
// hard; SIGTTOU/SIGTTIN release and take back the ports for `-sf`/`-st`. A worker that
// dies unexpectedly is replaced after a back-off; when workers keep dying the master
// stops and exits non-zero, so that a supervisor (`Restart=on-failure`) sees it.

import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { formatDiagnostic } from '../config/diagnostics.js';
import type { HaproxyConfig } from '../config/haproxy/model.js';
import type { RuntimeContext } from '../proxy/context.js';
import { ProxyEngine } from '../proxy/engine.js';
import { isUnixServer, sendsServerHandles } from '../proxy/io/stream-handle.js';
import type { BoundSocket } from '../proxy/listen-sockets.js';
import { bindSockets, listenerKeys } from '../proxy/listen-sockets.js';
import { MemoryLog } from '../proxy/log/sinks.js';
import type { ConfigSource } from './proxy-config.js';
import { loadConfig } from './proxy-config.js';
import type { ToMaster, ToWorker } from './proxy-worker.js';

export interface ProxyMasterOptions {
  readonly files: readonly string[];
  readonly env: Record<string, string | undefined>;
  readonly notify: RuntimeContext['notify'];
  /** The CLI entry point and the arguments that make it a worker. */
  readonly main: string;
  readonly workerArgs: readonly string[];
  readonly respawn?: RespawnPolicy;
  /** `halo run`: every message of a worker, and a worker that serves or is gone. */
  readonly onWorkerMessage?: (workerId: number, m: ToMaster) => void;
  readonly onWorkerServing?: (workerId: number, serving: boolean) => void;
}

/** How the master replaces dying workers, and when it gives up. */
export interface RespawnPolicy {
  /** Delay before the first replacement; doubles with each death in the window. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Deaths older than this are forgotten. */
  readonly windowMs: number;
  /** This many deaths within the window and the master gives up. */
  readonly maxDeaths: number;
}

export const DEFAULT_RESPAWN: RespawnPolicy = {
  firstDelayMs: 100,
  maxDelayMs: 5000,
  windowMs: 60_000,
  maxDeaths: 6,
};

/** How long a hard stop waits for workers before it kills them (a stuck worker, a busy loop). */
const HARD_STOP_GRACE_MS = 3000;

/** Public data path: a worker's first inherited socket (stdin, stdout, stderr, IPC before it). */
const INHERITED_FD = 4;

/**
 * What to do after a worker death at `now`, given the earlier deaths still in the window:
 * replace it after `delayMs`, or give up. Pure; `deaths` (ascending times) includes `now`.
 */
export function respawnDecision(
  deaths: readonly number[],
  now: number,
  policy: RespawnPolicy,
): { giveUp: true; recent: number } | { giveUp: false; delayMs: number; recent: number } {
  const recent = deaths.filter((t) => now - t < policy.windowMs).length;
  if (recent >= policy.maxDeaths) return { giveUp: true, recent };
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, recent - 1));
  return { giveUp: false, delayMs, recent };
}

interface Worker {
  readonly child: ChildProcess;
  readonly id: number;
  /** 1..nbthread, reused by a replacement: slot 1 serves the stats sockets. */
  readonly slot: number;
  ready: boolean;
  retiring: boolean;
  /** Since when it serves its current configuration (`show proc` uptime). */
  servingSince: number;
}

/** How many workers a config asks for. */
export function workerCount(cfg: HaproxyConfig): number {
  return Math.max(1, cfg.global.nbthread ?? 1);
}

export class ProxyMaster {
  private readonly sockets = new Map<string, BoundSocket>();
  private readonly workers = new Set<Worker>();
  private wanted = 1;
  private nextId = 1;
  private stopping = false;
  /** Stops waiting for the last worker to exit (a SIGTERM after a SIGUSR1 waits too). */
  private readonly exitWaiters: (() => void)[] = [];
  /** The config the workers run (resume binds its addresses again) and its text. */
  private config: HaproxyConfig | undefined;
  private sources: ConfigSource[] = [];
  private deaths: number[] = [];
  private readonly respawnTimers = new Set<NodeJS.Timeout>();
  private giveUp!: () => void;
  /** Resolves when workers died too often and the master should stop and fail. */
  readonly gaveUp = new Promise<void>((r) => {
    this.giveUp = r;
  });

  constructor(private readonly opts: ProxyMasterOptions) {}

  /** Binds every address of `cfg` (throws EADDRINUSE...) and starts its workers on `sources`. */
  async start(cfg: HaproxyConfig, sources: readonly ConfigSource[]): Promise<void> {
    this.sources = [...sources];
    await this.bindAll(cfg);
    this.wanted = workerCount(cfg);
    const starting: Promise<void>[] = [];
    for (let i = 0; i < this.wanted; i++) starting.push(this.spawn());
    await Promise.all(starting);
  }

  /** Binds the addresses of `cfg` not bound yet; returns the keys it uses and the new ones. */
  private async bindAll(cfg: HaproxyConfig): Promise<{ keys: Set<string>; fresh: Set<string> }> {
    const engine = new ProxyEngine(cfg, { log: new MemoryLog() });
    const keys = new Set<string>();
    const fresh: BoundSocket[] = [];
    try {
      for (const { addr, backlog, socket } of engine.bindAddresses()) {
        const missing = listenerKeys(addr).some((k) => !this.sockets.has(k));
        for (const k of listenerKeys(addr)) keys.add(k);
        if (!missing) continue;
        for (const b of await bindSockets(addr, backlog, socket)) {
          if (this.sockets.has(b.key)) b.handle.close();
          else fresh.push(b);
        }
      }
    } catch (err) {
      for (const b of fresh) b.handle.close();
      throw err;
    }
    for (const b of fresh) this.sockets.set(b.key, b);
    this.config = cfg;
    return { keys, fresh: new Set(fresh.map((b) => b.key)) };
  }

  private send(w: Worker, msg: ToWorker, handle?: object): Promise<void> {
    return new Promise((resolve) => {
      if (!w.child.connected) {
        resolve();
        return;
      }
      w.child.send(msg, handle as never, () => resolve());
    });
  }

  private async sendSockets(w: Worker, only?: Set<string>): Promise<void> {
    let i = 0;
    for (const [key, b] of this.sockets) {
      const at = INHERITED_FD + i++;
      if (only && !only.has(key)) continue;
      if (sendsServerHandles) await this.send(w, { t: 'socket', key }, b.handle);
      else await this.send(w, { t: 'socket', key, fd: at, unix: isUnixServer(b.handle) });
    }
  }

  /**
   * The public data path cannot send a socket to a running worker (child.send takes
   * net.Server/net.Socket objects, whose descriptor a worker cannot then poll itself), so
   * workers inherit every socket at fork, at fd 4 onwards in the master's order.
   */
  private inheritedFds(): number[] {
    if (sendsServerHandles) return [];
    return [...this.sockets.values()].map((b) => b.handle.fd ?? -1);
  }

  /**
   * Public data path, new sockets (reload, resume): workers that cannot receive them are
   * replaced by new ones that inherit them; the old ones stop softly, as after `-sf`.
   */
  private async replaceWorkers(): Promise<boolean> {
    const old = [...this.workers].filter((w) => !w.retiring);
    for (const w of old) w.retiring = true;
    this.opts.notify(
      'NOTICE',
      `New listening sockets on the public data path: replacing ${old.length} workers by ${this.wanted} that inherit them; the old ones stop softly.`,
    );
    const before = new Set(this.workers);
    const spawning: Promise<void>[] = [];
    for (let n = 0; n < this.wanted; n++) spawning.push(this.spawn());
    const failed = (await Promise.allSettled(spawning)).filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      // The old workers keep serving; the new ones that did start go again.
      for (const f of failed) this.opts.notify('ALERT', String(f.reason));
      for (const w of this.workers) {
        if (before.has(w)) continue;
        w.retiring = true;
        void this.send(w, { t: 'stop', hard: false });
      }
      for (const w of old) w.retiring = false;
      return false;
    }
    for (const w of old) void this.send(w, { t: 'stop', hard: false });
    return true;
  }

  /** Forks one worker, gives it every socket and waits until it serves (or failed). */
  private async spawn(): Promise<void> {
    const used = new Set([...this.workers].filter((x) => !x.retiring).map((x) => x.slot));
    let slot = 1;
    while (used.has(slot)) slot++;
    const child = fork(this.opts.main, [...this.opts.workerArgs], {
      env: { ...this.opts.env, HALO_WORKER: String(this.nextId), HALO_WORKER_SLOT: String(slot) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...this.inheritedFds()],
      serialization: 'json',
    });
    const w: Worker = {
      child,
      id: this.nextId++,
      slot,
      ready: false,
      retiring: false,
      servingSince: Date.now(),
    };
    this.workers.add(w);
    // The runtime API runs in slot 1; its state changes apply in every worker.
    child.on('message', (m: ToMaster) => {
      this.opts.onWorkerMessage?.(w.id, m);
      if (m.t !== 'cli') return;
      for (const o of this.workers) if (o !== w) void this.send(o, { t: 'cli', words: m.words });
    });
    child.on('exit', (code, signal) => this.workerExited(w, code, signal));
    await this.sendSockets(w);
    const ready = this.reply(w, (m) => m.t === 'ready' || m.t === 'failed');
    await this.send(w, { t: 'start', sources: this.sources });
    const m = await ready;
    if (m?.t === 'failed') {
      // A worker that cannot serve goes; as a replacement its exit counts as a death.
      child.kill('SIGKILL');
      throw new Error(`worker ${w.id}: ${m.message}`);
    }
    w.ready = true;
    this.opts.onWorkerServing?.(w.id, true);
  }

  private reply(w: Worker, match: (m: ToMaster) => boolean): Promise<ToMaster | undefined> {
    return new Promise((resolve) => {
      const onMessage = (m: ToMaster) => {
        if (!match(m)) return;
        cleanup();
        resolve(m);
      };
      const onExit = () => {
        cleanup();
        resolve(undefined);
      };
      const cleanup = () => {
        w.child.off('message', onMessage);
        w.child.off('exit', onExit);
      };
      w.child.on('message', onMessage);
      w.child.on('exit', onExit);
    });
  }

  private workerExited(w: Worker, code: number | null, signal: string | null): void {
    this.workers.delete(w);
    this.opts.onWorkerServing?.(w.id, false);
    if (this.workers.size === 0) for (const r of this.exitWaiters.splice(0)) r();
    if (this.stopping || w.retiring) return;
    const policy = this.opts.respawn ?? DEFAULT_RESPAWN;
    const now = Date.now();
    this.deaths = [...this.deaths.filter((t) => now - t < policy.windowMs), now];
    const next = respawnDecision(this.deaths, now, policy);
    const what = `Current worker #${w.id} (${w.child.pid}) exited with code ${code ?? signal}`;
    if (next.giveUp) {
      this.opts.notify(
        'ALERT',
        `${what}; ${next.recent} workers died within ${policy.windowMs / 1000} s: giving up, stopping every worker and exiting with status 1.`,
      );
      this.giveUp();
      return;
    }
    this.opts.notify('ALERT', `${what}; starting a new one in ${next.delayMs} ms.`);
    // Not unref()'d: with every worker dead, this timer is what keeps the master (and its
    // sockets) alive until a replacement serves them again.
    const t = setTimeout(() => {
      this.respawnTimers.delete(t);
      if (!this.stopping) this.spawn().catch((e) => this.opts.notify('ALERT', String(e)));
    }, next.delayMs);
    this.respawnTimers.add(t);
  }

  /**
   * SIGHUP: validate, bind new addresses, hand them out, reload every worker in-process,
   * then release sockets no longer used and match the worker count to `nbthread`.
   */
  async reload(): Promise<boolean> {
    if (this.stopping) return false;
    const loaded = loadConfig(this.opts.files, this.opts.env);
    const errors = loaded.diagnostics.list.filter((d) => d.severity === 'error');
    if (loaded.readError || !loaded.config || errors.length > 0) {
      const why = loaded.readError ?? errors.map((d) => formatDiagnostic(d)).join('; ');
      this.opts.notify('ALERT', `Reload failed, the previous configuration keeps running: ${why}`);
      return false;
    }
    let keys: Set<string>;
    let fresh: Set<string>;
    try {
      ({ keys, fresh } = await this.bindAll(loaded.config));
    } catch (err) {
      this.opts.notify(
        'ALERT',
        `Reload failed, the previous configuration keeps running: ${(err as Error).message}`,
      );
      return false;
    }
    this.sources = [...loaded.sources];
    if (!sendsServerHandles && fresh.size > 0) return this.reloadByReplacing(keys, loaded.config);
    const live = [...this.workers].filter((w) => !w.retiring);
    const results = await Promise.all(
      live.map(async (w) => {
        await this.sendSockets(w, fresh);
        const done = this.reply(w, (m) => m.t === 'reloaded');
        await this.send(w, { t: 'reload', sources: this.sources });
        const m = await done;
        if (m?.t === 'reloaded' && m.ok) w.servingSince = Date.now();
        return m?.t === 'reloaded' && m.ok;
      }),
    );
    this.releaseUnused(keys);
    this.wanted = workerCount(loaded.config);
    const extra = live.slice(this.wanted);
    for (const w of extra) {
      w.retiring = true;
      void this.send(w, { t: 'stop', hard: false });
    }
    const spawning: Promise<void>[] = [];
    for (let n = live.length; n < this.wanted; n++) spawning.push(this.spawn());
    await Promise.all(spawning).catch((e) => this.opts.notify('ALERT', String(e)));
    return results.every(Boolean);
  }

  private async reloadByReplacing(keys: Set<string>, cfg: HaproxyConfig): Promise<boolean> {
    this.releaseUnused(keys);
    this.wanted = workerCount(cfg);
    return this.replaceWorkers();
  }

  private releaseUnused(keys: Set<string>): void {
    for (const [key, b] of this.sockets) {
      if (keys.has(key)) continue;
      b.handle.close();
      this.sockets.delete(key);
    }
  }

  /** SIGUSR1 (soft) / SIGTERM (hard): stops every worker; resolves when all exited. */
  async stop(hard: boolean): Promise<void> {
    this.stopping = true;
    for (const t of this.respawnTimers) clearTimeout(t);
    this.respawnTimers.clear();
    const gone = new Promise<void>((r) => {
      if (this.workers.size === 0) r();
      else this.exitWaiters.push(r);
    });
    for (const w of this.workers) void this.send(w, { t: 'stop', hard });
    // A worker too busy to serve its IPC channel still goes: SIGTERM is never lost.
    const kill = hard
      ? setTimeout(() => {
          for (const w of this.workers) {
            this.opts.notify('ALERT', `Worker #${w.id} (${w.child.pid}) did not stop; killing it.`);
            w.child.kill('SIGKILL');
          }
        }, HARD_STOP_GRACE_MS)
      : undefined;
    void gone.then(() => clearTimeout(kill));
    // Our copies go now: the workers' keep the sockets open, and the last worker to close
    // one accepts what is queued first (listener.ts). Were ours kept until the workers
    // exited, a socket nobody polls would stay in the SO_REUSEPORT group of a successor
    // (`-sf`) and take its share of new connections, to reset them at our exit.
    for (const b of this.sockets.values()) b.handle.close();
    this.sockets.clear();
    await gone;
  }

  /** SIGTTOU: a new process wants the ports; workers close their listeners, we our sockets. */
  pause(): void {
    for (const w of this.workers) void this.send(w, { t: 'pause' });
    for (const b of this.sockets.values()) b.handle.close();
    this.sockets.clear();
  }

  /** SIGTTIN: the take-over was abandoned; bind again and let the workers listen again. */
  async resume(): Promise<void> {
    if (!this.config) return;
    try {
      await this.bindAll(this.config);
    } catch (err) {
      this.opts.notify('ALERT', `Resuming the listeners failed: ${(err as Error).message}`);
      return;
    }
    if (!sendsServerHandles) {
      await this.replaceWorkers();
      return;
    }
    for (const w of this.workers) {
      await this.sendSockets(w);
      await this.send(w, { t: 'resume' });
    }
  }

  /** The serving workers by slot (worker 1 first), for the master CLI. */
  liveWorkers(): { pid: number; servingSince: number }[] {
    return [...this.workers]
      .filter((w) => w.ready && !w.retiring)
      .sort((a, b) => a.slot - b.slot)
      .map((w) => ({ pid: w.child.pid ?? 0, servingSince: w.servingSince }));
  }

  private cliIds = 0;

  /** Runs a runtime-API line in the worker `pid` (master CLI `@n`); resolves to its answer. */
  async runCli(pid: number, line: string): Promise<string> {
    const w = [...this.workers].find((x) => x.child.pid === pid);
    if (!w) return `Can't find the target PID matching the prefix '@!${pid}'\n`;
    const id = ++this.cliIds;
    const answer = this.reply(w, (m) => m.t === 'cli-answer' && m.id === id);
    await this.send(w, { t: 'cli-run', id, line });
    const m = await answer;
    return m?.t === 'cli-answer' ? m.text : `worker ${pid} exited before answering\n`;
  }

  /** Sends a message to every worker (halo run: the VRRP state for `show vrrp`). */
  broadcast(msg: ToWorker): void {
    for (const w of this.workers) void this.send(w, msg);
  }

  get pids(): number[] {
    return [...this.workers].map((w) => w.child.pid ?? 0);
  }
}

/** What the service around the master does on reload and stop (proxy-service.ts). */
export interface MasterHooks {
  reload(): Promise<boolean>;
  stopping(): void;
}

/** The master's signals: reload, soft/hard stop, take-over pause/resume. Resolves on exit. */
export function serveMaster(
  master: ProxyMaster,
  hooks: MasterHooks = { reload: () => master.reload(), stopping: () => {} },
): Promise<number> {
  return new Promise((resolve) => {
    const handlers: [NodeJS.Signals, () => void][] = [];
    const on = (sig: NodeJS.Signals, fn: () => void) => {
      handlers.push([sig, fn]);
      process.on(sig, fn);
    };
    const stop = (hard: boolean) => () => {
      hooks.stopping();
      void master.stop(hard).then(() => {
        for (const [sig, fn] of handlers) process.removeListener(sig, fn);
        resolve(0);
      });
    };
    on('SIGHUP', () => void hooks.reload());
    on('SIGUSR2', () => void hooks.reload());
    on('SIGUSR1', stop(false));
    on('SIGTERM', stop(true));
    on('SIGINT', stop(true));
    on('SIGTTOU', () => master.pause());
    on('SIGTTIN', () => void master.resume());
    void master.gaveUp.then(() => {
      hooks.stopping();
      return master.stop(true).then(() => {
        for (const [sig, fn] of handlers) process.removeListener(sig, fn);
        resolve(1);
      });
    });
  });
}
