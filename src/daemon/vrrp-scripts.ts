// Running vrrp_script checks and notify scripts the way Keepalived 2.2.7 does: argv split
// from the `script` line and exec'd without a shell, as `script_user` (default
// keepalived_script, else root), killed with its process group after `timeout`, and the
// script security rules (`enable_script_security`: a script run as root must not be
// writable, nor sit in a directory writable, by anyone but root).

import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { ScriptOutcome } from '../vrrp/index.js';

export interface ScriptUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** A user (and optional group) from /etc/passwd and /etc/group; undefined when unknown. */
export function lookupUser(user: string, group?: string, etc = '/etc'): ScriptUser | undefined {
  let found: ScriptUser | undefined;
  for (const line of readLines(join(etc, 'passwd'))) {
    const f = line.split(':');
    if (f.length >= 4 && (f[0] === user || f[2] === user)) {
      found = { name: f[0] ?? user, uid: Number(f[2]), gid: Number(f[3]) };
      break;
    }
  }
  if (!found || group === undefined) return found;
  for (const line of readLines(join(etc, 'group'))) {
    const f = line.split(':');
    if (f.length >= 3 && (f[0] === group || f[2] === group)) {
      return { ...found, gid: Number(f[2]) };
    }
  }
  return undefined;
}

/** The executable an argv[0] names: itself when it has a slash, else found on PATH. */
export function resolveExecutable(argv0: string, path: string | undefined): string | undefined {
  if (argv0.includes('/')) return argv0;
  for (const dir of (path ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, argv0);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Keepalived's rule for a script run as root: the file and every directory above it must
 * be owned by root and not writable by group or others. Returns the first offending path.
 */
export function insecurePath(file: string): string | undefined {
  let p = isAbsolute(file) ? file : join(process.cwd(), file);
  for (;;) {
    try {
      const st = statSync(p);
      if (st.uid !== 0 || (st.mode & 0o022) !== 0) return p;
    } catch {
      return p;
    }
    const up = dirname(p);
    if (up === p) return undefined;
    p = up;
  }
}

export interface RunOptions {
  readonly user?: ScriptUser;
  readonly timeoutMs?: number;
}

/** Runs one command and reports how it ended; never rejects. */
export type ScriptExecutor = (argv: readonly string[], opts: RunOptions) => Promise<ScriptOutcome>;

const signalNumber = (name: NodeJS.Signals | null): number =>
  (name && (osConstants.signals as Record<string, number>)[name]) || 0;

function ids(user: ScriptUser | undefined): { uid?: number; gid?: number } {
  if (!user || process.getuid?.() !== 0) return {};
  if (user.uid === 0 && user.gid === 0) return {};
  return { uid: user.uid, gid: user.gid };
}

/** Process groups of the checks running now (those with a timeout), for stopping. */
const runningChecks = new Set<number>();

/** Kills every running check's process group (at shutdown, as Keepalived does). */
export function killRunningChecks(): void {
  for (const pid of runningChecks) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The real executor: a child process in its own process group, no shell, no stdio. */
export const spawnScript: ScriptExecutor = (argv, opts) =>
  new Promise((resolve) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) {
      resolve({ kind: 'exit', status: 127 });
      return;
    }
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, ...ids(opts.user) });
    child.once('error', () => {
      if (timer) clearTimeout(timer);
      resolve({ kind: 'exit', status: 127 }); // exec failed, as a shell reports it
    });
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (child.pid !== undefined) runningChecks.delete(child.pid);
      if (timedOut) resolve({ kind: 'timeout' });
      else if (signal) resolve({ kind: 'signal', signal: signalNumber(signal) });
      else resolve({ kind: 'exit', status: code ?? 0 });
    });
    if (opts.timeoutMs !== undefined && child.pid !== undefined) {
      const pid = child.pid;
      runningChecks.add(pid);
      timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, opts.timeoutMs);
    }
  });
