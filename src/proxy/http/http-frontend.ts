// HTTP/1.1 on one frontend: accepted handles become net.Sockets, read through a
// GatedSocket (one checked request at a time, HAProxy's limits) by a `node:http` server
// that never listens itself. Each request is offered to the proxy's applets, then
// routed (per request on an http frontend, once per connection for a tcp frontend that
// HAProxy upgrades to HTTP because its backend is in http mode) and proxied by an
// HttpExchange. Requests that cannot be parsed get HAProxy's raw 400, requests that do not
// arrive within `timeout http-request` its raw 408 (both decided by the gate, node:http's
// own parser errors are answered the same way). On soft stop or reload, idle
// keep-alive connections close at once and busy ones after their current response.

import type http from 'node:http';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Proxy as ProxyConfig } from '../../config/haproxy/model.js';
import type { ConnectionFacts } from '../acl.js';
import type { BackendRuntime } from '../backend-runtime.js';
import type { RuntimeContext } from '../context.js';
import type { StreamHandle } from '../io/stream-handle.js';
import { socketFor } from '../io/stream-handle.js';
import { formatConnectLog } from '../log/httplog.js';
import { LogLevel } from '../log/messages.js';
import type { ProxyAddresses } from '../proxy-protocol.js';
import type { Sample } from '../sample/sample.js';
import type { ServerRuntime } from '../server-runtime.js';
import type { FrontendCounters, SessionFacts } from '../stats/counters.js';
import type { Trackers } from '../stick/trackers.js';
import type { HttpApplet } from './applet.js';
import { RAW_REPLIES } from './errors.js';
import type { ForwardforRule } from './forwardfor.js';
import { forwardforRule } from './forwardfor.js';
import { GatedSocket, sharedRead } from './gated-socket.js';
import type { H1Limits, RefusalStatus } from './h1-request.js';
import { DEFAULT_H1_LIMITS } from './h1-request.js';
import { HttpExchange } from './http-exchange.js';
import type { HttpRuleSet } from './http-rules.js';
import { nodeHttp } from './node-http.js';
import { closePrivateAgents } from './server-agents.js';

/** What the frontend runtime gives its HTTP side. */
export interface HttpFrontendHost {
  readonly cfg: ProxyConfig;
  readonly name: string;
  /** feconn, for log lines. */
  readonly conns: number;
  /** `tcp-request content` rules on a request of an http frontend: true when one rejects. */
  contentRejected(
    facts: ConnectionFacts,
    track?: (slot: number, table: string, key: string) => void,
  ): boolean;
  readonly hasContentRules: boolean;
  /** The frontend's HTTP rules (mode http). */
  readonly rules: HttpRuleSet | undefined;
  /** The backend for a request on an http frontend (use_backend rules, default_backend). */
  routeRequest(facts: ConnectionFacts): BackendRuntime | undefined;
  /** Layer-4 facts of an accepted socket, for ACLs. */
  nbsrv(backend: string): number;
  /** A client connection ended: frees its frontend/process slot. */
  connectionEnded(): void;
  /** The frontend's stats counters (internal errors are counted here). */
  readonly counters: FrontendCounters;
  /** Stats counters of one finished request. */
  countExchange(
    be: BackendRuntime | undefined,
    server: ServerRuntime | undefined,
    f: SessionFacts,
    error: boolean,
  ): void;
}

/** One client connection. */
export class HttpClientConn {
  requests = 0;
  exchange: HttpExchange | undefined;
  /** Pipelined requests wait here: HAProxy serves one request of a connection at a time. */
  readonly waiting: HttpExchange[] = [];
  draining = false;
  logged = false;
  /** Requests whose exchange finished. */
  served = 0;
  readonly clientIp: string;
  readonly clientPort: number;
  readonly localIp: string;
  readonly localPort: number;
  /** Stick-table entries this connection tracks (`tcp-request connection track-sc*`). */
  trackers: Trackers | undefined;
  /** `sess.` variables of HTTP rules, made with the first request that sets one. */
  vars: Map<string, Sample> | undefined;
  /** The client's TLS connection, on a `bind ... ssl` (for the ssl_fc* fetches and logs). */
  tls: TLSSocket | undefined;
  constructor(
    readonly socket: GatedSocket,
    /** Set when a tcp frontend picked the backend at connection time. */
    readonly backend: BackendRuntime | undefined,
    readonly accepted: number,
    readonly acceptedAt: number,
    /** The addresses of the client's PROXY header (`accept-proxy`), if it had some. */
    proxied?: ProxyAddresses,
  ) {
    this.clientIp = proxied?.src?.address ?? stripMapped(socket.remoteAddress ?? 'unix');
    this.clientPort = proxied?.src?.port ?? socket.remotePort ?? 1;
    this.localIp = proxied?.dst?.address ?? stripMapped(socket.localAddress ?? 'unix');
    this.localPort = proxied?.dst?.port ?? socket.localPort ?? 0;
  }
}

function stripMapped(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

const kConn = Symbol('halo.http.conn');
/** How long a drained (reload, soft stop) idle keep-alive connection may still send. */
const DRAIN_IDLE_MS = 1000;
/** Node 20's HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER. */
const NODE_KEEP_ALIVE_EXTRA = 1000;
type Tagged = GatedSocket & { [kConn]?: HttpClientConn };

export class HttpFrontend {
  private readonly server: http.Server;
  readonly conns = new Set<HttpClientConn>();
  /** `option httplog` on an http frontend; a tcp frontend logs tcplog lines per request. */
  readonly httplog: boolean;
  readonly tcplog: boolean;
  readonly dontlognull: boolean;
  private stopped = false;
  private readonly xff = new Map<BackendRuntime, ForwardforRule | undefined>();

  /** `timeout http-request`: heads, and request bodies that applets wait for. */
  readonly headTimeoutMs: number;
  private readonly limits: H1Limits;

  constructor(
    readonly host: HttpFrontendHost,
    readonly ctx: RuntimeContext,
    readonly applets: readonly HttpApplet[],
    limits: H1Limits = ctx.h1 ?? DEFAULT_H1_LIMITS,
  ) {
    const t = host.cfg.timeouts;
    const client = t.client ?? 0;
    const request = t.httpRequest ?? client;
    const keepAlive = t.httpKeepAlive ?? request;
    const custom = host.cfg.logFormatCustom !== undefined;
    this.httplog = host.cfg.mode === 'http' && (host.cfg.options.httplog?.on === true || custom);
    // A tcp frontend with httplog falls back to tcplog, as HAProxy warns it does.
    this.tcplog =
      !this.httplog &&
      (host.cfg.options.tcplog?.on === true || host.cfg.options.httplog?.on === true || custom);
    this.dontlognull = host.cfg.options.dontlognull?.on === true;
    this.headTimeoutMs = request;
    this.limits = limits;
    // The gate times heads (`timeout http-request`) and checks them; node:http's own header
    // and request timers, and the interval that drives them, stay off.
    this.server = nodeHttp.createServer({
      requireHostHeader: false,
      headersTimeout: 0,
      requestTimeout: 0,
      maxHeaderSize: limits.bufsize,
      // Node waits 1 s past keepAliveTimeout before closing an idle connection.
      keepAliveTimeout: keepAlive > 0 ? Math.max(1, keepAlive - NODE_KEEP_ALIVE_EXTRA) : 0,
    });
    this.server.timeout = client;
    this.server.on('request', (req, res) => this.onRequest(req, res));
    // HAProxy forwards `Expect` and sends no 100 of its own; node would answer 100 (or
    // 417 to another expectation) by itself without these.
    this.server.on('checkContinue', (req, res) => this.onRequest(req, res));
    this.server.on('checkExpectation', (req, res) => this.onRequest(req, res));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) =>
      this.onClientError(err, socket),
    );
    // An idle client past `timeout client` (no request in progress): close quietly.
    this.server.on('timeout', (socket: net.Socket) => {
      const conn = (socket as unknown as Tagged)[kConn];
      if (!conn?.exchange) socket.destroy();
    });
  }

  /** `option forwardfor` of this frontend with `be`, combined once. */
  /** `option originalto` of the frontend and the backend, combined as forwardfor's. */
  originaltoFor(be: BackendRuntime): ForwardforRule | undefined {
    if (!this.xot.has(be))
      this.xot.set(be, forwardforRule(this.host.cfg.originalto, be.cfg.originalto));
    return this.xot.get(be);
  }
  private readonly xot = new Map<BackendRuntime, ForwardforRule | undefined>();

  forwardforFor(be: BackendRuntime): ForwardforRule | undefined {
    if (!this.xff.has(be))
      this.xff.set(be, forwardforRule(this.host.cfg.forwardfor, be.cfg.forwardfor));
    return this.xff.get(be);
  }

  /**
   * Takes an accepted handle (not reading yet); `backend` when a tcp frontend chose it;
   * `proxied` and `early`: its PROXY header's addresses and the bytes that followed it.
   */
  accept(
    handle: StreamHandle,
    backend: BackendRuntime | undefined,
    proxied?: ProxyAddresses,
    early?: Uint8Array,
    trackers?: Trackers,
  ): void {
    // Half-open: a client's FIN after its request still gets the response (the gate hands
    // the FIN to node:http once that request is over).
    let socket: Tagged | undefined;
    const raw = socketFor(handle, {
      allowHalfOpen: true,
      ...sharedRead((chunk) => socket?.onRead(chunk)),
    } as net.SocketConstructorOpts);
    socket = this.serve(raw, backend, undefined, proxied, early);
    if (trackers) socket[kConn]!.trackers = trackers;
  }

  /** A client whose TLS handshake is done (frontend-runtime.ts): served as any other. */
  acceptSecure(secure: TLSSocket, backend: BackendRuntime | undefined, trackers?: Trackers): void {
    const gated = this.serve(secure, backend, secure);
    if (trackers) gated[kConn]!.trackers = trackers;
    // TLS decrypts into buffers of its own: they are handed to the gate as they come.
    secure.on('data', (chunk: Buffer) => gated.onRead(chunk));
  }

  private serve(
    raw: net.Socket,
    backend: BackendRuntime | undefined,
    tls: TLSSocket | undefined,
    proxied?: ProxyAddresses,
    early?: Uint8Array,
  ): Tagged {
    raw.setNoDelay(true);
    let conn: HttpClientConn | undefined;
    const gated = new GatedSocket(raw, this.limits, this.headTimeoutMs, {
      refused: (_reason, inBody, status) => this.refused(conn!, inBody, status),
      headTimeout: () => this.rejectRaw(conn!, 408),
      // A FIN while the response is being sent aborts it, as HAProxy logs `CD`.
      clientFin: () => {
        const x = conn!.exchange;
        if (x && !x.finished && x.phase === 'D') {
          x.abort('C', 'D');
          conn!.socket.destroy();
        }
      },
    }) as Tagged;
    conn = new HttpClientConn(gated, backend, this.ctx.deadlines.now(), Date.now(), proxied);
    conn.tls = tls;
    gated[kConn] = conn;
    this.conns.add(conn);
    gated.on('close', () => {
      // Gone before a whole request: HAProxy logs a 400 `CR` (dontlognull hides empty ones).
      if (conn.requests === 0 && !conn.logged && !(this.dontlognull && gated.bytesRead === 0)) {
        conn.logged = true;
        HttpExchange.logRejected(this, conn, 400, 'CR');
      }
      this.conns.delete(conn);
      for (const w of conn.waiting.splice(0)) w.clientClosed();
      if (conn.exchange) conn.exchange.clientClosed();
      closePrivateAgents(conn);
      conn.trackers?.release(Date.now());
      this.host.connectionEnded();
      if (this.stopped && this.conns.size === 0) this.closeServer();
    });
    const cfg = this.host.cfg;
    if (cfg.logs.length > 0 && !this.httplog && !this.tcplog && !cfg.options.httplog?.on) {
      this.ctx.log.send(
        cfg.logs,
        LogLevel.info,
        formatConnectLog({
          clientIp: conn.clientIp,
          clientPort: conn.clientPort,
          localIp: conn.localIp,
          localPort: conn.localPort,
          frontend: cfg.name,
          mode: cfg.mode,
        }),
      );
    }
    this.server.emit('connection', gated);
    if (early) gated.onRead(Buffer.from(early));
    if (this.stopped) this.drainConn(conn);
    return gated;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const conn = (req.socket as unknown as Tagged)[kConn];
    if (!conn) {
      res.destroy();
      return;
    }
    conn.requests++;
    const x = new HttpExchange(this, conn, req, res);
    if (conn.exchange) {
      conn.waiting.push(x);
      return;
    }
    conn.exchange = x;
    x.start();
  }

  /** An exchange finished: the next pipelined one starts; a draining connection closes. */
  exchangeDone(conn: HttpClientConn, x: HttpExchange): void {
    if (conn.exchange !== x) return;
    conn.served++;
    conn.exchange = conn.waiting.shift();
    // The next pipelined request starts once the server connection went back to its pool
    // (Node frees it a tick after the response), so it is reused as HAProxy reuses it.
    if (conn.exchange) setImmediate(startExchange, conn.exchange);
    else if (conn.draining && !conn.socket.destroyed) conn.socket.end();
    else setImmediate(releaseConn, conn);
  }

  /** The gate refused a message: HAProxy's 400, then the connection closes. */
  private refused(conn: HttpClientConn, inBody: boolean, status: RefusalStatus): void {
    const x = conn.exchange;
    if (inBody && x && !x.finished) {
      x.badRequestBody();
      return;
    }
    this.rejectRaw(conn, status);
  }

  /** HAProxy's raw 400 or 408 before any request of this turn reached node:http. */
  private rejectRaw(conn: HttpClientConn, status: RefusalStatus | 408): void {
    const socket = conn.socket;
    if (!socket.writable || conn.exchange) {
      socket.destroy();
      return;
    }
    const timeout = status === 408;
    // HAProxy answers an empty connection's timeout with a 408 too, but dontlognull hides it.
    const empty = conn.requests === 0 && socket.bytesRead === 0;
    socket.end(RAW_REPLIES[status]);
    conn.logged = true;
    if (!(empty && this.dontlognull)) {
      // A tcp frontend's tcplog line says `PR` for the timeout too (measured on 2.6.12).
      const term = timeout && this.httplog ? 'cR' : 'PR';
      HttpExchange.logRejected(this, conn, status, term);
    }
  }

  /** A head the gate passed that node:http's parser still refuses: the same raw 400. */
  private onClientError(err: NodeJS.ErrnoException, socket: net.Socket): void {
    const conn = (socket as unknown as Tagged)[kConn];
    const code = err.code ?? '';
    if (!conn || !code.startsWith('HPE_')) {
      socket.destroy();
      return;
    }
    this.rejectRaw(conn, 400);
  }

  private readonly reported = new Set<string>();

  /**
   * An exception inside one request: counted (`eint`), and reported once per distinct
   * message so a client that repeats it cannot flood the log. The request's own answer is
   * its exchange's business.
   */
  internalError(err: unknown): void {
    this.host.counters.internalErrors++;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (this.reported.has(what) || this.reported.size >= 64) return;
    this.reported.add(what);
    this.ctx.notify(
      'ALERT',
      `Proxy '${this.host.name}': internal error in a request, that request was ended (${what}).`,
    );
  }

  /** Soft stop / reload: no new requests on kept-alive connections. */
  stopAccepting(): void {
    this.stopped = true;
    for (const c of this.conns) this.drainConn(c);
    if (this.conns.size === 0) this.closeServer();
  }

  /**
   * A stopped frontend's server is closed once its last connection ended. node:http's
   * connections-checking interval once held the server, hence this frontend and its
   * whole engine, after every reload; the gate now times heads and that interval is never
   * armed, but closing keeps node:http from holding anything of an old engine.
   */
  private closeServer(): void {
    this.server.close();
  }

  /**
   * An idle kept-alive connection is not closed at once: a client may be sending its next
   * request right now and would see a reset. It gets `connection: close` on that request's
   * response, or is closed after DRAIN_IDLE_MS if it stays idle (HAProxy 2.7's
   * `idle-close-on-response`; 2.6 closes idle connections at once).
   */
  private drainConn(c: HttpClientConn): void {
    c.draining = true;
    if (c.exchange) return;
    const t = setTimeout(() => {
      if (!c.exchange && c.requests === c.served) c.socket.end();
    }, DRAIN_IDLE_MS);
    t.unref();
    c.socket.once('close', () => clearTimeout(t));
  }

  /** Cuts every connection (hard stop). */
  killAll(): void {
    for (const c of [...this.conns]) {
      c.exchange?.abort('K', 'D');
      c.socket.destroy();
    }
  }

  /** Cuts the requests being served by servers `match` accepts; returns how many. */
  killServer(match: (server: unknown) => boolean, cause: 'D' | 'U' | 'K'): number {
    let n = 0;
    for (const c of [...this.conns]) {
      const x = c.exchange;
      if (x?.target !== undefined && match(x.target)) {
        x.abort(cause, '-');
        c.socket.destroy();
        n++;
      }
    }
    return n;
  }
}

function startExchange(x: HttpExchange): void {
  if (!x.finished) x.start();
}

function releaseConn(conn: HttpClientConn): void {
  conn.socket.release();
}
