// halo's tables of fetch methods, ACL keywords and converters against what the installed
// HAProxy registers (`haproxy -dK...`), so a new HAProxy build that adds or drops a name
// shows up here. Skipped where /usr/sbin/haproxy is not installed.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  ACL_KEYWORDS,
  CONVERTERS,
  SAMPLE_FETCHES,
} from '../../src/config/haproxy/keywords/sample-names.js';

const HAPROXY = '/usr/sbin/haproxy';
const skip = existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`;

/** The keyword dump of one class (`smp`, `acl`, `cnv`); `-c -f /dev/null` exits at once. */
function dump(kind: string): string[] {
  let out: string;
  try {
    out = execFileSync(HAPROXY, [`-dK${kind}`, '-q', '-c', '-f', '/dev/null'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    // exit 2 ("no listener") still printed the dump
    out = (e as { stdout?: string }).stdout ?? '';
  }
  return out.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

function names(lines: string[], re: RegExp): Set<string> {
  return new Set(lines.map((l) => re.exec(l)?.[1]).filter((n): n is string => n !== undefined));
}

function sameSet(halo: ReadonlySet<string>, real: Set<string>, what: string): void {
  assert.ok(real.size > 20, `could not read the ${what} of ${HAPROXY}`);
  const missing = [...real].filter((n) => !halo.has(n));
  const extra = [...halo].filter((n) => !real.has(n));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, what);
}

describe(`sample names agree with ${HAPROXY}`, { skip }, () => {
  it('fetch methods', () => {
    sameSet(SAMPLE_FETCHES, names(dump('smp'), /^\[[^\]]*\] ([^(:\s]+)/), 'fetch methods');
  });
  it('ACL keywords', () => {
    sameSet(ACL_KEYWORDS, names(dump('acl'), /^(\S+) = /), 'ACL keywords');
  });
  it('converters', () => {
    sameSet(CONVERTERS, names(dump('cnv'), /^([^(:\s]+)/), 'converters');
  });
});
