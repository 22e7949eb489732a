// One proxied TCP connection: queue, connect with retries and redispatch, full-duplex relay
// with half-close and backpressure, timeouts, and the tcplog line at the end.
//
// Hot path: raw libuv handles (io/stream-handle.ts), no net.Socket. Every callback is a
// module-level function shared by all sessions; a handle points back to its session
// through its `owner` property. A chunk read on one side is written to the other at once;
// when the kernel does not take all of it, reading that side stops until the write is
// flushed, so halo never holds more than one chunk per direction (at most 128 KiB, read
// into a buffer of that side's own once it moves bulk data; see io/stream-handle.ts).
// Inactivity timeouts are two `Deadline`s (client side, server side) that activity only
// time-stamps.
// A protocol engine: longer than most files, kept whole so the state rules read together.

import type { LogFormat } from '../config/haproxy/http-rule-model.js';
import type { BackendRuntime } from './backend-runtime.js';
import type { FrontendRuntime } from './frontend-runtime.js';
import { evalSample, layer4Scope } from './http/samples.js';
import { Deadline } from './io/deadlines.js';
import type { StreamHandle } from './io/stream-handle.js';
import {
  connectTcp,
  isBulk,
  localAddress,
  localPort,
  peerAddress,
  readIntoOwn,
  readIntoShared,
  readResult,
  relayShared,
  releaseOwn,
  shutdownWrite,
  UV_EOF,
  writeTo,
} from './io/stream-handle.js';
import type { LogRecord } from './log/custom-log.js';
import { logHostname, renderLogFormat } from './log/custom-log.js';
import { formatTcpLog } from './log/tcplog.js';
import type { ProxyAddresses } from './proxy-protocol.js';
import { encodeProxyHeader } from './proxy-protocol.js';
import type { Pending } from './queue.js';
import { processFacts } from './sample/process-facts.js';
import type { ServerRuntime } from './server-runtime.js';

export const CLIENT = 0;
export const SERVER = 1;

export class TcpSession implements Pending {
  server: StreamHandle | undefined;
  target: ServerRuntime | undefined;
  lastServer: ServerRuntime | undefined;
  private readonly t0: number;
  clientIp = '-';
  clientPort = 0;
  /** Stick-table entries its connection tracks (`tcp-request connection track-sc*`). */
  trackers: import('./stick/trackers.js').Trackers | undefined;
  /** The address the client connected to, read at start for a `log-format` (`%fi`, `dst`). */
  local: { address: string; port: number } | undefined;
  tw = -1;
  tc = -1;
  bytesIn = 0;
  bytesOut = 0;
  retries = 0;
  redispatched = false;
  private phase = 'Q';
  private termCause = '-';
  private termPhase = '-';
  private retriesLeft: number;
  private srvQueuePos = 0;
  private beQueuePos = 0;
  private queuedAt = -1;
  private queuedOn: ServerRuntime | undefined;
  private timer: NodeJS.Timeout | undefined;
  private connStart = 0;
  /** FIN received from the client / the server. */
  private cEof = false;
  private sEof = false;
  /** FIN delivered (or due at close) towards the client / the server. */
  private cFin = false;
  private sFin = false;
  private cPending = 0;
  private sPending = 0;
  private finished = false;
  /** Read buffers of the client / server side once it moves bulk data (stream-handle.ts). */
  private cBuf: Buffer | undefined;
  private sBuf: Buffer | undefined;
  readonly cDl: Deadline;
  readonly sDl: Deadline;
  /** The client's addresses from its PROXY header (`accept-proxy`); else the socket's. */
  proxied: ProxyAddresses | undefined;
  /** Bytes the client sent after its PROXY header, relayed first once connected. */
  early: Uint8Array | undefined;

  constructor(
    readonly fe: FrontendRuntime,
    readonly be: BackendRuntime,
    readonly client: StreamHandle,
  ) {
    this.t0 = fe.deadlines.now();
    this.retriesLeft = be.retries;
    this.cDl = new Deadline(this, CLIENT);
    this.sDl = new Deadline(this, SERVER);
    client.owner = this;
    client.onread = onClientRead;
    readIntoShared(client);
  }

  start(): void {
    const r = this.be.assign(this, { clientAddress: this.clientIp });
    if (r.kind === 'server') {
      this.tw = 0;
      this.connect(r.server);
    } else if (r.kind === 'queued') {
      this.queued(r.server, r.position);
    } else {
      this.abort('S', 'C');
    }
  }

  private queued(server: ServerRuntime | undefined, position: number): void {
    this.phase = 'Q';
    this.queuedAt = this.fe.deadlines.now();
    this.queuedOn = server;
    if (server) this.srvQueuePos = position;
    else this.beQueuePos = position;
    if (this.be.queueTimeout > 0)
      this.timer = setTimeout(onQueueTimeout, this.be.queueTimeout, this);
  }

  /** A slot freed up for us (Pending). */
  dequeued(server: ServerRuntime): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.tw = Math.round(this.fe.deadlines.now() - this.queuedAt);
    this.connect(server);
  }

  queueTimedOut(): void {
    this.timer = undefined;
    this.be.unqueue(this, this.queuedOn);
    this.tw = Math.round(this.fe.deadlines.now() - this.queuedAt);
    this.abort('s', 'Q');
  }

  private connect(server: ServerRuntime): void {
    if (this.finished) {
      this.be.release(server);
      return;
    }
    this.target = server;
    this.phase = 'C';
    this.connStart = this.fe.deadlines.now();
    if (server.address !== undefined) this.dial(server, server.address);
    else server.lookup(this);
  }

  /** Connects to `server` at a numeric `address` (ServerRuntime.lookup calls back here). */
  dial(server: ServerRuntime, address: string): void {
    if (this.finished || this.target !== server) return;
    const port = server.port ?? this.proxied?.dst?.port ?? localPort(this.client);
    const { handle, err } = connectTcp(address, port, onConnect);
    handle.owner = this;
    if (err !== 0) {
      handle.close();
      this.connectFailed('S', err);
      return;
    }
    this.server = handle;
    this.fe.deadlines.arm(this.sDl, this.be.connectTimeout);
  }

  connected(): void {
    const s = this.server!;
    const c = this.client;
    const dl = this.fe.deadlines;
    const now = dl.now();
    this.tc = Math.round(now - this.connStart);
    this.phase = 'D';
    s.setNoDelay?.(true);
    s.onread = onServerRead;
    readIntoShared(s);
    // `send-proxy`: the header goes first; libuv keeps the order of queued writes.
    const pp = this.target?.cfg.sendProxy;
    if (pp && !this.writeFirst(encodeProxyHeader(pp, this.addresses()))) return;
    if (this.early) {
      this.bytesIn += this.early.length;
      if (!this.writeFirst(this.early)) return;
      this.early = undefined;
    }
    const tunnel = this.be.tunnelTimeout;
    dl.arm(this.sDl, tunnel || this.be.serverTimeout, now);
    dl.arm(this.cDl, tunnel || this.fe.clientTimeout, now);
    this.target?.observeSuccess();
    s.readStart();
    c.readStart();
  }

  /** Writes bytes of halo's own before any relayed one; false when the session ended. */
  private writeFirst(bytes: Uint8Array): boolean {
    const r = writeTo(this.server!, bytes, onServerWritten);
    if (r === 1) this.sPending++;
    else if (r < 0) {
      this.abort('S', 'D');
      return false;
    }
    return true;
  }

  /** The client's source and destination, as a PROXY header carries them. */
  addresses(): ProxyAddresses {
    return this.proxied ?? { src: peerAddress(this.client), dst: localAddress(this.client) };
  }

  /** Connection attempt failed: retry (same server after the turn-around), redispatch, or give up. */
  connectFailed(cause: 'S' | 's', status: number): void {
    const failed = this.target!;
    failed.observeFailure(cause === 's' ? 'timeout' : 'refused', status);
    this.fe.deadlines.disarm(this.sDl);
    if (this.server) {
      this.server.close();
      this.server = undefined;
    }
    if (this.finished) return;
    if (this.retriesLeft <= 0) {
      this.abort(cause, 'C');
      return;
    }
    this.retriesLeft--;
    this.retries++;
    // HAProxy (back_handle_st_cer): with `option redispatch`, the last retry goes elsewhere;
    // so does every retry when the server is down, or when the algorithm is not
    // deterministic and more than one active server is up (no reason to insist).
    const be = this.be;
    if (
      be.redispatch &&
      (this.retriesLeft === 0 || !failed.up || (!be.deterministic && be.farm().active > 1))
    ) {
      be.release(failed);
      this.target = undefined;
      const r = be.assign(this, { clientAddress: this.clientIp, avoid: failed });
      if (r.kind === 'server') {
        this.redispatched = this.redispatched || r.server !== failed;
        this.connect(r.server);
      } else if (r.kind === 'queued') {
        this.queued(r.server, r.position);
      } else {
        this.abort(cause, 'C');
      }
      return;
    }
    // Turn-around before retrying the same server, except after a connect timeout.
    const delay = cause === 'S' ? Math.min(be.connectTimeout || 1000, 1000) : 0;
    this.timer = setTimeout(onRetry, delay, this);
  }

  retry(): void {
    this.timer = undefined;
    this.connect(this.target!);
  }

  /**
   * `n` bytes read from one side (in the shared read buffer, or the side's own) go to the
   * other; backpressure stops the reading side.
   */
  relay(from: number, n: number): void {
    const now = this.fe.deadlines.now();
    this.cDl.last = now;
    this.sDl.last = now;
    if (from === CLIENT) {
      this.bytesIn += n;
      const s = this.server!;
      const own = this.cBuf;
      const r = own
        ? writeTo(s, own.subarray(0, n), onServerWritten)
        : relayShared(s, n, onServerWritten);
      if (r === 1) {
        this.sPending++;
        this.client.readStop();
      } else if (r < 0) {
        this.abort('S', this.phase);
        return;
      }
      if (!own && (r === 1 || isBulk(n))) this.cBuf = readIntoOwn(this.client);
    } else {
      this.bytesOut += n;
      const own = this.sBuf;
      const r = own
        ? writeTo(this.client, own.subarray(0, n), onClientWritten)
        : relayShared(this.client, n, onClientWritten);
      if (r === 1) {
        this.cPending++;
        this.server!.readStop();
      } else if (r < 0) {
        this.abort('C', this.phase);
        return;
      }
      if (!own && (r === 1 || isBulk(n))) this.sBuf = readIntoOwn(this.server!);
    }
  }

  written(to: number, status: number): void {
    if (this.finished) return;
    if (status < 0) {
      this.abort(to === CLIENT ? 'C' : 'S', this.phase);
      return;
    }
    const now = this.fe.deadlines.now();
    if (to === CLIENT) {
      this.cDl.last = now;
      if (--this.cPending === 0 && !this.sEof) this.server!.readStart();
    } else {
      this.sDl.last = now;
      if (--this.sPending === 0 && !this.cEof) this.client.readStart();
    }
  }

  /** A read on `side` ended: FIN (forwarded as a half-close) or an error (both closed). */
  readEnded(side: number, status: number): void {
    if (status !== UV_EOF) {
      this.abort(side === CLIENT ? 'C' : 'S', this.phase);
      return;
    }
    const dl = this.fe.deadlines;
    if (side === CLIENT) {
      this.cEof = true;
      // Nothing more to read from the client: its inactivity no longer counts (HAProxy
      // stops the client read timeout at shutr); the server side's timeout governs.
      dl.disarm(this.cDl);
      if (!this.server || this.phase !== 'D') {
        // Left before we had a server: nothing to forward.
        this.abort('C', this.phase);
        return;
      }
      this.finTo(SERVER);
    } else {
      this.sEof = true;
      dl.disarm(this.sDl);
      this.finTo(CLIENT);
    }
    this.maybeClose();
  }

  /** Forwards a FIN: by close() if that side already sent its own and nothing is queued. */
  private finTo(side: number): void {
    const dl = this.fe.deadlines;
    if (side === SERVER) {
      if (this.sEof && this.sPending === 0) this.sFin = true;
      else {
        dl.arm(
          this.sDl,
          this.be.serverFinTimeout || this.be.tunnelTimeout || this.be.serverTimeout,
        );
        if (shutdownWrite(this.server!, onShutdown) !== 0) this.abort('S', 'D');
      }
    } else if (this.cEof && this.cPending === 0) this.cFin = true;
    else {
      dl.arm(this.cDl, this.fe.clientFinTimeout || this.be.tunnelTimeout || this.fe.clientTimeout);
      if (shutdownWrite(this.client, onShutdown) !== 0) this.abort('C', 'D');
    }
  }

  shutdownDone(h: StreamHandle, status: number): void {
    if (this.finished) return;
    const side = h === this.client ? CLIENT : SERVER;
    if (status < 0) {
      this.abort(side === CLIENT ? 'C' : 'S', 'D');
      return;
    }
    if (side === CLIENT) this.cFin = true;
    else this.sFin = true;
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.cEof && this.sEof && this.cFin && this.sFin) this.closeAll();
  }

  /** An inactivity deadline of `side` expired. */
  expired(side: number): void {
    if (this.finished) return;
    if (side === SERVER && this.phase === 'C') this.connectFailed('s', 0);
    else this.abort(side === CLIENT ? 'c' : 's', this.phase);
  }

  /** Ends the session now with termination state `cause`+`phase` (first one wins). */
  abort(cause: string, phase: string): void {
    this.setTermination(cause, phase);
    this.closeAll();
  }

  setTermination(cause: string, phase: string): void {
    if (this.termCause === '-') {
      this.termCause = cause;
      this.termPhase = phase;
    }
  }

  private closeAll(): void {
    if (this.finished) return;
    this.finished = true;
    const dl = this.fe.deadlines;
    dl.disarm(this.cDl);
    dl.disarm(this.sDl);
    clearTimeout(this.timer);
    if (this.phase === 'Q' && this.termCause !== '-') this.be.unqueue(this, this.queuedOn);
    this.client.close();
    if (this.server) this.server.close();
    if (this.cBuf) releaseOwn(this.cBuf);
    if (this.sBuf) releaseOwn(this.sBuf);
    this.cBuf = this.sBuf = undefined;
    const t = this.target;
    if (t) {
      this.target = undefined;
      this.lastServer = t;
      this.be.release(t);
    }
    this.fe.sessionEnded(this);
  }

  /** Bytes halo holds for this session (queued writes both ways). */
  buffered(): number {
    return this.client.writeQueueSize + (this.server?.writeQueueSize ?? 0);
  }

  /** Termination state (`--`, `SC`, `CD`...), read by the stats counters at session end. */
  get termination(): string {
    return `${this.termCause}${this.termPhase}`;
  }

  /** When the session was accepted (deadline clock, ms). */
  get startedAt(): number {
    return this.t0;
  }

  /** The tcplog line; counters are read by the frontend right before it forgets us. */
  logLine(actconn: number, feconn: number): string {
    const tt = this.fe.deadlines.now() - this.t0;
    const custom = this.fe.cfg.logFormatCustom;
    if (custom) return this.customLogLine(custom.format, actconn, feconn, Math.round(tt));
    return formatTcpLog({
      clientIp: this.clientIp,
      clientPort: this.clientPort,
      accepted: Date.now() - tt,
      frontend: this.fe.name,
      backend: this.be.name,
      server: this.lastServer?.name ?? '<NOSRV>',
      tw: this.tw,
      tc: this.tc,
      tt: Math.round(tt),
      bytes: this.bytesOut,
      termination: `${this.termCause}${this.termPhase}`,
      actconn,
      feconn,
      beconn: this.be.conns,
      srvconn: this.lastServer?.conns ?? 0,
      retries: this.retries,
      redispatched: this.redispatched,
      srvQueue: this.srvQueuePos,
      beQueue: this.beQueuePos,
    });
  }

  /** A `log-format` line: the session's record, layer-4 samples only. */
  customLogLine(format: LogFormat, actconn: number, feconn: number, tt: number): string {
    const local = this.local ?? this.proxied?.dst ?? { address: '-', port: 0 };
    const srv = this.lastServer;
    const conn = {
      clientIp: this.clientIp,
      clientPort: this.clientPort,
      localIp: local.address,
      localPort: local.port,
    };
    const record: LogRecord = {
      clientIp: this.clientIp,
      clientPort: this.clientPort,
      frontendIp: local.address,
      frontendPort: local.port,
      frontend: this.fe.name,
      frontendTls: false,
      backend: this.be.name,
      server: srv?.name ?? '<NOSRV>',
      ...(srv?.address !== undefined ? { serverIp: srv.address } : {}),
      ...(srv?.port !== undefined ? { serverPort: srv.port } : {}),
      accepted: Date.now() - tt,
      tw: this.tw,
      tc: this.tc,
      tt,
      bytes: this.bytesOut,
      bytesIn: this.bytesIn,
      status: 0, // HAProxy's %ST without an HTTP transaction
      termination: `${this.termCause}${this.termPhase}`,
      actconn,
      feconn,
      beconn: this.be.conns,
      srvconn: srv?.conns ?? 0,
      retries: this.retries,
      redispatched: this.redispatched,
      srvQueue: this.srvQueuePos,
      beQueue: this.beQueuePos,
      pid: process.pid,
      hostname: logHostname(),
    };
    const scope = layer4Scope(conn, this.fe.name, this.be.name, processFacts());
    return renderLogFormat(format, record, (e) => evalSample(e, scope));
  }
}

function onQueueTimeout(s: TcpSession): void {
  s.queueTimedOut();
}

function onRetry(s: TcpSession): void {
  s.retry();
}

function onConnect(status: number, h: StreamHandle): void {
  const s = h.owner as TcpSession;
  if (s.server !== h) return;
  if (status < 0) {
    s.connectFailed('S', status);
    return;
  }
  s.connected();
}

function onClientRead(this: StreamHandle): void {
  const s = this.owner as TcpSession;
  const n = readResult();
  if (n > 0) {
    s.relay(CLIENT, n);
  } else if (n < 0) s.readEnded(CLIENT, n);
}

function onServerRead(this: StreamHandle): void {
  const s = this.owner as TcpSession;
  if (s.server !== this) return;
  const n = readResult();
  if (n > 0) s.relay(SERVER, n);
  else if (n < 0) s.readEnded(SERVER, n);
}

function onClientWritten(status: number, h: StreamHandle): void {
  (h.owner as TcpSession).written(CLIENT, status);
}

function onServerWritten(status: number, h: StreamHandle): void {
  const s = h.owner as TcpSession;
  if (s.server === h) s.written(SERVER, status);
}

function onShutdown(status: number, h: StreamHandle): void {
  (h.owner as TcpSession).shutdownDone(h, status);
}
