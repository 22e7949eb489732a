// Keepalived 2.2.7's look at each vrrp_script's program before it runs anything (the
// host check of `keepalived -t`): a first word without a `/` is searched in PATH like
// execvp(3), anything else is taken as a path (relative to the working directory). A
// script whose program is missing is disabled with a config error; one that is there but
// not executable is disabled silently; one run as root whose path is not a regular file,
// or (with enable_script_security) could be changed by others, is disabled as insecure.
// Disabled scripts leave the model, as they leave Keepalived's. File access is the
// host's; this is pure.

import type { Diagnostics } from '../diagnostics.js';
import type { ConfigDraft, ScriptDraft } from './drafts.js';

/**
 * What is at a path, for the user halo runs as: an executable regular file, nothing
 * (or a dangling link), a file without execute permission, something else (a
 * directory, a device), or an executable file whose resolved path has a part that is
 * not root's or that others may write ('unsafe').
 */
export type FileAccess = 'ok' | 'missing' | 'not-executable' | 'not-a-file' | 'unsafe';

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
    const verdict = judgeScript(sc, access, searchPath, protectedScript(cfg, sc));
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

type Verdict = 'ok' | 'not-found' | 'not-a-file' | 'not-executable' | 'unsafe';

/**
 * Keepalived checks the path of a script that runs as root (user or group) for safety:
 * any non-regular file is refused, and with enable_script_security so is a path that
 * others could change.
 */
interface Protection {
  readonly asRoot: boolean;
  readonly scriptSecurity: boolean;
}

function protectedScript(cfg: ConfigDraft, sc: ScriptDraft): Protection {
  const g = cfg.global;
  const user = sc.user ?? g.scriptUser;
  const name = user?.user ?? (g.enableScriptSecurity ? 'keepalived_script' : 'root');
  return {
    asRoot: name === 'root' || user?.group === 'root',
    scriptSecurity: g.enableScriptSecurity,
  };
}

function judgeScript(
  sc: ScriptDraft,
  access: (path: string) => FileAccess,
  searchPath: string,
  p: Protection,
): Verdict {
  const program = sc.argv[0];
  // No program (reported where the script is read), or `</path`: a test that a file can
  // be opened, which Keepalived does itself without running anything.
  if (program === undefined || program === '' || /^<[ \t]*\//.test(program)) return 'ok';
  const found = program.includes('/')
    ? safeAccess(access, program)
    : searchPathFor(program, access, searchPath);
  switch (found) {
    case 'missing':
      return 'not-found';
    case 'not-a-file':
      return p.asRoot ? 'not-a-file' : 'ok';
    case 'unsafe':
      return p.asRoot && p.scriptSecurity ? 'unsafe' : 'ok';
    default:
      return found;
  }
}

/** execvp(3)'s search: the first executable regular file wins; an empty entry is `.`. */
function searchPathFor(
  program: string,
  access: (path: string) => FileAccess,
  searchPath: string,
): FileAccess {
  for (const dir of searchPath.split(':')) {
    const candidate = dir === '' ? program : `${dir.replace(/\/+$/, '')}/${program}`;
    const found = safeAccess(access, candidate);
    if (found === 'ok' || found === 'unsafe') return found;
  }
  // Keepalived reports a directory or a non-executable file met on the way like a
  // missing one ("Permissions failure ... in path" / "Cannot find script ... in path").
  return 'missing';
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
  } else if (verdict === 'not-a-file' || verdict === 'unsafe') {
    const msg = `Disabling track script ${sc.name} due to insecure`;
    const hint =
      verdict === 'not-a-file'
        ? `'${program}' is not a regular file (Keepalived: "Wrong file type found in script path"); point script at an executable file`
        : `a script run as root must not be changeable by others (Keepalived: "Unsafe permissions found for script"): make '${program}' and every directory above it owned by root and writable by root only`;
    d.error(pos, 'KA_SCRIPT_INSECURE', msg, 'keepalived', hint);
  } else {
    const msg = `script '${program}' of vrrp_script ${sc.name} is not executable: Keepalived disables the script without an error`;
    const hint = `keepalived -t passes but the instances run as if they did not track ${sc.name}; \`chmod +x ${program}\``;
    d.warning(pos, 'HALO_SCRIPT_NOT_EXECUTABLE', msg, 'halo', hint);
  }
}
