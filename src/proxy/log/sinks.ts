// The logging port and its real adapters: UDP syslog, a unix datagram socket such as
// /dev/log, stdout/stderr. The runtime only sees `LogPort.send(targets, level, message)`.
// Logging is best effort, as in HAProxy: a line a target cannot take now (stdout's queue
// full, its reader gone, a full or absent syslog socket) is dropped and counted in
// DroppedLogs, never queued without bound.

import dgram from 'node:dgram';
import net from 'node:net';
import type { LogTarget } from '../../config/haproxy/model.js';
import type { FaultCounters } from '../../core/faults.js';
import { processFaults } from '../../core/faults.js';
import { addon, isSystemCallError } from '../../os/native.js';
import { stdio } from './stdio.js';
import { frame, passes } from './syslog.js';

export interface LogPort {
  /** Sends `message` at `level` to every target whose level filter lets it through. */
  send(targets: readonly LogTarget[], level: number, message: string): void;
  close(): void;
}

export interface SinkOptions {
  readonly pid?: number;
  readonly now?: () => number;
  /** Writes a line; false when it was dropped (default: the bounded process stdout). */
  readonly stdout?: (line: string) => boolean | undefined;
  readonly stderr?: (line: string) => boolean | undefined;
  readonly faults?: FaultCounters;
}

/** UDP datagrams libuv may hold unsent (the kernel refused them for now) before dropping. */
const UDP_QUEUE_LIMIT = 1024;

/** Sends to the real destinations. UDP sockets are opened lazily, one per family. */
export class SyslogSinks implements LogPort {
  private udp4: dgram.Socket | undefined;
  private udp6: dgram.Socket | undefined;
  private readonly unixSockets = new Map<string, UnixDgram>();
  private readonly pid: number;
  private readonly now: () => number;
  private readonly stdout: (line: string) => boolean | undefined;
  private readonly stderr: (line: string) => boolean | undefined;
  private readonly faults: FaultCounters;
  private readonly dropped = () => {
    this.faults.droppedLogs++;
  };

  constructor(opts: SinkOptions = {}) {
    this.pid = opts.pid ?? process.pid;
    this.now = opts.now ?? Date.now;
    this.stdout = opts.stdout ?? ((l) => stdio().stdout.write(l));
    this.stderr = opts.stderr ?? ((l) => stdio().stderr.write(l));
    this.faults = opts.faults ?? processFaults;
  }

  send(targets: readonly LogTarget[], level: number, message: string): void {
    const now = this.now();
    for (const t of targets) {
      if (!passes(t, level)) continue;
      const text = frame(t, level, message, now, this.pid, t.tag);
      const where = t.target;
      let sent: boolean | undefined = true;
      if (where.kind === 'stdout') sent = this.stdout(`${text}\n`);
      else if (where.kind === 'stderr') sent = this.stderr(`${text}\n`);
      // HAProxy ends every syslog datagram with a line feed, as on a stream.
      else if (where.kind === 'udp') sent = this.sendUdp(where.host, where.port, `${text}\n`);
      else if (where.kind === 'unix') sent = this.unix(where.path).send(`${text}\n`);
      if (sent === false) this.dropped();
    }
  }

  private sendUdp(host: string, port: number, text: string): boolean {
    const v6 = net.isIPv6(host);
    let sock = v6 ? this.udp6 : this.udp4;
    if (!sock) {
      sock = dgram.createSocket(v6 ? 'udp6' : 'udp4');
      sock.on('error', () => {}); // syslog is best effort, as in HAProxy
      sock.unref();
      if (v6) this.udp6 = sock;
      else this.udp4 = sock;
    }
    if (sock.getSendQueueCount() > UDP_QUEUE_LIMIT) return false;
    sock.send(text, port, host, (err) => {
      if (err) this.dropped();
    });
    return true;
  }

  private unix(path: string): UnixDgram {
    let s = this.unixSockets.get(path);
    if (!s) {
      s = new UnixDgram(path);
      this.unixSockets.set(path, s);
    }
    return s;
  }

  close(): void {
    this.udp4?.close();
    this.udp6?.close();
    for (const s of this.unixSockets.values()) s.close();
  }
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;

/** struct sockaddr_un for `path` (Linux: sa_family_t, then the NUL-terminated path). */
export function sockaddrUn(path: string): Uint8Array {
  const p = Buffer.from(path);
  const out = Buffer.alloc(2 + p.length + 1);
  out.writeUInt16LE(AF_UNIX, 0);
  p.copy(out, 2);
  return out;
}

/**
 * A unix datagram log target such as /dev/log. Node has no AF_UNIX datagram sockets, so
 * this uses the halo_os addon's socket/sendto (non-blocking, as HAProxy's: a full or
 * absent receiver drops the message). Unconnected, so a restarted syslog daemon is found
 * again by the next message.
 */
class UnixDgram {
  private fd = -1;
  private unavailable = false;
  private readonly address: Uint8Array;

  constructor(path: string) {
    this.address = sockaddrUn(path);
  }

  /** False when the message was dropped. */
  send(text: string): boolean {
    if (this.unavailable) return false;
    try {
      if (this.fd < 0) this.fd = addon().socket(AF_UNIX, SOCK_DGRAM, 0);
      addon().sendto(this.fd, Buffer.from(text), this.address);
      return true;
    } catch (err) {
      // No addon (not built): give up on this target; a send error: drop this message.
      if (!isSystemCallError(err)) this.unavailable = true;
      return false;
    }
  }

  close(): void {
    if (this.fd >= 0) addon().close(this.fd);
    this.fd = -1;
  }
}

/** A log port that records messages, for tests. */
export class MemoryLog implements LogPort {
  readonly lines: { targets: readonly LogTarget[]; level: number; message: string }[] = [];
  send(targets: readonly LogTarget[], level: number, message: string): void {
    this.lines.push({ targets, level, message });
  }
  close(): void {}
}
