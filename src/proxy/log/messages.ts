// Server and backend state-change messages in HAProxy's wording, with their syslog levels.

import type { CheckResult } from '../health/result.js';
import { formatCheckReason } from '../health/result.js';

export const LogLevel = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;

export type LogLevelName = keyof typeof LogLevel;

export interface FarmCounts {
  /** Usable active and backup servers after the change. */
  readonly active: number;
  readonly backup: number;
}

export function serverDownMessage(
  backend: string,
  server: string,
  result: CheckResult | undefined,
  farm: FarmCounts,
  sessions: { active: number; requeued: number; queued: number },
): string {
  const reason = result ? formatCheckReason(result) : '';
  return (
    `Server ${backend}/${server} is DOWN${reason}. ${farm.active} active and ${farm.backup} ` +
    `backup servers left. ${sessions.active} sessions active, ${sessions.requeued} requeued, ` +
    `${sessions.queued} remaining in queue.`
  );
}

export function serverUpMessage(
  backend: string,
  server: string,
  result: CheckResult | undefined,
  farm: FarmCounts,
  sessions: { requeued: number; queued: number },
): string {
  const reason = result ? formatCheckReason(result) : '';
  return (
    `Server ${backend}/${server} is UP${reason}. ${farm.active} active and ${farm.backup} ` +
    `backup servers online. ${sessions.requeued} sessions requeued, ${sessions.queued} total in queue.`
  );
}

/**
 * `option log-health-checks`: HAProxy's line for a check that changed the server's status
 * code or health, `Health check for [backup ]server BE/SRV succeeded|failed, reason: ...,
 * status: N/M UP|DRAIN|DOWN` (N of the `fall` checks left while UP, of `rise` while DOWN).
 */
export function healthCheckMessage(
  backend: string,
  server: string,
  backup: boolean,
  result: CheckResult,
  c: { health: number; rise: number; fall: number; weight: number },
): string {
  const up = c.health >= c.rise;
  const state = up ? (c.weight > 0 ? 'UP' : 'DRAIN') : 'DOWN';
  const verdict =
    result.status === 'L7OKC' ? 'conditionally succeeded' : result.ok ? 'succeeded' : 'failed';
  return (
    `Health check for ${backup ? 'backup ' : ''}server ${backend}/${server} ${verdict}` +
    `${formatCheckReason(result)}, status: ${up ? c.health - c.rise + 1 : c.health}/` +
    `${up ? c.fall : c.rise} ${state}.`
  );
}

/** The log line; HAProxy's stderr alert quotes the name (noServerAlert). */
export function noServerMessage(backend: string): string {
  return `backend ${backend} has no server available!`;
}

export function noServerAlert(backend: string): string {
  return `backend '${backend}' has no server available!`;
}

/** accept() out of descriptors: HAProxy's emergency line (listener.c), per errno. */
export function fdLimitMessage(proxy: string, code: 'EMFILE' | 'ENFILE', maxsock: number): string {
  return code === 'EMFILE'
    ? `Proxy ${proxy} reached process FD limit (maxsock=${maxsock}). Please check 'ulimit-n' and restart.`
    : `Proxy ${proxy} reached system FD limit (maxsock=${maxsock}). Please check system tunables.`;
}
