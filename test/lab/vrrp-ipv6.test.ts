// Lab: VRRPv3 over IPv6 (ff02::12, link-local sources) between halo and the real
// Keepalived 2.2.7: halo (priority 100) takes the IPv6 VIP, hands it to Keepalived (99)
// with a priority-0 advert when stopped, and takes it back when it returns.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { labSkipReason } from './netns.js';
import {
  KEEPALIVED,
  startGroup,
  teardown,
  until,
  type VrrpGroup,
  type VrrpNode,
} from './vrrp-harness.js';

const skip = labSkipReason() ?? (existsSync(KEEPALIVED) ? undefined : `needs ${KEEPALIVED}`);
const VIP6 = '2001:db8:50::100';

function config(state: 'MASTER' | 'BACKUP', priority: number, dev: string): string {
  return `global_defs {
   router_id lab-v6
}
vrrp_instance VI_6 {
    state ${state}
    interface ${dev}
    virtual_router_id 60
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${VIP6}/64
    }
}
`;
}

describe('halo vrrp and Keepalived over IPv6 (VRRPv3)', { skip }, () => {
  let group: VrrpGroup | undefined;
  let halo: VrrpNode;
  let ka: VrrpNode;

  const hasVip6 = (n: VrrpNode) =>
    n.lab.exec(n.node.ns, 'ip', ['-6', '-o', 'addr', 'show', 'dev', n.node.dev]).includes(VIP6);

  before(async () => {
    group = await startGroup({ prefix: 'hv6', kinds: ['halo', 'keepalived'] });
    [halo, ka] = group.nodes as [VrrpNode, VrrpNode];
    // Link-local addresses must have finished DAD before anyone can send from them.
    for (const { lab, node: n } of group.nodes) {
      await until(
        () => {
          const out = lab.exec(n.ns, 'ip', [
            '-6',
            '-o',
            'addr',
            'show',
            'dev',
            n.dev,
            'scope',
            'link',
          ]);
          return out.includes('fe80') && !out.includes('tentative');
        },
        10_000,
        'link-local address ready',
      );
    }
    halo.writeConfig(config('MASTER', 100, halo.node.dev));
    ka.writeConfig(config('BACKUP', 99, ka.node.dev));
    halo.start();
    ka.start();
  });

  after(() => teardown(group));

  test('halo (100) holds the IPv6 VIP; Keepalived (99) follows it', async () => {
    await until(() => hasVip6(halo) && !hasVip6(ka), 15_000, 'VIP on halo only');
    await halo.out!.waitFor(/\(VI_6\) Entering MASTER STATE/, 3000);
    await ka.out!.waitFor(/\(VI_6\) Entering BACKUP STATE/, 5000);
    const d = await halo.dump();
    assert.equal(d.instances[0]!.state, 'MASTER');
    await until(() => !hasVip6(ka), 3000, 'Keepalived without the VIP');
    assert.doesNotMatch(ka.log, /invalid|checksum|wrong version/i);
  });

  test('halo stops: priority 0 hands over to Keepalived; halo returns and preempts', async () => {
    const mark = ka.log.length;
    await halo.stop();
    await until(() => hasVip6(ka), 3000, 'Keepalived takes the VIP');
    await ka.out!.waitFor(/\(VI_6\) Backup received priority 0 advertisement/, 3000, mark);
    halo.start();
    await until(() => hasVip6(halo) && !hasVip6(ka), 15_000, 'halo takes the VIP back');
    await ka.out!.waitFor(
      /\(VI_6\) Master received advert from fe80::[0-9a-f:]+ with higher priority 100, ours 99/,
      3000,
      mark,
    );
  });
});
