// Lab test 6: split brain. master1 is cut off the bridge with its carrier still up, so it
// stays MASTER while master2 takes over too (two VIP holders); when the link comes back
// exactly one remains. Then the veth's link goes down: master1 sees it through netlink,
// enters FAULT and drops the VIP, and comes back to take it when the link returns.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ip, Lab, labSkipReason } from './netns.js';
import { articleConfig, until, VrrpNode, vipHolders, vipOnlyOn } from './vrrp-harness.js';

const skip = labSkipReason() ?? (existsSync('/usr/bin/socat') ? undefined : 'needs socat');

describe('halo vrrp: split brain', { skip }, () => {
  const lab = new Lab('hvs');
  let dir = '';
  let sw = '';
  let nodes: VrrpNode[] = [];
  let m1: VrrpNode;
  let m2: VrrpNode;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-vrrp-split-'));
    const lan = lab.bridgedNodes(['m1', 'm2', 'm3']);
    sw = lab.namespaces[0]!;
    nodes = lan.map((n, i) => new VrrpNode(lab, n, `master${i + 1}`, 'halo', dir));
    [m1, m2] = nodes as [VrrpNode, VrrpNode];
    for (const [i, n] of nodes.entries()) {
      n.writeConfig(articleConfig((i + 1) as 1 | 2 | 3, n.node.dev, { scriptInterval: 1 }));
      await n.startListener();
    }
    m1.start();
    await vipOnlyOn(nodes, 'master1', 15_000);
    for (const n of nodes.slice(1)) n.start();
    await m2.out!.waitFor(/Entering BACKUP STATE/, 10_000);
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await lab.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('cut off the bridge: both sides are MASTER; healed: exactly one remains', async () => {
    ip(['-n', sw, 'link', 'set', m1.node.port, 'nomaster']);
    try {
      await until(() => m2.hasVip(), 10_000, 'master2 takes the VIP');
      assert.deepEqual(vipHolders(nodes), ['master1', 'master2'], 'two masters while split');
    } finally {
      ip(['-n', sw, 'link', 'set', m1.node.port, 'master', 'br0']);
    }
    const mark = m2.log.length;
    await vipOnlyOn(nodes, 'master1', 5000);
    await m2.out!.waitFor(
      /\(VI_1\) Master received advert from 198\.51\.100\.11 with higher priority 100, ours 99/,
      3000,
      mark,
    );
    const dumps = await Promise.all(nodes.map((n) => n.dump()));
    assert.deepEqual(
      dumps.map((d) => d.instances[0]!.state),
      ['MASTER', 'BACKUP', 'BACKUP'],
    );
  });

  test("link down on master1's veth: FAULT, VIP to master2; link up: master1 takes it back", async () => {
    const mark = m1.log.length;
    ip(['-n', sw, 'link', 'set', m1.node.port, 'down']);
    try {
      await vipOnlyOn(nodes, 'master2', 10_000);
      await m1.out!.waitFor(
        /Netlink reports eth0 down[\s\S]*\(VI_1\) Entering FAULT STATE/,
        3000,
        mark,
      );
      assert.equal((await m1.dump()).instances[0]!.state, 'FAULT');
    } finally {
      ip(['-n', sw, 'link', 'set', m1.node.port, 'up']);
    }
    await vipOnlyOn(nodes, 'master1', 10_000);
    await m1.out!.waitFor(
      /Netlink reports eth0 up[\s\S]*\(VI_1\) Entering BACKUP STATE[\s\S]*\(VI_1\) Entering MASTER STATE/,
      3000,
      mark,
    );
  });
});
