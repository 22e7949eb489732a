// The real host behind `halo check`: file reads, include globs, the interface lookup
// (sysfs) and script file access, injected into the otherwise pure config parsers.

import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import fg from 'fast-glob';

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

export const realHost = {
  readFile: (path: string): string => readFileSync(path, 'utf8'),
  glob: (pattern: string, cwd: string): string[] =>
    fg.sync(pattern, { cwd, absolute: true, onlyFiles: true }).sort(),
  interfaceExists,
  fileAccessible,
};
