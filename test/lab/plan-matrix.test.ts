// Lab test for `halo plan`: two designs, each planned first and then run with real
// `halo vrrp` nodes in network namespaces; master1's check fails, and the VIP ends where
// the matrix row "master1 fail" said, at the effective priority it said. The flagged design
// is the 100/90 `weight -2` trap (the VIP stays on the failed master1), the clean one the
// same pair with `weight -20` (the VIP moves to master2). Then the article's three files and
// the double failure the matrix flags: master2 gone, then master1's check fails, and the VIP
// stays on master1 at 98 beside a healthy master3 at 98.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { planCommand } from '../../src/cli/commands/plan.js';
import { labSkipReason } from './netns.js';
import {
  articleConfig,
  articleNodes,
  KEEPALIVED,
  type Kind,
  sleep,
  startGroup,
  teardown,
  type VrrpNode,
  vipHolders,
  vipOnlyOn,
} from './vrrp-harness.js';

const skip = labSkipReason() ?? (existsSync('/usr/bin/socat') ? undefined : 'needs socat');
const kaSkip = existsSync(KEEPALIVED) ? undefined : 'needs /usr/sbin/keepalived';

interface Predicted {
  flagged: boolean;
  holder: string;
  priority: number;
}

/** `halo plan --json` on the nodes' files; the row where master1's tracker failed. */
async function planJson(dir: string, files: string[]) {
  let out = '';
  const code = await planCommand.run(['--json', ...files], {
    stdout: (t) => {
      out += t;
    },
    stderr: () => {},
    env: {},
    cwd: dir,
  });
  const doc = JSON.parse(out);
  assert.equal(code, doc.flagged ? 1 : 0);
  return doc;
}

async function plan(dir: string): Promise<Predicted> {
  const doc = await planJson(dir, ['master1.conf', 'master2.conf']);
  const row = doc.routers[0].rows.find(
    (r: { conditions: Record<string, string> }) =>
      r.conditions.master1 === 'failed' && r.conditions.master2 === 'ok',
  );
  assert.equal(row.outcomes.length, 1, 'one failure: one outcome');
  return {
    flagged: row.flags.length > 0,
    holder: row.outcomes[0].holders[0],
    priority: row.outcomes[0].priority,
  };
}

async function design(prefix: string, weight: number): Promise<void> {
  const group = await startGroup({ prefix, kinds: ['halo', 'halo'] });
  try {
    const nodes = group.nodes;
    await articleNodes(nodes);
    // Fast checks; master2 at 90; router_id = the node's address, so plan knows it.
    for (const [i, n] of nodes.entries()) {
      const text = articleConfig((i + 1) as 1 | 2, n.node.dev, {
        scriptInterval: 1,
        fall: 1,
        rise: 1,
        ...(i === 1 ? { priority: 90 } : {}),
      })
        .replace(/router_id \S+/, `router_id ${n.node.address}`)
        .replace('weight -2', `weight ${weight}`);
      n.writeConfig(text);
    }
    const want = await plan(group.dir);
    for (const n of nodes) n.start();
    await vipOnlyOn(nodes, 'master1', 15_000);
    const [m1] = nodes as [VrrpNode, VrrpNode];
    await m1.stopListener();
    // Detection (1 s x fall 1) plus a master-down interval (3 s + skew), with room to spare.
    await sleep(9000);
    const holders = vipHolders(nodes);
    assert.deepEqual(holders, [want.holder], `the matrix said ${want.holder}`);
    const holder = nodes.find((n) => n.name === want.holder);
    assert.ok(holder);
    const dump = await holder.dump();
    assert.equal(dump.instances[0]?.state, 'MASTER');
    assert.equal(dump.instances[0]?.effectivePriority, want.priority);
    return assertFlag(want, weight);
  } finally {
    await teardown(group);
  }
}

function assertFlag(want: Predicted, weight: number): void {
  if (weight === -2) {
    assert.deepEqual(want, { flagged: true, holder: 'master1', priority: 98 });
  } else {
    assert.deepEqual(want, { flagged: false, holder: 'master2', priority: 90 });
  }
}

/** The article's three nodes, fast checks, router_id = address; master2 dies, master1 fails. */
async function articleDouble(kind: Kind, prefix: string): Promise<void> {
  const group = await startGroup({ prefix, kinds: [kind, kind, kind] });
  try {
    const nodes = group.nodes;
    await articleNodes(nodes);
    for (const [i, n] of nodes.entries()) {
      const opts = { scriptInterval: 1, fall: 1, rise: 1 };
      const text = articleConfig((i + 1) as 1 | 2 | 3, n.node.dev, opts);
      n.writeConfig(text.replace(/router_id \S+/, `router_id ${n.node.address}`));
    }
    const doc = await planJson(group.dir, ['master1.conf', 'master2.conf', 'master3.conf']);
    const row = doc.routers[0].rows.find(
      (r: { conditions: Record<string, string> }) =>
        r.conditions.master1 === 'failed' &&
        r.conditions.master2 === 'stopped' &&
        r.conditions.master3 === 'ok',
    );
    const flag = row.flags.find((f: { code: string }) => f.code === 'degraded-holds');
    assert.deepEqual(flag.order, ['master2', 'master1'], 'flagged for this order');
    assert.ok(
      row.outcomes.some(
        (o: { holders: string[]; priority: number }) =>
          o.holders.join() === 'master1' && o.priority === 98,
      ),
    );
    for (const n of nodes) n.start();
    await vipOnlyOn(nodes, 'master1', 15_000);
    const [m1, m2, m3] = nodes as [VrrpNode, VrrpNode, VrrpNode];
    // A backup going away sends nothing either way: a clean stop is the matrix's "stop".
    const mark3 = m3.log.length;
    await m2.stop();
    await sleep(5000);
    await m1.stopListener();
    await sleep(9000);
    assert.deepEqual(vipHolders(nodes), ['master1'], 'the VIP stays on the failed master1');
    if (kind === 'keepalived') {
      assert.doesNotMatch(m3.log.slice(mark3), /Entering MASTER STATE/, 'master3 stays BACKUP');
      return;
    }
    const [d1, d3] = await Promise.all([m1.dump(), m3.dump()]);
    assert.equal(d1.instances[0]?.effectivePriority, 98);
    assert.equal(d3.instances[0]?.state, 'BACKUP');
    assert.equal(d3.instances[0]?.effectivePriority, 98, 'master3 healthy at 98');
  } finally {
    await teardown(group);
  }
}

describe('halo plan: the matrix row is what real halo vrrp nodes do', { skip }, () => {
  it('flagged design (100/90, weight -2): the VIP stays on the failed master1 at 98', () =>
    design('hpf', -2));
  it('clean design (100/90, weight -20): the VIP moves to master2 at 90', () => design('hpc', -20));
  it("the article's flagged double failure: master2 gone, master1 fails, the VIP stays", () =>
    articleDouble('halo', 'hpa'));
  it('the same double failure with three real Keepalived 2.2.7 nodes', { skip: kaSkip }, () =>
    articleDouble('keepalived', 'hpk'),
  );
});
