// Client-side blackouts from a series of connection attempts (pure: no clock, no socket).
// An attempt starts at `at` (ms) and either succeeds or fails (an error, or no TLS
// handshake within the prober's timeout). A blackout runs from the start of the first
// failed attempt to the start of the first later attempt that succeeded: what a client
// retrying every interval would have waited. A blackout still open at the end of the series
// ends at the last attempt's start and is marked open.

export interface Attempt {
  /** When the attempt started (ms, any epoch shared by the series). */
  readonly at: number;
  readonly ok: boolean;
  /** How long it took to succeed or fail (ms). */
  readonly ms: number;
  /** Why it failed (`ECONNREFUSED`, `timeout`...). */
  readonly error?: string;
}

export interface Blackout {
  readonly start: number;
  readonly end: number;
  readonly ms: number;
  readonly failures: number;
  /** The distinct errors seen, in order of first appearance. */
  readonly errors: readonly string[];
  /** No successful attempt followed: the series ended inside the blackout. */
  readonly open: boolean;
}

export function blackouts(attempts: readonly Attempt[]): Blackout[] {
  const sorted = [...attempts].sort((a, b) => a.at - b.at);
  const out: Blackout[] = [];
  let start: number | undefined;
  let failures = 0;
  let errors: string[] = [];
  for (const a of sorted) {
    if (!a.ok) {
      if (start === undefined) {
        start = a.at;
        failures = 0;
        errors = [];
      }
      failures++;
      const e = a.error ?? 'failed';
      if (!errors.includes(e)) errors.push(e);
    } else if (start !== undefined) {
      out.push({ start, end: a.at, ms: a.at - start, failures, errors, open: false });
      start = undefined;
    }
  }
  if (start !== undefined) {
    const end = sorted[sorted.length - 1]?.at ?? start;
    out.push({ start, end, ms: end - start, failures, errors, open: true });
  }
  return out;
}

export interface BlackoutSummary {
  readonly attempts: number;
  readonly failures: number;
  /** The longest blackout (ms), 0 when nothing failed. */
  readonly longestMs: number;
  /** Sum of all blackouts (ms). */
  readonly totalMs: number;
  readonly blackouts: readonly Blackout[];
}

export function summarize(attempts: readonly Attempt[]): BlackoutSummary {
  const b = blackouts(attempts);
  return {
    attempts: attempts.length,
    failures: attempts.filter((a) => !a.ok).length,
    longestMs: b.reduce((m, x) => Math.max(m, x.ms), 0),
    totalMs: b.reduce((s, x) => s + x.ms, 0),
    blackouts: b,
  };
}
