// What `halo proxy` and `halo run` print of the configuration's diagnostics when they start.
// Errors stop the start and are printed whole (halo check's text). Otherwise each file
// speaks as its own tool does at start: one HAProxy `[WARNING]` line per warning HAProxy
// would print too, one Keepalived log line (`(file: Line N) message`) per warning Keepalived
// would log too, and one of either per line halo does not apply (the file:line says which).
// halo's own advice (`halo check`'s hints: the mode trap, timeouts, weak auth...) is summed
// up in one line instead of repeating its paragraphs on every start.

import type { Diagnostic } from '../config/diagnostics.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { NOT_APPLIED } from '../config/haproxy/keywords/not-applied.js';

/**
 * `WARNING`/`NOTICE`: an HAProxy line, to print after its `[LEVEL] (pid) : ` prefix;
 * `keepalived`: a Keepalived log line (the VRRP log's sinks); undefined: printed as is.
 */
export interface StartupLine {
  readonly level: 'WARNING' | 'NOTICE' | 'keepalived' | undefined;
  readonly text: string;
}

/** keepalived.conf lines that halo parses but does not apply (HALO_NOT_APPLIED's kin). */
const KEEPALIVED_NOT_APPLIED: ReadonlySet<string> = new Set([
  'HALO_UNSUPPORTED_KEYWORD',
  'HALO_AUTH_AH_UNSUPPORTED',
]);

/**
 * Keepalived's warnings that the VRRP daemon logs itself when it starts, as Keepalived
 * does (without a line number): printed here too, they would show twice.
 */
const LOGGED_BY_VRRP: ReadonlySet<string> = new Set(['KA_SCRIPT_SECURITY']);

/** The lines to print for `sorted` (every file's diagnostics, in file order). */
export function startupDiagnostics(
  sorted: readonly Diagnostic[],
  files: readonly string[],
): StartupLine[] {
  if (sorted.some((d) => d.severity === 'error'))
    return sorted.map((d) => ({ level: undefined, text: formatDiagnostic(d) }));
  const out: StartupLine[] = [];
  let advice = 0;
  for (const d of sorted) {
    if (d.origin === 'haproxy' || d.code === NOT_APPLIED)
      out.push({ level: 'WARNING', text: `config : parsing [${d.file}:${d.line}] : ${d.message}` });
    else if (d.origin === 'keepalived' || KEEPALIVED_NOT_APPLIED.has(d.code)) {
      if (!LOGGED_BY_VRRP.has(d.code))
        out.push({ level: 'keepalived', text: `(${d.file}: Line ${d.line}) ${d.message}` });
    } else advice++;
  }
  if (advice > 0) {
    const f = files.map((x) => `-f ${x}`).join(' ');
    out.push({
      level: 'NOTICE',
      text: `config : halo check has ${advice} more ${advice === 1 ? 'finding' : 'findings'} for this configuration; run 'halo check ${f}' for details.`,
    });
  }
  return out;
}
