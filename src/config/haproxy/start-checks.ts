// The last thing `haproxy -c` decides: with no error found, will the process start? Without
// any listener it exits 2 ("no error but will not start"), which `halo check` reports as an
// error so that the verdict (invalid) is the same.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { ParsedConfig } from './parser.js';

/** Sections that may listen but that halo does not model: assume they do. */
const MAYBE_LISTENING = ['peers', 'log-forward'];

export function startChecks(
  parsed: ParsedConfig,
  files: readonly string[],
  diags: Diagnostics,
): void {
  if (diags.errors > 0) return;
  const enabled = parsed.proxies.filter((p) => !p.disabled && p.kind !== 'backend');
  if (enabled.some((p) => p.binds.length > 0)) return;
  if (parsed.global.statsSockets.length > 0) return;
  if (MAYBE_LISTENING.some((s) => parsed.otherSections.has(s))) return;
  const fe = enabled[0];
  const pos: SourcePos = fe?.pos ?? parsed.proxies[0]?.pos ?? { file: files[0] ?? '', line: 1 };
  const fix = fe
    ? `Add a 'bind' line to ${fe.kind} '${fe.name}'`
    : "Add a frontend (or listen) section with a 'bind' line";
  diags.error(
    pos,
    'HAP_NO_LISTENER',
    'Configuration file has no error but will not start (no listener).',
    'haproxy',
    `No enabled frontend or listen section binds an address and there is no 'stats socket', so HAProxy exits with status 2 at once and nothing accepts connections. ${fix}.`,
  );
}
