// The real host behind `halo check`: file reads, include globs, the interface lookup
// (sysfs), script file access and account names (/etc/passwd, /etc/group), injected into
// the otherwise pure config parsers.

import { lookup } from 'node:dns/promises';
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import type FastGlob from 'fast-glob';
import type { NameResolver } from '../config/haproxy/resolve-names.js';
import { readConfigFile } from '../config/read-config.js';

export function interfaceExists(name: string): boolean {
  if (name === '' || name.includes('/') || name === '.' || name === '..') return false;
  return existsSync(`/sys/class/net/${name}`);
}

/** The sticky bit (S_ISVTX), which node:fs does not export. */
const STICKY = 0o1000;

/**
 * What Keepalived's script check would find at `path` (symlinks followed), for this user;
 * 'unsafe' when the resolved path has a part that is not root's or that others may write
 * (a directory with the sticky bit excepted), as Keepalived's check_security sees it.
 */
export function fileAccessible(
  path: string,
): 'ok' | 'missing' | 'not-executable' | 'not-a-file' | 'unsafe' {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    return 'missing';
  }
  if (!isFile) return 'not-a-file';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return 'not-executable';
  }
  try {
    const real = realpathSync(path);
    const parts = real.split('/').filter(Boolean);
    for (let i = 0; i <= parts.length; i++) {
      const st = lstatSync(`/${parts.slice(0, i).join('/')}`);
      const guarded = st.isFile() || (st.isDirectory() && (st.mode & STICKY) === 0);
      const writable = (st.gid !== 0 && st.mode & constants.S_IWGRP) || st.mode & constants.S_IWOTH;
      if (st.uid !== 0 || (guarded && writable)) return 'unsafe';
    }
  } catch {
    return 'missing';
  }
  return 'ok';
}

/** Names of the accounts in an /etc/passwd or /etc/group style file; empty if unreadable. */
export function accountNames(path: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return new Set();
  }
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = line.slice(0, Math.max(0, line.indexOf(':')));
    if (name && !name.startsWith('#') && !name.startsWith('+') && !name.startsWith('-')) {
      names.add(name);
    }
  }
  return names;
}

// Only the local files: accounts that getpwnam() would find through other NSS services
// (LDAP, sssd) are not seen; such a config needs `halo check --offline`.
export const userExists = (name: string): boolean => accountNames('/etc/passwd').has(name);
export const groupExists = (name: string): boolean => accountNames('/etc/group').has(name);

/** getaddrinfo(), as HAProxy resolves server and bind names while reading its config. */
export const realResolver: NameResolver = {
  resolves: (host, family) =>
    lookup(host, { family: family === 'any' ? 0 : family }).then(
      () => true,
      () => false,
    ),
};

// fast-glob and its dependencies are some 40 CommonJS modules, about a fifth of what
// `halo proxy` would load before it listens; only keepalived.conf `include` globs use it.
let fastGlob: typeof FastGlob | undefined;
function glob(pattern: string, cwd: string): string[] {
  fastGlob ??= createRequire(import.meta.url)('fast-glob') as typeof FastGlob;
  return fastGlob.sync(pattern, { cwd, absolute: true, onlyFiles: true }).sort();
}

export const realHost = {
  /** Configuration files (keepalived includes too), within the bounds of config/limits.ts. */
  readFile: (path: string): string => readConfigFile(path),
  glob,
  interfaceExists,
  fileAccessible,
  userExists,
  groupExists,
};
