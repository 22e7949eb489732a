// Every file `halo init` writes passes the three checkers: `halo check` (offline, and on
// the node inside a network namespace where the interface exists), the real `haproxy -c`
// and the real `keepalived -t` (run in that namespace: it refuses an interface the host
// lacks). Masters use documentation addresses (192.0.2.x), which haproxy -c accepts
// without connecting. The namespace is created and deleted here (root only).

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandIO } from '../../src/cli/command.js';
import { checkFiles } from '../../src/cli/commands/check.js';
import { runInit } from '../../src/cli/commands/init.js';
import { haloArgv } from '../halo-cli.js';
import { Lab, labSkipReason } from '../lab/netns.js';

const HAPROXY = '/usr/sbin/haproxy';
const KEEPALIVED = '/usr/sbin/keepalived';
const missingTool = [HAPROXY, KEEPALIVED].find((t) => !existsSync(t));
const skip = missingTool ? `needs ${missingTool}` : undefined;
const labSkip = skip ?? labSkipReason();
if (labSkip) process.stderr.write(`SKIPPED init-checkers (partly): ${labSkip}\n`);

interface Case {
  readonly name: string;
  readonly argv: string[];
  readonly interface: string;
  readonly nodes: number;
  /** The only warnings halo check may give, by code. */
  readonly warnings: string[];
}

const CASES: Case[] = [
  {
    name: 'VRRPv3 multicast, 3 masters',
    argv: ['--vip', '192.0.2.10', '--masters', '192.0.2.11,192.0.2.12,192.0.2.13'],
    interface: 'ens33',
    nodes: 3,
    warnings: [],
  },
  {
    name: 'VRRPv2 unicast, 5 masters, an extra port',
    argv: [
      '--vip',
      '192.0.2.100/24',
      '--masters',
      '192.0.2.21,192.0.2.22,192.0.2.23,192.0.2.24,192.0.2.25',
      '--vrrp-version',
      '2',
      '--unicast',
      '--port',
      '6443',
      '--apiserver-port',
      '6444',
      '--extra-port',
      '9345:/ping',
    ],
    interface: 'eth1',
    nodes: 5,
    // Asked for: VRRPv2's PASS is clear text, and halo check says so.
    warnings: ['HALO_AUTH_PASS_CLEARTEXT'],
  },
];

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function generate(c: Case): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'halo-init-check-'));
  dirs.push(dir);
  let stderr = '';
  const io: CommandIO = { stdout: () => {}, stderr: (t) => (stderr += t), env: {}, cwd: dir };
  const code = await runInit([...c.argv, '--interface', c.interface, '--yes'], io);
  assert.equal(code, 0, stderr);
  return dir;
}

const nodeFiles = (dir: string, i: number) => ({
  haproxy: join(dir, 'halo-cluster', `master${i + 1}`, 'haproxy.cfg'),
  keepalived: join(dir, 'halo-cluster', `master${i + 1}`, 'keepalived.conf'),
});

for (const c of CASES)
  describe(`halo init output passes every checker: ${c.name}`, () => {
    let dir = '';
    before(async () => {
      dir = await generate(c);
    });

    test('halo check --offline: valid, no warning but those asked for', () => {
      for (let i = 0; i < c.nodes; i++) {
        const f = nodeFiles(dir, i);
        const r = checkFiles([f.haproxy, f.keepalived], dir, {}, true);
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        assert.deepEqual(errors, [], `master${i + 1}`);
        assert.ok(r.valid);
        const warnings = r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code);
        assert.deepEqual(warnings, c.warnings, `master${i + 1} warnings`);
        assert.deepEqual(
          r.files.map((x) => x.kind),
          ['haproxy', 'keepalived'],
        );
      }
    });

    test('haproxy -c accepts every haproxy.cfg without a warning', { skip }, () => {
      for (let i = 0; i < c.nodes; i++) {
        const r = spawnSync(HAPROXY, ['-c', '-f', nodeFiles(dir, i).haproxy], {
          encoding: 'utf8',
          timeout: 20_000,
        });
        assert.equal(r.status, 0, `master${i + 1}: ${r.stdout}${r.stderr}`);
        assert.doesNotMatch(r.stdout + r.stderr, /WARNING|ALERT/);
      }
    });

    describe('on the node: a namespace with the interface', { skip: labSkip }, () => {
      const lab = new Lab('hinit');
      let ns = '';
      before(() => {
        ns = lab.namespace('node');
        // A veth pair inside the namespace (this kernel has no dummy links).
        lab.veth(ns, c.interface, ns, `${c.interface}p`);
      });
      after(() => lab.destroy());

      test('keepalived -t accepts every keepalived.conf there', () => {
        for (let i = 0; i < c.nodes; i++) {
          const r = spawnSync(
            'ip',
            ['netns', 'exec', ns, KEEPALIVED, '-t', '-f', nodeFiles(dir, i).keepalived],
            { encoding: 'utf8', timeout: 20_000 },
          );
          assert.equal(r.status, 0, `master${i + 1}: ${r.stdout}${r.stderr}`);
        }
      });

      test('keepalived -t refuses the same file where the interface is missing', () => {
        // The control: the namespace is what makes the previous test pass.
        const bare = lab.namespace('bare');
        const r = spawnSync(
          'ip',
          ['netns', 'exec', bare, KEEPALIVED, '-t', '-f', nodeFiles(dir, 0).keepalived],
          { encoding: 'utf8', timeout: 20_000 },
        );
        assert.notEqual(r.status, 0);
        assert.match(r.stdout + r.stderr, /Non-existent interface/);
      });

      test('halo check (not offline: interface, script program) is valid there', () => {
        for (let i = 0; i < c.nodes; i++) {
          const f = nodeFiles(dir, i);
          const out = execFileSync(
            'ip',
            [
              'netns',
              'exec',
              ns,
              process.execPath,
              ...haloArgv,
              'check',
              '--json',
              f.haproxy,
              f.keepalived,
            ],
            { encoding: 'utf8', timeout: 30_000 },
          );
          const r = JSON.parse(out) as {
            valid: boolean;
            diagnostics: { severity: string; code: string }[];
          };
          assert.equal(r.valid, true, out);
          assert.deepEqual(
            r.diagnostics.filter((d) => d.severity !== 'notice').map((d) => d.code),
            c.warnings,
            out,
          );
        }
      });
    });
  });
