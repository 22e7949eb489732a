// vrrp_sync_group in the lab, halo next to the real Keepalived 2.2.7: one node runs VI_1
// and VI_2 in sync group G1 (VI_2 tracks a file, whose default weight the group turns into
// weight 0). Both become MASTER together; a non-zero value in the file takes both to FAULT
// (both VIPs gone); 0 brings both back. Started with the file at 1, the group starts in
// FAULT. The same lines are expected from halo and Keepalived.

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { labSkipReason } from './netns.js';
import { KEEPALIVED, type Kind, startGroup, teardown, until } from './vrrp-harness.js';

const VIPS = ['198.51.100.100', '198.51.100.101'];

function config(dev: string, dir: string): string {
  const inst = (n: 1 | 2) => `vrrp_instance VI_${n} {
    state BACKUP
    interface ${dev}
    virtual_router_id ${62 + n}
    priority 100
    advert_int 1
    virtual_ipaddress {
        ${VIPS[n - 1]}/24
    }
${n === 2 ? '    track_file {\n        f\n    }\n' : ''}}
`;
  return `global_defs {
    router_id lab-sync
}
track_file f {
    file ${dir}/f
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
}
${inst(1)}${inst(2)}`;
}

for (const kind of ['halo', 'keepalived'] as const satisfies readonly Kind[]) {
  const skip =
    labSkipReason() ?? (kind === 'keepalived' && !existsSync(KEEPALIVED) ? 'no keepalived' : '');
  test(`vrrp_sync_group: ${kind}`, { skip: skip || undefined }, async () => {
    const group = await startGroup({ prefix: 'hvy', kinds: [kind], names: ['sync'] });
    try {
      const { dir, lab } = group;
      const node = group.nodes[0]!;
      const n = node.node;
      const f = join(dir, 'f');
      node.writeConfig(config(n.dev, dir));
      node.start();
      const out = node.out!;
      const vips = () => {
        const text = lab.exec(n.ns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', n.dev]);
        return VIPS.filter((v) => text.includes(` ${v}/`));
      };
      await out.waitFor(
        /\(VI_2\) ignoring weight from tracked file f due to SYNC group\. specify weight 0/,
        5000,
      );
      await out.waitFor(/VRRP_Group\(G1\) Syncing instances to MASTER state/, 10_000);
      await out.waitFor(/\(VI_1\) Entering MASTER STATE[\s\S]*/, 1000);
      await out.waitFor(/\(VI_2\) Entering MASTER STATE/, 1000);
      await until(() => vips().length === 2, 3000, 'both VIPs set');
      let mark = node.log.length;
      writeFileSync(f, '1\n');
      await out.waitFor(
        /\(VI_2\) Entering FAULT STATE[\s\S]*VRRP_Group\(G1\) Syncing instances to FAULT state[\s\S]*\(VI_1\) Entering FAULT STATE/,
        5000,
        mark,
      );
      await until(() => vips().length === 0, 3000, 'both VIPs removed');
      mark = node.log.length;
      writeFileSync(f, '0\n');
      await out.waitFor(
        /\(VI_2\) Entering BACKUP STATE[\s\S]*VRRP_Group\(G1\) Syncing instances to BACKUP state[\s\S]*\(VI_1\) Entering BACKUP STATE/,
        5000,
        mark,
      );
      await out.waitFor(/VRRP_Group\(G1\) Syncing instances to MASTER state/, 10_000, mark);
      await until(() => vips().length === 2, 3000, 'both VIPs back');
      assert.deepEqual(vips(), VIPS);
    } finally {
      await teardown(group);
    }
  });

  test(`vrrp_sync_group starting in FAULT: ${kind}`, { skip: skip || undefined }, async () => {
    const group = await startGroup({ prefix: 'hvx', kinds: [kind], names: ['sync'] });
    try {
      const { dir } = group;
      const node = group.nodes[0]!;
      writeFileSync(join(dir, 'f'), '1\n');
      node.writeConfig(config(node.node.dev, dir));
      node.start();
      const out = node.out!;
      await out.waitFor(
        /\(VI_2\): entering FAULT state \(tracked file f has status -254\)[\s\S]*VRRP_Group\(G1\): Syncing VI_2 to FAULT state[\s\S]*\(VI_1\) entering FAULT state[\s\S]*\(VI_2\) entering FAULT state/,
        5000,
      );
      const mark = node.log.length;
      writeFileSync(join(dir, 'f'), '0\n');
      await out.waitFor(
        /\(VI_2\) Entering BACKUP STATE[\s\S]*VRRP_Group\(G1\) Syncing instances to BACKUP state[\s\S]*\(VI_1\) Entering BACKUP STATE/,
        5000,
        mark,
      );
      assert.doesNotMatch(node.log, /Entering FAULT STATE \(init\)/);
    } finally {
      await teardown(group);
    }
  });
}
