// Lab: VIPs added and removed through halo's netlink AddressManager, checked with
// `ip -o addr show`; link events from `ip link set ... down/up` through the LinkMonitor.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NetlinkAddressManager } from '../../src/os/address-manager.js';
import { interfaceExists, NetlinkLinkMonitor } from '../../src/os/link-monitor.js';
import type { LinkEvent } from '../../src/os/ports.js';
import { ip, Lab, labSkipReason } from './netns.js';

describe('netlink adapters in a namespace', { skip: labSkipReason() }, () => {
  const lab = new Lab('hnl');
  let a = '';
  let b = '';
  let addrs: NetlinkAddressManager;
  let links: NetlinkLinkMonitor;
  const ipAddr = () => lab.exec(a, 'ip', ['-o', 'addr', 'show', 'dev', 'va']);

  before(() => {
    a = lab.namespace('a');
    b = lab.namespace('b');
    lab.veth(a, 'va', b, 'vb');
    lab.address(a, 'va', '198.51.100.1/24');
    addrs = lab.enter(a, () => new NetlinkAddressManager());
    links = lab.enter(a, () => new NetlinkLinkMonitor());
  });

  after(async () => {
    addrs?.close();
    links?.close();
    await lab.destroy();
  });

  test('add a VIP with label, brd and scope; ip shows it; adding again reports false', async () => {
    const vip = {
      family: 4 as const,
      address: '198.51.100.100',
      prefix: 24,
      interface: 'va',
      label: 'va:vip',
      broadcast: '+',
      scope: 'global',
    };
    assert.equal(await addrs.add(vip), true);
    assert.match(
      ipAddr(),
      /inet 198\.51\.100\.100\/24 brd 198\.51\.100\.255 scope global secondary va:vip/,
    );
    assert.equal(await addrs.add(vip), false, 'already present');
    const listed = await addrs.list('va');
    const found = listed.find((x) => x.address === '198.51.100.100');
    assert.deepEqual(
      found && [found.prefix, found.label, found.broadcast, found.secondary, found.scope],
      [24, 'va:vip', '198.51.100.255', true, 0],
    );
    assert.equal(await addrs.primaryIpv4('va'), '198.51.100.1', 'the VIP is secondary');
    assert.equal(await addrs.remove(vip), true);
    assert.doesNotMatch(ipAddr(), /198\.51\.100\.100/);
    assert.equal(await addrs.remove(vip), false, 'already gone');
  });

  test('a /32 VIP with host scope, and an IPv6 VIP with nodad', async () => {
    const v4 = {
      family: 4 as const,
      address: '198.51.100.101',
      prefix: 32,
      interface: 'va',
      scope: 'host',
    };
    const v6 = {
      family: 6 as const,
      address: '2001:db8::100',
      prefix: 64,
      interface: 'va',
      noDad: true,
    };
    await addrs.add(v4);
    await addrs.add(v6);
    const text = ipAddr();
    assert.match(text, /inet 198\.51\.100\.101\/32 scope host va/);
    assert.match(text, /inet6 2001:db8::100\/64 scope global nodad/);
    assert.doesNotMatch(text, /2001:db8::100\/64 scope global tentative/);
    await addrs.remove(v4);
    await addrs.remove(v6);
    assert.doesNotMatch(ipAddr(), /198\.51\.100\.101|2001:db8::100/);
  });

  test('a missing interface and a bad scope give typed errors', async () => {
    await assert.rejects(
      addrs.add({ family: 4, address: '198.51.100.9', prefix: 32, interface: 'nope0' }),
      { code: 'HALO_OS_NO_INTERFACE' },
    );
    await assert.rejects(
      addrs.add({ family: 4, address: '198.51.100.9', prefix: 32, interface: 'va', scope: 'wide' }),
      { code: 'HALO_OS_ADDRESS' },
    );
  });

  test('links: list, get, MAC and up state match ip link', async () => {
    const all = await links.list();
    assert.deepEqual(all.map((l) => l.name).sort(), ['lo', 'va']);
    const va = await links.get('va');
    const shown = lab.exec(a, 'ip', ['-o', 'link', 'show', 'dev', 'va']);
    assert.ok(va);
    assert.match(shown, new RegExp(`link/ether ${va.mac} `));
    assert.match(shown, new RegExp(`^${va.ifindex}: va@`));
    assert.equal(va.up, true);
    assert.equal(await links.get('nope0'), undefined);
  });

  test('link down/up events arrive from the kernel (RTNLGRP_LINK), no polling', async () => {
    const events: LinkEvent[] = [];
    let wake: () => void = () => {};
    const off = links.onLink((e) => {
      if (e.link.name !== 'va') return;
      events.push(e);
      wake();
    });
    const until = (pred: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`events: ${JSON.stringify(events)}`)),
          3000,
        );
        wake = () => {
          if (pred()) {
            clearTimeout(timer);
            resolve();
          }
        };
        wake();
      });
    try {
      ip(['-n', a, 'link', 'set', 'va', 'down']);
      await until(() => events.some((e) => !e.link.adminUp));
      ip(['-n', a, 'link', 'set', 'va', 'up']);
      await until(() => events.at(-1)?.link.up === true);
      // carrier loss: the peer end goes down, ours stays admin-up but not running
      ip(['-n', b, 'link', 'set', 'vb', 'down']);
      await until(() => {
        const l = events.at(-1)?.link;
        return l?.adminUp === true && !l.running;
      });
      assert.equal(events.at(-1)?.link.up, false);
      ip(['-n', b, 'link', 'set', 'vb', 'up']);
      await until(() => events.at(-1)?.link.up === true);
    } finally {
      off();
    }
    assert.ok(events.every((e) => e.type === 'changed'));
  });

  test('interfaceExists reads /sys/class/net of this namespace', () => {
    assert.equal(interfaceExists('lo'), true);
    assert.equal(interfaceExists('nope0'), false);
    assert.equal(interfaceExists('../lo'), false);
    assert.equal(interfaceExists(''), false);
  });
});
