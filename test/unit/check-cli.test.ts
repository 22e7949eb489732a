// `halo check` end to end in-process: exit codes, output formats (-q, --json), language
// recognition by content, --offline, and the article's seed files.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { CommandIO } from '../../src/cli/command.js';
import { checkCommand } from '../../src/cli/commands/check.js';
import { corpusDir, repoRoot } from './corpus-expect.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function check(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
    cwd,
  };
  const code = await checkCommand.run(argv, io);
  return { code, stdout, stderr };
}

interface JsonReport {
  valid: boolean;
  files: { path: string; kind: string }[];
  diagnostics: {
    file: string;
    line: number;
    severity: string;
    code: string;
    message: string;
    hint?: string;
    origin: string;
  }[];
}

const haproxyDir = join(corpusDir(), 'haproxy');
const keepalivedDir = join(corpusDir(), 'keepalived');
const scratch = mkdtempSync(join(tmpdir(), 'halo-check-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const KEEPALIVED_ON = (iface: string) => `vrrp_instance VI_1 {
    state BACKUP
    interface ${iface}
    virtual_router_id 50
    priority 100
    virtual_ipaddress {
        198.51.100.10
    }
}
`;

describe('halo check', () => {
  test('a valid haproxy.cfg exits 0 and says so', async () => {
    const r = await check(['-f', 'valid-balance-algorithms.cfg'], haproxyDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Configuration file is valid/);
  });

  test('a mistyped keyword exits 1 naming file, line and a suggestion', async () => {
    const r = await check(['-f', 'typo-balance.cfg'], haproxyDir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /typo-balance\.cfg:15: error: .*'balanse'/);
    assert.match(r.stderr, /did you mean 'balance'/);
    assert.doesNotMatch(r.stdout, /Configuration file is valid/);
  });

  test('warnings keep exit 0; -q hides them and the verdict line but not errors', async () => {
    const loud = await check(['-f', 'forwardfor-on-tcp.cfg'], haproxyDir);
    assert.equal(loud.code, 0);
    assert.match(loud.stderr, /forwardfor-on-tcp\.cfg:\d+: warning: .*requires HTTP mode/);
    const quiet = await check(['-q', '-f', 'forwardfor-on-tcp.cfg'], haproxyDir);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout + quiet.stderr, '');
    const quietBad = await check(['-q', '-f', 'typo-balance.cfg'], haproxyDir);
    assert.equal(quietBad.code, 1);
    assert.match(quietBad.stderr, /typo-balance\.cfg:15: error/);
  });

  test('--json prints the verdict, the files with their kind, and every diagnostic', async () => {
    const r = await check(['--json', '-f', 'typo-balance.cfg'], haproxyDir);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as JsonReport;
    assert.equal(j.valid, false);
    assert.deepEqual(j.files, [{ path: 'typo-balance.cfg', kind: 'haproxy' }]);
    const d = j.diagnostics.find((x) => x.severity === 'error');
    assert.ok(d, r.stdout);
    assert.equal(d.file, 'typo-balance.cfg');
    assert.equal(d.line, 15);
    assert.equal(typeof d.code, 'string');
    assert.ok(['haproxy', 'keepalived', 'halo'].includes(d.origin));
    const ok = JSON.parse(
      (await check(['--json', '-f', 'valid-sync-group.conf', '--offline'], keepalivedDir)).stdout,
    ) as JsonReport;
    assert.equal(ok.valid, true);
    assert.deepEqual(ok.files, [{ path: 'valid-sync-group.conf', kind: 'keepalived' }]);
  });

  test('recognises the language by content, whatever the file name', async () => {
    writeFileSync(join(scratch, 'vrrp.txt'), KEEPALIVED_ON('halo0'));
    writeFileSync(
      join(scratch, 'lb.conf'),
      'frontend fe\n    bind 127.0.0.1:18080\n    mode tcp\n    timeout client 5s\n    default_backend be\nbackend be\n    mode tcp\n    timeout connect 5s\n    timeout server 5s\n    server s1 127.0.0.1:18081\n',
    );
    const r = await check(['--json', '--offline', '-f', 'vrrp.txt', '-f', 'lb.conf'], scratch);
    const j = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(
      j.files.map((f) => f.kind),
      ['keepalived', 'haproxy'],
    );
    assert.equal(j.valid, true, r.stdout);
    assert.equal(r.code, 0);
  });

  test('an interface missing on this host fails unless --offline', async () => {
    writeFileSync(join(scratch, 'absent.conf'), KEEPALIVED_ON('halo-absent9'));
    const online = await check(['-f', 'absent.conf'], scratch);
    assert.equal(online.code, 1);
    assert.match(online.stderr, /absent\.conf:3: error: .*halo-absent9/);
    const offline = await check(['--offline', '-f', 'absent.conf'], scratch);
    assert.equal(offline.code, 0, offline.stderr);
  });

  test('a missing file is an error; bad usage exits 2', async () => {
    const missing = await check(['-f', 'no-such-file.cfg'], scratch);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-file\.cfg/);
    assert.equal((await check([], scratch)).code, 2);
    assert.equal((await check(['--frobnicate', '-f', 'x.cfg'], scratch)).code, 2);
  });

  test('one broken file among several fails the whole check', async () => {
    const r = await check(
      ['--offline', '-f', '../haproxy/valid-stats.cfg', '-f', 'vrid-zero.conf'],
      keepalivedDir,
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /vrid-zero\.conf:8: error/);
  });
});

const seed = join(repoRoot(), '..', 'shared', 'seed');
const noSeed = existsSync(join(seed, 'haproxy.cfg')) ? undefined : `no article seed at ${seed}`;

describe("halo check on the article's configs", { skip: noSeed }, () => {
  test('haproxy.cfg is valid, with the forwardfor warning and the mode trap', async () => {
    const r = await check(['-f', 'haproxy.cfg'], seed);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /haproxy\.cfg:\d+: warning: 'option forwardfor' ignored for frontend 'apiserver' as it requires HTTP mode/,
    );
    const json = JSON.parse(
      (await check(['--json', '-f', 'haproxy.cfg'], seed)).stdout,
    ) as JsonReport;
    assert.ok(
      json.diagnostics.some(
        (d) => d.origin === 'halo' && d.severity === 'warning' && /mode/i.test(d.message),
      ),
      `no halo-only mode warning in ${r.stderr}`,
    );
  });

  test('--offline accepts the three keepalived files', async () => {
    for (const n of [1, 2, 3]) {
      const r = await check(['--offline', '-f', `keepalived-master${n}.conf`], seed);
      assert.equal(r.code, 0, `keepalived-master${n}.conf: ${r.stderr}`);
    }
  });
});
