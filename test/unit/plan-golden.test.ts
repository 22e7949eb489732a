// Golden outputs of `halo plan` (run in-process, paths relative to the repository): the
// article's three files, kubeadm's documented example (101/100, weight -2, fall 10 rise 2)
// and broken designs. HALO_UPDATE_GOLDEN=1 rewrites the .expected files.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planCommand } from '../../src/cli/commands/plan.js';
import { repoRoot } from '../halo-cli.js';

const F = 'test/fixtures/plan';

export const GOLDEN_CASES: readonly { name: string; args: string[]; exit: number }[] = [
  { name: 'article', args: ['-f', 'examples/article/'], exit: 1 },
  { name: 'kubeadm', args: ['-f', `${F}/kubeadm/cp1`, '-f', `${F}/kubeadm/cp2`], exit: 0 },
  {
    name: 'kubeadm3',
    args: ['-f', `${F}/kubeadm3/cp1`, '-f', `${F}/kubeadm3/cp2`, '-f', `${F}/kubeadm3/cp3`],
    exit: 1,
  },
  { name: 'trap', args: [`${F}/trap/node1`, `${F}/trap/node2`], exit: 1 },
  { name: 'vrid', args: [`${F}/vrid/node1`, `${F}/vrid/node2`], exit: 1 },
  { name: 'tie', args: [`${F}/tie/node1`, `${F}/tie/node2`, `${F}/tie/node3`], exit: 1 },
  { name: 'nopreempt', args: [`${F}/nopreempt/node1`, `${F}/nopreempt/node2`], exit: 1 },
  {
    name: 'preempt-delay',
    args: [`${F}/preempt-delay/node1`, `${F}/preempt-delay/node2`],
    exit: 1,
  },
];

export async function runPlan(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await planCommand.run(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

describe('halo plan golden outputs', () => {
  for (const c of GOLDEN_CASES) {
    it(`${c.name}: exact output and exit ${c.exit}`, async () => {
      const r = await runPlan(c.args);
      const file = join(repoRoot, 'test/golden/plan', `${c.name}.expected`);
      if (process.env.HALO_UPDATE_GOLDEN === '1') writeFileSync(file, r.stdout);
      assert.equal(r.stdout, readFileSync(file, 'utf8'));
      assert.equal(r.stderr, '');
      assert.equal(r.code, c.exit);
    });
  }

  it("the article's files: nothing flagged for any single failure, the double-failure trap at its lines", async () => {
    const r = await runPlan(['-f', 'examples/article/']);
    assert.match(r.stdout, /single failures: 6 rows, none flagged/);
    assert.match(r.stdout, /double failures: 12 rows, 2 flagged/);
    assert.match(
      r.stdout,
      /degraded-holds \(in the order master2, master1\): master1 keeps the VIP at priority 98/,
    );
    assert.match(
      r.stdout,
      /keepalived-master1\.conf:9, examples\/article\/keepalived-master1\.conf:18/,
    );
  });

  it('100/90 with weight -2: flagged at the weight and both priority lines', async () => {
    const r = await runPlan([`${F}/trap/node1`, `${F}/trap/node2`]);
    assert.match(
      r.stdout,
      /row 2 \(node1 fail\):\n {4}degraded-holds: node1 keeps the VIP at priority 98/,
    );
    assert.match(
      r.stdout,
      /at test\/fixtures\/plan\/trap\/node1\/keepalived\.conf:8, test\/fixtures\/plan\/trap\/node1\/keepalived\.conf:17, test\/fixtures\/plan\/trap\/node2\/keepalived\.conf:17/,
    );
  });

  it("kubeadm's 101/100 with weight -2: clean, the VIP moves to the healthy node", async () => {
    const r = await runPlan(['-f', `${F}/kubeadm/cp1`, '-f', `${F}/kubeadm/cp2`]);
    assert.match(r.stdout, /^ {2}2 {2}fail {2}ok {4}cp2 {5}100 {7}33\.61 s$/m);
    assert.match(r.stdout, /verdict: clean/);
  });
});
