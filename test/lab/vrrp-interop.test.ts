// Lab test 2: mixed groups, both ways round: halo as master1 with the real Keepalived
// 2.2.7 as master2 and master3, then Keepalived as master1 with halo as master2 and
// master3. Same article files for both tools. Elections, failover, failback, the
// priority-0 hand-over on stop and the equal-priority tie-break (higher address wins,
// after a split heals) come out the same whoever runs where.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ip, labSkipReason } from './netns.js';
import {
  articleConfig,
  articleNodes,
  type ConfigOptions,
  KEEPALIVED,
  type Kind,
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
  (existsSync(KEEPALIVED) ? undefined : `needs ${KEEPALIVED}`) ??
  (existsSync('/usr/bin/socat') ? undefined : 'needs socat');

// Fast settings for this file (the article's timing is measured by bench/vrrp-failover.ts).
const FAST: ConfigOptions = { scriptInterval: 1, fall: 1, rise: 1 };

const re = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

function mixedGroup(kinds: [Kind, Kind, Kind]): void {
  describe(`master1=${kinds[0]}, master2=${kinds[1]}, master3=${kinds[2]}`, { skip }, () => {
    let group: VrrpGroup | undefined;
    let nodes: readonly VrrpNode[] = [];
    let m1: VrrpNode;
    let m2: VrrpNode;
    let m3: VrrpNode;
    let sw = '';

    before(async () => {
      group = await startGroup({ prefix: 'hvi', kinds });
      sw = group.sw;
      nodes = group.nodes;
      [m1, m2, m3] = nodes as [VrrpNode, VrrpNode, VrrpNode];
      await articleNodes(nodes, FAST);
      for (const n of nodes) n.start();
    });

    after(() => teardown(group));

    test('election: master1 (100) ends up with the VIP, both others follow it', async () => {
      // Started together, a node that is up sooner may be MASTER for a moment (Keepalived
      // starts faster than Node.js); the election must settle on the highest priority.
      await vipOnlyOn(nodes, 'master1', 15_000);
      await m1.out!.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000);
      for (const n of [m2, m3]) {
        const last = () => n.log.match(/\(VI_1\) Entering (\w+) STATE/g)?.at(-1);
        await until(() => last() === '(VI_1) Entering BACKUP STATE', 3000, `${n.name} BACKUP`);
      }
    });

    test("failover: master1's check fails, master2 (99) takes over", async () => {
      const mark = m1.log.length;
      await m1.stopListener();
      await vipOnlyOn(nodes, 'master2', 10_000);
      await m1.out!.waitFor(
        re(
          `(VI_1) Master received advert from ${m2.node.address} with higher priority 99, ours 98`,
        ),
        3000,
        mark,
      );
      assert.match(m1.log.slice(mark), /\(VI_1\) Changing effective priority from 100 to 98/);
    });

    test('failback: master1 recovers and takes the VIP back', async () => {
      const mark = m2.log.length;
      await m1.startListener();
      await vipOnlyOn(nodes, 'master1', 10_000);
      await m2.out!.waitFor(
        re(
          `(VI_1) Master received advert from ${m1.node.address} with higher priority 100, ours 99`,
        ),
        3000,
        mark,
      );
    });

    test('stop master1: its priority-0 advert hands over to master2 at once', async () => {
      const mark = m2.log.length;
      const t0 = performance.now();
      await m1.stop();
      await vipOnlyOn(nodes, 'master2', 5000);
      const ms = performance.now() - t0;
      assert.equal(m1.hasVip(), false);
      await m2.out!.waitFor(/\(VI_1\) Backup received priority 0 advertisement/, 3000, mark);
      // Without the priority-0 advert master2 would wait Master_Down_Interval (3.6 s).
      assert.ok(ms < 2500, `hand-over took ${ms.toFixed(0)} ms`);
    });

    test('equal priority: after a split heals, the higher address stays MASTER', async () => {
      // master1 comes back with master2's priority: as BACKUP it accepts an equal master.
      m1.writeConfig(articleConfig(1, m1.node.dev, { ...FAST, priority: 99 }));
      m1.start();
      await m1.out!.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000);
      assert.deepEqual(vipHolders(nodes), ['master2']);
      // Detach master1 from the bridge (its carrier stays up, so it is not a FAULT).
      ip(['-n', sw, 'link', 'set', m1.node.port, 'nomaster']);
      try {
        await vipOnlyOn([m1], 'master1', 10_000);
        assert.deepEqual(vipHolders(nodes), ['master1', 'master2'], 'split brain: two masters');
      } finally {
        ip(['-n', sw, 'link', 'set', m1.node.port, 'master', 'br0']);
      }
      const mark = m1.log.length;
      const mark3 = m3.log.length;
      await vipOnlyOn(nodes, 'master2', 10_000);
      await m1.out!.waitFor(
        re(
          `(VI_1) Master received advert from ${m2.node.address} with same priority 99 but higher IP address than ours`,
        ),
        3000,
        mark,
      );
      assert.doesNotMatch(m3.log.slice(mark3), /Entering MASTER STATE/);
    });
  });
}

mixedGroup(['halo', 'keepalived', 'keepalived']);
mixedGroup(['keepalived', 'halo', 'halo']);
