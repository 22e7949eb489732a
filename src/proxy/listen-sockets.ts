// The listening sockets themselves, for every `bind` form: IPv4, IPv6, `*` / empty host
// (all IPv4 addresses, as HAProxy), host names, port ranges, unix sockets and inherited
// descriptors (`fd@N`). Bound here (a master binds them for its workers), listened on and
// accepted from by listener.ts.
//
// TCP sockets get SO_REUSEADDR and SO_REUSEPORT as HAProxy sets them on Linux, so a new
// process (`-sf`/`-st`) binds next to the old one and no connection is refused during the
// take-over; unix sockets replace their path atomically.

import { lookup } from 'node:dns/promises';
import { chmodSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { Bind, BindAddress, GlobalConfig } from '../config/haproxy/model.js';
import { parseIp } from '../net/ip-address.js';
import { AF, sockaddrIn, sockaddrIn6, sockaddrUn } from '../os/linux-abi.js';
import { addon } from '../os/native.js';
import type { ServerHandle } from './io/stream-handle.js';
import { serverHandleFromFd, serverHandleFromInheritedFd } from './io/stream-handle.js';

export type { ServerHandle } from './io/stream-handle.js';

import { registerReuseportSocket } from './takeover-steering.js';

/** What a bind line and the global section ask of a TCP listening socket itself. */
export interface SocketOptions {
  /** `v6only` on the bind line: IPv6 sockets take no IPv4 (IPV6_V6ONLY). */
  readonly v6only?: boolean;
  /** `noreuseport` in global: no SO_REUSEPORT. */
  readonly noReusePort?: boolean;
  /** `mode` on a UNIX-socket bind line: the socket file's permissions (octal). */
  readonly unixMode?: number;
}

export function socketOptions(bind: Bind, global: GlobalConfig): SocketOptions {
  return {
    ...(bind.options.v6only ? { v6only: true } : {}),
    ...(global.noReusePort ? { noReusePort: true } : {}),
    ...(typeof bind.options.mode === 'string'
      ? { unixMode: Number.parseInt(bind.options.mode, 8) }
      : {}),
  };
}

const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;

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

/** The address to bind for `addr`'s host: `*` and an empty host are every IPv4 (or IPv6) address. */
export function bindHost(addr: Extract<BindAddress, { kind: 'inet' }>): string {
  if (addr.host === '' || addr.host === '*') return addr.family === 6 ? '::' : '0.0.0.0';
  return addr.host.replace(/^\[|\]$/g, '');
}

/** Unlinks `path` if it is a socket left by a previous process; anything else stays. */
export function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

/** A bound (not yet listening) socket a master hands to its workers. */
export interface BoundSocket {
  readonly key: string;
  /** Owns the fd; sent (or inherited) to workers, never polled by the master. */
  readonly handle: ServerHandle;
}

export function osError(key: string, errno: number): Error {
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
      out.push({ key, handle: bindUnix(key, addr.path, backlog, opts.unixMode) });
      return out;
    }
    try {
      out.push({ key, handle: serverHandleFromInheritedFd(addr.fd) });
    } catch (err) {
      rethrow(key, err);
    }
    return out;
  } catch (err) {
    for (const b of out) b.handle.close();
    throw err;
  }
}

/** Rethrows an OS error with the listener's key in the message, keeping `code`/`errno`. */
export function rethrow(key: string, err: unknown): never {
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
// never removes its successor's socket. `mode` is set on the temporary path, so the final
// path never exists with wider permissions than asked.
function bindUnix(
  key: string,
  path: string,
  backlog: number,
  mode: number | undefined,
): ServerHandle {
  const os = addon();
  const tmp = `${path}.${process.pid}.tmp`;
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st && !st.isSocket()) rethrow(key, { code: 'EEXIST', errno: -17 }); // not ours to replace
  removeStaleSocket(tmp);
  const fd = os.socket(AF.UNIX, SOCK_STREAM, 0);
  try {
    os.bind(fd, sockaddrUn(tmp));
    if (mode !== undefined && !Number.isNaN(mode)) chmodSync(tmp, mode);
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
  let h: ServerHandle;
  try {
    h = serverHandleFromFd(fd, false);
  } catch (err) {
    os.close(fd);
    rethrow(key, err);
  }
  const open = () => (h as { fd?: number }).fd === fd; // libuv reports -1 once closed
  if (!opts.noReusePort) registerReuseportSocket(fd, ip.family, open);
  return h;
}
