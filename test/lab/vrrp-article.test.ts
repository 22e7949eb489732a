// Lab test 1: three `halo vrrp` nodes run the article's three keepalived files (rewritten
// to the lab; check_haproxy as written, looking for a listener on 9443 in the node). The
// VIP sits on master1; its check fails and the VIP moves to master2; it recovers and the
// VIP comes back. master1's log shows the article's sequence in Keepalived 2.2.7's words.
// This is the lab's one run with the article's timing (check every 3 s, fall 3, rise 3);
// the times are reported as test diagnostics (Keepalived measured 12.1 s and 11.6 s).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labSkipReason } from './netns.js';
import {
  articleNodes,
  inOrder,
  sleep,
  startGroup,
  teardown,
  VIP,
  type VrrpGroup,
  type VrrpNode,
  vipOnlyOn,
} from './vrrp-harness.js';

const skip = labSkipReason() ?? (existsSync('/usr/bin/socat') ? undefined : 'needs socat');

describe("halo vrrp: the article's three masters", { skip }, () => {
  let group: VrrpGroup | undefined;
  let nodes: readonly VrrpNode[] = [];
  let m1: VrrpNode;
  let m2: VrrpNode;
  let m3: VrrpNode;

  before(async () => {
    group = await startGroup({ prefix: 'hva', kinds: ['halo', 'halo', 'halo'] });
    nodes = group.nodes;
    [m1, m2, m3] = nodes as [VrrpNode, VrrpNode, VrrpNode];
    await articleNodes(nodes);
    for (const n of nodes) n.start();
  });

  after(() => teardown(group));

  test('the VIP sits on master1, the others are BACKUP', async () => {
    await vipOnlyOn(nodes, 'master1', 15_000);
    await m1.out!.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000);
    const [d1, d2, d3] = await Promise.all(nodes.map((n) => n.dump()));
    assert.equal(d1!.instances[0]!.state, 'MASTER');
    assert.equal(d2!.instances[0]!.state, 'BACKUP');
    assert.equal(d3!.instances[0]!.state, 'BACKUP');
    assert.equal(d2!.instances[0]!.masterAddress, m1.node.address);
    assert.equal(d1!.instances[0]!.effectivePriority, 100);
    assert.deepEqual(d1!.instances[0]!.vips, [VIP]);
    assert.equal(d1!.instances[0]!.trackScripts[0]!.status, 'good');
  });

  test('check_haproxy fails on master1: priority 100 -> 98, the VIP moves to master2', async (t) => {
    const mark1 = m1.log.length;
    const mark2 = m2.log.length;
    const mark3 = m3.log.length;
    await m1.stopListener();
    const ms = await vipOnlyOn(nodes, 'master2', 25_000);
    t.diagnostic(`failover with the article's settings: ${(ms / 1000).toFixed(1)} s`);
    // fall 3 x interval 3 s, then Master_Down_Interval (3.6 s): at least 6 s, at most ~13 s.
    assert.ok(ms > 5000 && ms < 16_000, `failover took ${ms.toFixed(0)} ms`);
    // The last line of the step down, not its state line: 'removing VIPs.' may trail it.
    await m1.out!.waitFor(/\(VI_1\) removing VIPs\./, 3000, mark1);
    const err = inOrder(m1.log.slice(mark1), [
      'Script `check_haproxy` now returning 1',
      'VRRP_Script(check_haproxy) failed (exited with status 1)',
      '(VI_1) Changing effective priority from 100 to 98',
      `(VI_1) Master received advert from ${m2.node.address} with higher priority 99, ours 98`,
      '(VI_1) Entering BACKUP STATE',
      '(VI_1) removing VIPs.',
    ]);
    assert.equal(err, undefined, `${err}\n${m1.log}`);
    await m2.out!.waitFor(/Sending gratuitous ARP on eth0/, 3000, mark2);
    const err2 = inOrder(m2.log.slice(mark2), [
      `(VI_1) received lower priority (98) advert from ${m1.node.address} - discarding`,
      '(VI_1) Receive advertisement timeout',
      '(VI_1) Entering MASTER STATE',
      '(VI_1) setting VIPs.',
      `(VI_1) Sending/queueing gratuitous ARPs on eth0 for ${VIP}`,
      `Sending gratuitous ARP on eth0 for ${VIP}`,
    ]);
    assert.equal(err2, undefined, `${err2}\n${m2.log}`);
    assert.doesNotMatch(m3.log.slice(mark3), /Entering MASTER STATE/, 'master3 (98) stays BACKUP');
  });

  test('check_haproxy recovers: priority back to 100, master1 takes the VIP back', async (t) => {
    const mark1 = m1.log.length;
    const mark2 = m2.log.length;
    await m1.startListener();
    const ms = await vipOnlyOn(nodes, 'master1', 25_000);
    t.diagnostic(`failback with the article's settings: ${(ms / 1000).toFixed(1)} s`);
    assert.ok(ms > 5000 && ms < 16_000, `failback took ${ms.toFixed(0)} ms`);
    await m1.out!.waitFor(
      new RegExp(`(Sending gratuitous ARP on eth0 for ${VIP}[\\s\\S]*){5}`),
      3000,
      mark1,
    );
    // The article's lines (Keepalived 1.x) in 2.2.7's words: "forcing a new MASTER election"
    // is the discarded lower-priority advert, "Transition to MASTER STATE" the receive
    // timeout, "setting protocol VIPs." is "setting VIPs.".
    const err = inOrder(m1.log.slice(mark1), [
      'Script `check_haproxy` now returning 0',
      'VRRP_Script(check_haproxy) succeeded',
      '(VI_1) Changing effective priority from 98 to 100',
      `(VI_1) received lower priority (99) advert from ${m2.node.address} - discarding`,
      '(VI_1) Receive advertisement timeout',
      '(VI_1) Entering MASTER STATE',
      '(VI_1) setting VIPs.',
      `(VI_1) Sending/queueing gratuitous ARPs on eth0 for ${VIP}`,
      ...Array<string>(5).fill(`Sending gratuitous ARP on eth0 for ${VIP}`),
    ]);
    assert.equal(err, undefined, `${err}\n${m1.log}`);
    await m2.out!.waitFor(/Entering BACKUP STATE/, 3000, mark2);
    assert.match(
      m2.log.slice(mark2),
      new RegExp(
        `\\(VI_1\\) Master received advert from ${m1.node.address.replaceAll('.', '\\.')} with higher priority 100, ours 99`,
      ),
    );
    // Console lines carry Keepalived's timestamp prefix.
    assert.match(
      m1.log,
      /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: \(VI_1\) Entering MASTER STATE$/m,
    );
  });

  test('SIGHUP reloads without a state change', async () => {
    const marks = nodes.map((n) => n.log.length);
    const before = await Promise.all(nodes.map((n) => n.dump()));
    for (const n of nodes) n.child!.kill('SIGHUP');
    await Promise.all(nodes.map((n, i) => n.out!.waitFor(/Reloading \.\.\./, 3000, marks[i])));
    await sleep(2500);
    const after = await Promise.all(nodes.map((n) => n.dump()));
    for (const [i, n] of nodes.entries()) {
      assert.doesNotMatch(n.log.slice(marks[i]), /Entering \w+ STATE|sent 0 priority/, n.name);
      assert.equal(after[i]!.instances[0]!.history.length, before[i]!.instances[0]!.history.length);
      assert.equal(after[i]!.instances[0]!.state, before[i]!.instances[0]!.state);
    }
    assert.equal(m1.hasVip(), true);
  });

  test('SIGTERM on master1: priority-0 hand-over, VIP removed, pidfile gone', async () => {
    await m1.stop();
    assert.equal(m1.child!.exitCode, 0);
    assert.equal(m1.hasVip(), false);
    await vipOnlyOn(nodes, 'master2', 3000);
    await m1.out!.waitFor(/\(VI_1\) sent 0 priority/, 3000);
    await m2.out!.waitFor(/\(VI_1\) Backup received priority 0 advertisement/, 3000);
    assert.equal(existsSync(join(group!.dir, 'master1.pid')), false);
  });
});
