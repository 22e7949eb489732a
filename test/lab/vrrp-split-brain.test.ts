// Lab test 6: split brain. master1 is cut off the bridge with its carrier still up, so it
// stays MASTER while master2 takes over too (two VIP holders); when the link comes back
// exactly one remains. Then the veth's link goes down: master1 sees it through netlink,
// enters FAULT and drops the VIP, and comes back to take it when the link returns.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ip, labSkipReason } from './netns.js';
import {
  articleNodes,
  startFirstThenOthers,
  startGroup,
  teardown,
  until,
  type VrrpGroup,
  type VrrpNode,
  vipHolders,
  vipOnlyOn,
} from './vrrp-harness.js';

const skip = labSkipReason() ?? (existsSync('/usr/bin/socat') ? undefined : 'needs socat');

describe('halo vrrp: split brain', { skip }, () => {
  let group: VrrpGroup | undefined;
  let sw = '';
  let nodes: readonly VrrpNode[] = [];
  let m1: VrrpNode;
  let m2: VrrpNode;

  before(async () => {
    group = await startGroup({ prefix: 'hvs', kinds: ['halo', 'halo', 'halo'] });
    sw = group.sw;
    nodes = group.nodes;
    [m1, m2] = nodes as [VrrpNode, VrrpNode];
    await articleNodes(nodes, { scriptInterval: 1 });
    await startFirstThenOthers(nodes);
  });

  after(() => teardown(group));

  test('cut off the bridge: both sides are MASTER; healed: exactly one remains', async () => {
    ip(['-n', sw, 'link', 'set', m1.node.port, 'nomaster']);
    try {
      await until(() => m2.hasVip(), 10_000, 'master2 takes the VIP');
      // master3's Skew_Time ends a moment after master2's, so it may take the VIP too and
      // step down at master2's advert; a master stepping down keeps the VIP 150 ms, silent.
      await until(
        () => vipHolders(nodes).join() === 'master1,master2',
        2000,
        'two masters while split: master1 and master2',
      );
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
