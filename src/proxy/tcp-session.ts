// One proxied TCP connection: queue, connect with retries and redispatch, full-duplex relay
// with half-close and backpressure, timeouts, and the tcplog line at the end.
//
// Hot path: the socket event handlers are module-level functions shared by every session
// (no closures per connection); each socket points back to its session through one symbol
// property. Data moves chunk by chunk with pause()/resume() on write() === false, so a
// slow reader on either side never makes halo buffer more than one socket's high-water
// mark plus one chunk.

import net from 'node:net';
import type { BackendRuntime } from './backend-runtime.js';
import type { FrontendRuntime } from './frontend-runtime.js';
import { LogLevel } from './log/messages.js';
import { formatTcpLog } from './log/tcplog.js';
import type { Pending } from './queue.js';
import type { ServerRuntime } from './server-runtime.js';

const kSession = Symbol('halo.session');
type Sock = net.Socket & { [kSession]?: TcpSession };

enum Phase {
  Queue = 'Q',
  Connect = 'C',
  Data = 'D',
}

export class TcpSession implements Pending {
  server: Sock | undefined;
  target: ServerRuntime | undefined;
  readonly accepted = Date.now();
  private readonly t0 = performance.now();
  private queuedAt = -1;
  private queuedOn: ServerRuntime | undefined;
  private queueTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private connStart = 0;
  tw = -1;
  tc = -1;
  bytesIn = 0;
  bytesOut = 0;
  private phase: Phase = Phase.Queue;
  private termCause = '-';
  private termPhase = '-';
  private retriesLeft: number;
  retries = 0;
  redispatched = false;
  private srvQueuePos = 0;
  private beQueuePos = 0;
  private clientClosed = false;
  private serverClosed = true;
  private finished = false;

  constructor(
    readonly fe: FrontendRuntime,
    readonly be: BackendRuntime,
    readonly client: Sock,
    /** Bytes already read from the client (HTTP upgrade sniffing), sent first. */
    private initial?: Buffer,
  ) {
    this.retriesLeft = be.retries;
    client[kSession] = this;
    client.on('error', onClientError);
    client.on('close', onClientClose);
  }

  start(): void {
    const r = this.be.assign(this, { clientAddress: this.client.remoteAddress });
    if (r.kind === 'server') {
      this.tw = 0;
      this.connect(r.server);
    } else if (r.kind === 'queued') {
      this.queuedAt = performance.now();
      this.queuedOn = r.server;
      if (r.server) this.srvQueuePos = r.position;
      else this.beQueuePos = r.position;
      if (this.be.queueTimeout > 0) {
        this.queueTimer = setTimeout(onQueueTimeout, this.be.queueTimeout, this);
      }
    } else {
      this.abort('S', Phase.Connect);
    }
  }

  /** A slot freed up for us (Pending). */
  dequeued(server: ServerRuntime): void {
    if (this.queueTimer) clearTimeout(this.queueTimer);
    this.queueTimer = undefined;
    this.tw = Math.round(performance.now() - this.queuedAt);
    if (this.finished) {
      this.be.release(server);
      return;
    }
    this.connect(server);
  }

  queueTimedOut(): void {
    this.queueTimer = undefined;
    this.be.unqueue(this, this.queuedOn);
    this.tw = Math.round(performance.now() - this.queuedAt);
    this.abort('s', Phase.Queue);
  }

  private connect(server: ServerRuntime): void {
    if (this.finished) {
      this.be.release(server);
      return;
    }
    this.target = server;
    this.phase = Phase.Connect;
    this.connStart = performance.now();
    const port = server.port ?? this.client.localPort ?? 0;
    const s: Sock = net.connect({ host: server.host, port, allowHalfOpen: true, noDelay: true });
    s[kSession] = this;
    this.server = s;
    this.serverClosed = false;
    s.on('connect', onServerConnect);
    s.on('error', onServerError);
    s.on('close', onServerClose);
    s.on('timeout', onServerTimeout);
    if (this.be.connectTimeout > 0) s.setTimeout(this.be.connectTimeout);
  }

  connected(): void {
    const s = this.server!;
    const c = this.client;
    this.tc = Math.round(performance.now() - this.connStart);
    this.phase = Phase.Data;
    const tunnel = this.be.tunnelTimeout;
    s.setTimeout(tunnel || this.be.serverTimeout);
    c.setTimeout(tunnel || this.fe.clientTimeout);
    c.on('timeout', onClientTimeout);
    s.on('data', onServerData);
    s.on('end', onServerEnd);
    s.on('drain', onServerDrain);
    c.on('data', onClientData);
    c.on('end', onClientEnd);
    c.on('drain', onClientDrain);
    if (this.initial) {
      this.bytesIn += this.initial.length;
      s.write(this.initial);
      this.initial = undefined;
    }
    c.resume();
  }

  /** Connection attempt failed: retry (same server after the turn-around), redispatch, or give up. */
  connectFailed(cause: 'S' | 's'): void {
    const failed = this.target!;
    const sock = this.server!;
    sock.removeAllListeners();
    sock.on('error', noop);
    sock.destroy();
    this.server = undefined;
    this.serverClosed = true;
    if (this.finished) return;
    if (this.retriesLeft <= 0) {
      this.abort(cause, Phase.Connect);
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
      this.be.release(failed);
      this.target = undefined;
      const r = this.be.assign(this, { clientAddress: this.client.remoteAddress, avoid: failed });
      if (r.kind === 'server') {
        this.redispatched = this.redispatched || r.server !== failed;
        this.connect(r.server);
        return;
      }
      if (r.kind === 'queued') {
        this.queuedAt = performance.now();
        this.queuedOn = r.server;
        this.phase = Phase.Queue;
        if (this.be.queueTimeout > 0) {
          this.queueTimer = setTimeout(onQueueTimeout, this.be.queueTimeout, this);
        }
        return;
      }
      this.abort(cause, Phase.Connect);
      return;
    }
    // Turn-around before retrying the same server, except after a connect timeout.
    const delay = cause === 'S' ? Math.min(this.be.connectTimeout || 1000, 1000) : 0;
    this.retryTimer = setTimeout(onRetry, delay, this);
  }

  retry(): void {
    this.retryTimer = undefined;
    const server = this.target!;
    this.connect(server);
  }

  /** Ends the session now with termination state `cause`+`phase` (first one wins). */
  abort(cause: string, phase: string): void {
    if (this.termCause === '-') {
      this.termCause = cause;
      this.termPhase = phase;
    }
    this.client.destroy();
    if (this.server) this.server.destroy();
    else this.maybeFinish();
  }

  setTermination(cause: string): void {
    if (this.termCause === '-') {
      this.termCause = cause;
      this.termPhase = this.phase;
    }
  }

  /**
   * The client socket closed. A clean close in the data phase means both directions
   * finished (we already forwarded its FIN): the server side finishes on its own, so bytes
   * still buffered towards it are not cut. Anything else ends the server side now.
   */
  clientGone(hadError: boolean): void {
    this.clientClosed = true;
    if (this.queueTimer) {
      // Client left while queued.
      clearTimeout(this.queueTimer);
      this.queueTimer = undefined;
      this.be.unqueue(this, this.queuedOn);
      this.setTermination('C');
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.setTermination('C');
      if (this.target) {
        this.be.release(this.target);
        this.target = undefined;
      }
    }
    if (this.server && !this.serverClosed) {
      if (hadError || this.phase !== Phase.Data || this.termCause !== '-') {
        this.setTermination('C');
        this.server.destroy();
      }
    }
    this.maybeFinish();
  }

  /** The server socket closed; same rule as clientGone, mirrored. */
  serverGone(hadError: boolean): void {
    this.serverClosed = true;
    if (!this.clientClosed && (hadError || this.termCause !== '-')) {
      this.setTermination('S');
      this.client.destroy();
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || !this.clientClosed || !this.serverClosed) return;
    this.finished = true;
    if (this.queueTimer) clearTimeout(this.queueTimer);
    const t = this.target;
    if (t) {
      this.target = undefined;
      this.lastServer = t;
      this.be.release(t);
    }
    this.fe.sessionEnded(this);
  }

  lastServer: ServerRuntime | undefined;

  /** The tcplog line; counters are read by the frontend right before it forgets us. */
  logLine(actconn: number, feconn: number): string {
    const clientIp = this.client.remoteAddress ?? 'unix';
    return formatTcpLog({
      clientIp: clientIp.startsWith('::ffff:') ? clientIp.slice(7) : clientIp,
      clientPort: this.client.remotePort ?? 1,
      accepted: this.accepted,
      frontend: this.fe.name,
      backend: this.be.name,
      server: this.lastServer?.name ?? '<NOSRV>',
      tw: this.tw,
      tc: this.tc,
      tt: Math.round(performance.now() - this.t0),
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

  get logLevel(): number {
    return LogLevel.info;
  }
}

function noop(): void {}

function onQueueTimeout(s: TcpSession): void {
  s.queueTimedOut();
}

function onRetry(s: TcpSession): void {
  s.retry();
}

function onServerConnect(this: Sock): void {
  this[kSession]!.connected();
}

function onServerError(this: Sock, _err: Error): void {
  const s = this[kSession]!;
  if (s.server !== this) return;
  if (s.tc < 0) s.connectFailed('S');
  else s.setTermination('S');
}

function onServerTimeout(this: Sock): void {
  const s = this[kSession]!;
  if (s.server !== this) return;
  if (s.tc < 0) s.connectFailed('s');
  else s.abort('s', 'D');
}

function onServerClose(this: Sock, hadError: boolean): void {
  const s = this[kSession]!;
  if (s.server !== this) return;
  s.serverGone(hadError);
}

function onClientError(this: Sock): void {
  this[kSession]!.setTermination('C');
}

function onClientTimeout(this: Sock): void {
  this[kSession]!.abort('c', 'D');
}

function onClientClose(this: Sock, hadError: boolean): void {
  this[kSession]!.clientGone(hadError);
}

function onClientData(this: Sock, chunk: Buffer): void {
  const s = this[kSession]!;
  s.bytesIn += chunk.length;
  if (!s.server!.write(chunk)) this.pause();
}

function onServerData(this: Sock, chunk: Buffer): void {
  const s = this[kSession]!;
  s.bytesOut += chunk.length;
  if (!s.client.write(chunk)) this.pause();
}

function onServerDrain(this: Sock): void {
  const c = this[kSession]!.client;
  if (!c.readableEnded) c.resume();
}

function onClientDrain(this: Sock): void {
  const srv = this[kSession]!.server;
  if (srv && !srv.readableEnded) srv.resume();
}

/** Client sent FIN: forward it; the server side now runs on `timeout server-fin`. */
function onClientEnd(this: Sock): void {
  const s = this[kSession]!;
  const srv = s.server!;
  srv.end();
  if (s.be.serverFinTimeout > 0) srv.setTimeout(s.be.serverFinTimeout);
}

/** Server sent FIN: forward it; the client side now runs on `timeout client-fin`. */
function onServerEnd(this: Sock): void {
  const s = this[kSession]!;
  s.client.end();
  if (s.fe.clientFinTimeout > 0) s.client.setTimeout(s.fe.clientFinTimeout);
}
