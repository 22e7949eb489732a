// One non-blocking socket from the addon, with event-driven receive: libuv reports
// readiness, and each wake-up drains a bounded number of queued datagrams.

import { BPF_DROP_ALL } from './linux-abi.js';
import type { ReceivedMessage, WatchHandle } from './native.js';
import { addon } from './native.js';

/** Datagrams read per readiness callback before yielding back to the event loop. */
const DRAIN_BATCH = 64;

export class RawSocket {
  readonly fd: number;
  private watchHandle: WatchHandle | undefined;
  private readonly messageListeners = new Set<(m: ReceivedMessage) => void>();
  private readonly errorListeners = new Set<(e: Error) => void>();
  private closed = false;
  private keepsLoopAlive = true;

  constructor(
    domain: number,
    type: number,
    protocol: number,
    private readonly maxLength = 65536,
  ) {
    this.fd = addon().socket(domain, type, protocol);
  }

  setOption(level: number, name: number, value: number | Uint8Array): this {
    addon().setsockopt(this.fd, level, name, value);
    return this;
  }

  /** Drops every incoming datagram in the kernel: for sockets that only send. */
  sendOnly(): this {
    addon().attachFilter(this.fd, BPF_DROP_ALL);
    return this;
  }

  bind(sockaddr: Uint8Array): this {
    addon().bind(this.fd, sockaddr);
    return this;
  }

  send(data: Uint8Array, sockaddr: Uint8Array | null): number {
    return addon().sendto(this.fd, data, sockaddr);
  }

  /** Reads one queued datagram without waiting; null when none is queued. */
  receiveNow(): ReceivedMessage | null {
    return addon().recvmsg(this.fd, this.maxLength);
  }

  onMessage(listener: (m: ReceivedMessage) => void): () => void {
    this.messageListeners.add(listener);
    this.startWatching();
    return () => this.messageListeners.delete(listener);
  }

  onError(listener: (e: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Whether a pending receive keeps the Node.js process alive (default yes). */
  ref(keepsLoopAlive: boolean): this {
    this.keepsLoopAlive = keepsLoopAlive;
    if (this.watchHandle) addon().refWatch(this.watchHandle, keepsLoopAlive);
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watchHandle) addon().unwatch(this.watchHandle);
    this.watchHandle = undefined;
    addon().close(this.fd);
    this.messageListeners.clear();
    this.errorListeners.clear();
  }

  private startWatching(): void {
    if (this.watchHandle || this.closed) return;
    this.watchHandle = addon().watch(this.fd, () => this.drain());
    if (!this.keepsLoopAlive) addon().refWatch(this.watchHandle, false);
  }

  private drain(): void {
    for (let i = 0; i < DRAIN_BATCH && !this.closed; i++) {
      let m: ReceivedMessage | null;
      try {
        m = this.receiveNow();
      } catch (e) {
        this.emitError(e as Error);
        return;
      }
      if (!m) return;
      for (const l of this.messageListeners) l(m);
    }
  }

  private emitError(e: Error): void {
    if (this.errorListeners.size === 0) throw e;
    for (const l of this.errorListeners) l(e);
  }
}
