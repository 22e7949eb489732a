// Syslog framing (pure): facilities, the RFC 3164 header HAProxy sends
// (`<PRI>Mon DD HH:MM:SS haproxy[pid]: msg`), and the level filter of a `log` line.

import type { LogTarget } from '../../config/haproxy/model.js';
import type { LogLevelName } from './messages.js';
import { LogLevel } from './messages.js';
import { formatSyslogDate } from './tcplog.js';

export const facilities: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  auth2: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  cron2: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

export function levelNumber(name: string | undefined, fallback: number): number {
  if (name === undefined) return fallback;
  return LogLevel[name as LogLevelName] ?? fallback;
}

/** Whether a message of `level` passes the target's `max` (and `min`) level. */
export function passes(target: LogTarget, level: number): boolean {
  return level <= levelNumber(target.level, 7) && level >= levelNumber(target.minLevel, 0);
}

/** The bytes of one message for a target, in the target's format (rfc3164 by default). */
/** HAProxy's longest log line when the target sets no `len`. */
export const DEFAULT_LOG_LEN = 1024;

/** The line for `target`, header included, cut at its `len` as HAProxy cuts it. */
export function frame(
  target: LogTarget,
  level: number,
  message: string,
  now: number,
  pid: number,
  tag = 'haproxy',
): string {
  const line = frameWhole(target, level, message, now, pid, tag);
  const max = target.len ?? DEFAULT_LOG_LEN;
  return line.length > max ? line.slice(0, max) : line;
}

function frameWhole(
  target: LogTarget,
  level: number,
  message: string,
  now: number,
  pid: number,
  tag = 'haproxy',
): string {
  const pri = (facilities[target.facility] ?? 16) * 8 + level;
  switch (target.format) {
    case 'raw':
      return message;
    case 'short':
      return `<${level}>${message}`;
    case 'priority':
      return `<${pri}>${message}`;
    case 'timed':
      return `<${pri}>${formatSyslogDate(now)} ${message}`;
    case 'iso':
      return `<${pri}>${new Date(now).toISOString()} ${message}`;
    case 'rfc5424':
      return `<${pri}>1 ${new Date(now).toISOString()} - ${tag} ${pid} - - ${message}`;
    default:
      return `<${pri}>${formatSyslogDate(now)} ${tag}[${pid}]: ${message}`;
  }
}
