// Keepalived 2.2.7's look at each vrrp_script's program before it runs anything (the
// host check of `keepalived -t`): a first word without a `/` is searched in PATH like
// execvp(3), anything else is taken as a path (relative to the working directory). A
// script whose program is missing is disabled with a config error; one that is there but
// not executable is disabled silently. Disabled scripts leave the model, as they leave
// Keepalived's. File access is the host's; this is pure.

import type { Diagnostics } from '../diagnostics.js';
import type { ConfigDraft, ScriptDraft } from './drafts.js';

/**
 * What is at a path, for the user halo runs as: an executable regular file, nothing
 * (or a dangling link), a file without execute permission, or something else (a
 * directory, a device).
 */
export type FileAccess = 'ok' | 'missing' | 'not-executable' | 'not-a-file';

/** glibc's `_CS_PATH`, which Keepalived searches when it has no PATH. */
export const DEFAULT_SCRIPT_PATH = '/bin:/usr/bin';

/**
 * Checks the program of every vrrp_script and drops the scripts Keepalived disables,
 * from the script list and from the instances tracking them. Keepalived does this only
 * when the file has at least one vrrp_instance.
 */
export function checkScriptFiles(
  cfg: ConfigDraft,
  access: (path: string) => FileAccess,
  searchPath: string,
  d: Diagnostics,
): void {
  if (cfg.instances.length === 0) return;
  const disabled = new Set<ScriptDraft>();
  for (const sc of cfg.scripts) {
    const verdict = judgeScript(sc, access, searchPath);
    if (verdict === 'ok') continue;
    disabled.add(sc);
    report(sc, verdict, d);
  }
  if (disabled.size === 0) return;
  const gone = new Set([...disabled].map((s) => s.name));
  cfg.scripts = cfg.scripts.filter((s) => !disabled.has(s));
  for (const inst of cfg.instances) {
    inst.trackScript = inst.trackScript.filter((t) => !gone.has(t.name));
  }
}

type Verdict = 'ok' | 'not-found' | 'not-a-file' | 'not-executable';

function judgeScript(
  sc: ScriptDraft,
  access: (path: string) => FileAccess,
  searchPath: string,
): Verdict {
  const program = sc.argv[0];
  // No program (reported where the script is read), or `</path`: a test that a file can
  // be opened, which Keepalived does itself without running anything.
  if (program === undefined || program === '' || /^<[ \t]*\//.test(program)) return 'ok';
  if (!program.includes('/')) return searchPathFor(program, access, searchPath);
  const found = safeAccess(access, program);
  if (found === 'ok') return 'ok';
  return found === 'missing' ? 'not-found' : found;
}

/** execvp(3)'s search: the first executable regular file wins; an empty entry is `.`. */
function searchPathFor(
  program: string,
  access: (path: string) => FileAccess,
  searchPath: string,
): Verdict {
  for (const dir of searchPath.split(':')) {
    const candidate = dir === '' ? program : `${dir.replace(/\/+$/, '')}/${program}`;
    if (safeAccess(access, candidate) === 'ok') return 'ok';
  }
  // Keepalived reports a directory or a non-executable file met on the way like a
  // missing one ("Permissions failure ... in path" / "Cannot find script ... in path").
  return 'not-found';
}

function safeAccess(access: (path: string) => FileAccess, path: string): FileAccess {
  try {
    return access(path);
  } catch {
    return 'missing';
  }
}

function report(sc: ScriptDraft, verdict: Exclude<Verdict, 'ok'>, d: Diagnostics): void {
  const pos = sc.scriptPos ?? sc.pos;
  const program = sc.argv[0] ?? '';
  if (verdict === 'not-found') {
    const hint = program.includes('/')
      ? `keepalived -t fails and Keepalived runs without this check; '${program}' does not exist on this host: install it, fix the path, or check a config for another machine with --offline`
      : `keepalived -t fails and Keepalived runs without this check; '${program}' is not an executable file in any directory of PATH: write its full path, or check a config for another machine with --offline`;
    const msg = `Disabling track script ${sc.name} since not found/accessible`;
    d.error(pos, 'KA_SCRIPT_NOT_FOUND', msg, 'keepalived', hint);
  } else if (verdict === 'not-a-file') {
    const msg = `Disabling track script ${sc.name} due to insecure`;
    const hint = `'${program}' is not a regular file (Keepalived: "Wrong file type found in script path"); point script at an executable file`;
    d.error(pos, 'KA_SCRIPT_INSECURE', msg, 'keepalived', hint);
  } else {
    const msg = `script '${program}' of vrrp_script ${sc.name} is not executable: Keepalived disables the script without an error`;
    const hint = `keepalived -t passes but the instances run as if they did not track ${sc.name}; \`chmod +x ${program}\``;
    d.warning(pos, 'HALO_SCRIPT_NOT_EXECUTABLE', msg, 'halo', hint);
  }
}
