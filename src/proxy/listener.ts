// A listening socket halo accepts from by itself (sockets are made in listen-sockets.ts).
//
// Why not libuv's listen: libuv's accept loop takes every queued connection as soon as the
// socket is readable and offers no way to stop, so past maxconn Node would own (and hold
// descriptors and memory for) every waiting client. Here the listening fd is polled with
// the halo_os addon and accepted one by one while the owner (the frontend) has a free
// slot; at maxconn polling stops, and further clients wait in the kernel's accept queue
// (`ss -ltn` Recv-Q), with the kernel's backlog-overflow behaviour, exactly as with
// HAProxy (`limit_listener`). Polling resumes when a slot frees. A listener's owner can be
// swapped on reload without closing the socket.

import { readFileSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { BindAddress } from '../config/haproxy/model.js';
import type { WatchHandle } from '../os/native.js';
import { addon } from '../os/native.js';
import type { StreamHandle } from './io/stream-handle.js';
import { handleFromFd, isUnixServer } from './io/stream-handle.js';
import type { ServerHandle, SocketOptions } from './listen-sockets.js';
import { bindSockets, osError, rethrow } from './listen-sockets.js';

export interface ConnectionSink {
  /** A new connection, as a raw handle that is not reading yet, and the listener it came from. */
  accept(handle: StreamHandle, from?: Listener): void;
  /** False at maxconn (the frontend's or the global one) or once stopped. */
  canAccept(): boolean;
  /**
   * accept() failed for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM);
   * `maxsock` is the process's descriptor limit. The listener retries 100 ms later.
   */
  acceptFailed?(code: string, maxsock: number): void;
}

/** At most this many accepts per wake-up (HAProxy's tune.maxaccept), so listeners share. */
const MAX_ACCEPT = 64;
/** After EMFILE and friends, HAProxy retries the listener 100 ms later. */
const RETRY_MS = 100;

const ECONNABORTED = -103;
const EINTR = -4;
const RESOURCE = new Set([-24, -23, -105, -12]); // EMFILE ENFILE ENOBUFS ENOMEM

export class Listener {
  private sink: ConnectionSink | undefined;
  private watch: WatchHandle | undefined;
  private polling = false;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** Connections this listener accepted (tests, stats). */
  accepted = 0;

  constructor(
    readonly key: string,
    private readonly server: ServerHandle,
    readonly fd: number,
    private readonly unix: boolean,
  ) {}

  /** Starts polling the (already listening) fd; connections go to the owner. */
  start(): void {
    openFilesLimit(); // read now: at EMFILE there is no descriptor left to read it with
    this.watch = addon().watch(this.fd, () => this.onReadable());
    this.polling = true;
    if (!this.sink?.canAccept()) this.pause();
  }

  setOwner(sink: ConnectionSink): void {
    this.sink = sink;
    this.resume();
  }

  /** Polls again if the owner can take a connection (a slot freed, a new owner). */
  resume(): void {
    if (this.polling || this.closed || !this.watch || this.retry) return;
    if (!this.sink?.canAccept()) return;
    addon().pollWatch(this.watch, true);
    this.polling = true;
  }

  /** Stops polling: new clients wait in the kernel's accept queue. */
  pause(): void {
    if (!this.polling || !this.watch) return;
    addon().pollWatch(this.watch, false);
    this.polling = false;
  }

  get isPolling(): boolean {
    return this.polling;
  }

  /** The bound port (port 0 binds in tests); undefined for unix sockets. */
  get port(): number | undefined {
    const out: Record<string, unknown> = {};
    const h = this.server as { getsockname?(o: Record<string, unknown>): number };
    if (this.unix || h.getsockname?.(out) !== 0) return undefined;
    return Number(out.port);
  }

  private onReadable(): void {
    for (let n = 0; n < MAX_ACCEPT; n++) {
      const sink = this.sink;
      if (!sink?.canAccept()) {
        this.pause();
        return;
      }
      const fd = addon().accept(this.fd);
      if (fd >= 0) {
        this.take(sink, fd);
        continue;
      }
      if (fd === ECONNABORTED || fd === EINTR) continue;
      if (RESOURCE.has(fd)) {
        // The connection stays queued; try again later rather than spin on it.
        this.pause();
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.resume();
        }, RETRY_MS);
        sink.acceptFailed?.(getSystemErrorName(fd), openFilesLimit());
      }
      return; // EAGAIN: the queue is empty
    }
  }

  private take(sink: ConnectionSink, fd: number): void {
    const h = handleFromFd(fd, this.unix);
    if (typeof h === 'number') {
      addon().close(fd);
      return;
    }
    this.accepted++;
    sink.accept(h, this);
  }

  /**
   * Stops listening. Connections already queued are accepted first (when the owner can
   * take them): closing a listening socket resets every queued connection, which a
   * soft-stopping process (`-sf`) would otherwise do to clients already handed to it.
   * `drain` false: close at once (a config that failed to start).
   */
  close(drain = true): void {
    if (this.closed) return;
    if (this.watch) {
      for (let n = 0; drain && n < MAX_ACCEPT * 16 && this.sink?.canAccept(); n++) {
        const fd = addon().accept(this.fd);
        if (fd >= 0) this.take(this.sink, fd);
        else if (fd !== ECONNABORTED && fd !== EINTR) break;
      }
      addon().unwatch(this.watch);
    }
    this.closed = true;
    this.polling = false;
    this.watch = undefined;
    if (this.retry) clearTimeout(this.retry);
    this.server.close();
  }
}

/** The soft RLIMIT_NOFILE (`ulimit -n`), read once; 0 when unknown. */
let nofile: number | undefined;
function openFilesLimit(): number {
  if (nofile === undefined) {
    try {
      const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
      nofile = m ? Number(m[1]) : 0;
    } catch {
      nofile = 0;
    }
  }
  return nofile;
}

export function setOwner(l: Listener, owner: ConnectionSink): void {
  l.setOwner(owner);
}

/** Opens one listener per address/port; rejects with the OS error (EADDRINUSE...). */
export async function openListeners(
  addr: BindAddress,
  backlog: number,
  opts: SocketOptions = {},
): Promise<Listener[]> {
  const bound = await bindSockets(addr, backlog, opts);
  const out: Listener[] = [];
  try {
    for (const b of bound) out.push(listenOnBound(b.key, b.handle, backlog));
  } catch (err) {
    for (const l of out) l.close();
    for (const b of bound.slice(out.length)) b.handle.close();
    throw err;
  }
  return out;
}

/** The actual port of a listener (port 0 binds in tests). */
export function listenerPort(l: Listener): number | undefined {
  return l.port;
}

/** Listens on a bound socket (ours, or one received from the master) and starts polling. */
export function listenOnBound(key: string, handle: object, backlog: number): Listener {
  const fd = (handle as { fd?: number }).fd;
  if (typeof fd !== 'number' || fd < 0) throw osError(key, -9); // EBADF
  try {
    addon().listen(fd, backlog);
  } catch (err) {
    rethrow(key, err);
  }
  const unix = isUnixServer(handle);
  const l = new Listener(key, handle as ServerHandle, fd, unix);
  l.start();
  return l;
}
