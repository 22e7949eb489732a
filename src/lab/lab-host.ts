// Where a lab lives on the host and whether this host can build one without root: the state
// directory (pidfile, control socket, configs, logs), the keeper's liveness from its pidfile,
// and the kernel's switches for unprivileged user namespaces.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LabPaths {
  readonly dir: string;
  readonly pidfile: string;
  readonly control: string;
  readonly log: string;
  /** The host 127.0.0.1 port of the stats relay, written by the keeper. */
  readonly statsPort: string;
}

/**
 * $XDG_RUNTIME_DIR/halo-lab, else /tmp/halo-lab-$UID. As root always /tmp/halo-lab-0: root's
 * lab uses named namespaces, which are machine-wide, so there is one root lab per machine and
 * every root shell must find its pidfile.
 */
export function labPaths(env: NodeJS.ProcessEnv): LabPaths {
  const uid = process.getuid?.() ?? 0;
  const base = uid === 0 ? undefined : env.XDG_RUNTIME_DIR;
  return pathsIn(base ? join(base, 'halo-lab') : `/tmp/halo-lab-${uid}`);
}

export function pathsIn(dir: string): LabPaths {
  return {
    dir,
    pidfile: join(dir, 'keeper.pid'),
    control: join(dir, 'control.sock'),
    log: join(dir, 'keeper.log'),
    statsPort: join(dir, 'stats.port'),
  };
}

/** The keeper's PID when its pidfile names a live `halo lab keeper` process. */
export function liveKeeper(p: LabPaths): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(p.pidfile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.includes('lab') && cmd.includes('keeper') ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export interface UserNsProbe {
  /** Tries `unshare -Urnm true`: its exit status and stderr. */
  readonly tryUnshare: () => { status: number | null; stderr: string };
  /** A /proc/sys file's content, or undefined when absent. */
  readonly sysctl: (path: string) => string | undefined;
}

const realProbe: UserNsProbe = {
  tryUnshare: () => {
    const r = spawnSync('unshare', ['-Urnm', 'true'], { encoding: 'utf8', timeout: 5000 });
    return { status: r.status, stderr: r.stderr || r.error?.message || '' };
  },
  sysctl: readSysctl,
};

/**
 * Why this host refuses an unprivileged user namespace with its own network namespaces, or
 * undefined when `unshare -Urnm` works (tried, not guessed: the switches below only explain).
 */
export function userNamespaceRefusal(probe: UserNsProbe = realProbe): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const r = probe.tryUnshare();
  if (r.status === 0) return undefined;
  const why: string[] = [`unshare -Urnm failed: ${r.stderr.trim() || `exit ${r.status}`}`];
  if (probe.sysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0')
    why.push(
      'kernel.unprivileged_userns_clone is 0: allow with `sudo sysctl kernel.unprivileged_userns_clone=1`',
    );
  if (probe.sysctl('/proc/sys/user/max_user_namespaces') === '0')
    why.push(
      'user.max_user_namespaces is 0: allow with `sudo sysctl user.max_user_namespaces=15000`',
    );
  if (probe.sysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1')
    why.push(
      'AppArmor restricts unprivileged user namespaces: `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` ' +
        '(or an AppArmor profile allowing userns for node)',
    );
  why.push('or run `halo lab` as root (named network namespaces)');
  return why.join('\n  ');
}

/** The package root (where examples/article/ is), from src/, dist/src/ or dist/bundle/. */
export function packageRoot(cwd: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir))
    if (existsSync(join(dir, 'examples', 'article'))) return dir;
  return cwd;
}
