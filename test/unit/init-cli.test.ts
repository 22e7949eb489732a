// `halo init` on its command line: flags, the prompts (answered on an injected stdin, and
// once through a real child process with --prompt), the usage errors of a non-terminal
// stdin, refusing to overwrite, file modes, and the prompt module on its own.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import type { CommandIO } from '../../src/cli/command.js';
import { runInit } from '../../src/cli/commands/init.js';
import { createPrompter } from '../../src/cli/prompt.js';
import { haloArgv } from '../halo-cli.js';
import { counterRandom } from './init-fixtures.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'halo-init-'));
  dirs.push(d);
  return d;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  cwd: string;
}

/** Runs `halo init` in-process; `lines` answer the prompts (stdin is not a TTY). */
async function init(argv: string[], lines?: string[], cwd = tempDir()): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    cwd,
  };
  const stdin = Readable.from(lines === undefined ? [] : [`${lines.join('\n')}\n`]);
  const code = await runInit(argv, io, { random: counterRandom(), stdin });
  return { code, stdout, stderr, cwd };
}

const FLAGS = [
  '--vip',
  '192.0.2.10',
  '--masters',
  '192.0.2.11,192.0.2.12,192.0.2.13',
  '--interface',
  'ens33',
];

describe('halo init with flags', () => {
  test('writes one folder per master and says how the VRID was chosen', async () => {
    const r = await init([...FLAGS, '--out', 'lb']);
    assert.equal(r.code, 0, r.stderr);
    for (const n of ['master1', 'master2', 'master3'])
      for (const f of ['haproxy.cfg', 'keepalived.conf']) {
        const path = join(r.cwd, 'lb', n, f);
        assert.equal(statSync(path).mode & 0o777, 0o600, `${path} holds a password`);
      }
    assert.match(
      r.stdout,
      /VRID 38 derived from 192\.0\.2\.10; set --vrid if another cluster on this segment uses it/,
    );
    assert.match(readFileSync(join(r.cwd, 'lb', 'README.md'), 'utf8'), /deploy\/README\.md/);
    const k2 = readFileSync(join(r.cwd, 'lb', 'master2', 'keepalived.conf'), 'utf8');
    assert.match(k2, /^\s+priority 110$/m);
    assert.match(k2, /^\s+vrrp_version 3$/m);
    assert.doesNotMatch(k2, /authentication/);
  });

  test('refuses to overwrite without --force', async () => {
    const cwd = tempDir();
    assert.equal((await init(FLAGS, undefined, cwd)).code, 0);
    const again = await init(FLAGS, undefined, cwd);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /refusing to overwrite .*haproxy\.cfg.*\(use --force\)/);
    assert.equal((await init([...FLAGS, '--force'], undefined, cwd)).code, 0);
  });

  test('--vrrp-version 2 --unicast --extra-port --vrid', async () => {
    const r = await init([
      ...FLAGS,
      '--vrrp-version=2',
      '--unicast',
      '--extra-port',
      '9345:/ping',
      '--vrid',
      '77',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const k1 = readFileSync(join(r.cwd, 'halo-cluster', 'master1', 'keepalived.conf'), 'utf8');
    assert.match(k1, /auth_type PASS\n\s+auth_pass [A-Za-z2-9]{8}\n/);
    assert.match(
      k1,
      /unicast_src_ip 192\.0\.2\.11\n\s+unicast_peer \{\n\s+192\.0\.2\.12\n\s+192\.0\.2\.13\n/,
    );
    assert.match(k1, /virtual_router_id 77\n/);
    assert.match(r.stdout, /VRID 77 \(from --vrid\)/);
    const h1 = readFileSync(join(r.cwd, 'halo-cluster', 'master1', 'haproxy.cfg'), 'utf8');
    assert.match(h1, /frontend port-9345\n\s+bind \*:9345\n/);
    assert.match(h1, /option httpchk GET \/ping\n/);
  });

  const usageCases: [string, string[], RegExp][] = [
    [
      'no flags, stdin not a terminal',
      [],
      /--vip, --masters, --interface needed \(stdin is not a terminal; --prompt asks anyway\)/,
    ],
    [
      '--yes without the required values',
      ['--yes', '--vip', '192.0.2.10'],
      /--masters, --interface needed .*--yes asks nothing/,
    ],
    ['unknown option', ['--vipp', 'x'], /unknown option '--vipp'/],
    ['missing value', ['--vip'], /option '--vip' needs a value/],
    ['bad version', [...FLAGS, '--vrrp-version', '4'], /--vrrp-version must be 3 or 2/],
    ['bad tracker', [...FLAGS, '--tracker', 'ss'], /--tracker must be script or builtin/],
    [
      'bad master',
      ['--vip', '192.0.2.10', '--masters', '192.0.2.11,nope', '--interface', 'e0'],
      /'nope' is not an IPv4 address/,
    ],
  ];
  for (const [name, argv, re] of usageCases)
    test(`usage error (exit 2): ${name}`, async () => {
      const r = await init(argv);
      assert.equal(r.code, 2);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /Usage: halo init/);
      assert.equal(r.stdout, '');
    });
});

describe('halo init prompts', () => {
  test('asks for every value not given, defaults shown; empty lines take them', async () => {
    const r = await init(
      ['--prompt'],
      ['192.0.2.10', '192.0.2.11, 192.0.2.12', 'ens33', '', '', '', 'y', '', '', 'out'],
    );
    assert.equal(r.code, 0, r.stderr);
    for (const q of [
      'Virtual IP for the API (V or V/PREFIX): ',
      'Port on the VIP [9443]: ',
      "Apiservers' port [6443]: ",
      'VRRP version (3, or 2 with a password) [3]: ',
      'Unicast adverts, for networks without multicast (y/N) [n]: ',
      'virtual_router_id [38]: ',
      'Folder to write [halo-cluster]: ',
    ])
      assert.ok(r.stdout.includes(q), `asked '${q}'`);
    const k2 = readFileSync(join(r.cwd, 'out', 'master2', 'keepalived.conf'), 'utf8');
    assert.match(k2, /unicast_peer \{\n\s+192\.0\.2\.11\n/);
    assert.match(r.stdout, /VRID 38 derived from 192\.0\.2\.10/);
  });

  test('flags given are not asked again', async () => {
    const r = await init(['--prompt', ...FLAGS, '--port', '8443'], ['', '', '', '', '', '']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('Virtual IP'));
    assert.ok(!r.stdout.includes('Port on the VIP'));
    assert.match(
      readFileSync(join(r.cwd, 'halo-cluster', 'master1', 'haproxy.cfg'), 'utf8'),
      /bind \*:8443\n/,
    );
  });

  test('a wrong answer is explained and asked again', async () => {
    const r = await init(['--prompt', '--yes'], []);
    assert.equal(r.code, 2, '--yes wins over --prompt: nothing is asked');
    const again = await init(
      ['--prompt'],
      ['192.0.2', '', '192.0.2.10', '192.0.2.11,192.0.2.12', 'ens33', '', '', '', '', '', '', ''],
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /--vip must be an IPv4 address \(got '192\.0\.2'\)/);
    assert.match(again.stderr, /an answer is needed/);
    assert.equal(again.stdout.split('Virtual IP for the API').length - 1, 3);
  });

  test('input that ends before every answer is a usage error', async () => {
    const r = await init(['--prompt'], ['192.0.2.10']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the input ended before every value was answered/);
  });

  test('through the real command: answers piped to `halo init --prompt`', () => {
    const cwd = tempDir();
    const answers = ['192.0.2.10/24', '192.0.2.11,192.0.2.12,192.0.2.13', 'ens33'];
    const child = spawnSync(process.execPath, [...haloArgv, 'init', '--prompt'], {
      cwd,
      input: `${answers.join('\n')}\n\n\n\n\n\n\n\n`,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /wrote .*master3\/keepalived\.conf/);
    assert.match(
      readFileSync(join(cwd, 'halo-cluster', 'master1', 'keepalived.conf'), 'utf8'),
      /192\.0\.2\.10\/24/,
    );
    const none = spawnSync(process.execPath, [...haloArgv, 'init'], {
      cwd,
      input: '',
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(none.status, 2, 'no TTY, no --prompt, no values');
  });
});

describe('prompt module', () => {
  test('default on an empty line, undefined at the end of input', async () => {
    let shown = '';
    const p = createPrompter(Readable.from(['a\n\n']), (t) => {
      shown += t;
    });
    assert.equal(await p.ask('One', 'x'), 'a');
    assert.equal(await p.ask('Two', 'y'), 'y');
    assert.equal(await p.ask('Three'), undefined);
    p.close();
    assert.equal(shown, 'One [x]: Two [y]: Three: \n');
  });
  test('CRLF input', async () => {
    const p = createPrompter(Readable.from(['b\r\n']), () => {});
    assert.equal(await p.ask('Q'), 'b');
    p.close();
  });
});

describe('halo init on a terminal', () => {
  const tty = (lines: string[]) =>
    Object.assign(Readable.from([`${lines.join('\n')}\n`]), { isTTY: true });
  test('asks when a required value is missing', async () => {
    let stdout = '';
    const io: CommandIO = {
      stdout: (t) => (stdout += t),
      stderr: () => {},
      env: {},
      cwd: tempDir(),
    };
    const stdin = tty(['192.0.2.11,192.0.2.12', 'ens33', '', '', '', '', '', '', '']);
    const code = await runInit(['--vip', '192.0.2.10'], io, { random: counterRandom(), stdin });
    assert.equal(code, 0);
    assert.match(stdout, /Control-plane addresses, preferred first \(A,B,C\): /);
    assert.doesNotMatch(stdout, /Virtual IP/);
  });
  test('asks nothing when the required values are given', async () => {
    let stdout = '';
    const io: CommandIO = {
      stdout: (t) => (stdout += t),
      stderr: () => {},
      env: {},
      cwd: tempDir(),
    };
    const code = await runInit(FLAGS, io, { random: counterRandom(), stdin: tty([]) });
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /\]: /);
    assert.match(stdout, /wrote /);
  });
});
