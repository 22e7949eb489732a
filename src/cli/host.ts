// The real host behind `halo check`: file reads, include globs, the interface lookup
// (sysfs) and script file access, injected into the otherwise pure config parsers.

import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import fg from 'fast-glob';

export function interfaceExists(name: string): boolean {
  if (name === '' || name.includes('/') || name === '.' || name === '..') return false;
  return existsSync(`/sys/class/net/${name}`);
}

/** What Keepalived's script check would find at `path` (symlinks followed), for this user. */
export function fileAccessible(path: string): 'ok' | 'missing' | 'not-executable' | 'not-a-file' {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    return 'missing';
  }
  if (!isFile) return 'not-a-file';
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'not-executable';
  }
}

export const realHost = {
  readFile: (path: string): string => readFileSync(path, 'utf8'),
  glob: (pattern: string, cwd: string): string[] =>
    fg.sync(pattern, { cwd, absolute: true, onlyFiles: true }).sort(),
  interfaceExists,
  fileAccessible,
};
