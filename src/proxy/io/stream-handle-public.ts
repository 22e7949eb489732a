// The public data path: the StreamHandle port over net.Socket, for a Node.js that lacks
// or forbids the internals of stream-handle-internal.ts (`--permission`, a future release).
//
// Only documented API: accepted descriptors become `new net.Socket({ fd })`, connects are
// `net.connect`, and reads use net.Socket's `onread` option, whose buffer function lets a
// side move from the shared read buffer to one of its own as the internal path does. A
// read calls the handle's `onread` with readResult() set; FIN ('end') and errors ('error')
// arrive the same way, as UV_EOF or a negative errno. A write the kernel does not take at
// once (writableLength > 0 right after write(), since Node tries a synchronous write
// first) is an asynchronous one: `done` runs from write()'s callback. Slower than the
// internal path (a Duplex and its states per socket), and it holds a little more memory.

import net from 'node:net';
import type { ConnectDone, ServerHandle, StreamHandle, WriteDone } from './stream-handle-port.js';
import { UV_EOF } from './stream-handle-port.js';

const EPIPE = -32;
const ENOTCONN = -107;
const EIO = -5;

// Sized as the internal path's string-write limit: reads above it go to a side's own buffer.
const SHARED_SIZE = 16 * 1024;
const OWN_SIZE = 128 * 1024;
const POOL_MAX = 32;
const shared = Buffer.allocUnsafeSlow(SHARED_SIZE);
const pool: Buffer[] = [];
let ownInUse = 0;
let ownTaken = 0;

/** The status of the read being delivered (onread runs synchronously inside it). */
let nread = 0;

function errnoOf(err: unknown): number {
  const n = (err as { errno?: unknown } | undefined)?.errno;
  return typeof n === 'number' && n < 0 ? n : EIO;
}

/** A net.Socket seen through the StreamHandle port. */
class SocketHandle implements StreamHandle {
  onread: ((this: StreamHandle, buf: ArrayBuffer | undefined) => void) | null = null;
  owner: unknown = undefined;
  readonly socket: net.Socket;
  /** Where the next read lands (the shared buffer, the side's own, HTTP's). */
  buf: Buffer = shared;
  /** HTTP mode (socketFor): reads go to node:http's callback instead of onread. */
  http: ((n: number, buf: Buffer) => unknown) | undefined;
  closed = false;
  connected: boolean;
  private connectDone: ConnectDone | undefined;

  constructor(make: (opts: net.SocketConstructorOpts) => net.Socket, connected: boolean) {
    this.connected = connected;
    this.socket = make({
      allowHalfOpen: true,
      onread: {
        buffer: () => this.buf,
        callback: (n: number, buf: Buffer) => this.onData(n, buf),
      },
    } as net.SocketConstructorOpts);
    // Paused until readStart (a connect does not start reading on a paused socket).
    this.socket.pause();
    this.socket.on('end', () => this.deliver(UV_EOF));
    this.socket.on('error', (err) => this.failed(err));
  }

  private onData(n: number, buf: Buffer): unknown {
    if (this.http) return this.http(n, buf);
    if (this.closed) return false;
    // A buffer function Node calls only once would leave the bytes elsewhere; keep the
    // promise that they are in the buffer this side reads into.
    if (buf !== this.buf) buf.copy(this.buf, 0, 0, n);
    this.deliver(n);
    return undefined;
  }

  private deliver(status: number): void {
    if (this.closed || this.http) return;
    nread = status;
    this.onread?.call(this, undefined);
  }

  private failed(err: Error): void {
    if (!this.connected) {
      this.connected = true;
      const done = this.connectDone;
      this.connectDone = undefined;
      if (!this.closed) done?.(errnoOf(err), this);
      return;
    }
    this.deliver(errnoOf(err));
  }

  awaitConnect(done: ConnectDone): void {
    this.connectDone = done;
    this.socket.once('connect', () => {
      this.connected = true;
      this.connectDone = undefined;
      if (!this.closed) done(0, this);
    });
  }

  readStart(): number {
    if (this.closed) return EPIPE;
    this.socket.resume();
    return 0;
  }

  readStop(): number {
    this.socket.pause();
    return 0;
  }

  close(cb?: () => void): void {
    if (this.closed) return;
    this.closed = true;
    if (cb) this.socket.once('close', cb);
    this.socket.destroy();
  }

  setNoDelay(on: boolean): number {
    this.socket.setNoDelay(on);
    return 0;
  }

  get writeQueueSize(): number {
    return this.socket.writableLength;
  }
}

export function readResult(): number {
  return nread;
}

export function readIntoShared(h: StreamHandle): void {
  (h as SocketHandle).buf = shared;
}

export function readData(h: StreamHandle, n: number): Uint8Array {
  return (h as SocketHandle).buf.subarray(0, n);
}

export function relayShared(h: StreamHandle, n: number, done: WriteDone): number {
  // The shared buffer is overwritten by the next read of any socket: hand write() a
  // string, which Node writes at once or copies (as the internal path does).
  if (n <= SHARED_SIZE) return write(h as SocketHandle, shared.toString('latin1', 0, n), done);
  return write(h as SocketHandle, Buffer.from(shared.subarray(0, n)), done);
}

export function readIntoOwn(h: StreamHandle): Buffer {
  const buf = pool.pop() ?? Buffer.allocUnsafeSlow(OWN_SIZE);
  (h as SocketHandle).buf = buf;
  ownInUse++;
  ownTaken++;
  return buf;
}

export function releaseOwn(buf: Buffer): void {
  ownInUse--;
  if (pool.length < POOL_MAX) pool.push(buf);
}

export function ownBufferStats(): { inUse: number; taken: number; pooled: number } {
  return { inUse: ownInUse, taken: ownTaken, pooled: pool.length };
}

export function isBulk(n: number): boolean {
  // A read that filled the shared buffer: more is probably waiting.
  return n >= SHARED_SIZE;
}

export function writeTo(h: StreamHandle, data: Uint8Array, done: WriteDone): number {
  return write(h as SocketHandle, data, done);
}

function write(h: SocketHandle, data: Uint8Array | string, done: WriteDone): number {
  const s = h.socket;
  if (h.closed || s.destroyed || !s.writable) return EPIPE;
  let queued = false;
  const cb = (err?: Error | null) => {
    if (queued && !h.closed) done(err ? errnoOf(err) : 0, h);
  };
  if (typeof data === 'string') s.write(data, 'latin1', cb);
  else s.write(data, cb);
  if (s.destroyed) return EPIPE;
  if (s.writableLength === 0) return 0;
  queued = true;
  return 1;
}

export function shutdownWrite(h: StreamHandle, done: WriteDone): number {
  const sh = h as SocketHandle;
  const s = sh.socket;
  if (sh.closed || s.destroyed) return EPIPE;
  s.end((err?: Error | null) => {
    if (!sh.closed) done(err ? errnoOf(err) : 0, sh);
  });
  return 0;
}

export function connectTcp(
  address: string,
  port: number,
  done: ConnectDone,
): { handle: StreamHandle; err: number } {
  const h = new SocketHandle((opts) => net.connect({ ...opts, host: address, port }), false);
  h.awaitConnect(done);
  return { handle: h, err: 0 };
}

function strip(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export function peerAddress(h: StreamHandle): { address: string; port: number } {
  const s = (h as SocketHandle).socket;
  if (s.remoteAddress === undefined) return { address: 'unix', port: 1 };
  return { address: strip(s.remoteAddress), port: s.remotePort ?? 1 };
}

export function localAddress(h: StreamHandle): { address: string; port: number } {
  const s = (h as SocketHandle).socket;
  if (s.localAddress === undefined) return { address: 'unix', port: 0 };
  return { address: strip(s.localAddress), port: s.localPort ?? 0 };
}

export function localPort(h: StreamHandle): number {
  return (h as SocketHandle).socket.localPort ?? 0;
}

export function handleFromFd(fd: number, _unix: boolean): StreamHandle | number {
  try {
    return new SocketHandle(
      (opts) => new net.Socket({ ...opts, fd, readable: true, writable: true }),
      true,
    );
  } catch (err) {
    return errnoOf(err);
  }
}

/**
 * A bound socket's fd in a net.Socket that neither reads nor writes: it owns the fd
 * (destroy closes it) and reads the bound address (port 0) through documented API.
 */
class BoundSocket {
  private readonly socket: net.Socket;
  readonly unix: boolean;
  /** `unix` undefined: find out (a unix socket has no port, net reports no address). */
  /** The descriptor; -1 once closed, as libuv reports it (takeover-steering.ts relies on it). */
  fd: number;
  constructor(fd: number, unix: boolean | undefined) {
    this.fd = fd;
    this.socket = new net.Socket({ fd, readable: false, writable: false });
    // Neither reading nor writing, it has nothing to fail on; a listener keeps it safe.
    this.socket.on('error', () => {});
    this.unix = unix ?? this.getsockname({}) !== 0;
  }
  getsockname(out: Record<string, unknown>): number {
    const a = this.socket.address() as Partial<net.AddressInfo>;
    if (a.port === undefined) return ENOTCONN;
    out.address = a.address;
    out.port = a.port;
    out.family = a.family;
    return 0;
  }
  close(): void {
    this.fd = -1;
    this.socket.destroy();
  }
}

export function serverHandleFromFd(fd: number, unix: boolean): ServerHandle {
  return new BoundSocket(fd, unix);
}

export function serverHandleFromInheritedFd(fd: number): ServerHandle {
  return new BoundSocket(fd, undefined);
}

export function isUnixServer(h: object): boolean {
  return (h as { unix?: boolean }).unix === true;
}

/** Workers get the listening fds at fork (stdio) instead: there is no public way to send one. */
export const sendsServerHandles = false;

export function socketFor(h: StreamHandle, opts: net.SocketConstructorOpts): net.Socket {
  const sh = h as SocketHandle;
  type OnRead = { buffer: Buffer; callback: (n: number, b: Buffer) => unknown };
  const onread = (opts as { onread?: OnRead }).onread;
  // HTTP mode always reads through its gate's buffer (gated-socket.ts sharedRead).
  if (!onread || !Buffer.isBuffer(onread.buffer))
    throw new TypeError('socketFor needs an onread buffer on the public data path');
  sh.buf = onread.buffer;
  sh.http = (n, buf) => {
    if (buf !== onread.buffer) buf.copy(onread.buffer, 0, 0, n);
    return onread.callback(n, onread.buffer);
  };
  sh.socket.resume();
  return sh.socket;
}
