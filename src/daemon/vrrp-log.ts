// Where `halo vrrp` writes its log lines: to stderr in Keepalived's console format
// (`Wed Nov 25 18:09:27 2026: (VI_1) Entering MASTER STATE`, with -l) and to syslog
// through /dev/log (facility daemon, or local0..7 with -S), as Keepalived does. Lines that
// Keepalived prints only with -D (--log-detail) are dropped unless detail is on.

import { existsSync } from 'node:fs';
import { RawSocket } from '../os/raw-socket.js';

export interface VrrpLog {
  /** A line Keepalived always prints. */
  info(text: string): void;
  /** A line Keepalived prints only with -D. */
  detail(text: string): void;
  close(): void;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** ctime(3) without the newline: `Wed Nov  5 18:09:27 2026` (local time). */
export function ctime(d: Date): string {
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${time} ${d.getFullYear()}`;
}

/** The syslog timestamp of RFC 3164: `Nov  5 18:09:27`. */
function syslogTime(d: Date): string {
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${time}`;
}

/** One log line's sinks; each gets the text without a trailing newline. */
export type LogSink = (text: string, now: Date) => void;

export function consoleSink(write: (s: string) => void): LogSink {
  return (text, now) => write(`${ctime(now)}: ${text}\n`);
}

const LOG_DAEMON = 3;
const LOG_LOCAL0 = 16;
const LOG_INFO = 6;

/** struct sockaddr_un for a filesystem path. */
function sockaddrUn(path: string): Uint8Array {
  const bytes = Buffer.from(path, 'utf8');
  const out = new Uint8Array(2 + bytes.length + 1);
  out[0] = 1; // AF_UNIX, little-endian u16
  out.set(bytes, 2);
  return out;
}

/**
 * Syslog over the /dev/log datagram socket (RFC 3164 framing, as glibc's syslog(3) sends
 * it). Undefined when there is no syslog daemon listening; later send errors are dropped,
 * as syslog(3) drops them.
 */
export function syslogSink(
  ident: string,
  facility: number | undefined,
  path = '/dev/log',
): LogSink | undefined {
  let socket: RawSocket;
  const addr = sockaddrUn(path);
  if (!existsSync(path)) return undefined;
  try {
    socket = new RawSocket(1, 2, 0); // AF_UNIX, SOCK_DGRAM; never bound, so nothing arrives
  } catch {
    return undefined;
  }
  const pri = (facility === undefined ? LOG_DAEMON : LOG_LOCAL0 + facility) * 8 + LOG_INFO;
  return (text, now) => {
    try {
      socket.send(
        Buffer.from(`<${pri}>${syslogTime(now)} ${ident}[${process.pid}]: ${text}`),
        addr,
      );
    } catch {
      // syslog(3) drops a line it cannot deliver
    }
  };
}

export function createVrrpLog(
  sinks: readonly LogSink[],
  detail: boolean,
  now: () => Date = () => new Date(),
): VrrpLog {
  const emit = (text: string) => {
    const at = now();
    for (const s of sinks) s(text, at);
  };
  return {
    info: emit,
    detail: (text) => {
      if (detail) emit(text);
    },
    close() {},
  };
}
