// What `halo proxy` prints of the configuration's diagnostics when it starts. Errors stop
// the start and are printed whole (halo check's text). Otherwise it speaks as HAProxy
// does at start, one `[WARNING]` line per warning HAProxy would print too and per line
// halo does not apply (the file:line says which), and sums up halo's own advice
// (`halo check`'s hints: the mode trap, timeouts, weak auth...) in one line instead of
// repeating its paragraphs on every start.

import type { Diagnostic } from '../config/diagnostics.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { NOT_APPLIED } from '../config/haproxy/keywords/not-applied.js';

/** The lines to print, without the `[LEVEL] (pid) : ` prefix of the warnings. */
export function startupDiagnostics(
  sorted: readonly Diagnostic[],
  files: readonly string[],
): { level: 'WARNING' | 'NOTICE' | undefined; text: string }[] {
  if (sorted.some((d) => d.severity === 'error'))
    return sorted.map((d) => ({ level: undefined, text: formatDiagnostic(d) }));
  const out: { level: 'WARNING' | 'NOTICE' | undefined; text: string }[] = [];
  let advice = 0;
  for (const d of sorted) {
    if (d.origin === 'haproxy' || d.code === NOT_APPLIED)
      out.push({ level: 'WARNING', text: `config : parsing [${d.file}:${d.line}] : ${d.message}` });
    else advice++;
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
