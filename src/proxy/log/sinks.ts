// The logging port and its real adapters: UDP syslog, a unix datagram socket such as
// /dev/log, stdout/stderr. The runtime only sees `LogPort.send(targets, level, message)`.

import dgram from 'node:dgram';
import net from 'node:net';
import type { LogTarget } from '../../config/haproxy/model.js';
import { addon, isSystemCallError } from '../../os/native.js';
import { frame, passes } from './syslog.js';

export interface LogPort {
  /** Sends `message` at `level` to every target whose level filter lets it through. */
  send(targets: readonly LogTarget[], level: number, message: string): void;
  close(): void;
}

export interface SinkOptions {
  readonly pid?: number;
  readonly now?: () => number;
  readonly stdout?: (line: string) => void;
  readonly stderr?: (line: string) => void;
}

/** Sends to the real destinations. UDP sockets are opened lazily, one per family. */
export class SyslogSinks implements LogPort {
  private udp4: dgram.Socket | undefined;
  private udp6: dgram.Socket | undefined;
  private readonly unixSockets = new Map<string, UnixDgram>();
  private readonly pid: number;
  private readonly now: () => number;
  private readonly stdout: (line: string) => void;
  private readonly stderr: (line: string) => void;

  constructor(opts: SinkOptions = {}) {
    this.pid = opts.pid ?? process.pid;
    this.now = opts.now ?? Date.now;
    this.stdout = opts.stdout ?? ((l) => process.stdout.write(l));
    this.stderr = opts.stderr ?? ((l) => process.stderr.write(l));
  }

  send(targets: readonly LogTarget[], level: number, message: string): void {
    const now = this.now();
    for (const t of targets) {
      if (!passes(t, level)) continue;
      const text = frame(t, level, message, now, this.pid);
      const where = t.target;
      if (where.kind === 'stdout') this.stdout(`${text}\n`);
      else if (where.kind === 'stderr') this.stderr(`${text}\n`);
      // HAProxy ends every syslog datagram with a line feed, as on a stream.
      else if (where.kind === 'udp') this.sendUdp(where.host, where.port, `${text}\n`);
      else if (where.kind === 'unix') this.unix(where.path).send(`${text}\n`);
    }
  }

  private sendUdp(host: string, port: number, text: string): void {
    const v6 = net.isIPv6(host);
    let sock = v6 ? this.udp6 : this.udp4;
    if (!sock) {
      sock = dgram.createSocket(v6 ? 'udp6' : 'udp4');
      sock.on('error', () => {}); // syslog is best effort, as in HAProxy
      sock.unref();
      if (v6) this.udp6 = sock;
      else this.udp4 = sock;
    }
    sock.send(text, port, host);
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

  send(text: string): void {
    if (this.unavailable) return;
    try {
      if (this.fd < 0) this.fd = addon().socket(AF_UNIX, SOCK_DGRAM, 0);
      addon().sendto(this.fd, Buffer.from(text), this.address);
    } catch (err) {
      // No addon (not built): give up on this target; a send error: drop this message.
      if (!isSystemCallError(err)) this.unavailable = true;
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
