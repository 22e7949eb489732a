// The port both data paths implement (stream-handle-internal.ts over libuv's handles,
// stream-handle-public.ts over net.Socket), and what they share. The relay
// (tcp-session.ts), the frontends and the listeners see only this.

import type net from 'node:net';
import { getSystemErrorName } from 'node:util';

/** What the relay uses of a connected TCP (or unix) stream. */
export interface StreamHandle {
  /** Called once per read; readResult() says what happened (bytes, UV_EOF, -errno). */
  onread: ((this: StreamHandle, buf: ArrayBuffer | undefined) => void) | null;
  readStart(): number;
  readStop(): number;
  close(cb?: () => void): void;
  setNoDelay?(on: boolean): number;
  /** Bytes written but not yet taken by the kernel. */
  readonly writeQueueSize: number;
  /** Set by the relay: who owns this handle (one property, same shape on every handle). */
  owner: unknown;
}

/** A bound TCP or unix socket owned by halo (sent to workers, polled by listener.ts). */
export type ServerHandle = object & { close(): void; readonly fd?: number };

export type WriteDone = (status: number, handle: StreamHandle) => void;
export type ConnectDone = (status: number, handle: StreamHandle) => void;

/** libuv's UV_EOF: the peer sent FIN. */
export const UV_EOF = -4095;

/** What a data path provides; stream-handle.ts re-exports the chosen one's functions. */
export interface DataPathImpl {
  /** Bytes (> 0), 0, UV_EOF or a negative errno for the `onread` call in progress. */
  readResult(): number;
  /** Makes `h` read into the shared buffer; call once per handle, before readStart. */
  readIntoShared(h: StreamHandle): void;
  /** The `n` bytes `h` just read (a view, valid only until the next read of any handle). */
  readData(h: StreamHandle, n: number): Uint8Array;
  /** Writes the `n` bytes just read into the shared buffer to `h`; as writeTo. */
  relayShared(h: StreamHandle, n: number, done: WriteDone): number;
  /** Gives `h` a read buffer of its own (at most once per handle); returns it. */
  readIntoOwn(h: StreamHandle): Buffer;
  /** Returns a buffer of readIntoOwn once its handle is closed. */
  releaseOwn(buf: Buffer): void;
  ownBufferStats(): { inUse: number; taken: number; pooled: number };
  /** True when the `n` bytes just read call for a buffer of the reading side's own. */
  isBulk(n: number): boolean;
  /** 0 when the kernel took all of `data`, 1 when queued (`done` runs once flushed), or -errno. */
  writeTo(h: StreamHandle, data: Uint8Array, done: WriteDone): number;
  /** Sends FIN once queued writes are flushed; `done` runs then. 0 or -errno. */
  shutdownWrite(h: StreamHandle, done: WriteDone): number;
  /** Starts a TCP connect to a numeric address (IPv4 or IPv6); the handle is returned at once. */
  connectTcp(
    address: string,
    port: number,
    done: ConnectDone,
  ): { handle: StreamHandle; err: number };
  peerAddress(h: StreamHandle): { address: string; port: number };
  localAddress(h: StreamHandle): { address: string; port: number };
  localPort(h: StreamHandle): number;
  /** An fd halo accepted as a handle, not reading yet; -errno on failure (fd is the caller's). */
  handleFromFd(fd: number, unix: boolean): StreamHandle | number;
  /** A bound TCP or unix socket's fd as a server handle (owns the fd from then on). */
  serverHandleFromFd(fd: number, unix: boolean): ServerHandle;
  /** An inherited descriptor (`fd@N`) as a server handle. */
  serverHandleFromInheritedFd(fd: number): ServerHandle;
  isUnixServer(h: object): boolean;
  /** Whether server handles can be given to child.send (else workers inherit the fds). */
  readonly sendsServerHandles: boolean;
  /** An accepted handle as a net.Socket for node:http, with `opts` (onread, allowHalfOpen). */
  socketFor(h: StreamHandle, opts: net.SocketConstructorOpts): net.Socket;
}

/** The errno name of a negative libuv status (`ECONNREFUSED`...). */
export function errorName(status: number): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return String(status);
  }
}

/** An Error for a failed `syscall` with a negative status, carrying `code` and `errno`. */
export function osErrorFromStatus(syscall: string, status: number): Error {
  const code = errorName(status);
  return Object.assign(new Error(`${syscall}: ${code}`), { code, errno: status });
}
