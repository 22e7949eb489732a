// What `halo init` writes, `halo plan` finds sound: for 2 to 5 masters, VRRPv3 multicast
// and VRRPv2 unicast, the whole failover matrix (every combination of failed trackers and
// stopped nodes) is clean and plan exits 0. A design whose weight is too small for the
// priority gap would be flagged here (plan-golden.test.ts shows plan catching that trap).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv, repoRoot } from '../halo-cli.js';

function halo(args: string[]) {
  const r = spawnSync(process.execPath, [...haloArgv, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'halo-init-plan-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const DESIGNS = [
  { name: 'v3 multicast', flags: [] as string[] },
  { name: 'v2 unicast', flags: ['--vrrp-version', '2', '--unicast'] },
  { name: 'v3 builtin tracker', flags: ['--tracker', 'builtin', '--extra-port', '9345'] },
];

describe('halo plan on what halo init writes', () => {
  for (const n of [2, 3, 5]) {
    for (const d of DESIGNS) {
      it(`${n} masters, ${d.name}: plan flags nothing`, () => {
        const out = join(scratch, `${n}-${d.name.replace(/ /g, '-')}`);
        const masters = Array.from({ length: n }, (_, i) => `192.0.2.${11 + i}`).join(',');
        const init = halo([
          'init',
          '--vip',
          '192.0.2.10',
          '--masters',
          masters,
          '--interface',
          'eth0',
          '--out',
          out,
          '--yes',
          ...d.flags,
        ]);
        assert.equal(init.code, 0, init.stderr);
        const nodes = Array.from({ length: n }, (_, i) => ['-f', join(out, `master${i + 1}`)]);
        const plan = halo(['plan', ...nodes.flat()]);
        assert.equal(plan.code, 0, `${plan.stdout}\n${plan.stderr}`);
        assert.match(plan.stdout, /^flagged: nothing$/m);
        assert.match(plan.stdout, /^verdict: clean$/m);
      });
    }
  }
});
