// Listening sockets for every `bind` form: IPv4, IPv6, `*` / empty host (all IPv4
// addresses, as HAProxy), host names, port ranges, unix sockets and inherited descriptors
// (`fd@N`).
//
// halo accepts by itself instead of through libuv's listen: libuv's accept loop takes
// every queued connection as soon as the socket is readable and offers no way to stop,
// so past maxconn Node would own (and hold descriptors and memory for) every waiting
// client. Here the listening fd is polled with the halo_os addon and accepted one by one
// while the owner (the frontend) has a free slot; at maxconn polling stops, and further
// clients wait in the kernel's accept queue (`ss -ltn` Recv-Q), with the kernel's
// backlog-overflow behaviour, exactly as with HAProxy (`limit_listener`). Polling resumes
// when a slot frees.
//
// TCP sockets get SO_REUSEADDR and SO_REUSEPORT as HAProxy sets them on Linux, so a new
// process (`-sf`/`-st`) binds next to the old one and no connection is refused during the
// take-over. A listener's owner can be swapped on reload without closing the socket.

import { lookup } from 'node:dns/promises';
import { lstatSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { Bind, BindAddress, GlobalConfig } from '../config/haproxy/model.js';
import { parseIp } from '../net/ip-address.js';
import { AF, sockaddrIn, sockaddrIn6, sockaddrUn } from '../os/linux-abi.js';
import type { WatchHandle } from '../os/native.js';
import { addon } from '../os/native.js';
import type { StreamHandle } from './io/stream-handle.js';
import { handleFromFd, serverHandleFromFd } from './io/stream-handle.js';

export interface ConnectionSink {
  /** A new connection, as a raw handle that is not reading yet. */
  accept(handle: StreamHandle): void;
  /** False at maxconn (the frontend's or the global one) or once stopped. */
  canAccept(): boolean;
  /**
   * accept() failed for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM);
   * `maxsock` is the process's descriptor limit. The listener retries 100 ms later.
   */
  acceptFailed?(code: string, maxsock: number): void;
}

/** What a bind line and the global section ask of a TCP listening socket itself. */
export interface SocketOptions {
  /** `v6only` on the bind line: IPv6 sockets take no IPv4 (IPV6_V6ONLY). */
  readonly v6only?: boolean;
  /** `noreuseport` in global: no SO_REUSEPORT. */
  readonly noReusePort?: boolean;
}

export function socketOptions(bind: Bind, global: GlobalConfig): SocketOptions {
  return {
    ...(bind.options.v6only ? { v6only: true } : {}),
    ...(global.noReusePort ? { noReusePort: true } : {}),
  };
}

/** A libuv TCP or Pipe handle owning a bound socket's fd (sent to workers over IPC). */
export type ServerHandle = object & { close(): void };

/** At most this many accepts per wake-up (HAProxy's tune.maxaccept), so listeners share. */
const MAX_ACCEPT = 64;
/** After EMFILE and friends, HAProxy retries the listener 100 ms later. */
const RETRY_MS = 100;

const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;
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
    sink.accept(h);
  }

  /**
   * Stops listening. Connections already queued are accepted first (when the owner can
   * take them): closing a listening socket resets every queued connection, which a
   * soft-stopping process (`-sf`) would otherwise do to clients already handed to it.
   */
  close(): void {
    if (this.closed) return;
    if (this.watch) {
      for (let n = 0; n < MAX_ACCEPT * 16 && this.sink?.canAccept(); n++) {
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

/** A stable identity for a listening address, used to hand sockets over on reload. */
export function listenerKeys(addr: BindAddress): string[] {
  switch (addr.kind) {
    case 'unix':
      return [`unix:${addr.path}`];
    case 'fd':
      return [`fd@${addr.fd}`];
    default: {
      const host = bindHost(addr);
      const keys: string[] = [];
      for (let p = addr.port; p <= (addr.portEnd ?? addr.port); p++) keys.push(`${host}:${p}`);
      return keys;
    }
  }
}

function bindHost(addr: Extract<BindAddress, { kind: 'inet' }>): string {
  if (addr.host === '' || addr.host === '*') return addr.family === 6 ? '::' : '0.0.0.0';
  return addr.host.replace(/^\[|\]$/g, '');
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

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

/** The actual port of a listener (port 0 binds in tests). */
export function listenerPort(l: Listener): number | undefined {
  return l.port;
}

/** A bound (not yet listening) socket a master hands to its workers. */
export interface BoundSocket {
  readonly key: string;
  /** libuv TCP or Pipe handle; sent to workers over IPC, never polled by the master. */
  readonly handle: ServerHandle;
}

type CreateServerHandle = (
  address: string | null,
  port: number | null,
  addressType: number | null,
  fd?: number,
) => ServerHandle | number;

function osError(key: string, errno: number): Error {
  const code = getSystemErrorName(errno);
  return Object.assign(new Error(`listen ${code}: ${key}`), { code, errno });
}

/**
 * Binds every socket of `addr` (unix sockets also listen, see bindUnix), so that a
 * master can hand them to its workers and only they accept. Rejects with the OS error
 * (EADDRINUSE...) and its `code`.
 */
export async function bindSockets(
  addr: BindAddress,
  backlog: number,
  opts: SocketOptions = {},
): Promise<BoundSocket[]> {
  const out: BoundSocket[] = [];
  try {
    if (addr.kind === 'inet') {
      const ip = await resolveBindHost(addr);
      for (const key of listenerKeys(addr)) {
        const port = Number(key.slice(key.lastIndexOf(':') + 1));
        out.push({ key, handle: bindTcp(key, ip, port, opts) });
      }
      return out;
    }
    const key = listenerKeys(addr)[0]!;
    if (addr.kind === 'unix') {
      out.push({ key, handle: bindUnix(key, addr.path, backlog) });
      return out;
    }
    const create = (net as unknown as { _createServerHandle: CreateServerHandle })
      ._createServerHandle;
    const h = create(null, null, null, addr.fd);
    if (typeof h === 'number') throw osError(key, h);
    out.push({ key, handle: h });
    return out;
  } catch (err) {
    for (const b of out) b.handle.close();
    throw err;
  }
}

function rethrow(key: string, err: unknown): never {
  const e = err as { code?: string; errno?: number };
  throw Object.assign(new Error(`listen ${e.code ?? 'E?'}: ${key}`), {
    code: e.code,
    errno: e.errno,
  });
}

// As HAProxy's sock_unix_bind_receiver: bind and listen on `<path>.<pid>.tmp`, then rename
// it over `path`, so the path always names a listening socket: a process taking over
// (`-sf`) replaces its predecessor's socket without a moment where clients find none. No
// one unlinks the path on close (HAProxy leaves it too), so a predecessor that stops
// never removes its successor's socket.
function bindUnix(key: string, path: string, backlog: number): ServerHandle {
  const os = addon();
  const tmp = `${path}.${process.pid}.tmp`;
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st && !st.isSocket()) rethrow(key, { code: 'EEXIST', errno: -17 }); // not ours to replace
  removeStaleSocket(tmp);
  const fd = os.socket(AF.UNIX, SOCK_STREAM, 0);
  try {
    os.bind(fd, sockaddrUn(tmp));
    os.listen(fd, backlog);
    renameSync(tmp, path);
  } catch (err) {
    os.close(fd);
    removeStaleSocket(tmp);
    rethrow(key, err);
  }
  try {
    return serverHandleFromFd(fd, true);
  } catch (err) {
    os.close(fd);
    rethrow(key, err);
  }
}

async function resolveBindHost(
  addr: Extract<BindAddress, { kind: 'inet' }>,
): Promise<{ family: 4 | 6; bytes: Uint8Array }> {
  const host = bindHost(addr);
  const ip = parseIp(host);
  if (ip) return ip;
  const family = addr.family === 'any' ? 0 : addr.family;
  const found = await lookup(host, { family });
  const parsed = parseIp(found.address);
  if (!parsed) throw Object.assign(new Error(`cannot resolve ${host}`), { code: 'ENOTFOUND' });
  return parsed;
}

// socket + SO_REUSEADDR + SO_REUSEPORT + bind, as HAProxy's sock_inet_bind_receiver does;
// IPv6 sockets take IPv4 too (IPV6_V6ONLY off, as libuv leaves it) unless `v6only`.
function bindTcp(
  key: string,
  ip: { family: 4 | 6; bytes: Uint8Array },
  port: number,
  opts: SocketOptions,
): ServerHandle {
  const os = addon();
  const v6 = ip.family === 6;
  const fd = os.socket(v6 ? AF.INET6 : AF.INET, SOCK_STREAM, 0);
  try {
    os.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (!opts.noReusePort) os.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    if (v6) os.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, opts.v6only ? 1 : 0);
    os.bind(fd, v6 ? sockaddrIn6(ip.bytes, 0, port) : sockaddrIn(ip.bytes, port));
  } catch (err) {
    os.close(fd);
    rethrow(key, err);
  }
  try {
    return serverHandleFromFd(fd, false);
  } catch (err) {
    os.close(fd);
    rethrow(key, err);
  }
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
  const unix = handle.constructor.name === 'Pipe';
  const l = new Listener(key, handle as ServerHandle, fd, unix);
  l.start();
  return l;
}
