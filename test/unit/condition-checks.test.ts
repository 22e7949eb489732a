// Conditions with a criterion halo does not evaluate: `stats admin` (it grants the admin
// actions) is refused by `halo check` with file:line; `use_backend` (it only routes) warns
// and says what the condition comes to with the criterion taken as false;
// `tcp-request connection expect-proxy` (it decides who may pass a PROXY header) is refused.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandIO } from '../../src/cli/command.js';
import { checkCommand } from '../../src/cli/commands/check.js';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { reducedCondition } from '../../src/proxy/condition-checks.js';

const dir = mkdtempSync(join(tmpdir(), 'halo-cond-checks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Diag {
  file: string;
  line: number;
  severity: string;
  code: string;
  message: string;
}

async function check(name: string, text: string): Promise<{ code: number; diags: Diag[] }> {
  const file = join(dir, name);
  writeFileSync(file, text);
  let stdout = '';
  const io: CommandIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: () => {},
    env: {},
    cwd: dir,
  };
  const code = await checkCommand.run(['--offline', '--json', file], io);
  return { code, diags: (JSON.parse(stdout) as { diagnostics: Diag[] }).diagnostics };
}

const statsCfg = (admin: string) => `global
    maxconn 100
userlist L
    user admin insecure-password s3cret-Pass
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen admin_stats
    bind 127.0.0.1:18404
    stats uri /s
    stats auth admin:Xy7-long-pass
    acl from_lb src 10.0.0.1
    acl xff req.hdr(x-forwarded-for) -m found
    ${admin}
`;
const ADMIN_LINE = 16;

describe('stats admin with a criterion halo does not evaluate', () => {
  for (const admin of [
    'stats admin if { http_auth(L) }',
    'stats admin unless { req.hdr(x-forwarded-for) -m found }',
    'stats admin unless xff',
    'stats admin if from_lb || !{ http_auth(L) }',
  ]) {
    it(`'${admin}' is an error at its line`, async () => {
      const r = await check('stats.cfg', statsCfg(admin));
      assert.equal(r.code, 1);
      const errors = r.diags.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      const e = errors[0]!;
      assert.equal(e.code, 'HALO_NOT_APPLIED_SECURITY');
      assert.equal(e.file, join(dir, 'stats.cfg'));
      assert.equal(e.line, ADMIN_LINE);
      assert.match(e.message, /stats admin (if|unless) \.\.\.' in listen 'admin_stats'/);
      assert.match(e.message, /http_auth\(L\)|req\.hdr\(x-forwarded-for\)/);
    });
  }

  for (const admin of [
    'stats admin if { src 127.0.0.1 }',
    'stats admin unless { src 127.0.0.1 }',
    'stats admin if from_lb LOCALHOST',
    'stats admin if TRUE',
    'stats admin unless { ssl_fc }', // halo refuses `bind ... ssl`: ssl_fc is false, rightly
  ]) {
    it(`'${admin}' is evaluated: no diagnostic about it`, async () => {
      const r = await check('ok.cfg', statsCfg(admin));
      assert.deepEqual(
        r.diags.filter((d) => d.line === ADMIN_LINE),
        [],
      );
      assert.equal(r.code, 0);
    });
  }
});

describe('tcp-request connection expect-proxy with a criterion halo does not evaluate', () => {
  const cfg = (rule: string) => `defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:18406
    acl sni req.ssl_sni -m found
    ${rule}
    default_backend a
backend a
    server s 127.0.0.1:1
`;
  it('a condition halo cannot evaluate is an error at its line', async () => {
    const r = await check('expect.cfg', cfg('tcp-request connection expect-proxy layer4 if sni'));
    assert.equal(r.code, 1);
    const e = r.diags.filter((d) => d.severity === 'error');
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.equal(e[0]!.code, 'HALO_NOT_APPLIED_SECURITY');
    assert.equal(e[0]!.line, 9);
    assert.match(e[0]!.message, /'req\.ssl_sni'/);
  });
  for (const rule of [
    'tcp-request connection expect-proxy layer4',
    'tcp-request connection expect-proxy layer4 if { src 10.0.0.0/8 }',
    'tcp-request connection expect-proxy layer4 unless LOCALHOST',
  ]) {
    it(`'${rule}' is applied: no error`, async () => {
      const r = await check('expect-ok.cfg', cfg(rule));
      assert.deepEqual(
        r.diags.filter((d) => d.severity === 'error'),
        [],
      );
    });
  }
});

describe('use_backend with a criterion halo does not evaluate', () => {
  const cfg = (rule: string) => `defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
userlist L
    user admin insecure-password s3cret-Pass
frontend fe
    bind 127.0.0.1:18405
    acl auth req.body -m found
    ${rule}
    default_backend a
backend a
    server s 127.0.0.1:1
backend b
    server s 127.0.0.1:2
`;
  for (const [rule, says] of [
    ['use_backend b if !auth', /always applies: every request that reaches it goes to 'b'/],
    ['use_backend b unless auth', /always applies/],
    ['use_backend b if auth', /never applies/],
    ['use_backend b if auth || { path_beg /x }', /as the rest of its condition decides/],
  ] as const) {
    it(`'${rule}' warns at its line: ${says}`, async () => {
      const r = await check('route.cfg', cfg(rule));
      const w = r.diags.filter((d) => d.code === 'HALO_CONDITION_NOT_EVALUATED');
      assert.equal(w.length, 1);
      assert.equal(w[0]!.line, 11);
      assert.equal(w[0]!.severity, 'warning');
      assert.match(w[0]!.message, /'req\.body'/);
      assert.match(w[0]!.message, says);
    });
  }

  it('reducedCondition: dead terms false, negated dead terms true', () => {
    const cond = (terms: [string, boolean][][], negate = false) => ({
      pos: { file: 'f', line: 1 },
      negate,
      terms: terms.map((and) => and.map(([name, n]) => ({ name, negate: n }))),
    });
    const dead = new Set(['d']);
    assert.equal(reducedCondition(cond([[['d', false]]]), dead), 'never');
    assert.equal(reducedCondition(cond([[['d', true]]]), dead), 'always');
    assert.equal(reducedCondition(cond([[['d', true]]], true), dead), 'never');
    assert.equal(
      reducedCondition(
        cond([
          [
            ['d', true],
            ['x', false],
          ],
        ]),
        dead,
      ),
      'depends',
    );
    assert.equal(reducedCondition(cond([[['d', false]], [['x', false]]]), dead), 'depends');
    assert.equal(
      reducedCondition(
        cond(
          [
            [
              ['d', false],
              ['x', false],
            ],
          ],
          true,
        ),
        dead,
      ),
      'always',
    );
  });

  it('parseHaproxy alone stays pure: the check runs in halo check and at start', () => {
    const r = parseHaproxy([{ path: 'p.cfg', text: cfg('use_backend b if !auth') }]);
    assert.equal(
      r.diagnostics.list.some((d) => d.code === 'HALO_CONDITION_NOT_EVALUATED'),
      false,
    );
  });
});
