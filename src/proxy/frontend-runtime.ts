// A frontend at run time: takes accepted sockets from its listeners, enforces maxconn
// (global and its own), starts a session on its backend, and writes the tcplog line when
// the session ends.
//
// At maxconn its listeners stop accepting (listener.ts): further clients wait in the
// kernel's accept queue, as with HAProxy, and are accepted as slots free up.

import type net from 'node:net';
import type { SourcePos } from '../config/diagnostics.js';
import type { Bind, Condition, Proxy as ProxyConfig, TrackSpec } from '../config/haproxy/model.js';
import type { ConnectionFacts, StickFacts } from './acl.js';
import { compileCondition } from './acl.js';
import type { BackendRuntime } from './backend-runtime.js';
import type { RuntimeContext } from './context.js';
import type { HttpApplet } from './http/applet.js';
import type { HttpFrontendHost } from './http/http-frontend.js';
import { HttpFrontend } from './http/http-frontend.js';
import { HttpRuleSet } from './http/http-rules.js';
import type { Deadlines } from './io/deadlines.js';
import type { StreamHandle } from './io/stream-handle.js';
import { localAddress, peerAddress, socketFor } from './io/stream-handle.js';
import type { ConnectionSink, Listener } from './listener.js';
import { fdLimitMessage, LogLevel } from './log/messages.js';
import { formatAcceptDate, formatTcpLog } from './log/tcplog.js';
import type { ProxyHeaderFailure } from './proxy-header-reader.js';
import { hiddenByDontlognull, proxyFailureLog, readProxyHeader } from './proxy-header-reader.js';
import type { ProxyAddresses } from './proxy-protocol.js';
import type { ServerRuntime } from './server-runtime.js';
import type { FrontendCounters, SessionFacts } from './stats/counters.js';
import { addSession, countStatus, newFrontendCounters } from './stats/counters.js';
import type { StickTable } from './stick/stick-table.js';
import { Trackers } from './stick/trackers.js';
import { TcpSession } from './tcp-session.js';
import { BindTlsContext } from './tls/bind-context.js';
import type { SslFacts } from './tls/ssl-fetches.js';
import { sslFacts } from './tls/ssl-fetches.js';

/**
 * An accepted handle as the net.Socket a TLSSocket wraps. node:tls takes over the socket's
 * handle, so the read callback given here (required by the public data path) never runs.
 */
function tlsSocketFor(handle: StreamHandle): net.Socket {
  return socketFor(handle, {
    allowHalfOpen: true,
    onread: { buffer: Buffer.alloc(16 * 1024), callback: () => true },
  } as net.SocketConstructorOpts);
}

/** A conditional `use_backend` rule, compiled. */
export interface Route {
  readonly test: (facts: ConnectionFacts) => boolean;
  readonly backend: BackendRuntime;
}

/**
 * Layer-4 facts of one accepted connection, each read from the socket on first use, or
 * taken from its PROXY header (`accept-proxy`).
 */
interface CompiledTcpRule {
  readonly action: 'accept' | 'reject' | 'expect-proxy' | 'track-sc';
  readonly line: number;
  readonly test: (facts: ConnectionFacts) => boolean;
  readonly track?: TrackSpec;
}

class HandleFacts implements ConnectionFacts {
  private peer: { address: string; port: number } | undefined;
  private local: { address: string; port: number } | undefined;
  constructor(
    private readonly h: StreamHandle,
    readonly nbsrv: (backend: string) => number,
    proxied?: ProxyAddresses,
    /** The connection's TLS, once its handshake is done (a `bind ... ssl`). */
    readonly ssl?: SslFacts,
    private readonly trackers?: () => Trackers | undefined,
  ) {
    this.peer = proxied?.src;
    this.local = proxied?.dst;
  }
  stickTables: ReadonlyMap<string, StickTable> | undefined;
  ownTable = '';
  get stick(): StickFacts | undefined {
    const tables = this.stickTables;
    if (!tables) return undefined;
    return {
      tracked: (slot) => this.trackers?.()?.get(slot),
      table: (name) => tables.get(name ?? this.ownTable),
      now: () => Date.now(),
    };
  }
  src(): string {
    this.peer ??= peerAddress(this.h);
    return this.peer.address;
  }
  srcPort(): number {
    this.peer ??= peerAddress(this.h);
    return this.peer.port;
  }
  dst(): string {
    this.local ??= localAddress(this.h);
    return this.local.address;
  }
  dstPort(): number {
    this.local ??= localAddress(this.h);
    return this.local.port;
  }
}

export class FrontendRuntime implements ConnectionSink, HttpFrontendHost {
  readonly name: string;
  /** feconn */
  conns = 0;
  /** Stats: sessions, bytes, rates (bumped at session start and end). */
  readonly counters: FrontendCounters = newFrontendCounters();
  readonly maxconn: number;
  readonly clientTimeout: number;
  readonly clientFinTimeout: number;
  readonly httpRequestTimeout: number;
  readonly dontlognull: boolean;
  readonly tcplog: boolean;
  readonly listeners: Listener[] = [];
  readonly deadlines: Deadlines;
  private readonly sessions = new Set<TcpSession>();
  private stopped = false;
  private lastFdAlert = 0;
  /** tcp frontend -> http backend: HAProxy's implicit HTTP upgrade (served by `http`). */
  readonly httpUpgrade: boolean;
  /** The client address is read at accept only when something uses it (logs, hashing). */
  private readonly wantsPeer: boolean;
  /** HTTP side: an http frontend, or a tcp one with an http backend (http/http-frontend.ts). */
  readonly http: HttpFrontend | undefined;
  /** Connections whose PROXY header is awaited: no session yet, but counted and cut at hard stop. */
  private readonly embryonic = new Set<StreamHandle>();
  /** Connections closed for a missing or bad PROXY header (not in the stats pages yet). */
  proxyHeaderErrors = 0;
  /** `http-request`/`http-response`/`http-after-response` rules (mode http). */
  readonly rules: HttpRuleSet | undefined;
  /**
   * `tcp-request connection` rules in file order: accept and reject end the list,
   * expect-proxy asks for a PROXY header and goes on, as in HAProxy.
   */
  private readonly connectionRules: readonly CompiledTcpRule[];
  /** `tcp-request content accept|reject`, once the session starts (after a PROXY header). */
  private readonly contentRules: readonly CompiledTcpRule[];
  /** Connections closed by `tcp-request connection reject` (`dcon`), not counted as sessions. */
  deniedConnections = 0;
  /** Per listener: its name in logs (`name`, else its number) and whether it reads a PROXY header. */
  private readonly binds = new Map<Listener, { name: string; acceptProxy: boolean }>();
  private readonly tlsByListener = new Map<Listener, BindTlsContext>();

  constructor(
    readonly cfg: ProxyConfig,
    /** default_backend (or the unconditional use_backend) */
    readonly backend: BackendRuntime | undefined,
    private readonly ctx: RuntimeContext,
    private readonly routes: readonly Route[] = [],
    readonly nbsrv: (backend: string) => number = () => -1,
    applets: readonly HttpApplet[] = [],
  ) {
    this.name = cfg.name;
    this.deadlines = ctx.deadlines;
    this.maxconn = cfg.maxconn ?? ctx.maxconn;
    this.clientTimeout = cfg.timeouts.client ?? 0;
    this.clientFinTimeout = cfg.timeouts.clientFin ?? 0;
    this.httpRequestTimeout = cfg.timeouts.httpRequest ?? this.clientTimeout;
    this.dontlognull = cfg.options.dontlognull?.on === true;
    this.tcplog =
      cfg.options.tcplog?.on === true ||
      cfg.options.httplog?.on === true ||
      cfg.logFormatCustom !== undefined;
    this.httpUpgrade = cfg.mode === 'tcp' && backend?.cfg.mode === 'http';
    this.rules =
      cfg.mode === 'http' && cfg.httpRules
        ? new HttpRuleSet(cfg.httpRules, cfg.acls, ctx.userlists, cfg.name)
        : undefined;
    const compile = (
      action: CompiledTcpRule['action'],
      pos: SourcePos,
      cond?: Condition,
      track?: TrackSpec,
    ) => ({
      action,
      line: pos.line,
      test: cond ? compileCondition(cond, cfg.acls, ctx.userlists).test : () => true,
      ...(track ? { track } : {}),
    });
    this.connectionRules = [
      ...(cfg.tcpRules?.connection ?? []).map((r) => compile(r.action, r.pos, r.cond, r.track)),
      ...(cfg.expectProxy ?? []).map((e) => compile('expect-proxy', e.pos, e.cond)),
    ].sort((a, b) => a.line - b.line);
    this.contentRules = (cfg.tcpRules?.content ?? []).map((r) =>
      compile(r.action, r.pos, r.cond, r.track),
    );
    const all = [backend, ...routes.map((r) => r.backend)];
    this.wantsPeer = cfg.logs.length > 0 || all.some((b) => b?.cfg.balance.algorithm === 'source');
    this.http =
      cfg.mode === 'http' || all.some((b) => b?.cfg.mode === 'http')
        ? new HttpFrontend(this, ctx, applets)
        : undefined;
  }

  /** The backend of one HTTP request: the first `use_backend` whose condition holds. */
  routeRequest(facts: ConnectionFacts): BackendRuntime | undefined {
    for (const r of this.routes) if (r.test(facts)) return r.backend;
    return this.backend;
  }

  /** An HTTP client connection ended (HttpFrontend). */
  connectionEnded(): void {
    this.conns--;
    this.ctx.counters.actconn--;
    this.ctx.slotFreed();
  }

  /**
   * The accept queue of a bind line, as HAProxy's listener_backlog(): the bind's
   * `backlog`, else the frontend's, else its maxconn. Without any maxconn HAProxy's is
   * sized from the descriptor limit, beyond what the kernel keeps (net.core.somaxconn
   * caps every backlog), so the largest value stands in for it.
   */
  backlogFor(bind: Bind): number {
    return Number(bind.options.backlog ?? 0) || this.cfg.backlog || this.maxconn || 65535;
  }

  /** Live sessions (stats, tests). */
  sessionList(): TcpSession[] {
    return [...this.sessions];
  }

  get activeSessions(): number {
    return this.sessions.size + (this.http?.conns.size ?? 0) + this.embryonic.size;
  }

  private full(): boolean {
    return (
      (this.maxconn > 0 && this.conns >= this.maxconn) ||
      (this.ctx.maxconn > 0 && this.ctx.counters.actconn >= this.ctx.maxconn)
    );
  }

  canAccept(): boolean {
    return !this.stopped && !this.full();
  }

  /** A listener of `bind` is ours (engine.ts), the n-th: HAProxy names it by that number. */
  listenerBound(l: Listener, bind: Bind): void {
    const name =
      typeof bind.options.name === 'string' ? bind.options.name : String(this.listeners.length);
    this.binds.set(l, { name, acceptProxy: bind.options['accept-proxy'] === true });
    // Its TLS settings apply to what it accepts.
    if (bind.tls) this.tlsByListener.set(l, new BindTlsContext(bind.tls, name));
    else this.tlsByListener.delete(l);
  }

  /** Listeners ask canAccept() first, so this runs below maxconn. */
  accept(handle: StreamHandle, from?: Listener): void {
    if (this.stopped) {
      handle.close();
      return;
    }
    // tcp-request connection rules come first, on every bind (TLS ones included).
    const { verdict, trackers } = this.connectionVerdict(handle);
    if (verdict === 'reject') {
      // Closed at once, before it is a session: not logged, counted in `dcon`.
      trackers?.release(Date.now());
      this.deniedConnections++;
      handle.close();
      return;
    }
    // A TLS bind never waits for a PROXY header: the two together are refused at start-up.
    const tls = from ? this.tlsByListener.get(from) : undefined;
    if (tls) {
      this.startTls(handle, tls, trackers);
      return;
    }
    const bind = from ? this.binds.get(from) : undefined;
    if (!bind?.acceptProxy && verdict !== 'proxy') {
      this.startSession(handle, undefined, undefined, trackers);
      return;
    }
    // The connection counts from its accept, while its header is awaited, as in HAProxy.
    this.conns++;
    this.ctx.counters.actconn++;
    const acceptedAt = Date.now();
    this.embryonic.add(handle);
    readProxyHeader(handle, this.clientTimeout, {
      header: (h, addresses, early) => {
        if (!this.embryonic.has(h)) return; // cut by a hard stop meanwhile
        if (this.stopped) {
          this.dropEmbryonic(h);
          return;
        }
        // startSession counts it again.
        this.embryonic.delete(h);
        this.conns--;
        this.ctx.counters.actconn--;
        this.startSession(h, addresses, early, trackers);
      },
      failed: (h, why) => {
        trackers?.release(Date.now());
        if (this.embryonic.has(h)) this.proxyHeaderFailed(h, bind?.name ?? '1', why, acceptedAt);
      },
    });
  }

  /**
   * A TLS bind: the handshake runs first (within `timeout client`), then the connection is
   * served as any other on the HTTP side. Counted from accept, as HAProxy counts it.
   */
  private startTls(handle: StreamHandle, tls: BindTlsContext, trackers?: Trackers): void {
    this.conns++;
    this.ctx.counters.actconn++;
    if (!this.http) {
      // Refused at start-up (ssl-checks.ts): a tcp frontend's TLS needs the HTTP side.
      handle.close();
      this.connectionEnded();
      return;
    }
    this.countConnection();
    const http = this.http;
    const socket = tlsSocketFor(handle);
    const peer = { address: socket.remoteAddress, port: socket.remotePort };
    tls.handshake(socket, this.clientTimeout, (r) => {
      if (r.ok) {
        const be =
          this.cfg.mode === 'http'
            ? undefined
            : this.route(handle, undefined, sslFacts(r.socket), trackers);
        if (this.cfg.mode === 'tcp' && be?.cfg.mode !== 'http') {
          // No backend, or a mode tcp one (the relay carries no TLS): closed, as without one.
          r.socket.destroy();
          this.connectionEnded();
          return;
        }
        trackers?.sessionStarted(Date.now());
        http.acceptSecure(r.socket, be, trackers);
        return;
      }
      trackers?.release(Date.now());
      this.counters.errors++;
      this.logHandshake(peer, tls.name, r.reason);
      this.connectionEnded();
    });
  }

  /** HAProxy's embryonic-session line: `127.0.0.1:5000 [date] fe/1: SSL handshake failure`. */
  private logHandshake(
    peer: { address?: string | undefined; port?: number | undefined },
    listener: string,
    reason: string,
  ): void {
    if (this.cfg.logs.length === 0) return;
    // `option dontlognull` hides a client that left without a byte (port scanners, TCP
    // health checks of the TLS port); any other failure is logged, as by HAProxy.
    if (this.dontlognull && reason !== 'SSL handshake failure' && !reason.includes('trusted'))
      return;
    const ip = (peer.address ?? 'unix').replace(/^::ffff:/, '');
    this.ctx.log.send(
      this.cfg.logs,
      LogLevel.notice,
      `${ip}:${peer.port ?? 0} [${formatAcceptDate(Date.now())}] ${this.name}/${listener}: ${reason}`,
    );
  }

  /**
   * The `tcp-request connection` rules on the socket's own addresses: 'reject', or whether
   * an `expect-proxy layer4` rule asks for a PROXY header before an `accept` ends the list.
   */
  private connectionVerdict(handle: StreamHandle): {
    verdict: 'reject' | 'proxy' | 'accept';
    trackers?: Trackers;
  } {
    if (this.connectionRules.length === 0) return { verdict: 'accept' };
    let trackers: Trackers | undefined;
    const facts = new HandleFacts(handle, this.nbsrv, undefined, undefined, () => trackers);
    facts.stickTables = this.ctx.tables;
    facts.ownTable = this.name;
    let proxy = false;
    let verdict: 'reject' | 'proxy' | 'accept' = 'accept';
    for (const r of this.connectionRules) {
      if (!r.test(facts)) continue;
      if (r.action === 'reject') {
        verdict = 'reject';
        break;
      }
      if (r.action === 'accept') break;
      if (r.action === 'track-sc' && r.track) {
        const table = this.ctx.tables?.get(r.track.table ?? this.name);
        // tcp-request connection keys: the connection's addresses (config-checked).
        const key = r.track.key.fetch === 'dst' ? facts.dst() : facts.src();
        if (table) {
          trackers ??= new Trackers();
          trackers.track(r.track.slot, table, key, Date.now(), false);
        }
        continue;
      }
      proxy = true;
    }
    if (verdict === 'accept' && proxy) verdict = 'proxy';
    return trackers ? { verdict, trackers } : { verdict };
  }

  /**
   * `tcp-request content` rules at the start of a tcp session: whether one rejects it, and
   * the trackers (the connection's, plus what `track-sc*` rules added).
   */
  private contentRejects(
    handle: StreamHandle,
    proxied?: ProxyAddresses,
    trackers?: Trackers,
  ): { reject: boolean; trackers: Trackers | undefined } {
    let t = trackers;
    const facts = new HandleFacts(handle, this.nbsrv, proxied, undefined, () => t);
    facts.stickTables = this.ctx.tables;
    facts.ownTable = this.name;
    const reject = this.contentRejected(facts, (slot, table, key) => {
      const tb = this.ctx.tables?.get(table);
      if (!tb) return;
      t ??= new Trackers();
      t.track(slot, tb, key, Date.now(), false);
    });
    return { reject, trackers: t };
  }

  /**
   * `tcp-request content` rules on `facts`: true when one rejects. An http frontend runs
   * them on each request once it is parsed (HAProxy's stream starts there), so an invalid
   * request still gets its 400 first.
   */
  contentRejected(
    facts: ConnectionFacts,
    track?: (slot: number, table: string, key: string) => void,
  ): boolean {
    for (const r of this.contentRules) {
      if (!r.test(facts)) continue;
      if (r.action === 'track-sc' && r.track) {
        // Keys of connection-level rules: the connection's addresses (config-checked).
        const key = r.track.key.fetch === 'dst' ? facts.dst() : facts.src();
        track?.(r.track.slot, r.track.table ?? this.name, key);
        continue;
      }
      return r.action === 'reject';
    }
    return false;
  }

  get hasContentRules(): boolean {
    return this.contentRules.length > 0;
  }

  /**
   * A session `tcp-request content reject` closed on a tcp frontend: counted as a session
   * and a denied request, and logged as HAProxy logs it (`PR`).
   */
  private rejectContent(handle: StreamHandle, proxied?: ProxyAddresses): void {
    this.countConnection();
    this.counters.denied++;
    if (this.cfg.logs.length > 0 && this.tcplog) {
      const peer = proxied?.src ?? peerAddress(handle);
      const common = {
        clientIp: peer.address,
        clientPort: peer.port,
        frontend: this.name,
        backend: this.name,
        server: '<NOSRV>',
        tw: -1,
        tc: -1,
        actconn: this.ctx.counters.actconn,
        feconn: this.conns,
        beconn: 0,
        srvconn: 0,
        retries: 0,
        redispatched: false,
        srvQueue: 0,
        beQueue: 0,
        bytes: 0,
      };
      const line = formatTcpLog({ ...common, accepted: Date.now(), tt: 0, termination: 'PR' });
      this.ctx.log.send(this.cfg.logs, LogLevel.info, line);
    }
    handle.close();
    this.conns--;
    this.ctx.counters.actconn--;
    this.ctx.slotFreed();
  }

  /** A connection without a valid PROXY header: closed, and logged as HAProxy logs it. */
  private proxyHeaderFailed(
    h: StreamHandle,
    listener: string,
    why: ProxyHeaderFailure,
    acceptedAt: number,
  ): void {
    this.proxyHeaderErrors++;
    // HAProxy logs these only for a frontend with a log format (tcplog, httplog).
    const logs = this.cfg.logs.length > 0 && this.tcplog;
    if (logs && !(this.dontlognull && hiddenByDontlognull(why))) {
      const line = proxyFailureLog(
        peerAddress(h),
        formatAcceptDate(acceptedAt),
        this.name,
        listener,
        why,
      );
      this.ctx.log.send(this.cfg.logs, LogLevel.info, line);
    }
    this.dropEmbryonic(h);
  }

  private dropEmbryonic(h: StreamHandle): void {
    this.embryonic.delete(h);
    h.close();
    this.conns--;
    this.ctx.counters.actconn--;
    this.ctx.slotFreed();
  }

  /**
   * accept() ran out of descriptors: HAProxy's emergency log line, also on stderr. At
   * most one a second (the listener retries every 100 ms meanwhile).
   */
  acceptFailed(code: string, maxsock: number): void {
    if (code !== 'EMFILE' && code !== 'ENFILE') return;
    const now = Date.now();
    if (now - this.lastFdAlert < 1000) return;
    this.lastFdAlert = now;
    const msg = fdLimitMessage(this.name, code, maxsock);
    this.ctx.log.send(this.cfg.logs, LogLevel.emerg, msg);
    this.ctx.notify('ALERT', msg);
  }

  /** The backend for a new connection: the first `use_backend` whose condition holds. */
  private route(
    handle: StreamHandle,
    proxied?: ProxyAddresses,
    ssl?: SslFacts,
    trackers?: Trackers,
  ): BackendRuntime | undefined {
    if (this.routes.length === 0) return this.backend;
    // What the connection tracks is visible to use_backend's sc_* conditions too.
    const facts = new HandleFacts(handle, this.nbsrv, proxied, ssl, () => trackers);
    facts.stickTables = this.ctx.tables;
    facts.ownTable = this.name;
    for (const r of this.routes) if (r.test(facts)) return r.backend;
    return this.backend;
  }

  private startSession(
    handle: StreamHandle,
    proxied?: ProxyAddresses,
    early?: Uint8Array,
    trackers?: Trackers,
  ): void {
    this.conns++;
    this.ctx.counters.actconn++;
    if (this.cfg.mode !== 'http' && this.contentRules.length > 0) {
      const cv = this.contentRejects(handle, proxied, trackers);
      trackers = cv.trackers;
      if (cv.reject) {
        trackers?.release(Date.now());
        this.rejectContent(handle, proxied);
        return;
      }
    }
    trackers?.sessionStarted(Date.now());
    if (this.cfg.mode === 'http' && this.http) {
      this.countConnection();
      this.http.accept(handle, undefined, proxied, early, trackers);
      return;
    }
    const be = this.route(handle, proxied, undefined, trackers);
    if (!be) {
      // No backend: HAProxy closes the connection at once.
      trackers?.release(Date.now());
      handle.close();
      this.conns--;
      this.ctx.counters.actconn--;
      return;
    }
    this.countConnection();
    be.counters.stot++;
    be.counters.rate.hit(Date.now());
    if (be.cfg.mode === 'http' && this.http) {
      // HAProxy upgrades the stream to HTTP: HTTP clients are proxied, others get a 400.
      this.http.accept(handle, be, proxied, early, trackers);
      return;
    }
    handle.setNoDelay?.(true);
    const s = new TcpSession(this, be, handle);
    s.trackers = trackers;
    s.proxied = proxied;
    s.early = early;
    // The socket's own address is gone once it closes: a log-format may want it at the end.
    if (this.cfg.logFormatCustom) s.local = proxied?.dst ?? localAddress(handle);
    if (this.wantsPeer) {
      const peer = proxied?.src ?? peerAddress(handle);
      s.clientIp = peer.address;
      s.clientPort = peer.port;
    }
    this.sessions.add(s);
    s.start();
  }

  private countConnection(): void {
    const c = this.counters;
    c.stot++;
    c.rate.hit(Date.now());
    if (this.conns > c.smax) c.smax = this.conns;
  }

  /** Stats of one finished HTTP request (HttpExchange). */
  countExchange(
    be: BackendRuntime | undefined,
    server: ServerRuntime | undefined,
    f: SessionFacts,
    error: boolean,
  ): void {
    this.counters.bytesIn += f.bytesIn;
    this.counters.bytesOut += f.bytesOut;
    this.counters.requests++;
    countStatus(this.counters.hrsp, f.status);
    if (error) this.counters.errors++;
    if (!be) return;
    if (this.cfg.mode === 'http') {
      be.counters.stot++;
      be.counters.rate.hit(Date.now());
    }
    addSession(be.counters, f);
    if (server) addSession(server.counters, f);
  }

  sessionEnded(s: TcpSession): void {
    this.sessions.delete(s);
    s.trackers?.release(Date.now());
    this.count(s);
    if (this.cfg.logs.length > 0 && this.tcplog && !(this.dontlognull && s.bytesIn === 0)) {
      this.ctx.log.send(
        this.cfg.logs,
        LogLevel.info,
        s.logLine(this.ctx.counters.actconn, this.conns),
      );
    }
    this.conns--;
    this.ctx.counters.actconn--;
    this.ctx.slotFreed();
  }

  /** Adds a finished session to the frontend's, backend's and server's stats counters. */
  private count(s: TcpSession): void {
    this.counters.bytesIn += s.bytesIn;
    this.counters.bytesOut += s.bytesOut;
    const term = s.termination;
    const facts: SessionFacts = {
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      retries: s.retries,
      redispatched: s.redispatched,
      connectFailed: term[1] === 'C' && (term[0] === 'S' || term[0] === 's'),
      abortBy: term[1] === 'D' && (term[0] === 'C' || term[0] === 'S') ? term[0] : undefined,
      tc: s.tc,
      tt: this.deadlines.now() - s.startedAt,
    };
    addSession(s.be.counters, facts);
    if (s.lastServer) addSession(s.lastServer.counters, facts);
  }

  /** Polls the listeners again if a slot is free (called on every freed slot). */
  resumeListeners(): void {
    if (this.full() || this.stopped) return;
    for (const l of this.listeners) l.resume();
  }

  /** Soft stop: no new connections. */
  stopAccepting(): void {
    this.stopped = true;
    this.http?.stopAccepting();
  }

  /** Hard stop: cut every session. */
  killSessions(): void {
    for (const h of [...this.embryonic]) this.dropEmbryonic(h);
    for (const s of [...this.sessions]) s.abort('K', 'D');
    this.http?.killAll();
  }

  /**
   * `on-marked-down shutdown-sessions` / `on-marked-up shutdown-backup-sessions`: cut the
   * sessions on servers `match` accepts. HAProxy 2.6 logs them as `D-` / `U-` (the cause,
   * and no session state: stream_shutdown() sets none).
   */
  killServerSessions(match: (server: unknown) => boolean, cause: 'D' | 'U' | 'K' = 'D'): number {
    let n = 0;
    for (const s of [...this.sessions]) {
      if (s.target !== undefined && match(s.target)) {
        s.abort(cause, '-');
        n++;
      }
    }
    return n + (this.http?.killServer(match, cause) ?? 0);
  }
}
