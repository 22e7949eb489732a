// The running proxy graph for one config: frontends, backends, listeners, health checks.
// Built without side effects, then started. A reload starts a new engine next to the old
// one: listeners with the same address move over (the socket is never closed), the old
// engine stops accepting and keeps its sessions until they end (or hard-stop-after).

import { lookup as dnsLookup } from 'node:dns/promises';
import { HaloError } from '../config/diagnostics.js';
import type {
  Bind,
  BindAddress,
  HaproxyConfig,
  Proxy as ProxyConfig,
} from '../config/haproxy/model.js';
import { compileCondition } from './acl.js';
import { BackendRuntime } from './backend-runtime.js';
import type { ProcessCounters, RuntimeContext } from './context.js';
import type { Route } from './frontend-runtime.js';
import { FrontendRuntime } from './frontend-runtime.js';
import type { Probe } from './health/probe.js';
import type { HttpApplet } from './http/applet.js';
import { preloadCrypt } from './http/basic-auth.js';
import { h1Limits } from './http/h1-request.js';
import { closeServerAgents } from './http/server-agents.js';
import { httpUpgradeWarnings, isAlwaysTrue } from './http-upgrade.js';
import type { NameLookup } from './init-addr.js';
import type { DeadlineClock } from './io/deadlines.js';
import { Deadlines, systemDeadlineClock } from './io/deadlines.js';
import type { SocketOptions } from './listen-sockets.js';
import { listenerKeys, socketOptions } from './listen-sockets.js';
import type { Listener } from './listener.js';
import { openListeners, setOwner } from './listener.js';
import type { LogPort } from './log/sinks.js';
import { derivedMaxconn, type FdFacts } from './maxconn.js';
import { StickTable } from './stick/stick-table.js';
import type { TcpSession } from './tcp-session.js';

export interface EngineOptions {
  readonly log: LogPort;
  readonly notify?: RuntimeContext['notify'];
  /** Shared across reloads so global maxconn counts old and new sessions. */
  readonly counters?: ProcessCounters;
  /** Replaces every health-check probe (tests). */
  readonly probe?: Probe;
  readonly random?: () => number;
  /** Clock and scheduler of session timeouts (tests). */
  readonly clock?: DeadlineClock;
  /** Where listening sockets come from: opened here by default; a worker gets its master's. */
  readonly listen?: (
    addr: BindAddress,
    backlog: number,
    opts?: SocketOptions,
  ) => Promise<Listener[]>;
  /** In-process HTTP answerers of an http proxy (the stats page), asked before any server. */
  readonly applets?: (proxy: ProxyConfig, engine: ProxyEngine) => HttpApplet[];
  /** Resolves a server name for `init-addr libc` (getaddrinfo by default). */
  readonly lookup?: NameLookup;
  /** Told after a server went UP or DOWN (halo run's trackers). */
  readonly onServerState?: () => void;
  /** The process's descriptor limit and CPUs: the global maxconn when the config sets none. */
  readonly fdFacts?: FdFacts;
  /** false: the config's warnings (httpUpgradeWarnings) are told by whoever started this. */
  readonly startWarnings?: boolean;
}

const libcLookup: NameLookup = (host) =>
  dnsLookup(host).then(
    (r) => r.address,
    () => undefined,
  );

export class ProxyEngine {
  readonly frontends: FrontendRuntime[] = [];
  readonly backends = new Map<string, BackendRuntime>();
  readonly listeners = new Map<string, Listener>();
  readonly ctx: RuntimeContext;
  private idleWaiters: (() => void)[] = [];
  private started = false;
  private readonly listen: NonNullable<EngineOptions['listen']>;
  private readonly lookup: NameLookup;
  private readonly startWarnings: boolean;

  constructor(
    readonly config: HaproxyConfig,
    opts: EngineOptions,
  ) {
    const counters = opts.counters ?? { actconn: 0 };
    const nbsrv = (name: string) => this.backends.get(name)?.usableServers() ?? -1;
    this.listen = opts.listen ?? openListeners;
    this.lookup = opts.lookup ?? libcLookup;
    this.startWarnings = opts.startWarnings !== false;
    this.ctx = {
      log: opts.log,
      counters,
      maxconn: config.global.maxconn ?? (opts.fdFacts ? derivedMaxconn(config, opts.fdFacts) : 0),
      h1: h1Limits(config.global.tune),
      userlists: config.userlists,
      tables: new Map(
        config.proxies
          .filter((p) => p.stickTable && !p.disabled)
          .map((p) => [p.name, new StickTable(p.stickTable!)]),
      ),
      notify: opts.notify ?? (() => {}),
      ...(opts.random ? { random: opts.random } : {}),
      deadlines: new Deadlines(opts.clock ?? systemDeadlineClock, onExpire),
      slotFreed: () => this.slotFreed(),
      ...(opts.onServerState ? { serverStateChanged: opts.onServerState } : {}),
      shutdownSessions: (match, cause) =>
        this.frontends.reduce((n, fe) => n + fe.killServerSessions(match, cause), 0),
    };
    const active = config.proxies.filter((p) => !p.disabled);
    for (const p of active) {
      if (p.kind !== 'frontend' && (p.servers.length > 0 || p.kind === 'backend')) {
        this.backends.set(
          p.name,
          new BackendRuntime(p, this.ctx, opts.probe ? { probe: opts.probe } : {}),
        );
      }
    }
    for (const p of active) {
      if (p.kind === 'backend' || p.binds.length === 0) continue;
      const { routes, fallback } = this.routesFor(p);
      const applets = p.mode === 'http' ? (opts.applets?.(p, this) ?? []) : [];
      const fe = new FrontendRuntime(p, fallback, this.ctx, routes, nbsrv, applets);
      this.frontends.push(fe);
    }
  }

  /**
   * `use_backend` rules in order (conditions compiled once), then `default_backend`; a
   * listen section is its own backend. An unconditional rule ends the list.
   */
  private routesFor(fe: ProxyConfig): { routes: Route[]; fallback: BackendRuntime | undefined } {
    const routes: Route[] = [];
    for (const u of fe.useBackends) {
      const be = this.backendNamed(fe, u.backend);
      if (!u.cond || isAlwaysTrue(u.cond)) return { routes, fallback: be };
      // Criteria halo does not evaluate are reported by condition-checks.ts, with the config.
      const c = compileCondition(u.cond, fe.acls, this.config.userlists);
      routes.push({ test: c.test, backend: be });
    }
    // A listen section without servers (a stats page) has no backend: HAProxy answers 503.
    const own = fe.kind === 'listen' && this.backends.has(fe.name) ? fe.name : undefined;
    const name = fe.defaultBackend?.name ?? own;
    return { routes, fallback: name === undefined ? undefined : this.backendNamed(fe, name) };
  }

  private backendNamed(fe: ProxyConfig, name: string): BackendRuntime {
    const be = this.backends.get(name);
    if (!be)
      throw new HaloError(
        'HALO_PROXY_NO_BACKEND',
        `frontend '${fe.name}': unknown backend '${name}'`,
      );
    return be;
  }

  /** Every address this engine listens on, with its backlog (a master binds them for workers). */
  bindAddresses(): { addr: BindAddress; backlog: number; socket: SocketOptions }[] {
    return this.frontends.flatMap((fe) =>
      fe.cfg.binds.flatMap((b) =>
        b.addresses.map((addr) => ({
          addr,
          backlog: fe.backlogFor(b),
          socket: socketOptions(b, this.config.global),
        })),
      ),
    );
  }

  /** Opens (or takes over from `previous`) every listener, then starts health checks. */
  async start(previous?: ProxyEngine): Promise<void> {
    // crypt(3) hashes are verified by an ES module: loaded before the first request.
    if (
      [...(this.config.userlists?.values() ?? [])].some((l) =>
        l.users.some((u) => u.password.kind === 'crypt'),
      )
    )
      await preloadCrypt();
    await Promise.all([...this.backends.values()].map((be) => be.resolveAddresses(this.lookup)));
    await this.openAll(previous);
    this.ctx.counters.wakers ??= new Set();
    this.ctx.counters.wakers.add(this.wake);
    if (this.startWarnings)
      for (const w of httpUpgradeWarnings(this.config)) this.ctx.notify('WARNING', w);
    for (const be of this.backends.values()) {
      be.startChecks(be.connectTimeout || 2000);
      const old = previous?.backends.get(be.name);
      if (old) be.inheritState(old);
    }
    this.started = true;
  }

  private async openAll(previous: ProxyEngine | undefined): Promise<void> {
    const opened: Listener[] = [];
    try {
      for (const fe of this.frontends) {
        for (const bind of fe.cfg.binds) {
          for (const addr of bind.addresses) {
            const inherited = listenerKeys(addr).map((k) => previous?.listeners.get(k));
            if (inherited.every((l) => l !== undefined)) {
              for (const l of inherited as Listener[]) this.adopt(fe, l, bind);
              continue;
            }
            const fresh = await this.listen(
              addr,
              fe.backlogFor(bind),
              socketOptions(bind, this.config.global),
            );
            opened.push(...fresh);
            for (const l of fresh) this.adopt(fe, l, bind);
          }
        }
      }
    } catch (err) {
      for (const l of opened) l.close(false); // this config never served: reset what queued
      // Give inherited listeners back to their previous owners.
      if (previous) {
        for (const [k, l] of this.listeners) {
          if (previous.listeners.get(k) === l) setOwner(l, ownerOf(previous, l));
        }
      }
      this.listeners.clear();
      for (const fe of this.frontends) fe.listeners.length = 0;
      throw err;
    }
  }

  /** Closes every listener, keeping sessions (SIGTTOU during another process's take-over). */
  closeListeners(): void {
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
    for (const fe of this.frontends) fe.listeners.length = 0;
  }

  /** Listens again after closeListeners (SIGTTIN: the take-over was abandoned). */
  async reopenListeners(): Promise<void> {
    if (this.listeners.size === 0) await this.openAll(undefined);
  }

  private adopt(fe: FrontendRuntime, l: Listener, bind: Bind): void {
    this.listeners.set(l.key, l);
    fe.listeners.push(l);
    fe.listenerBound(l, bind);
    setOwner(l, fe);
  }

  /**
   * Stops accepting. Listeners that `successor` took over stay open; the others close.
   * Health checks stop; sessions go on.
   */
  stopAccepting(successor?: ProxyEngine): void {
    for (const [key, l] of this.listeners) {
      if (successor?.listeners.get(key) !== l) l.close();
    }
    for (const fe of this.frontends) fe.stopAccepting();
    for (const be of this.backends.values()) be.stopChecks();
    this.ctx.counters.wakers?.delete(this.wake);
  }

  get activeSessions(): number {
    let n = 0;
    for (const fe of this.frontends) n += fe.activeSessions;
    return n;
  }

  /** Resolves when the last session of this engine ended. */
  idle(): Promise<void> {
    if (this.activeSessions === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Closes the idle server connections this engine kept alive. Only once it stopped
   * accepting and its last session ended (a drained engine after a reload).
   */
  closeServerConnections(): void {
    for (const be of this.backends.values()) for (const s of be.servers) closeServerAgents(s);
  }

  /** Cuts every session (SIGTERM, hard-stop-after). */
  killSessions(): void {
    for (const fe of this.frontends) fe.killSessions();
  }

  /** Lets this engine's listeners accept again (a slot freed here or in another engine). */
  private readonly wake = (): void => {
    for (const fe of this.frontends) fe.resumeListeners();
  };

  private slotFreed(): void {
    // Global maxconn counts the sessions of every engine of the process (old ones drain
    // after a reload): a slot freed in one may unblock the listeners of another.
    const wakers = this.ctx.counters.wakers;
    if (wakers) for (const w of wakers) w();
    else this.wake();
    if (this.idleWaiters.length > 0 && this.activeSessions === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
  }

  get isStarted(): boolean {
    return this.started;
  }
}

function onExpire(owner: unknown, side: number): void {
  (owner as TcpSession).expired(side);
}

function ownerOf(engine: ProxyEngine, l: Listener): FrontendRuntime {
  return engine.frontends.find((f) => f.listeners.includes(l))!;
}
