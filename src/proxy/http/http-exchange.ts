// One HTTP request through halo: applet or backend server, server slot (maxconn, queue),
// connect with retries and redispatch, request and response forwarding with HAProxy 2.6's
// header handling, its error replies (503 no server, 502 bad or aborted response, 504
// server timeout) and the log line (httplog, or tcplog on a tcp frontend HAProxy upgraded).
// A protocol engine: longer than most files, kept whole so the state rules read together.

import type http from 'node:http';
import type net from 'node:net';
import type { HttpReplySpec, SampleExpr } from '../../config/haproxy/http-rule-model.js';
import type { ErrorFileReply } from '../../config/haproxy/model.js';
import { formatIp, parseIp } from '../../net/ip-address.js';
import type { StickFacts } from '../acl.js';
import type { BackendRuntime } from '../backend-runtime.js';
import { htxResponseSize } from '../log/httplog.js';
import { encodeProxyHeader } from '../proxy-protocol.js';
import type { Pending } from '../queue.js';
import { processFacts } from '../sample/process-facts.js';
import type { Sample } from '../sample/sample.js';
import { stickKey } from '../sample/sample.js';
import type { SampleScope } from '../sample/scope.js';
import type { ServerRuntime } from '../server-runtime.js';
import { Trackers } from '../stick/trackers.js';
import type { SslFacts } from '../tls/ssl-fetches.js';
import { sslFacts } from '../tls/ssl-fetches.js';
import type { HttpApplet } from './applet.js';
import { CaptureValues } from './captures.js';
import type { ErrorReply } from './errors.js';
import { HTTP_ERRORS, RAW_400 } from './errors.js';
import { exchangeLogLine, rejectedLogLine } from './exchange-log.js';
import { forwardedFor } from './forwardfor.js';
import { DEFAULT_H1_LIMITS } from './h1-request.js';
import type { HttpClientConn, HttpFrontend } from './http-frontend.js';
import { HeaderList, RequestHead, ResponseHead, ResponseView, VarStore } from './http-head.js';
import type { HttpRuleSet, RuleInput, RuleReply, RuleVerdict } from './http-rules.js';
import { buildReply } from './http-rules.js';
import {
  headFacts,
  interimHead,
  requestFacts,
  requestHeaders,
  requestLines,
  responseHeaders,
  responseHeadProblem,
} from './messages.js';
import { MONITOR_OK, monitorUriMatches } from './monitor-uri.js';
import { evalSample } from './samples.js';
import { agentFor, httpMode, interleaved } from './server-agents.js';

function noop(): void {}

/** The environment, host name, clock and randomness samples read (`env`, `date`...). */
const PROCESS = processFacts();

/** `proc.` variables: the process's own. */
const PROC_VARS = new Map<string, Sample>();

export class HttpExchange implements Pending {
  target: ServerRuntime | undefined;
  lastServer: ServerRuntime | undefined;
  be: BackendRuntime | undefined;
  /** Applet's log name (`<STATS>`) when one answered. */
  appletName: string | undefined;
  readonly tReq: number;
  readonly received: number;
  readonly tR: number;
  tw = -1;
  tc = -1;
  tr = -1;
  retries = 0;
  redispatched = false;
  cause = '-';
  phase = 'R';
  termPhase = '-';
  srvQueuePos = 0;
  beQueuePos = 0;
  bodyBytes = 0;
  /** Request body bytes forwarded to the server. */
  bytesIn = 0;
  chunked = false;
  finished = false;
  private retriesLeft = 0;
  private preq: http.ClientRequest | undefined;
  private pres: http.IncomingMessage | undefined;
  private connected = false;
  private connTimedOut = false;
  private connStart = 0;
  private tConnected = 0;
  private timer: NodeJS.Timeout | undefined;
  private queuedOn: ServerRuntime | undefined;
  private staleRetried = false;
  private readonly hasBody: boolean;
  /**
   * This request's addresses: the connection's, until `http-request set-src` and the
   * others change them for this request (HAProxy 2.6 keeps them per stream).
   */
  readonly addr: {
    clientIp: string;
    clientPort: number;
    localIp: string;
    localPort: number;
    /** The connection's TLS socket: the ssl_* facts of ACLs read it from here. */
    readonly tls: HttpClientConn['tls'];
  };
  /** This request's rank on its connection (1: the first, for `http_first_req`). */
  private readonly index: number;

  constructor(
    readonly http: HttpFrontend,
    readonly conn: HttpClientConn,
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
  ) {
    this.addr = {
      clientIp: conn.clientIp,
      clientPort: conn.clientPort,
      localIp: conn.localIp,
      localPort: conn.localPort,
      tls: conn.tls,
    };
    const now = http.ctx.deadlines.now();
    this.tReq = now;
    this.index = conn.requests;
    // The first request counts from the accept; later ones from their headers (halo does not
    // see the first byte of a kept-alive connection's next request).
    this.tR = conn.requests === 1 ? Math.round(now - conn.accepted) : 0;
    this.received = Date.now() - this.tR;
    const te = req.headers['transfer-encoding'];
    const cl = req.headers['content-length'];
    this.hasBody = te !== undefined || (cl !== undefined && cl !== '0');
    res.sendDate = false;
    // A client that goes away mid-transfer: the 'close' handler below ends the request.
    req.on('error', noop);
    res.on('error', noop);
    res.on('finish', () => this.finish());
    res.on('close', () => {
      if (!this.finished) this.abort('C', this.phase);
    });
    // `timeout client` while the response is being sent; waiting for a server is not idle.
    res.on('timeout', () => {
      if (this.phase === 'D' && !this.finished) {
        this.abort('c', 'D');
        conn.socket.destroy();
      }
      return true;
    });
  }

  private now(): number {
    return this.http.ctx.deadlines.now();
  }

  /**
   * Starts the exchange. Whatever throws inside it ends this request only, with HAProxy's
   * 500 (its answer to an internal error), logged once as `PR`-class and counted.
   */
  start(): void {
    try {
      this.route();
    } catch (err) {
      this.internalError(err);
    }
  }

  /** An exception inside this request: 500 if nothing was sent yet, else the connection is cut. */
  internalError(err: unknown): void {
    this.http.internalError(err);
    if (this.finished) return;
    this.setTermination('P', this.phase === 'D' ? 'D' : 'R');
    if (!this.res.headersSent) {
      try {
        this.sendError(HTTP_ERRORS[500], 'P', this.phase);
        return;
      } catch {
        // fall through: the connection is cut
      }
    }
    this.conn.socket.destroy();
    this.finish();
  }

  private route(): void {
    const monitor = this.http.host.cfg.monitorUri;
    if (monitor !== undefined && monitorUriMatches(monitor, this.req.url ?? '')) {
      // Before applets and rules, as HAProxy answers it; never logged (its purpose).
      this.unlogged = true;
      this.sendError(MONITOR_OK, '-', '-');
      return;
    }
    // A connection tracked at the TCP level counts each of its requests.
    this.conn.trackers?.httpRequest(Date.now());
    const slots = this.http.host.cfg.captures;
    if (slots) {
      this.captures = new CaptureValues(slots);
      this.captures.captureHeaders('request', this.req.rawHeaders);
    }
    const host0 = this.http.host;
    if (host0.hasContentRules && host0.cfg.mode === 'http') {
      const input = this.ruleInput();
      if (host0.contentRejected(input.facts, input.track)) {
        this.contentRejected();
        return;
      }
    }
    if (this.restrictNames(this.http.host.cfg.restrictHdrNames)) return;
    const feRules = this.http.host.rules;
    if (feRules?.hasRequest && this.ruled(feRules.runRequest(this.ruleInput()))) return;
    // use_backend and the applets' conditions see the edited head and what is tracked.
    const stick = this.stickFacts();
    const scope = () => this.ruleInput().scope;
    const facts = () =>
      this.head || stick
        ? headFacts(this.addr, this.requestHead(), this.http.host.nbsrv, stick, scope)
        : requestFacts(this.addr, this.req, this.http.host.nbsrv, scope);
    for (const a of this.http.applets) {
      if (a.matches(this.req, facts)) {
        this.serveApplet(a);
        return;
      }
    }
    const host = this.http.host;
    this.be =
      this.conn.backend ?? (host.cfg.mode === 'http' ? host.routeRequest(facts()) : undefined);
    const be = this.be;
    if (be && be.name !== host.name && this.restrictNames(be.cfg.restrictHdrNames)) return;
    // The backend's own rules after the frontend's; a listen section's run once.
    const beRules = be?.rules;
    if (
      beRules?.hasRequest &&
      be!.name !== host.name &&
      this.ruled(beRules.runRequest(this.ruleInput()))
    )
      return;
    if (!be || be.servers.length === 0) {
      this.sendError(HTTP_ERRORS[503], 'S', 'C');
      return;
    }
    this.retriesLeft = be.retries;
    const r = be.assign(this, { clientAddress: this.addr.clientIp });
    if (r.kind === 'server') this.connect(r.server);
    else if (r.kind === 'queued') this.queued(r.server, r.position);
    else this.sendError(HTTP_ERRORS[503], 'S', 'C'); // no usable server: Tw stays -1
  }

  private serveApplet(a: HttpApplet): void {
    this.appletName = a.logName;
    this.tw = 0;
    this.tc = 0;
    this.setTermination('L', 'R');
    this.prepareClientHead();
    const res = this.res;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
    const count = (chunk: unknown) => {
      if (typeof chunk === 'string') this.bodyBytes += Buffer.byteLength(chunk);
      else if (chunk instanceof Uint8Array) this.bodyBytes += chunk.length;
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (this.tr < 0) this.tr = Math.round(this.now() - this.tReq);
      count(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (this.tr < 0) this.tr = Math.round(this.now() - this.tReq);
      if (typeof chunk !== 'function') count(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
    // Applets wait for a request body; HAProxy gives it `timeout http-request` (408).
    const wait = this.http.headTimeoutMs;
    if (!this.req.complete && wait > 0) {
      const t = setTimeout(() => this.bodyTimedOut(), wait);
      const clear = () => clearTimeout(t);
      this.req.once('end', clear);
      this.res.once('close', clear);
    }
    try {
      a.serve(this.req, this.res);
    } catch (err) {
      this.internalError(err);
    }
  }

  /** HAProxy answers through its normal response path here (measured): lower-case names. */
  private bodyTimedOut(): void {
    if (this.finished || this.res.headersSent || this.req.complete) return;
    this.closeAfter = true;
    this.sendError(HTTP_ERRORS[408], 'c', 'R');
  }

  /** The client connection closes after this response, whatever the connection mode. */
  private closeAfter = false;

  /** A monitor-uri request: answered, counted, not logged. */
  private unlogged = false;

  /** The gate found the request body's framing broken: HAProxy's 400, then close. */
  badRequestBody(): void {
    if (this.finished) return;
    if (this.res.headersSent) {
      this.abort('P', 'D');
      this.conn.socket.destroy();
      return;
    }
    this.preq?.destroy();
    this.preq = undefined;
    this.rawStatus = 400;
    this.setTermination('P', 'R');
    this.conn.socket.end(RAW_400);
    this.finish();
  }

  /** Status of a raw reply written around node:http (400, 408), for the log and counters. */
  rawStatus: number | undefined;

  private queued(server: ServerRuntime | undefined, position: number): void {
    this.phase = 'Q';
    this.queuedOn = server;
    if (server) this.srvQueuePos = position;
    else this.beQueuePos = position;
    const t = this.be!.queueTimeout;
    if (t > 0) this.timer = setTimeout(() => this.queueTimedOut(), t);
  }

  /** A server slot freed up for this request (Pending). */
  dequeued(server: ServerRuntime): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queuedOn = undefined;
    this.connect(server);
  }

  private queueTimedOut(): void {
    this.timer = undefined;
    this.be!.unqueue(this, this.queuedOn);
    this.queuedOn = undefined;
    this.tw = Math.round(this.now() - this.tReq);
    this.sendError(HTTP_ERRORS[503], 's', 'Q');
  }

  private connect(server: ServerRuntime): void {
    if (this.finished) {
      this.be!.release(server);
      return;
    }
    this.target = server;
    this.lastServer = server;
    this.phase = 'C';
    this.connStart = this.now();
    this.tw = Math.round(this.connStart - this.tReq);
    if (server.address !== undefined) this.dial(server, server.address);
    else server.lookup(this);
  }

  /** Sends the request to `server` at a numeric address (ServerRuntime.lookup calls back). */
  dial(server: ServerRuntime, address: string): void {
    if (this.finished || this.target !== server) return;
    try {
      this.dialNow(server, address);
    } catch (err) {
      this.internalError(err);
    }
  }

  private dialNow(server: ServerRuntime, address: string): void {
    const be = this.be!;
    const fe = this.http.host.cfg;
    const mode = httpMode(fe, be.cfg);
    const head = this.head;
    const xff = forwardedFor(
      this.http.forwardforFor(be),
      this.addr.clientIp,
      head ? (n) => head.header(n).length > 0 : (n) => this.req.headers[n] !== undefined,
    );
    const xot = forwardedFor(this.http.originaltoFor(be), this.addr.localIp, () => false);
    const raw0 = head ? head.headers.toRaw() : this.req.rawHeaders;
    // X-Forwarded-For, then X-Original-To, each its own line at the end, as HAProxy adds them.
    const raw = xot && xff ? [...raw0, xff[0], xff[1]] : raw0;
    const last = xot ?? xff;
    const headers = requestHeaders(raw, last);
    // Lines of one name apart from each other (a client's, or an add-header's): node would
    // write them together, so their order is given along.
    const lines = requestLines(raw, last);
    const order = interleaved(lines) ? lines : undefined;
    const conn = this.conn;
    const sendProxy = server.cfg.sendProxy;
    const preq = agentFor(
      server,
      mode === 'keep-alive',
      sendProxy && {
        owner: conn,
        header: () =>
          encodeProxyHeader(sendProxy, {
            src: { address: this.addr.clientIp, port: this.addr.clientPort },
            dst: { address: this.addr.localIp, port: this.addr.localPort },
          }),
      },
    ).request(
      address,
      server.port ?? this.addr.localPort,
      head ? head.method : (this.req.method ?? 'GET'),
      head ? head.url : (this.req.url ?? '/'),
      headers,
      mode !== 'keep-alive',
      this.req.httpVersion,
      order,
    );
    if (!this.hasBody) preq.useChunkedEncodingByDefault = false;
    this.preq = preq;
    this.connected = false;
    this.connTimedOut = false;
    preq.on('socket', (sock) => {
      if (this.preq !== preq) return;
      if (!sock.connecting) {
        this.onConnected(preq, true);
        return;
      }
      const ct = be.connectTimeout;
      if (ct > 0) {
        this.timer = setTimeout(() => {
          this.connTimedOut = true;
          preq.destroy();
        }, ct);
      }
      // TLS to the server: connected once the handshake is done, so a certificate that
      // fails verification is a connection failure (503 `SC`), as in HAProxy.
      sock.once(server.cfg.ssl ? 'secureConnect' : 'connect', () => this.onConnected(preq, false));
    });
    preq.on('response', (pres) => this.onResponse(preq, pres));
    preq.on('information', (info) => this.onInterim(preq, info));
    // halo forwards no Upgrade yet, so a 101 was never asked for: HAProxy 2.6 answers 502.
    preq.on('upgrade', (_res, sock: net.Socket) => this.onUnaskedSwitch(preq, sock));
    preq.on('error', (err: NodeJS.ErrnoException) => this.onServerError(preq, err));
    if (be.serverTimeout > 0) preq.setTimeout(be.serverTimeout, () => this.serverTimedOut(preq));
  }

  private onConnected(preq: http.ClientRequest, reused: boolean): void {
    if (this.preq !== preq || this.finished) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.connected = true;
    this.reused = reused;
    this.tConnected = this.now();
    this.tc = reused ? 0 : Math.round(this.tConnected - this.connStart);
    this.phase = 'H';
    if (!reused) this.target?.observeSuccess();
    if (this.hasBody) {
      this.req.on('data', (c: Buffer) => {
        this.bytesIn += c.length;
      });
      this.req.pipe(preq);
    } else preq.end();
  }

  private reused = false;

  private onUnaskedSwitch(preq: http.ClientRequest, sock: net.Socket): void {
    sock.destroy();
    if (this.preq !== preq || this.finished) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.tr = -1;
    this.sendError(HTTP_ERRORS[502], 'P', 'H');
  }

  private onServerError(preq: http.ClientRequest, err: NodeJS.ErrnoException): void {
    if (this.preq !== preq || this.finished) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.connected) {
      this.connectFailed(this.connTimedOut ? 's' : 'S', -(Number(err.errno) || 0) || -111);
      return;
    }
    if (this.pres) {
      // Bytes after a complete response (a 204 with a body, say) end only its connection.
      if (this.pres.complete) return;
      if (!this.headOut) {
        // The head and a broken body came in one read: HAProxy answers 502 before it
        // forwards anything.
        this.pres = undefined;
        this.tr = -1;
        this.phase = 'H';
        this.sendError(HTTP_ERRORS[502], 'P', 'H');
        return;
      }
      this.abort('S', 'D');
      this.res.destroy();
      return;
    }
    // A kept-alive server connection that the server had just closed: try a fresh one.
    if (this.reused && !this.staleRetried && !this.hasBody && err.code === 'ECONNRESET') {
      this.staleRetried = true;
      this.dial(this.target!, this.target!.address!);
      return;
    }
    this.sendError(HTTP_ERRORS[502], err.code?.startsWith('HPE_') ? 'P' : 'S', 'H');
  }

  private serverTimedOut(preq: http.ClientRequest): void {
    if (this.preq !== preq || this.finished) return;
    if (!this.connected) return; // the connect timer handles this phase
    preq.destroy();
    if (this.pres) {
      this.abort('s', 'D');
      this.res.destroy();
    } else this.sendError(HTTP_ERRORS[504], 's', 'H');
  }

  /** Connection attempt failed: retry (same server after the turn-around), redispatch, or 503. */
  connectFailed(cause: 'S' | 's', status: number): void {
    const failed = this.target!;
    failed.observeFailure(cause === 's' ? 'timeout' : 'refused', status);
    this.preq = undefined;
    if (this.finished) return;
    const be = this.be!;
    if (this.retriesLeft <= 0) {
      this.sendError(HTTP_ERRORS[503], cause, 'C');
      return;
    }
    this.retriesLeft--;
    this.retries++;
    // As HAProxy's back_handle_st_cer: redispatch on the last retry (or when the server is
    // down or another one may do better), and wait the turn-around before connecting again
    // unless another roundrobin server may take it (measured: 4 attempts 1 s apart with
    // one server and `option redispatch`).
    const redispatch =
      be.redispatch &&
      (this.retriesLeft === 0 || !failed.up || (!be.deterministic && be.farm().active > 1));
    const rr =
      be.cfg.balance.algorithm === 'roundrobin' || be.cfg.balance.algorithm === 'static-rr';
    const wait =
      cause === 'S' && (!redispatch || !rr || be.farm().active <= 1)
        ? Math.min(be.connectTimeout || 1000, 1000)
        : 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (redispatch) this.redispatch(failed, cause);
      else if (this.target) this.connect(this.target);
    }, wait);
  }

  private redispatch(failed: ServerRuntime, cause: string): void {
    const be = this.be!;
    be.release(failed);
    this.target = undefined;
    const r = be.assign(this, { clientAddress: this.addr.clientIp, avoid: failed });
    if (r.kind === 'server') {
      this.redispatched = this.redispatched || r.server !== failed;
      this.connect(r.server);
    } else if (r.kind === 'queued') this.queued(r.server, r.position);
    else this.sendError(HTTP_ERRORS[503], cause, 'C');
  }

  private onResponse(preq: http.ClientRequest, pres: http.IncomingMessage): void {
    if (this.preq !== preq || this.finished) return;
    pres.on('error', noop);
    const reason = (pres.statusMessage ?? '').replace(/^[ \t]+/, '');
    const problem = responseHeadProblem(
      pres.httpVersion,
      reason,
      pres.rawHeaders,
      this.http.ctx.h1 ?? DEFAULT_H1_LIMITS,
    );
    if (problem) {
      pres.destroy();
      this.sendError(HTTP_ERRORS[502], 'P', 'H');
      return;
    }
    this.pres = pres;
    this.tr = Math.round(this.now() - this.tConnected);
    this.phase = 'D';
    pres.on('aborted', () => {
      if (this.headOut && !this.finished) {
        this.abort('S', 'D');
        this.res.destroy();
      }
    });
    // node's parser goes on through the rest of this read after 'response': a framing error
    // there (onServerError) still gets the 502, as in HAProxy, which parses the read whole.
    setImmediate(() => {
      try {
        this.forwardResponse(pres, reason);
      } catch (err) {
        this.internalError(err);
      }
    });
  }

  /** True once the response head went to the client (a server error then cuts it). */
  private headOut = false;

  private forwardResponse(pres: http.IncomingMessage, serverReason: string): void {
    if (this.pres !== pres || this.finished) return;
    const { headers, chunked } = responseHeaders(pres.rawHeaders);
    this.chunked = chunked;
    let status = pres.statusCode ?? 502;
    let reason = serverReason;
    let out = headers;
    this.captures?.captureHeaders('response', pres.rawHeaders);
    if (this.hasResponseRules()) {
      // HAProxy's log counts the response as the server sent it, before the rules.
      this.loggedHead = { status, reason, headers: headers.map(([k, v]) => [k, v]) };
      const res = new ResponseHead(status, reason, new HeaderList(headers));
      const denied = this.runResponseRules(res);
      if (denied) {
        // HAProxy logs Tr -1 here and counts the server's response (head and the body that
        // came with it, taken as its content-length) next to the 502 it sends instead.
        const cl = Number(pres.headers['content-length'] ?? 0);
        const received = htxResponseSize({
          version: 'HTTP/1.1',
          status,
          reason,
          headers,
          bodyBytes: Number.isSafeInteger(cl) && cl > 0 ? cl : 0,
          chunked,
        });
        pres.destroy();
        this.pres = undefined;
        this.tr = -1;
        this.sendRuleReply(denied.reply, 'P', 'H');
        this.logExtra += received;
        return;
      }
      status = res.status;
      reason = res.reason;
      out = res.headers.lines;
    }
    try {
      this.writeClientHead(status, reason, out);
    } catch {
      // A status or header Node refuses to send (e.g. a status above 999): invalid response.
      this.pres = undefined;
      this.tr = -1;
      this.phase = 'H';
      this.sendError(HTTP_ERRORS[502], 'P', 'H');
      return;
    }
    this.headOut = true;
    // The head goes now, as HAProxy sends it, even if the body never comes. An empty Buffer,
    // not flushHeaders(): that one writes the head as UTF-8 (8-bit values doubled).
    this.res.write(Buffer.alloc(0));
    if (pres.destroyed && !pres.complete) {
      // The server closed before the body was complete (and before this ran).
      this.abort('S', 'D');
      this.res.destroy();
      return;
    }
    pres.on('data', (c: Buffer) => {
      this.bodyBytes += c.length;
    });
    pres.pipe(this.res);
  }

  /**
   * A 1xx interim response (100, 103, ...): relayed to the client as HAProxy does. It waits
   * for the end of the current read, as the final head does: when the final response in
   * the same read is refused, HAProxy's client sees the 502 alone.
   */
  private onInterim(preq: http.ClientRequest, info: http.InformationEvent): void {
    if (this.preq !== preq || this.finished || this.pres) return;
    const reason = info.statusMessage.replace(/^[ \t]+/, '');
    this.interims.push(interimHead(info.statusCode, reason, info.rawHeaders));
    if (this.interims.length === 1) setImmediate(() => this.flushInterims());
  }

  /** Interim heads waiting for the end of the read they came in. */
  private interims: string[] = [];

  /** Writes pending interim heads while this response owns the client socket, unsent. */
  private flushInterims(): void {
    const heads = this.interims;
    this.interims = [];
    const sock = this.res.socket;
    if (this.finished || !sock || sock.destroyed || this.res.headersSent) return;
    for (const h of heads) sock.write(h, 'latin1');
  }

  /** Connection header towards the client: HAProxy's keep-alive rules. */
  private clientKeepAlive(): boolean {
    const be = this.be?.cfg ?? this.http.host.cfg;
    return (
      !this.conn.draining &&
      httpMode(this.http.host.cfg, be) !== 'close' &&
      this.res.shouldKeepAlive !== false
    );
  }

  /** `connection` value to send the client: none for a kept-alive HTTP/1.1 client. */
  private connectionHeader(): string | undefined {
    if (this.closeAfter || !this.clientKeepAlive()) return 'close';
    return this.req.httpVersion === '1.0' ? 'keep-alive' : undefined;
  }

  /** Before an applet writes: Node must add no Connection/Keep-Alive of its own. */
  private prepareClientHead(): void {
    const c = this.connectionHeader();
    if (c) this.res.setHeader('connection', c);
    else this.res.removeHeader('connection');
  }

  private writeClientHead(status: number, reason: string, headers: [string, string][]): void {
    const after = this.afterResponseRules();
    if (after.length > 0) {
      const res = new ResponseHead(status, reason, new HeaderList(headers));
      const input = this.ruleInput(res);
      for (const r of after) r.runAfterResponse(input, res);
      this.writeHeadNow(res.status, res.reason, res.headers.lines);
    } else this.writeHeadNow(status, reason, headers);
  }

  private writeHeadNow(status: number, reason: string, headers: [string, string][]): void {
    const flat: string[] = [];
    for (const [k, v] of headers) flat.push(k, v);
    const c = this.connectionHeader();
    if (c) flat.push('connection', c);
    else this.res.removeHeader('connection');
    this.res.writeHead(status, reason, flat);
  }

  /** The head rules edit, made from the request the first time a rule runs. */
  private head: RequestHead | undefined;
  private sslRead: SslFacts | undefined;
  /** The head the log counts when it is not the one sent (response rules changed it). */
  loggedHead: { status: number; reason: string; headers: [string, string][] } | undefined;
  /** Bytes of a rule's answer the log counts but that were not sent (`connection: close`). */
  logExtra = 0;
  /** A tarpitted request: logged with TR -1 and its wait as Tw, as HAProxy does. */
  tarpitted = false;

  private requestHead(): RequestHead {
    if (!this.head) {
      this.head = new RequestHead(
        this.req.method ?? 'GET',
        this.req.url ?? '/',
        this.req.httpVersion,
        HeaderList.fromRaw(this.req.rawHeaders),
      );
      this.conn.vars ??= new Map();
      this.head.vars = new VarStore(this.conn.vars, PROC_VARS);
    }
    return this.head;
  }

  /** What rules read: the edited head, the connection, and the response once there is one. */
  private ruleInput(res?: ResponseHead): RuleInput {
    const req = this.requestHead();
    req.response = res;
    if (res) req.vars?.endRequest();
    const host = this.http.host;
    if (this.conn.tls && !this.sslRead) this.sslRead = sslFacts(this.conn.tls);
    const stick = this.stickFacts();
    const scope: SampleScope = {
      ...PROCESS,
      ...(stick ? { stick } : {}),
      conn: this.addr,
      ssl: this.sslRead,
      req,
      ...(res ? { res } : {}),
      frontend: host.name,
      frontendTls: this.conn.tls !== undefined,
      backend: this.be?.name ?? host.name,
      ...(this.target ? { server: this.target.name } : {}),
      nbsrv: host.nbsrv,
      firstRequest: this.index === 1,
      ...(this.captures ? { captures: this.captures } : {}),
    };
    return {
      facts: headFacts(
        this.addr,
        res ? new ResponseView(res, req.vars, req.method) : req,
        host.nbsrv,
        stick,
        () => scope,
      ),
      setAddress: (which, value) => setAddress(this.addr, which, value),
      track: (slot, table, key) => {
        const t = this.http.ctx.tables?.get(table);
        if (!t) return;
        // A rule's sample becomes a key of the table's type (a non-address one tracks nothing).
        const k = typeof key === 'string' ? key : stickKey(key, t.cfg.type);
        if (k === undefined) return;
        this.trackers ??= new Trackers();
        this.trackers.track(slot, t, k, Date.now(), true);
      },
      scope,
    };
  }

  /**
   * `tcp-request content reject` on this request: the connection is closed without an
   * answer, logged as HAProxy logs it (status -1, `PR--`, `<BADREQ>`, TR -1).
   */
  private contentRejected(): void {
    this.badRequestLine = true;
    this.rejected();
  }

  /**
   * `http-request reject` (and the content reject above): the connection is closed at
   * once, nothing sent, counted as a denied request; logged with status -1, `PR--`, TR -1.
   */
  private rejected(): void {
    this.http.host.counters.denied++;
    this.rawStatus = -1;
    this.tarpitted = true; // TR -1 in the log, as for a tarpit
    this.setTermination('P', 'R');
    this.conn.socket.destroy();
    this.finish();
  }

  /** A `%[...]` of the frontend's log-format, on this request (and its response). */
  logSample(expr: SampleExpr): string | undefined {
    return evalSample(expr, this.ruleInput().scope);
  }

  /** The log shows `<BADREQ>` instead of the request line. */
  badRequestLine = false;

  /** The frontend's capture slots for this request (`%hr`, `%hs`, `capture.req.hdr`). */
  captures: CaptureValues | undefined;

  /** Stick-table entries this request tracks (`http-request track-sc*`). */
  private trackers: Trackers | undefined;

  /** What `sc_*`/`src_*` read: the request's tracked entries, else its connection's. */
  private stickFacts(): StickFacts | undefined {
    const tables = this.http.ctx.tables;
    if (!tables || tables.size === 0) return undefined;
    const own = this.http.host.name;
    return {
      tracked: (slot) => this.trackers?.get(slot) ?? this.conn.trackers?.get(slot),
      table: (name) => tables.get(name ?? own),
      now: () => Date.now(),
    };
  }

  /**
   * `option http-restrict-req-hdr-names delete|reject`: header names with other characters
   * than letters, digits and '-' (X_Forwarded_For) are dropped, or the request gets
   * HAProxy's 403. True when it was refused.
   */
  private restrictNames(how: 'delete' | 'reject' | undefined): boolean {
    if (!how) return false;
    const bad = (n: string) => !/^[A-Za-z0-9-]+$/.test(n);
    const names = this.head
      ? this.head.headers.lines.map(([n]) => n)
      : this.req.rawHeaders.filter((_, i) => i % 2 === 0);
    if (!names.some(bad)) return false;
    if (how === 'reject') {
      this.http.host.counters.denied++;
      this.sendError(HTTP_ERRORS[403], 'P', 'R');
      return true;
    }
    this.requestHead().headers.delete(bad);
    return false;
  }

  /** True when a final rule took the request (its answer is under way). */
  private ruled(v: RuleVerdict | undefined): boolean {
    if (!v) return false;
    if (v.action === 'reject') {
      this.rejected();
      return true;
    }
    // deny and tarpit count as denied requests (`dreq`), as in HAProxy.
    if (v.action === 'deny' || v.action === 'tarpit') this.http.host.counters.denied++;
    // A body the client is still sending is not read: HAProxy closes after the answer.
    if (this.hasBody && !this.req.complete) this.closeAfter = true;
    if (v.action === 'tarpit') {
      this.tarpitted = true;
      this.phase = 'T';
      const be = this.be;
      const t = be
        ? be.tarpitTimeout
        : (this.http.host.cfg.timeouts.tarpit ?? this.http.host.cfg.timeouts.connect ?? 0);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.tw = Math.round(this.now() - this.tReq);
        this.sendRuleReply(v.reply, 'P', 'T');
      }, t);
      return true;
    }
    if (v.action === 'deny') this.sendRuleReply(v.reply, 'P', 'R');
    else this.sendRuleReply(v.reply, 'L', 'R');
    return true;
  }

  private sendRuleReply(reply: RuleReply, cause: string, phase: string): void {
    this.loggedHead = undefined;
    const wasClosing = this.closeAfter;
    this.sendError(reply, cause, phase);
    // The log counts a `connection: close` (15 bytes of HTX) that is part of the reply: the
    // one HAProxy's 400 and 408 pages carry, and the one it adds to a reply it builds
    // (return, redirect, a deny with a body); not the one its other pages go out with.
    const inPage = reply.page === true && this.closeAfter && !wasClosing;
    const added = reply.page !== true && this.closeAfter;
    this.logExtra = (reply.logExtra ?? 0) + (inPage || added ? 15 : 0);
  }

  /** Response rules apply in the backend, then the frontend (once for a listen section). */
  private ruleSets(): HttpRuleSet[] {
    const out: HttpRuleSet[] = [];
    const be = this.be;
    const fe = this.http.host;
    if (be?.rules && be.name !== fe.name) out.push(be.rules);
    if (fe.rules) out.push(fe.rules);
    return out;
  }

  private hasResponseRules(): boolean {
    return this.ruleSets().some((r) => r.hasResponse);
  }

  /** http-response rules on `res`: the verdict of a `deny`, else undefined. */
  private runResponseRules(res: ResponseHead): RuleVerdict | undefined {
    const input = this.ruleInput(res);
    for (const r of this.ruleSets()) {
      const v = r.runResponse(input, res);
      if (v) return v;
    }
    return undefined;
  }

  private afterResponseRules(): HttpRuleSet[] {
    return this.ruleSets().filter((r) => r.hasResponse);
  }

  /** The backend's own reply for `status` (errorfile, http-error), else the frontend's. */
  private errorReplyFor(status: number): HttpReplySpec | undefined {
    return this.be?.cfg.errorFiles?.[status] ?? this.http.host.cfg.errorFiles?.[status];
  }

  /**
   * An `errorfile` reply: the file's bytes as HAProxy sends them (its status line, header
   * names in lower case, no `connection` line, the payload), then the connection closes
   * (a file without Content-Length ends there). The log counts it as HAProxy holds it.
   * An empty file (`/dev/null`): nothing is sent, the connection closes.
   */
  private sendErrorFile(f: ErrorFileReply | null, status: number): void {
    this.rawStatus = status;
    if (!f) {
      this.logExtra = 0;
      this.conn.socket.end();
      this.finish();
      return;
    }
    let head = `${f.version} ${f.status} ${f.reason}\r\n`;
    let size = 20 + f.version.length + String(f.status).length + f.reason.length + 1;
    for (const [k, v] of f.headers) {
      size += k.length + v.length;
      if (k !== 'connection' && k !== 'keep-alive') head += `${k}: ${v}\r\n`;
    }
    // HTTP/1.1 says the connection closes; HTTP/1.0 implies it.
    if (f.version === 'HTTP/1.1') head += 'connection: close\r\n';
    this.logExtra = size + f.body.length;
    this.conn.socket.end(Buffer.from(`${head}\r\n${f.body}`, 'latin1'));
    this.finish();
  }

  /** One of HAProxy's error replies (the request is over; the connection may stay). */
  private sendError(
    e: ErrorReply & { page?: boolean; file?: ErrorFileReply | null },
    cause: string,
    phase: string,
  ): void {
    this.setTermination(cause, phase);
    this.interims = [];
    this.preq?.destroy();
    this.preq = undefined;
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    // HAProxy's own pages (not a reply a rule built) give way to the proxy's own reply.
    const own = e.page === false ? undefined : this.errorReplyFor(e.status);
    const reply = own ? buildReply(own, this.ruleInput().scope) : e;
    const f = reply.file;
    if (f !== undefined) {
      // An HTTP/1.1 file with its length goes out as any reply (the connection may stay,
      // `connection: close` added when it does not); others end with the connection.
      if (f && f.version === 'HTTP/1.1' && framed(f)) {
        const headers = f.headers.filter(([k]) => k !== 'connection' && k !== 'keep-alive');
        this.writeClientHead(
          f.status,
          f.reason,
          headers.map(([k, v]) => [k, v]),
        );
        this.rawStatus = reply.status;
        this.bodyBytes = f.body.length;
        this.res.end(Buffer.from(f.body, 'latin1'));
      } else this.sendErrorFile(f, reply.status);
      return;
    }
    // HAProxy's 400 and 408 pages (deny_status) close the connection after them.
    const headers: [string, string][] = [];
    for (const [k, v] of reply.headers) {
      if (k === 'connection') this.closeAfter = true;
      else headers.push([k, v]);
    }
    this.writeClientHead(reply.status, reply.reason, headers);
    this.bodyBytes = reply.body.length;
    this.res.end(reply.body);
  }

  setTermination(cause: string, phase: string): void {
    if (this.cause === '-') {
      this.cause = cause;
      this.termPhase = phase;
    }
  }

  /** Ends the request now with termination state `cause`+`phase`. */
  abort(cause: string, phase: string): void {
    this.setTermination(cause, phase);
    this.preq?.destroy();
    this.preq = undefined;
    this.finish();
  }

  /** The client connection closed under this request. */
  clientClosed(): void {
    if (!this.finished) this.abort('C', this.phase);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.trackers?.release(Date.now());
    clearTimeout(this.timer);
    this.timer = undefined;
    const be = this.be;
    if (be && this.phase === 'Q') be.unqueue(this, this.queuedOn);
    if (this.preq && !this.pres?.complete) this.preq.destroy();
    const t = this.target;
    if (t && be) {
      this.target = undefined;
      be.release(t);
    }
    const h = this.http;
    const cfg = h.host.cfg;
    const ta = Math.round(this.now() - this.tReq) + this.tR;
    const term = this.cause + this.termPhase;
    h.host.countExchange(
      be,
      this.lastServer,
      {
        bytesIn: this.bytesIn,
        bytesOut: this.bodyBytes,
        retries: this.retries,
        redispatched: this.redispatched,
        connectFailed: term === 'SC' || term === 'sC',
        abortBy:
          this.termPhase === 'D' && (this.cause === 'C' || this.cause === 'S')
            ? this.cause
            : undefined,
        tc: this.tc,
        tt: ta,
        status: this.rawStatus ?? (this.res.headersSent ? this.res.statusCode : undefined),
      },
      this.cause === 'P' || this.cause === 'c',
    );
    if (!this.unlogged && cfg.logs.length > 0 && (h.httplog || h.tcplog)) {
      h.ctx.log.send(cfg.logs, 6, exchangeLogLine(this, this.now()));
    }
    h.exchangeDone(this.conn, this);
  }

  /** Log line of a request refused before it existed (400 unparsable, 408 too slow). */
  static logRejected(h: HttpFrontend, conn: HttpClientConn, status: number, term: string): void {
    const cfg = h.host.cfg;
    if (cfg.logs.length === 0 || !(h.httplog || h.tcplog)) return;
    h.ctx.log.send(cfg.logs, 6, rejectedLogLine(h, conn, status, term, h.ctx.deadlines.now()));
  }
}

/** Whether an errorfile says where its payload ends (Content-Length, or no payload). */
function framed(f: ErrorFileReply): boolean {
  return f.status === 204 || f.status === 304 || f.headers.some(([k]) => k === 'content-length');
}

/**
 * `set-src`/`set-dst`: the value as an address (HAProxy's string to address conversion;
 * anything else changes nothing; an IPv4-mapped IPv6 one kept as written), the port kept;
 * `set-src-port`/`set-dst-port`: the value's leading integer (0 without one), cut to 16 bits
 * as HAProxy stores it.
 */
function setAddress(
  addr: HttpExchange['addr'],
  which: 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port',
  value: string,
): void {
  if (which === 'set-src' || which === 'set-dst') {
    const ip = parseIp(value.trim());
    if (!ip) return;
    const b = ip.bytes;
    const mapped =
      b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    const text = mapped ? `::ffff:${b.slice(12).join('.')}` : formatIp(b);
    if (which === 'set-src') addr.clientIp = text;
    else addr.localIp = text;
    return;
  }
  const m = /^\s*([+-]?\d+)/.exec(value);
  const port = m ? Number(BigInt.asUintN(16, BigInt(m[1]!))) : 0;
  if (which === 'set-src-port') addr.clientPort = port;
  else addr.localPort = port;
}
