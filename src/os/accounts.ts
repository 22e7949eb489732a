// Account ids by name from the local /etc/passwd and /etc/group, as getpwnam()/getgrnam()
// find them with the files NSS service: `stats socket ... user X group Y` chowns to them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function idIn(path: string, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] === name && /^\d+$/.test(f[2] ?? '')) return Number(f[2]);
  }
  return undefined;
}

/** The uid of user `name`, undefined when /etc/passwd has no such user. */
export function userId(name: string, etc = '/etc'): number | undefined {
  return idIn(join(etc, 'passwd'), name);
}

/** The gid of group `name`, undefined when /etc/group has no such group. */
export function groupId(name: string, etc = '/etc'): number | undefined {
  return idIn(join(etc, 'group'), name);
}
