// Check results with HAProxy's status codes and wording, as they appear in the server
// state-change log lines (`reason: Layer4 connection problem, info: "Connection refused"`).

export const checkStatusText = {
  SOCKERR: 'Socket error',
  L4OK: 'Layer4 check passed',
  L4TOUT: 'Layer4 timeout',
  L4CON: 'Layer4 connection problem',
  L6OK: 'Layer6 check passed',
  L6TOUT: 'Layer6 timeout',
  L6RSP: 'Layer6 invalid response',
  L7TOUT: 'Layer7 timeout',
  L7RSP: 'Layer7 invalid response',
  L7OK: 'Layer7 check passed',
  L7OKC: 'Layer7 check conditionally passed',
  L7STS: 'Layer7 wrong status',
  HANA: 'Health analyze',
} as const;

export type CheckStatus = keyof typeof checkStatusText;

export interface CheckResult {
  readonly status: CheckStatus;
  readonly ok: boolean;
  /** HTTP status for layer-7 results. */
  readonly code?: number | undefined;
  readonly info?: string | undefined;
  readonly durationMs: number;
}

/** Statuses that carry an HTTP code in the log line (HAProxy: status >= L57DATA). */
const withCode: ReadonlySet<CheckStatus> = new Set(['L7OK', 'L7OKC', 'L7STS']);

/** `, reason: X[, code: N][, info: "..."], check duration: Nms` (no duration for HANA) */
export function formatCheckReason(r: CheckResult): string {
  let s = `, reason: ${checkStatusText[r.status]}`;
  if (withCode.has(r.status) && r.code !== undefined) s += `, code: ${r.code}`;
  if (r.info) s += `, info: "${r.info}"`;
  // Health analyze (observe) is not a check that ran: HAProxy 2.6 prints no duration.
  if (r.status === 'HANA') return s;
  return `${s}, check duration: ${Math.max(0, Math.round(r.durationMs))}ms`;
}

/** strerror() wording for the socket errors a check meets. */
const errnoText: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ETIMEDOUT: 'Connection timed out',
  EPIPE: 'Broken pipe',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
};

export function errnoInfo(err: unknown): string {
  const code = (err as { code?: string } | undefined)?.code;
  return (code && errnoText[code]) || (err instanceof Error ? err.message : String(err));
}
