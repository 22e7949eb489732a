// Property tests: no input makes parseHaproxy throw; only diagnostics come back, and every
// diagnostic points at a line inside the file.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseHaproxy } from '../../src/config/haproxy/index.js';

const seed = readFileSync(join(process.cwd(), 'test/golden/haproxy/article-haproxy.cfg'), 'utf8');
const seedLines = seed.split('\n').slice(0, -1);

function checkRun(text: string): void {
  const lines = Math.max(1, text.split('\n').length);
  const r = parseHaproxy([{ path: 'f.cfg', text }]);
  for (const d of r.diagnostics.list) {
    assert.notEqual(d.code, 'HALO_INTERNAL', d.message);
    assert.equal(d.file, 'f.cfg');
    assert.ok(
      Number.isInteger(d.line) && d.line >= 1 && d.line <= lines,
      `line ${d.line} of ${lines}`,
    );
    assert.ok(d.message.length > 0);
  }
}

const TOKENS = [
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'bind',
  'mode',
  'tcp',
  'http',
  'server',
  'option',
  'no',
  'timeout',
  'client',
  'stats',
  'realm',
  'auth',
  'acl',
  'use_backend',
  'if',
  'unless',
  '!',
  '||',
  'TRUE',
  'default_backend',
  'apiserver',
  '"',
  "'",
  '\\',
  '#',
  '${X}',
  '"${X-1}"',
  ':9443',
  '*:80',
  '[::]:1',
  'unix@/x',
  'fd@1',
  'check',
  'inter',
  'rise',
  '0',
  '-1',
  '99999',
  '1m',
  '2x',
  'from',
  'log',
  'global',
  'httpchk',
  'ssl-hello-chk',
  'forwardfor',
  '.if',
  '.endif',
  '.else',
  '{',
  '}',
  'balance',
  'random(0)',
  'http-check',
  'expect',
  'send',
  '\t',
];

type Op = {
  kind: 'delete' | 'dup' | 'swap' | 'insert';
  at: number;
  other: number;
  tokens: string[];
};

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('delete', 'dup', 'swap', 'insert'),
  at: fc.nat(),
  other: fc.nat(),
  tokens: fc.array(fc.constantFrom(...TOKENS), { maxLength: 6 }),
});

function mutate(lines: string[], ops: Op[]): string {
  const l = [...lines];
  for (const o of ops) {
    if (l.length === 0) l.push('');
    const i = o.at % l.length;
    const j = o.other % l.length;
    if (o.kind === 'delete') l.splice(i, 1);
    else if (o.kind === 'dup') l.splice(i, 0, l[i] as string);
    else if (o.kind === 'swap') [l[i], l[j]] = [l[j] as string, l[i] as string];
    else l.splice(i, 0, `  ${o.tokens.join(' ')}`);
  }
  return `${l.join('\n')}\n`;
}

describe('haproxy parser robustness', () => {
  it('never throws on random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), checkRun), { numRuns: 500 });
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) =>
        checkRun(Buffer.from(b).toString('latin1')),
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on token soup', () => {
    const line = fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((t) => t.join(' '));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (ls) => checkRun(`${ls.join('\n')}\n`)),
      {
        numRuns: 500,
      },
    );
  });

  it('never throws on mutated copies of the article config', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => checkRun(mutate(seedLines, ops))),
      {
        numRuns: 500,
      },
    );
  });

  it('still reports the article warning when only comments are removed', () => {
    const text = `${seedLines.filter((l) => !l.trim().startsWith('#')).join('\n')}\n`;
    const r = parseHaproxy([{ path: 'f.cfg', text }]);
    assert.ok(r.diagnostics.list.some((d) => d.code === 'HAP_HTTP_ONLY_IGNORED'));
  });
});
