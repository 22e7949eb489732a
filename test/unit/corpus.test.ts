// Runs halo's parsers over the config corpus (test/corpus) and checks every expected
// diagnostic (line, severity, message), that no unexpected error appears, and the verdict.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileAccessible } from '../../src/cli/host.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { parseKeepalived } from '../../src/config/keepalived/index.js';
import {
  type CorpusCase,
  diagnosticProblems,
  expectedHaloVerdict,
  formatSeen,
  isBroken,
  loadCorpus,
} from './corpus-expect.js';

/** The interfaces of the differential test's namespace, for cases marked `online`. */
const LAB_INTERFACES = new Set(['lo', 'halo0', 'halo1']);

/** Matches `*`, `?` and `[...]` within one path segment, as keepalived's glob(3) does. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if ('[]'.includes(ch)) re += ch;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A read-only host over the real corpus files: includes resolve as on disk. */
const corpusHost = {
  readFile: (path: string): string => readFileSync(path, 'utf8'),
  glob(pattern: string, cwd: string): string[] {
    const abs = resolve(cwd, pattern);
    const dir = dirname(abs);
    if (/[*?[]/.test(dir)) throw new Error(`corpus host: glob in a directory part: ${pattern}`);
    const re = globToRegExp(basename(abs));
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => re.test(n))
      .sort()
      .map((n) => join(dir, n));
  },
  interfaceExists: (name: string): boolean => LAB_INTERFACES.has(name),
  /** Script programs are looked up on this machine, as `keepalived -t` does. */
  fileAccessible,
};

/**
 * Accounts of the measuring machine (Debian 12 with the haproxy package) for haproxy's
 * `user`/`group` lookups. The differential test runs `halo check` without --offline, so
 * haproxy cases are always checked against the host's accounts; here, against these.
 */
const USERS = new Set(['root', 'daemon', 'nobody', 'haproxy']);
const GROUPS = new Set(['root', 'daemon', 'nogroup', 'haproxy']);
const haproxyHost = {
  userExists: (name: string): boolean => USERS.has(name),
  groupExists: (name: string): boolean => GROUPS.has(name),
};

function runHalo(c: CorpusCase): { diagnostics: Diagnostic[]; hasConfig: boolean } {
  const entry = { path: c.path, text: c.text };
  if (c.kind === 'haproxy') {
    const r = parseHaproxy([entry], { env: { ...c.expect.env }, host: haproxyHost });
    return { diagnostics: r.diagnostics.list, hasConfig: r.config !== undefined };
  }
  const r = parseKeepalived(entry, corpusHost, { offline: !c.expect.online });
  return { diagnostics: r.diagnostics.list, hasConfig: r.config !== undefined };
}

const cases = loadCorpus();

describe('config corpus', () => {
  test('has at least 40 broken configs and 15 valid ones, of both kinds', () => {
    const broken = cases.filter(isBroken);
    const valid = cases.filter((c) => !isBroken(c));
    const invalid = cases.filter((c) => expectedHaloVerdict(c.expect) === 'invalid');
    assert.ok(broken.length >= 40, `only ${broken.length} broken configs`);
    assert.ok(invalid.length >= 30, `only ${invalid.length} configs halo must reject`);
    assert.ok(valid.length >= 15, `only ${valid.length} valid configs`);
    for (const kind of ['haproxy', 'keepalived'] as const) {
      assert.ok(broken.filter((c) => c.kind === kind).length >= 15, `few broken ${kind} configs`);
      assert.ok(valid.filter((c) => c.kind === kind).length >= 5, `few valid ${kind} configs`);
    }
  });

  for (const c of cases) {
    test(c.id, () => {
      const { diagnostics, hasConfig } = runHalo(c);
      const said = diagnostics.map((d) => `  ${formatSeen(d)}`).join('\n') || '  (nothing)';
      const problems = diagnosticProblems(c, diagnostics);
      assert.deepEqual(problems, [], `${c.id}: halo said:\n${said}`);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const verdict = errors === 0 ? 'valid' : 'invalid';
      assert.equal(verdict, expectedHaloVerdict(c.expect), `${c.id}: halo said:\n${said}`);
      if (verdict === 'valid') assert.ok(hasConfig, `${c.id}: valid but no config returned`);
    });
  }
});
