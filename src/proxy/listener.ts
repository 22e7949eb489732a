// Listening sockets for every `bind` form: IPv4, IPv6, `*` / empty host (all IPv4
// addresses, as HAProxy), port ranges, unix sockets and inherited descriptors (`fd@N`).
// A listener's owner (the frontend that gets its connections) can be swapped on reload
// without closing the socket, so no connection is refused during the swap.

import { lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { BindAddress } from '../config/haproxy/model.js';
import type { StreamHandle } from './io/stream-handle.js';
import { takeAccepts } from './io/stream-handle.js';

export interface ConnectionSink {
  /** A new connection, as a raw handle that is not reading yet. */
  accept(handle: StreamHandle): void;
}

const kOwner = Symbol('halo.listener.owner');
export type Listener = net.Server & { [kOwner]?: ConnectionSink; key: string };

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

// Runs with `this` = the listening handle, whose owner is the Listener (takeAccepts).
function onConnection(this: { owner: unknown }, err: number, handle: StreamHandle): void {
  if (err !== 0 || !handle) return; // EMFILE and friends: the kernel keeps the connection queued
  const sink = (this.owner as Listener)[kOwner];
  if (sink) sink.accept(handle);
  else handle.close();
}

export function setOwner(l: Listener, owner: ConnectionSink): void {
  l[kOwner] = owner;
}

/** Opens one listener per address/port; rejects with the OS error (EADDRINUSE...). */
export async function openListeners(addr: BindAddress, backlog: number): Promise<Listener[]> {
  const keys = listenerKeys(addr);
  const out: Listener[] = [];
  try {
    for (const key of keys) {
      const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }) as Listener;
      server.key = key;
      await listen(server, addr, key, backlog);
      takeAccepts(server, server, onConnection);
      out.push(server);
    }
  } catch (err) {
    for (const s of out) s.close();
    throw err;
  }
  return out;
}

function listen(server: Listener, addr: BindAddress, key: string, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.removeListener('error', reject);
      server.on('error', () => {}); // accept errors (EMFILE) must not crash the process
      resolve();
    };
    if (addr.kind === 'unix') {
      removeStaleSocket(addr.path);
      server.listen({ path: addr.path, backlog }, done);
    } else if (addr.kind === 'fd') {
      server.listen({ fd: addr.fd, backlog }, done);
    } else {
      const i = key.lastIndexOf(':');
      server.listen({ host: key.slice(0, i), port: Number(key.slice(i + 1)), backlog }, done);
    }
  });
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

/** The actual port of a listener (port 0 binds in tests). */
export function listenerPort(l: net.Server): number | undefined {
  const a = l.address();
  return a && typeof a === 'object' ? a.port : undefined;
}

/** A bound (not yet listening) socket a master hands to its workers. */
export interface BoundSocket {
  readonly key: string;
  /** libuv TCP or Pipe handle; sent to workers over IPC, never polled by the master. */
  readonly handle: object & { close(): void };
}

type CreateServerHandle = (
  address: string | null,
  port: number | null,
  addressType: number | null,
  fd?: number,
) => BoundSocket['handle'] | number;

/**
 * Binds every socket of `addr` without listening, as node:cluster's master does, so that
 * only the workers accept. Throws the OS error (EADDRINUSE...) with its `code`.
 */
export function bindSockets(addr: BindAddress): BoundSocket[] {
  const create = (net as unknown as { _createServerHandle: CreateServerHandle })
    ._createServerHandle;
  const out: BoundSocket[] = [];
  for (const key of listenerKeys(addr)) {
    let h: BoundSocket['handle'] | number;
    if (addr.kind === 'unix') {
      removeStaleSocket(addr.path);
      h = create(addr.path, -1, -1);
    } else if (addr.kind === 'fd') {
      h = create(null, null, null, addr.fd);
    } else {
      const i = key.lastIndexOf(':');
      const host = key.slice(0, i);
      h = create(host, Number(key.slice(i + 1)), net.isIPv6(host) ? 6 : 4);
    }
    if (typeof h === 'number') {
      for (const b of out) b.handle.close();
      const code = getSystemErrorName(h);
      throw Object.assign(new Error(`listen ${code}: ${key}`), { code, errno: h });
    }
    out.push({ key, handle: h });
  }
  return out;
}

/** Listens on a socket received from the master (worker side). */
export function listenOnBound(key: string, handle: object, backlog: number): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }) as Listener;
    server.key = key;
    server.once('error', reject);
    const done = () => {
      server.removeListener('error', reject);
      server.on('error', () => {});
      takeAccepts(server, server, onConnection);
      resolve(server);
    };
    // TCP handles are listened on directly; a unix socket handle by its descriptor.
    const fd = (handle as { fd?: number }).fd;
    if (handle.constructor.name === 'TCP') server.listen(handle, backlog, done);
    else server.listen({ fd, backlog }, done);
  });
}
