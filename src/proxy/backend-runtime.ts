// A backend at run time: its servers, balancer, queue, health checks, and the server
// state-change messages. Sessions ask it for a server (`assign`) and give the slot back
// (`release`), which is when queued sessions move on.

import type { Proxy as ProxyConfig, Server } from '../config/haproxy/model.js';
import { createBalancer, deterministicAlgorithms } from './balance/index.js';
import { usablePool } from './balance/pool.js';
import type { Balancer, BalancerOptions, PickContext } from './balance/types.js';
import type { RuntimeContext } from './context.js';
import { checkTimeouts, ServerChecker } from './health/checker.js';
import type { Probe } from './health/probe.js';
import type { CheckResult } from './health/result.js';
import { createProbe } from './health/select.js';
import { HttpRuleSet } from './http/http-rules.js';
import type { NameLookup } from './init-addr.js';
import { initialAddress } from './init-addr.js';
import {
  healthCheckMessage,
  LogLevel,
  noServerAlert,
  noServerMessage,
  serverDownMessage,
  serverUpMessage,
} from './log/messages.js';
import type { Pending } from './queue.js';
import { PendingQueue } from './queue.js';
import { ServerRuntime } from './server-runtime.js';
import type { ServerCounters } from './stats/counters.js';
import { markStateChange, newServerCounters } from './stats/counters.js';
import { sniValue } from './tls/server-tls.js';

export type AssignResult =
  | { kind: 'server'; server: ServerRuntime }
  | { kind: 'queued'; server: ServerRuntime | undefined; position: number }
  | { kind: 'none' };

export interface BackendOptions {
  /** Replaces the probe for every server (tests). */
  readonly probe?: Probe;
}

export class BackendRuntime {
  readonly name: string;
  readonly servers: ServerRuntime[];
  readonly balancer: Balancer;
  readonly queue = new PendingQueue();
  /** beconn: sessions holding a server slot here. */
  conns = 0;
  /** Stats: the backend's own counters (its servers keep theirs). */
  readonly counters: ServerCounters = newServerCounters(Date.now());
  readonly redispatch: boolean;
  readonly retries: number;
  readonly connectTimeout: number;
  readonly queueTimeout: number;
  readonly serverTimeout: number;
  readonly tunnelTimeout: number;
  readonly serverFinTimeout: number;
  private readonly balancerOpts: BalancerOptions;
  readonly deterministic: boolean;
  /** `http-request`/`http-response`/`http-after-response` rules (mode http). */
  readonly rules: HttpRuleSet | undefined;
  /** `timeout tarpit`, else `timeout connect`, as HAProxy falls back. */
  readonly tarpitTimeout: number;

  constructor(
    readonly cfg: ProxyConfig,
    readonly ctx: RuntimeContext,
    private readonly opts: BackendOptions = {},
  ) {
    this.name = cfg.name;
    this.servers = cfg.servers.map((s, i) => new ServerRuntime(i, s, new PendingQueue()));
    this.balancerOpts = {
      allbackups: cfg.options.allbackups?.on === true,
      draws: cfg.balance.draws ?? 2,
      ...(ctx.random ? { random: ctx.random } : {}),
    };
    this.balancer = createBalancer(cfg.balance.algorithm, this.servers, this.balancerOpts);
    this.deterministic = deterministicAlgorithms.has(cfg.balance.algorithm);
    this.redispatch = cfg.options.redispatch?.on === true;
    this.retries = cfg.retries;
    const t = cfg.timeouts;
    this.connectTimeout = t.connect ?? 0;
    this.queueTimeout = t.queue ?? t.connect ?? 0;
    this.serverTimeout = t.server ?? 0;
    this.tunnelTimeout = t.tunnel ?? 0;
    this.serverFinTimeout = t.serverFin ?? 0;
    this.tarpitTimeout = t.tarpit ?? t.connect ?? 0;
    this.rules =
      cfg.mode === 'http' && cfg.httpRules
        ? new HttpRuleSet(cfg.httpRules, cfg.acls, ctx.userlists, cfg.name)
        : undefined;
  }

  /** A server slot for a new session, a place in a queue, or nothing usable. */
  assign(p: Pending, pick: PickContext): AssignResult {
    const s = this.balancer.pick(pick) as ServerRuntime | undefined;
    if (s) {
      if (s.hasFreeSlot() && s.queue.length === 0) {
        this.take(s);
        return { kind: 'server', server: s };
      }
      if (this.deterministic && (s.maxqueue === 0 || s.queue.length < s.maxqueue)) {
        const position = s.queue.push(p);
        if (position > s.counters.qmax) s.counters.qmax = position;
        return { kind: 'queued', server: s, position };
      }
    }
    if (usablePool(this.servers, this.balancerOpts).length === 0) return { kind: 'none' };
    const position = this.queue.push(p);
    if (position > this.counters.qmax) this.counters.qmax = position;
    return { kind: 'queued', server: undefined, position };
  }

  /** Leaves whichever queue `p` waits in (queue timeout). */
  unqueue(p: Pending, server: ServerRuntime | undefined): void {
    if (server) server.queue.remove(p);
    else this.queue.remove(p);
  }

  take(s: ServerRuntime): void {
    s.conns++;
    s.total++;
    this.conns++;
    const c = s.counters;
    c.lbtot++;
    c.stot++;
    c.lastSess = Date.now();
    c.rate.hit(c.lastSess);
    if (s.conns > c.smax) c.smax = s.conns;
    if (this.conns > this.counters.smax) this.counters.smax = this.conns;
  }

  release(s: ServerRuntime): void {
    s.conns--;
    this.conns--;
    this.dispatchQueued(s);
  }

  /** Moves queued sessions onto free slots: the server's own queue first, then the backend's. */
  dispatchQueued(s: ServerRuntime | undefined): void {
    if (s?.up) {
      while (s.hasFreeSlot() && s.queue.length > 0) {
        const p = s.queue.shift()!;
        this.take(s);
        p.dequeued(s);
      }
    }
    while (this.queue.length > 0) {
      const next = this.balancer.pick() as ServerRuntime | undefined;
      if (!next?.hasFreeSlot()) break;
      const p = this.queue.shift()!;
      this.take(next);
      p.dequeued(next);
    }
  }

  /** `nbsrv`: servers that may take traffic now. */
  usableServers(): number {
    const f = this.farm();
    return f.active + f.backup;
  }

  farm(): { active: number; backup: number } {
    let active = 0;
    let backup = 0;
    for (const s of this.servers) {
      if (!s.up || s.weight === 0) continue;
      if (s.backup) backup++;
      else active++;
    }
    return { active, backup };
  }

  setServerDown(s: ServerRuntime, result: CheckResult | undefined): void {
    if (!s.up) return;
    s.up = false;
    this.balancer.serverDown(s);
    s.counters.chkdown++;
    markStateChange(s.counters, true, Date.now());
    // Sessions waiting on this server go back to the backend queue.
    const requeued = s.queue.drain();
    for (const p of requeued) this.queue.push(p);
    const farm = this.farm();
    const msg = serverDownMessage(this.name, s.name, result, farm, {
      active: s.conns,
      requeued: requeued.length,
      queued: s.queue.length,
    });
    this.ctx.log.send(this.cfg.logs, LogLevel.alert, msg);
    this.ctx.notify('WARNING', msg);
    if (farm.active + farm.backup === 0) {
      this.counters.chkdown++;
      markStateChange(this.counters, true, Date.now());
      this.ctx.log.send(this.cfg.logs, LogLevel.emerg, noServerMessage(this.name));
      this.ctx.notify('ALERT', noServerAlert(this.name));
    }
    // After the lines above, as in HAProxy, where the cut sessions log when their task runs.
    if (s.cfg.onMarkedDown === 'shutdown-sessions') this.ctx.shutdownSessions((t) => t === s, 'D');
    this.dispatchQueued(undefined);
    this.ctx.serverStateChanged?.();
  }

  setServerUp(s: ServerRuntime, result: CheckResult | undefined): void {
    if (s.up || s.maintenance) return;
    const wasEmpty = this.usableServers() === 0;
    s.up = true;
    this.balancer.serverUp(s);
    markStateChange(s.counters, false, Date.now());
    if (wasEmpty && this.usableServers() > 0) markStateChange(this.counters, false, Date.now());
    const msg = serverUpMessage(this.name, s.name, result, this.farm(), {
      requeued: 0,
      queued: this.queue.length,
    });
    this.ctx.log.send(this.cfg.logs, LogLevel.notice, msg);
    this.ctx.notify('NOTICE', msg);
    if (!s.backup && s.cfg.onMarkedUp === 'shutdown-backup-sessions') {
      const backups = new Set(this.servers.filter((b) => b.backup));
      this.ctx.shutdownSessions((t) => backups.has(t as ServerRuntime), 'U');
    }
    this.dispatchQueued(s);
    this.ctx.serverStateChanged?.();
  }

  setWeight(s: ServerRuntime, weight: number): void {
    s.weight = weight;
    this.balancer.weightChanged(s);
    this.dispatchQueued(s);
  }

  /**
   * Applies `init-addr` before anything connects: a name that resolves stays resolved per
   * connection as before; an IP fallback is used instead of the name; `none` puts the
   * server in resolution maintenance (down, unchecked, never picked), as HAProxy starts it.
   */
  async resolveAddresses(lookup: NameLookup): Promise<void> {
    await Promise.all(
      this.servers.map(async (s) => {
        const r = await initialAddress(s.host, s.cfg.initAddr, lookup);
        if (r.kind === 'address' && r.fromConfig) s.address = r.address;
        else if (r.kind === 'none') this.enterResolutionMaint(s);
      }),
    );
  }

  private enterResolutionMaint(s: ServerRuntime): void {
    s.rmaint = true;
    s.checker?.stop();
    // Silent here, as in HAProxy: the config phase already warned when the name failed.
    if (!s.up) return;
    s.up = false;
    this.balancer.serverDown(s);
  }

  /** Starts the health checks, spread over the smallest interval as HAProxy does. */
  startChecks(connectTimeoutDefault: number): void {
    // Servers in maintenance get a checker too, paused until they leave it (runtime API).
    const checked = this.servers.filter((s) => s.cfg.check);
    checked.forEach((s, i) => {
      const c = s.cfg;
      const { connectTimeout, readTimeout } = checkTimeouts(
        c.inter,
        this.cfg.timeouts.connect ?? connectTimeoutDefault,
        this.cfg.timeouts.check,
      );
      const port = c.checkPort ?? c.checkAddrPort ?? c.port;
      if (port === undefined) return; // no port to check: HAProxy refuses this config
      s.checker = new ServerChecker({
        params: {
          rise: c.rise,
          fall: c.fall,
          inter: c.inter,
          fastinter: c.fastinter,
          downinter: c.downinter,
        },
        target: {
          host: c.checkAddr ?? c.host,
          port,
          connectTimeout,
          readTimeout,
          ssl: c.checkSsl
            ? {
                verify: (c.verify ?? c.verifyDefault ?? 'required') === 'required',
                servername: sniValue(c.sni),
                ...(c.caPem !== undefined ? { ca: c.caPem } : {}),
              }
            : undefined,
          sendProxy: checkSendProxy(c),
        },
        probe: this.opts.probe ?? createProbe(this.cfg.healthCheck),
        onReport: (r) => {
          const previous = s.lastCheck?.status;
          s.lastCheck = r.result;
          if (!r.result.ok && s.up) s.counters.chkfail++; // HAProxy: failures while UP
          // `option log-health-checks`: a line per check that changed something, and the
          // state-change lines then without the check's reason (it was just logged).
          const logChecks = this.cfg.options['log-health-checks']?.on === true;
          if (logChecks && (r.healthChanged || r.result.status !== previous)) {
            const msg = healthCheckMessage(this.name, s.name, s.cfg.backup, r.result, {
              health: r.counter.health,
              rise: s.cfg.rise,
              fall: s.cfg.fall,
              weight: s.uweight,
            });
            this.ctx.log.send(this.cfg.logs, LogLevel.notice, msg);
            this.ctx.notify('WARNING', msg);
          }
          const reason = logChecks ? undefined : r.result;
          if (r.transition === 'down') this.setServerDown(s, reason);
          else if (r.transition === 'up') this.setServerUp(s, reason);
        },
      });
      if (c.observe === 'layer4') s.observer = (ok) => this.observed(s, ok);
      if (!s.maintenance) s.checker.start(Math.floor((c.inter * i) / checked.length));
    });
  }

  /**
   * `observe layer4`: after `error-limit` consecutive failed connections, `on-error` acts
   * on the health counter as HAProxy's health analyze does (fail-check: one failed check;
   * sudden-death: leave one failure before DOWN, then fail; mark-down: DOWN now;
   * fastinter: only check sooner), and the next check comes after `fastinter`.
   */
  observed(s: ServerRuntime, ok: boolean): void {
    const checker = s.checker;
    if (!checker) return;
    if (ok) {
      s.consecutiveErrors = 0;
      return;
    }
    if (++s.consecutiveErrors < s.cfg.errorLimit) return;
    const info = `Detected ${s.consecutiveErrors} consecutive errors, last one was: L4 unsuccessful connection`;
    s.consecutiveErrors = 0;
    const counter = checker.counter;
    const rise = s.cfg.rise;
    let transition: 'up' | 'down' | undefined;
    switch (s.cfg.onError) {
      case 'fastinter':
        break;
      case 'mark-down':
        counter.health = rise;
        transition = counter.failure();
        break;
      case 'sudden-death':
        if (counter.health > rise) counter.health = rise + 1;
        transition = counter.failure();
        break;
      default:
        transition = counter.failure();
    }
    checker.hurry();
    if (transition === 'down') {
      this.setServerDown(s, { status: 'HANA', ok: false, info, durationMs: 0 });
    }
  }

  stopChecks(): void {
    for (const s of this.servers) s.checker?.stop();
  }

  /** Carries health state over from the same server in the previous config (reload). */
  inheritState(prev: BackendRuntime): void {
    for (const s of this.servers) {
      const old = prev.servers.find(
        (o) => o.name === s.name && o.host === s.host && o.port === s.port,
      );
      if (!old || s.maintenance || !s.checker || !old.checker) continue;
      s.checker.counter.health = Math.min(old.checker.counter.health, s.cfg.rise + s.cfg.fall - 1);
      s.checker.counter.up = old.checker.counter.up;
      if (!old.up && s.up) {
        s.up = false;
        this.balancer.serverDown(s);
      }
    }
  }
}

/**
 * Whether a server's checks start with a PROXY header, and which: HAProxy 2.6 sends the
 * server's own when it checks the traffic port and address, and always with
 * `check-send-proxy` (v1 unless the server says `send-proxy-v2`).
 */
function checkSendProxy(c: Server): 'v1' | 'v2' | undefined {
  if (c.checkSendProxy) return c.sendProxy ?? 'v1';
  if (c.checkPort === undefined && c.checkAddr === undefined) return c.sendProxy;
  return undefined;
}
