// The real host behind `halo check`: file reads, include globs and the interface lookup
// (sysfs), injected into the otherwise pure config parsers.

import { existsSync, readFileSync } from 'node:fs';
import fg from 'fast-glob';

export function interfaceExists(name: string): boolean {
  if (name === '' || name.includes('/') || name === '.' || name === '..') return false;
  return existsSync(`/sys/class/net/${name}`);
}

export const realHost = {
  readFile: (path: string): string => readFileSync(path, 'utf8'),
  glob: (pattern: string, cwd: string): string[] =>
    fg.sync(pattern, { cwd, absolute: true, onlyFiles: true }).sort(),
  interfaceExists,
};
