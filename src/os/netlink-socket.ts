// An rtnetlink socket: requests matched to replies by sequence number (ACKs and dumps),
// and kernel notifications for the multicast groups it subscribed to.

import { constants } from 'node:os';
import { HaloError } from '../config/diagnostics.js';
import { AF, NETLINK_ROUTE, SO, SOCK, SOL, sockaddrNl } from './linux-abi.js';
import {
  decodeError,
  decodeMessages,
  encodeMessage,
  type NetlinkMessage,
  NLM_F,
  NLMSG,
} from './netlink-codec.js';
import { RawSocket } from './raw-socket.js';

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name]),
);

/** A request the kernel refused: `code` is the errno name (EEXIST, EADDRNOTAVAIL, EPERM...). */
export class NetlinkError extends HaloError {
  constructor(
    readonly errno: number,
    what: string,
  ) {
    const name = errnoNames.get(errno) ?? `errno ${errno}`;
    super(name, `netlink ${what}: ${name}`);
    this.name = 'NetlinkError';
  }
}

interface Pending {
  readonly what: string;
  readonly replies: NetlinkMessage[];
  readonly resolve: (m: NetlinkMessage[]) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface NetlinkSocketOptions {
  /** RTMGRP_* bit mask of notifications to receive. */
  readonly groups?: number;
  /** How long a request may wait for the kernel's answer. */
  readonly timeoutMs?: number;
}

export class NetlinkSocket {
  private readonly socket: RawSocket;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(m: NetlinkMessage) => void>();
  private readonly errorListeners = new Set<(e: Error) => void>();
  private seq = Math.floor(Date.now() / 1000) & 0xffffff;
  private readonly timeoutMs: number;
  private notificationsKeepAlive = true;

  constructor(options: NetlinkSocketOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.socket = new RawSocket(AF.NETLINK, SOCK.RAW, NETLINK_ROUTE);
    try {
      if (options.groups) this.socket.setOption(SOL.SOCKET, SO.RCVBUF, 1 << 20);
      this.socket.bind(sockaddrNl(options.groups ?? 0));
    } catch (e) {
      this.socket.close();
      throw e;
    }
    this.socket.ref(false);
    this.socket.onMessage((m) => this.onDatagram(m.data));
    this.socket.onError((e) => this.fail(e));
  }

  /** Sends a request (seq is assigned here) and resolves with the dump or on the ACK. */
  request(message: Omit<NetlinkMessage, 'seq' | 'pid'>, what: string): Promise<NetlinkMessage[]> {
    this.seq = (this.seq + 1) >>> 0 || 1;
    const seq = this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        this.updateRef();
        reject(new HaloError('HALO_NETLINK_TIMEOUT', `netlink ${what}: no answer from the kernel`));
      }, this.timeoutMs);
      this.pending.set(seq, { what, replies: [], resolve, reject, timer });
      this.updateRef();
      try {
        this.socket.send(encodeMessage({ ...message, seq, pid: 0 }), sockaddrNl());
      } catch (e) {
        this.settle(seq);
        reject(e);
      }
    });
  }

  /** Kernel notifications (messages not answering one of our requests). */
  onNotification(listener: (m: NetlinkMessage) => void): () => void {
    this.listeners.add(listener);
    this.updateRef();
    return () => {
      this.listeners.delete(listener);
      this.updateRef();
    };
  }

  onError(listener: (e: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  close(): void {
    for (const seq of [...this.pending.keys()]) {
      this.settle(seq)?.reject(new HaloError('HALO_NETLINK_CLOSED', 'netlink socket closed'));
    }
    this.listeners.clear();
    this.socket.close();
  }

  /** Whether notifications alone keep the process alive (pending requests always do). */
  ref(keepsLoopAlive: boolean): void {
    this.notificationsKeepAlive = keepsLoopAlive;
    this.updateRef();
  }

  private updateRef(): void {
    this.socket.ref(
      this.pending.size > 0 || (this.listeners.size > 0 && this.notificationsKeepAlive),
    );
  }

  private settle(seq: number): Pending | undefined {
    const p = this.pending.get(seq);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(seq);
    this.updateRef();
    return p;
  }

  private onDatagram(data: Uint8Array): void {
    try {
      for (const m of decodeMessages(data)) this.dispatch(m);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private dispatch(m: NetlinkMessage): void {
    const p = m.seq !== 0 ? this.pending.get(m.seq) : undefined;
    if (!p) {
      if (m.type !== NLMSG.NOOP && m.type !== NLMSG.DONE && m.type !== NLMSG.ERROR) {
        for (const l of this.listeners) l(m);
      }
      return;
    }
    if (m.type === NLMSG.ERROR) {
      const { errno } = decodeError(m.payload);
      this.settle(m.seq);
      if (errno === 0) p.resolve(p.replies);
      else p.reject(new NetlinkError(-errno, p.what));
    } else if (m.type === NLMSG.DONE) {
      this.settle(m.seq);
      p.resolve(p.replies);
    } else {
      p.replies.push(m);
      if ((m.flags & NLM_F.MULTI) === 0) {
        this.settle(m.seq);
        p.resolve(p.replies);
      }
    }
  }

  private fail(e: Error): void {
    if (this.errorListeners.size === 0 && this.pending.size === 0) return;
    for (const l of this.errorListeners) l(e);
    // A lost datagram (ENOBUFS) may have held an answer: fail what is waiting.
    for (const seq of [...this.pending.keys()]) this.settle(seq)?.reject(e);
  }
}
