// track_file in the lab: two `halo vrrp` nodes on a bridge (198.51.100.0/24, VIP
// 198.51.100.100). master1 (priority 100) tracks `prio` with weight -10 and `stop` with
// weight 0; master2 has priority 95. Writing 1 to master1's `prio` file lowers it to 90 and
// the VIP moves to master2; 0 brings it back. A non-zero value in `stop` puts master1 in
// FAULT; 0 lets it take the VIP back. Then the same file actions on the real Keepalived
// 2.2.7 as master1: same moves, same log lines.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labSkipReason } from './netns.js';
import {
  KEEPALIVED,
  type Kind,
  startFirstThenOthers,
  startGroup,
  teardown,
  VIP,
  type VrrpGroup,
  type VrrpNode,
  vipOnlyOn,
} from './vrrp-harness.js';

const skip = labSkipReason();

function config(n: 1 | 2, dev: string, dir: string): string {
  const files =
    n === 1
      ? `track_file prio {
    file ${dir}/master1.prio
    weight 1
    init_file 0 overwrite
}
track_file stop {
    file ${dir}/master1.stop
    weight 0
}
`
      : '';
  const track = n === 1 ? '    track_file {\n        prio weight -10\n        stop\n    }\n' : '';
  return `global_defs {
    router_id lab-tf${n}
}
${files}vrrp_instance VI_1 {
    state ${n === 1 ? 'MASTER' : 'BACKUP'}
    interface ${dev}
    virtual_router_id 61
    priority ${n === 1 ? 100 : 95}
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24
    }
${track}}
`;
}

for (const kind of ['halo', 'keepalived'] as const satisfies readonly Kind[]) {
  const why = skip ?? (kind === 'keepalived' && !existsSync(KEEPALIVED) ? 'no keepalived' : '');
  describe(`track_file: ${kind} as master1, halo as master2`, { skip: why || undefined }, () => {
    let group: VrrpGroup | undefined;
    let nodes: readonly VrrpNode[] = [];
    let m1: VrrpNode;
    let prio = '';
    let stop = '';

    before(async () => {
      group = await startGroup({ prefix: 'hvf', kinds: [kind, 'halo'] });
      const { dir } = group;
      prio = join(dir, 'master1.prio');
      stop = join(dir, 'master1.stop');
      writeFileSync(prio, '7\n'); // init_file ... overwrite replaces it at start
      nodes = group.nodes;
      m1 = nodes[0]!;
      for (const [i, n] of nodes.entries())
        n.writeConfig(config((i + 1) as 1 | 2, n.node.dev, dir));
      await startFirstThenOthers(nodes);
    });

    after(() => teardown(group));

    test('init_file ... overwrite wrote 0 at start; the stop file was not created', () => {
      assert.equal(readFileSync(prio, 'utf8'), '0\n');
      assert.equal(existsSync(stop), false);
    });

    test('value 1 x weight -10: priority 90, the VIP moves to master2; 0: it comes back', async () => {
      let mark = m1.log.length;
      writeFileSync(prio, '1\n');
      await m1.out!.waitFor(/\(VI_1\) Changing effective priority from 100 to 90/, 5000, mark);
      await vipOnlyOn(nodes, 'master2', 10_000);
      await m1.out!.waitFor(
        /\(VI_1\) Master received advert from 198\.51\.100\.12 with higher priority 95, ours 90[\s\S]*\(VI_1\) Entering BACKUP STATE/,
        5000,
        mark,
      );
      if (kind === 'halo') assert.equal((await m1.dump()).instances[0]!.effectivePriority, 90);
      mark = m1.log.length;
      writeFileSync(prio, '0\n');
      await m1.out!.waitFor(/\(VI_1\) Changing effective priority from 90 to 100/, 5000, mark);
      await vipOnlyOn(nodes, 'master1', 10_000);
    });

    test('weight 0 and a non-zero value: FAULT, the VIP moves; 0: master1 takes it back', async () => {
      let mark = m1.log.length;
      writeFileSync(stop, '1\n');
      await m1.out!.waitFor(/\(VI_1\) Entering FAULT STATE/, 5000, mark);
      await m1.out!.waitFor(/\(VI_1\): tracked file stop now FAULT state/, 1000, mark);
      await vipOnlyOn(nodes, 'master2', 10_000);
      if (kind === 'halo') assert.equal((await m1.dump()).instances[0]!.state, 'FAULT');
      mark = m1.log.length;
      writeFileSync(stop, '0\n');
      await m1.out!.waitFor(
        /\(VI_1\): tracked file stop leaving FAULT state[\s\S]*\(VI_1\) Entering BACKUP STATE/,
        5000,
        mark,
      );
      await vipOnlyOn(nodes, 'master1', 10_000);
    });

    test('deleting the file counts as 0: a FAULT clears', async () => {
      writeFileSync(stop, '3\n');
      await vipOnlyOn(nodes, 'master2', 10_000);
      const mark = m1.log.length;
      rmSync(stop);
      await m1.out!.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, mark);
      await vipOnlyOn(nodes, 'master1', 10_000);
    });
  });
}

/** One node alone: master1 tracking `tf` (weight 10 in the track_file block), from -30. */
function loneConfig(dev: string, dir: string): string {
  return `global_defs {
    router_id lab-tf-lone
}
track_file tf {
    file ${dir}/tf
    weight 10
}
vrrp_instance VI_1 {
    state BACKUP
    interface ${dev}
    virtual_router_id 62
    priority 100
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24
    }
    track_file {
        tf
    }
}
`;
}

for (const kind of ['halo', 'keepalived'] as const satisfies readonly Kind[]) {
  const why = skip ?? (kind === 'keepalived' && !existsSync(KEEPALIVED) ? 'no keepalived' : '');
  test(`track_file values as Keepalived reads them: ${kind}`, {
    skip: why || undefined,
  }, async () => {
    const group = await startGroup({ prefix: 'hvg', kinds: [kind], names: ['lone'] });
    try {
      const { dir } = group;
      const node = group.nodes[0]!;
      const tf = join(dir, 'tf');
      writeFileSync(tf, '-30\n');
      node.writeConfig(loneConfig(node.node.dev, dir));
      node.start();
      const out = node.out!;
      // -30 x 10 = -300: a weighted file can put the instance in FAULT at start.
      await out.waitFor(
        /\(VI_1\): entering FAULT state \(tracked file tf has status -300\)[\s\S]*\(VI_1\) entering FAULT state/,
        5000,
      );
      let mark = node.log.length;
      writeFileSync(tf, '-2\n');
      await out.waitFor(
        /\(VI_1\): tracked file tf leaving FAULT state[\s\S]*\(VI_1\) Setting effective priority to 80[\s\S]*\(VI_1\) Entering BACKUP STATE/,
        5000,
        mark,
      );
      mark = node.log.length;
      writeFileSync(tf, ' 010 apples\n'); // strtol base 0: octal 8
      await out.waitFor(/\(VI_1\) Changing effective priority from 80 to 180/, 5000, mark);
      mark = node.log.length;
      writeFileSync(tf, '99999999999\n');
      await out.waitFor(
        new RegExp(`Invalid number 99999999999 read from ${tf.replaceAll('.', '\\.')} - ignoring`),
        5000,
        mark,
      );
      mark = node.log.length;
      writeFileSync(tf, '0x1e\n'); // 30 x 10 = 300: clamped to 253, priority 254
      await out.waitFor(/\(VI_1\) Changing effective priority from 180 to 254/, 5000, mark);
    } finally {
      await teardown(group);
    }
  });
}
