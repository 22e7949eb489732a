// A frontend at run time: takes accepted sockets from its listeners, enforces maxconn
// (global and its own), starts a session on its backend, and writes the tcplog line when
// the session ends.
//
// Past maxconn, Node cannot leave connections in the kernel backlog (libuv accepts
// eagerly and has no way to stop polling a listener), so accepted sockets are parked
// unread, FIFO, up to the listener backlog; they start as slots free up. The client sees
// what a kernel backlog gives it: a connection that waits.

import type net from 'node:net';
import type { Proxy as ProxyConfig } from '../config/haproxy/model.js';
import type { BackendRuntime } from './backend-runtime.js';
import type { RuntimeContext } from './context.js';
import { HTTP_400, looksLikeHttpRequest } from './http-upgrade.js';
import type { ConnectionSink, Listener } from './listener.js';
import { LogLevel } from './log/messages.js';
import { formatTcpLog } from './log/tcplog.js';
import { TcpSession } from './tcp-session.js';

export class FrontendRuntime implements ConnectionSink {
  readonly name: string;
  /** feconn */
  conns = 0;
  readonly maxconn: number;
  readonly backlog: number;
  readonly clientTimeout: number;
  readonly clientFinTimeout: number;
  readonly dontlognull: boolean;
  readonly tcplog: boolean;
  readonly listeners: Listener[] = [];
  private parked: net.Socket[] = [];
  private readonly sessions = new Set<TcpSession>();
  private stopped = false;
  /** tcp frontend -> http backend: HAProxy's implicit HTTP upgrade (see http-upgrade.ts). */
  readonly httpUpgrade: boolean;

  constructor(
    readonly cfg: ProxyConfig,
    readonly backend: BackendRuntime | undefined,
    private readonly ctx: RuntimeContext,
  ) {
    this.name = cfg.name;
    this.maxconn = cfg.maxconn ?? ctx.maxconn;
    this.backlog = Number(cfg.binds[0]?.options.backlog ?? 0) || this.maxconn || 1024;
    this.clientTimeout = cfg.timeouts.client ?? 0;
    this.clientFinTimeout = cfg.timeouts.clientFin ?? 0;
    this.dontlognull = cfg.options.dontlognull?.on === true;
    this.tcplog = cfg.options.tcplog?.on === true || cfg.options.httplog?.on === true;
    this.httpUpgrade = cfg.mode === 'tcp' && backend?.cfg.mode === 'http';
  }

  /** Live sessions (stats, tests). */
  sessionList(): TcpSession[] {
    return [...this.sessions];
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  private full(): boolean {
    return (
      (this.maxconn > 0 && this.conns >= this.maxconn) ||
      (this.ctx.maxconn > 0 && this.ctx.counters.actconn >= this.ctx.maxconn)
    );
  }

  accept(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    if (this.full()) {
      if (this.parked.length >= this.backlog) socket.destroy();
      else this.parked.push(socket);
      return;
    }
    this.startSession(socket);
  }

  private startSession(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.conns++;
    this.ctx.counters.actconn++;
    if (!this.backend) {
      // No backend: HAProxy closes the connection at once.
      socket.destroy();
      this.conns--;
      this.ctx.counters.actconn--;
      return;
    }
    if (this.httpUpgrade) {
      this.upgrade(socket, this.backend);
      return;
    }
    const s = new TcpSession(this, this.backend, socket);
    this.sessions.add(s);
    s.start();
  }

  private upgrade(socket: net.Socket, backend: BackendRuntime): void {
    const accepted = Date.now();
    const t0 = performance.now();
    const wait = this.cfg.timeouts.httpRequest ?? this.clientTimeout;
    if (wait > 0) socket.setTimeout(wait, () => socket.destroy());
    socket.on('error', () => {});
    socket.once('close', () => {
      if (!started) this.upgradeEnded(socket, accepted, t0, socket.bytesRead > 0 ? 'PR' : 'cR');
    });
    let started = false;
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      if (!looksLikeHttpRequest(chunk)) {
        socket.end(HTTP_400);
        return;
      }
      started = true;
      const s = new TcpSession(this, backend, socket, chunk);
      this.sessions.add(s);
      s.start();
    });
    socket.resume();
  }

  /** Logs and accounts a connection refused at the HTTP upgrade (`PR`), as HAProxy does. */
  private upgradeEnded(socket: net.Socket, accepted: number, t0: number, term: string): void {
    if (!(this.dontlognull && socket.bytesRead === 0) && this.cfg.logs.length > 0) {
      const ip = socket.remoteAddress ?? 'unix';
      const line = formatTcpLog({
        clientIp: ip.startsWith('::ffff:') ? ip.slice(7) : ip,
        clientPort: socket.remotePort ?? 1,
        accepted,
        frontend: this.name,
        backend: this.name,
        server: '<NOSRV>',
        tw: -1,
        tc: -1,
        tt: Math.round(performance.now() - t0),
        bytes: 0,
        termination: term,
        actconn: this.ctx.counters.actconn,
        feconn: this.conns,
        beconn: 0,
        srvconn: 0,
        retries: 0,
        redispatched: false,
        srvQueue: 0,
        beQueue: 0,
      });
      this.ctx.log.send(this.cfg.logs, LogLevel.info, line);
    }
    this.conns--;
    this.ctx.counters.actconn--;
    this.ctx.slotFreed();
  }

  sessionEnded(s: TcpSession): void {
    this.sessions.delete(s);
    if (!(this.dontlognull && s.bytesIn === 0) && this.cfg.logs.length > 0 && this.tcplog) {
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

  /** Starts parked connections while slots are free (called on every freed slot). */
  drainParked(): void {
    while (this.parked.length > 0 && !this.full()) {
      const sock = this.parked.shift()!;
      if (sock.destroyed) continue;
      this.startSession(sock);
    }
  }

  /** Soft stop: no new connections; parked ones are closed as HAProxy's closed listener would. */
  stopAccepting(): void {
    this.stopped = true;
    for (const s of this.parked) s.destroy();
    this.parked = [];
  }

  /** Hard stop: cut every session. */
  killSessions(): void {
    for (const s of this.sessions) s.abort('K', 'D');
  }
}
