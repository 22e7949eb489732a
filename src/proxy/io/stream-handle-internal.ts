// The internal data path: Node's own libuv stream handles (tcp_wrap, stream_wrap), used
// without net.Socket. Loaded only when data-path.ts chose it (stream-handle.ts), since it
// binds the internals as it loads.
//
// Why: a proxied connection is two sockets and a few callbacks. net.Socket builds a Duplex
// with a ReadableState, a WritableState, an EventEmitter and a timer per socket, and runs
// every chunk through them; profiles of the relay showed that machinery, not the bytes
// moved, bounding new connections/s (halo reached about half of HAProxy). The handles
// underneath are what net.js itself drives: accept gives a TCP handle, `onread` receives
// each chunk, `writeBuffer` tries a synchronous write first. This module is the only one
// that touches these internals (`process.binding` allows tcp_wrap and stream_wrap on
// Node 20); everything else sees the small `StreamHandle` port (stream-handle-port.ts).

import net from 'node:net';
import type {
  ConnectDone,
  StreamHandle as PortHandle,
  ServerHandle,
  WriteDone,
} from './stream-handle-port.js';
import { osErrorFromStatus } from './stream-handle-port.js';

/** A libuv stream handle as tcp_wrap / pipe_wrap make it: the port and what we call on it. */
interface StreamHandle extends PortHandle {
  writeBuffer(req: WriteReq, data: Uint8Array): number;
  writeLatin1String(req: WriteReq, data: string): number;
  useUserBuffer(buf: Uint8Array): void;
  shutdown(req: ShutdownReq): number;
  getpeername?(out: Record<string, unknown>): number;
  getsockname?(out: Record<string, unknown>): number;
}

interface WriteReq {
  handle: StreamHandle | null;
  oncomplete: (status: number, handle: StreamHandle, error?: unknown) => void;
  async: boolean;
  buffer: Uint8Array | null;
}

interface ShutdownReq {
  handle: StreamHandle | null;
  oncomplete: (status: number, handle: StreamHandle) => void;
}

interface ConnectReq {
  oncomplete: (status: number, handle: StreamHandle, req: unknown, r: boolean, w: boolean) => void;
}

interface TcpBinding {
  TCP: new (
    type: number,
  ) => StreamHandle & {
    connect(req: ConnectReq, address: string, port: number): number;
    connect6(req: ConnectReq, address: string, port: number): number;
    open(fd: number): number;
  };
  TCPConnectWrap: new () => ConnectReq;
  constants: { SOCKET: number; SERVER: number };
}

interface PipeBinding {
  Pipe: new (type: number) => StreamHandle & { open(fd: number): void };
  constants: { SOCKET: number; SERVER: number };
}

interface StreamBinding {
  WriteWrap: new () => WriteReq;
  ShutdownWrap: new () => ShutdownReq;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
  streamBaseState: Int32Array;
}

const binding = (process as unknown as { binding(name: string): unknown }).binding;
const tcp = binding('tcp_wrap') as TcpBinding;
const stream = binding('stream_wrap') as StreamBinding;
const pipe = binding('pipe_wrap') as PipeBinding;
const state = stream.streamBaseState;
const kNread = stream.kReadBytesOrError;
const kAsync = stream.kLastWriteWasAsync;

/** Bytes (> 0), 0, UV_EOF or a negative errno for the `onread` call in progress. */
export function readResult(): number {
  return state[kNread]!;
}

// Reads land in one buffer shared by every handle (`useUserBuffer`): no ArrayBuffer and
// no malloc'd backing store per read, whose sweeping made young-generation GC pauses
// (about 0.5 ms every 25 ms under load) show in the p99 latency. The bytes must leave the
// buffer before the next read: relayShared() writes them at once, through Node's string
// write for chunks up to 16 KiB (which copies whatever the kernel does not take at once)
// or from a copy for larger ones.
const SHARED_SIZE = 64 * 1024;
const STRING_WRITE_MAX = 16 * 1024;
const shared = Buffer.allocUnsafeSlow(SHARED_SIZE);

/** Makes `h` read into the shared buffer; call once per handle, before readStart. */
export function readIntoShared(h: StreamHandle): void {
  h.useUserBuffer(shared);
}

/** The `n` bytes just read by a handle that reads into the shared buffer. */
export function readData(_h: StreamHandle, n: number): Uint8Array {
  return shared.subarray(0, n);
}

/** Writes the `n` bytes just read into the shared buffer to `h`; as writeTo. */
export function relayShared(h: StreamHandle, n: number, done: WriteDone): number {
  if (n > STRING_WRITE_MAX) return writeTo(h, Buffer.from(shared.subarray(0, n)), done);
  const req = spareWrite;
  req.handle = h;
  req.oncomplete = done;
  const err = h.writeLatin1String(req, shared.toString('latin1', 0, n));
  if (err !== 0) return err;
  if (state[kAsync] === 0) return 0;
  spareWrite = new stream.WriteWrap();
  return 1;
}

// A side that moves bulk data (a chunk larger than the string path takes, or a write the
// kernel did not take at once) reads into a buffer of its own from then on, and its chunks
// are written from there without a copy: that side stops reading while a write is pending,
// so nothing overwrites bytes libuv still has to send. Profiles of a bulk transfer showed
// the copies (memmove, and the page faults of malloc'ing and freeing 64 KiB blocks) as the
// largest user-space cost. 128 KiB: each read and write moves up to that much, and
// syscalls and wake-ups per byte, the kernel cost that dominates a relay, fall with it
// (CPU per GB: 64 KiB 0.75x of HAProxy's, 128 KiB 0.53x, 256 KiB 0.48x). Buffers go back
// to a small pool when the session ends.
const OWN_SIZE = 128 * 1024;
const POOL_MAX = 32;
const pool: Buffer[] = [];

/** Gives `h` a read buffer of its own (at most once per handle); returns it. */
export function readIntoOwn(h: StreamHandle): Buffer {
  const buf = pool.pop() ?? Buffer.allocUnsafeSlow(OWN_SIZE);
  h.useUserBuffer(buf);
  ownInUse++;
  ownTaken++;
  return buf;
}

/** Returns a buffer of readIntoOwn once its handle is closed. */
export function releaseOwn(buf: Buffer): void {
  ownInUse--;
  if (pool.length < POOL_MAX) pool.push(buf);
}

let ownInUse = 0;
let ownTaken = 0;

/** Own read buffers: held by live sessions now, handed out since start, idle in the pool. */
export function ownBufferStats(): { inUse: number; taken: number; pooled: number } {
  return { inUse: ownInUse, taken: ownTaken, pooled: pool.length };
}

/** True when the `n` bytes just read call for a buffer of the reading side's own. */
export function isBulk(n: number): boolean {
  return n > STRING_WRITE_MAX;
}

// A write that completes synchronously leaves its request object untouched by libuv, so
// one request serves every such write; a write that goes asynchronous keeps its request
// (and, through `buffer`, its bytes) until `oncomplete`, and the next write gets a new one.
let spareWrite: WriteReq = new stream.WriteWrap();

/**
 * Writes `data`: 0 when the kernel took all of it, 1 when the rest is queued (`done` runs
 * when it is flushed), or a negative errno.
 */
export function writeTo(h: StreamHandle, data: Uint8Array, done: WriteDone): number {
  const req = spareWrite;
  req.handle = h;
  req.oncomplete = done;
  const err = h.writeBuffer(req, data);
  if (err !== 0) return err;
  if (state[kAsync] === 0) return 0;
  req.buffer = data;
  spareWrite = new stream.WriteWrap();
  return 1;
}

/** Sends FIN once queued writes are flushed; `done` runs then. Returns 0 or a negative errno. */
export function shutdownWrite(
  h: StreamHandle,
  done: (status: number, h: StreamHandle) => void,
): number {
  const req = new stream.ShutdownWrap();
  req.handle = h;
  req.oncomplete = done;
  return h.shutdown(req);
}

/** Starts a TCP connect to a numeric address (IPv4 or IPv6); the handle is returned at once. */
export function connectTcp(
  address: string,
  port: number,
  done: ConnectDone,
): { handle: StreamHandle; err: number } {
  const handle = new tcp.TCP(tcp.constants.SOCKET);
  const req = new tcp.TCPConnectWrap();
  req.oncomplete = done;
  // A numeric address: a colon means IPv6 (cheaper than net.isIPv6 on every connect).
  const err = address.includes(':')
    ? handle.connect6(req, address, port)
    : handle.connect(req, address, port);
  return { handle, err };
}

/** The peer's address of a handle (`unix` for unix sockets). */
export function peerAddress(h: StreamHandle): { address: string; port: number } {
  const out: Record<string, unknown> = {};
  if (h.getpeername?.(out) !== 0) return { address: 'unix', port: 1 };
  const a = String(out.address ?? 'unix');
  return { address: a.startsWith('::ffff:') ? a.slice(7) : a, port: Number(out.port ?? 1) };
}

/** The local address a connection arrived on (`dst`). */
export function localAddress(h: StreamHandle): { address: string; port: number } {
  const out: Record<string, unknown> = {};
  if (h.getsockname?.(out) !== 0) return { address: 'unix', port: 0 };
  const a = String(out.address ?? 'unix');
  return { address: a.startsWith('::ffff:') ? a.slice(7) : a, port: Number(out.port ?? 0) };
}

/** The local port of a handle (servers without a port connect to the port the client used). */
export function localPort(h: StreamHandle): number {
  const out: Record<string, unknown> = {};
  if (h.getsockname?.(out) !== 0) return 0;
  return Number(out.port ?? 0);
}

/**
 * A connection halo accepted itself (listener.ts) as a stream handle, not reading yet:
 * a TCP handle, or a Pipe handle for a unix socket. Returns a negative errno on failure
 * (the fd is then the caller's to close).
 */
export function handleFromFd(fd: number, unix: boolean): StreamHandle | number {
  if (unix) {
    const h = new pipe.Pipe(pipe.constants.SOCKET);
    try {
      h.open(fd);
    } catch (err) {
      return (err as { errno?: number }).errno ?? -22;
    }
    return h;
  }
  const h = new tcp.TCP(tcp.constants.SOCKET);
  const err = h.open(fd);
  return err === 0 ? h : err;
}

/** A bound TCP or unix socket's fd as a libuv server handle (it can be sent over IPC). */
export function serverHandleFromFd(fd: number, unix: boolean): ServerHandle {
  const h = unix ? new pipe.Pipe(pipe.constants.SERVER) : new tcp.TCP(tcp.constants.SERVER);
  const err = (h as unknown as { open(fd: number): number | undefined }).open(fd);
  if (typeof err === 'number' && err !== 0) throw osErrorFromStatus('open', err);
  return h as unknown as ServerHandle;
}

type CreateServerHandle = (
  address: string | null,
  port: number | null,
  addressType: number | null,
  fd?: number,
) => ServerHandle | number;

/** An inherited descriptor (`fd@N`) as a server handle; net finds out whether it is unix. */
export function serverHandleFromInheritedFd(fd: number): ServerHandle {
  const create = (net as unknown as { _createServerHandle: CreateServerHandle })
    ._createServerHandle;
  const h = create(null, null, null, fd);
  if (typeof h === 'number') throw osErrorFromStatus('open', h);
  return h;
}

/** True for a unix socket's server handle (a Pipe). */
export function isUnixServer(h: object): boolean {
  return h.constructor.name === 'Pipe';
}

/** Internal server handles go over IPC as they are (child.send's handle argument). */
export const sendsServerHandles = true;

/** An accepted handle as a net.Socket (HTTP mode), with `opts` (onread, allowHalfOpen...). */
export function socketFor(h: PortHandle, opts: net.SocketConstructorOpts): net.Socket {
  return new net.Socket({
    handle: h as unknown as net.Socket['_handle' & keyof net.Socket],
    ...opts,
  } as net.SocketConstructorOpts);
}
