// Lab test 5: unicast peers with multicast blocked on the bridge (an nftables bridge-family
// table drops every frame to 224.0.0.0/4, counting the VRRP ones). First the control: two nodes with the article's
// multicast config cannot hear each other and both take the VIP. Then the same group with
// unicast_src_ip / unicast_peer (halo master1 and master3, real Keepalived master2):
// election, failover and failback work over unicast alone.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { labSkipReason } from './netns.js';
import {
  articleConfig,
  KEEPALIVED,
  startGroup,
  teardown,
  until,
  type VrrpGroup,
  type VrrpNode,
  vipHolders,
  vipOnlyOn,
} from './vrrp-harness.js';

const skip =
  labSkipReason() ??
  (existsSync('/usr/sbin/nft') ? undefined : 'needs nftables (nft)') ??
  (existsSync(KEEPALIVED) ? undefined : `needs ${KEEPALIVED}`) ??
  (existsSync('/usr/bin/socat') ? undefined : 'needs socat');

const RULES = `table bridge halo_lab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ether type ip ip daddr 224.0.0.0/4 ip protocol 112 counter drop
    ether type ip ip daddr 224.0.0.0/4 drop
  }
}
`;

describe('halo vrrp: unicast peers, multicast blocked on the bridge', { skip }, () => {
  let group: VrrpGroup | undefined;
  let sw = '';
  let nodes: readonly VrrpNode[] = [];
  let m1: VrrpNode;
  let m2: VrrpNode;
  let m3: VrrpNode;

  const dropped = (): number => {
    const out = execFileSync(
      'ip',
      ['netns', 'exec', sw, 'nft', 'list', 'table', 'bridge', 'halo_lab'],
      {
        encoding: 'utf8',
      },
    );
    return Number(/counter packets (\d+)/.exec(out)?.[1] ?? -1);
  };

  before(async () => {
    group = await startGroup({ prefix: 'hvu', kinds: ['halo', 'keepalived', 'halo'] });
    sw = group.sw;
    execFileSync('ip', ['netns', 'exec', sw, 'nft', '-f', '-'], { input: RULES });
    nodes = group.nodes;
    [m1, m2, m3] = nodes as [VrrpNode, VrrpNode, VrrpNode];
    for (const n of nodes) await n.startListener();
  });

  after(() => teardown(group));

  test('control: with multicast adverts blocked, two halo nodes both take the VIP', async () => {
    for (const [i, n] of [m1, m3].entries()) {
      n.writeConfig(articleConfig(i === 0 ? 1 : 3, n.node.dev, { scriptInterval: 1 }));
      n.start();
    }
    await until(() => m1.hasVip() && m3.hasVip(), 10_000, 'both MASTER');
    assert.ok(dropped() > 0, 'the bridge dropped multicast adverts');
    await m1.stop();
    await m3.stop();
    assert.deepEqual(vipHolders(nodes), []);
  });

  test('unicast: election, failover and failback over unicast only (halo, Keepalived, halo)', async () => {
    for (const [i, n] of nodes.entries()) {
      const peers = nodes.filter((p) => p !== n).map((p) => p.node.address);
      n.writeConfig(
        articleConfig((i + 1) as 1 | 2 | 3, n.node.dev, {
          scriptInterval: 1,
          fall: 1,
          rise: 1,
          unicastSrc: n.node.address,
          unicastPeers: peers,
        }),
      );
    }
    const before = dropped();
    m1.start();
    await vipOnlyOn(nodes, 'master1', 15_000);
    m2.start();
    m3.start();
    await m2.out!.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000);
    await m3.out!.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000);
    await m1.stopListener();
    await vipOnlyOn(nodes, 'master2', 10_000);
    await m1.out!.waitFor(
      /Master received advert from 198\.51\.100\.12 with higher priority 99, ours 98/,
      3000,
    );
    await m1.startListener();
    await vipOnlyOn(nodes, 'master1', 10_000);
    await m2.out!.waitFor(
      /Master received advert from 198\.51\.100\.11 with higher priority 100, ours 99/,
      3000,
    );
    assert.equal(dropped(), before, 'no multicast advert was even tried');
  });
});
