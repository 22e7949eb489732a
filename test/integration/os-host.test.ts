// The OS adapters against the host's own kernel, read-only or on loopback: the addon
// loads, netlink dumps describe `lo`, raw VRRP over lo, idle receive costs no CPU, and
// capability detection agrees with what the kernel allows.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { NetlinkAddressManager } from '../../src/os/address-manager.js';
import { hasNetCapabilities } from '../../src/os/capabilities.js';
import { interfaceExists, NetlinkLinkMonitor } from '../../src/os/link-monitor.js';
import { addon } from '../../src/os/native.js';
import { NetlinkSocket } from '../../src/os/netlink-socket.js';
import { dumpRequest } from '../../src/os/rtnetlink.js';
import { openVrrpTransport } from '../../src/os/vrrp-transport.js';

const isRoot = process.getuid?.() === 0;
const rootSkip = isRoot ? undefined : 'needs root (raw sockets)';

describe('OS adapters on the host (read-only, loopback)', () => {
  test('netlink: lo is listed, up, ifindex 1, with 127.0.0.1/8 as its primary IPv4', async () => {
    const links = new NetlinkLinkMonitor();
    const addrs = new NetlinkAddressManager();
    try {
      const lo = await links.get('lo');
      assert.ok(lo);
      assert.deepEqual([lo.ifindex, lo.adminUp, lo.mac], [1, true, '00:00:00:00:00:00']);
      assert.ok((await links.list()).some((l) => l.name === 'lo'));
      const own = await addrs.list('lo');
      assert.ok(own.some((x) => x.address === '127.0.0.1' && x.prefix === 8 && x.scope === 254));
      assert.equal(await addrs.primaryIpv4('lo'), '127.0.0.1');
      assert.equal(interfaceExists('lo'), true);
      assert.equal(addon().ifNameToIndex('lo'), 1);
      assert.equal(addon().ifNameToIndex('nope0'), 0);
    } finally {
      links.close();
      addrs.close();
    }
  });

  test('netlink: a request pending at close() is rejected, not left hanging', async () => {
    const nl = new NetlinkSocket();
    const pending = nl.request(dumpRequest('link', 0), 'RTM_GETLINK');
    nl.close();
    await assert.rejects(pending, { code: 'HALO_NETLINK_CLOSED' });
    const other = new NetlinkSocket();
    try {
      // a multi-part dump is gathered up to NLMSG_DONE
      const replies = await other.request(dumpRequest('address', 0), 'RTM_GETADDR');
      assert.ok(replies.length >= 2, 'lo has at least 127.0.0.1 and ::1');
    } finally {
      other.close();
    }
  });

  test('VRRP over lo: unicast to 127.0.0.1 arrives with TTL 255', { skip: rootSkip }, async () => {
    const t = openVrrpTransport({ interface: 'lo', family: 4, sourceAddress: '127.0.0.1' });
    try {
      const advert = Uint8Array.of(0x31, 7, 100, 0, 0, 100, 0, 0);
      const got = new Promise<{ ttl: number; destination: string; payload: Uint8Array }>(
        (resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('nothing received')), 2000);
          t.onAdvert((r) => {
            if (r.payload[1] !== 7) return;
            clearTimeout(timer);
            resolve(r);
          });
        },
      );
      t.send(advert, '127.0.0.1');
      const r = await got;
      assert.deepEqual([r.ttl, r.destination, [...r.payload]], [255, '127.0.0.1', [...advert]]);
    } finally {
      t.close();
    }
  });

  test('an idle watched socket costs no CPU (event-driven, no busy loop)', {
    skip: rootSkip,
  }, async () => {
    const t = openVrrpTransport({ interface: 'lo', family: 4, sourceAddress: '127.0.0.1' });
    try {
      t.onAdvert(() => {});
      const before = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 500));
      const used = process.cpuUsage(before);
      assert.ok(
        used.user + used.system < 50_000,
        `used ${used.user + used.system} us of CPU in 500 ms`,
      );
    } finally {
      t.close();
    }
  });

  test('capabilities: root has them; with CAP_NET_RAW/ADMIN dropped, raw sockets get EPERM', {
    skip: isRoot && existsSync('/usr/bin/setpriv') ? undefined : 'needs root and setpriv',
  }, () => {
    assert.equal(hasNetCapabilities(), true);
    // The child loads the same modules this test runs (src via tsx, or dist when compiled).
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const mod = (name: string) =>
      JSON.stringify(new URL(`../../src/os/${name}${ext}`, import.meta.url).href);
    const probe = `
      const { netCapabilities } = await import(${mod('capabilities')});
      const { addon } = await import(${mod('native')});
      let code = 'none';
      try { addon().socket(2, 3, 112); } catch (e) { code = e.code; }
      console.log(JSON.stringify({ ...netCapabilities(), code }));`;
    const nodeArgs = [
      ...(ext === '.ts' ? ['--import', 'tsx'] : []),
      '--input-type=module',
      '-e',
      probe,
    ];
    const out = execFileSync(
      'setpriv',
      [
        '--bounding-set=-net_raw,-net_admin',
        '--inh-caps=-net_raw,-net_admin',
        process.execPath,
        ...nodeArgs,
      ],
      { encoding: 'utf8' },
    );
    assert.deepEqual(JSON.parse(out), { netRaw: false, netAdmin: false, ok: false, code: 'EPERM' });
  });
});
