// Lab: halo's raw VRRP transport between two network namespaces joined by a veth pair.
// Multicast and unicast over IPv4, multicast over IPv6, TTL / hop limit 255 on arrival,
// no loopback of our own adverts.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ReceivedAdvert, VrrpTransport } from '../../src/os/ports.js';
import { openVrrpTransport } from '../../src/os/vrrp-transport.js';
import { Lab, labSkipReason } from './netns.js';

/** A VRRPv2-shaped message (the transport does not read it): VRID 50, prio 100, one VIP. */
const ADVERT = Uint8Array.of(
  0x21,
  50,
  100,
  1,
  1,
  1,
  0xb2,
  0xc5,
  198,
  51,
  100,
  100,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
);

function nextAdvert(t: VrrpTransport, timeoutMs = 2000): Promise<ReceivedAdvert> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no advert within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = t.onAdvert((a) => {
      clearTimeout(timer);
      off();
      resolve(a);
    });
  });
}

/** Resolves with every advert t receives during ms. */
function collect(t: VrrpTransport, ms: number): Promise<ReceivedAdvert[]> {
  const got: ReceivedAdvert[] = [];
  const off = t.onAdvert((a) => got.push(a));
  return new Promise((resolve) =>
    setTimeout(() => {
      off();
      resolve(got);
    }, ms),
  );
}

describe('VrrpTransport on a veth pair', { skip: labSkipReason() }, () => {
  const lab = new Lab('hvt');
  let a = '';
  let b = '';
  const open: VrrpTransport[] = [];
  const openIn = (ns: string, o: Parameters<typeof openVrrpTransport>[0]) => {
    const t = lab.enter(ns, () => openVrrpTransport(o));
    open.push(t);
    return t;
  };

  before(() => {
    a = lab.namespace('a');
    b = lab.namespace('b');
    lab.veth(a, 'va', b, 'vb');
    lab.address(a, 'va', '198.51.100.1/24');
    lab.address(b, 'vb', '198.51.100.2/24');
  });

  after(async () => {
    for (const t of open) t.close();
    await lab.destroy();
  });

  test('IPv4 multicast to 224.0.0.18 arrives with TTL 255, source and interface', async () => {
    const group = '224.0.0.18';
    const ta = openIn(a, {
      interface: 'va',
      family: 4,
      sourceAddress: '198.51.100.1',
      multicastGroup: group,
    });
    const tb = openIn(b, {
      interface: 'vb',
      family: 4,
      sourceAddress: '198.51.100.2',
      multicastGroup: group,
    });
    const echo = collect(ta, 400);
    const got = nextAdvert(tb);
    ta.send(ADVERT);
    const r = await got;
    assert.equal(r.family, 4);
    assert.equal(r.source, '198.51.100.1');
    assert.equal(r.destination, group);
    assert.equal(r.ttl, 255);
    assert.equal(r.ifindex, tb.ifindex);
    assert.equal(r.ipTotalLength, 20 + ADVERT.length);
    assert.deepEqual([...r.payload], [...ADVERT]);
    const header = r.ipDatagram!;
    assert.deepEqual(
      [header[0], header[1], header[6]! & 0x40, header[9]],
      [0x45, 0xc0, 0, 112],
      "IP header as Keepalived's: TOS 0xc0, DF clear, protocol 112",
    );
    assert.deepEqual(await echo, [], 'the sender does not hear its own advert (no multicast loop)');
    ta.close();
    tb.close();
  });

  test('IPv4 unicast to a peer from unicast_src_ip, TTL 255', async () => {
    const ta = openIn(a, { interface: 'va', family: 4, sourceAddress: '198.51.100.1' });
    const tb = openIn(b, { interface: 'vb', family: 4, sourceAddress: '198.51.100.2' });
    const got = nextAdvert(tb);
    ta.send(ADVERT, '198.51.100.2');
    const r = await got;
    assert.deepEqual([r.source, r.destination, r.ttl], ['198.51.100.1', '198.51.100.2', 255]);
    assert.deepEqual([...r.payload], [...ADVERT]);
    // and back the other way
    const back = nextAdvert(ta);
    tb.send(ADVERT, '198.51.100.1');
    assert.equal((await back).source, '198.51.100.2');
    assert.throws(
      () => ta.send(ADVERT),
      { code: 'HALO_OS_ADDRESS' },
      'no group: a destination is needed',
    );
    ta.close();
    tb.close();
  });

  test('IPv6 multicast to ff02::12 arrives with hop limit 255 from the link-local source', async () => {
    lab.exec(a, 'ip', ['addr', 'add', 'fe80::1:a/64', 'dev', 'va', 'nodad']);
    lab.exec(b, 'ip', ['addr', 'add', 'fe80::1:b/64', 'dev', 'vb', 'nodad']);
    const group = 'ff02::12';
    const ta = openIn(a, {
      interface: 'va',
      family: 6,
      sourceAddress: 'fe80::1:a',
      multicastGroup: group,
    });
    const tb = openIn(b, {
      interface: 'vb',
      family: 6,
      sourceAddress: 'fe80::1:b',
      multicastGroup: group,
    });
    const got = nextAdvert(tb);
    ta.send(ADVERT);
    const r = await got;
    assert.deepEqual(
      [r.family, r.source, r.destination, r.ttl, r.ifindex],
      [6, 'fe80::1:a', group, 255, tb.ifindex],
    );
    assert.deepEqual([...r.payload], [...ADVERT]);
    ta.close();
    tb.close();
  });

  test('a missing interface or a non-multicast group is refused with a clear error', () => {
    assert.throws(
      () =>
        lab.enter(a, () =>
          openVrrpTransport({ interface: 'nope0', family: 4, sourceAddress: '198.51.100.1' }),
        ),
      { code: 'HALO_OS_NO_INTERFACE' },
    );
    assert.throws(
      () =>
        lab.enter(a, () =>
          openVrrpTransport({
            interface: 'va',
            family: 4,
            sourceAddress: '198.51.100.1',
            multicastGroup: '198.51.100.2',
          }),
        ),
      { code: 'HALO_OS_ADDRESS' },
    );
    assert.throws(
      () =>
        lab.enter(a, () =>
          openVrrpTransport({ interface: 'va', family: 4, sourceAddress: '203.0.113.9' }),
        ),
      { code: 'EADDRNOTAVAIL', syscall: 'bind' },
      'a source address the host does not have',
    );
  });
});

describe('VrrpTransport on a three-node bridge (Lab.bridgedNodes)', {
  skip: labSkipReason(),
}, () => {
  const lab = new Lab('hbr');
  const open: VrrpTransport[] = [];

  after(async () => {
    for (const t of open) t.close();
    await lab.destroy();
  });

  test('one multicast advert reaches both other nodes, with TTL 255', async () => {
    const nodes = lab.bridgedNodes(['m1', 'm2', 'm3']);
    assert.deepEqual(
      nodes.map((n) => n.address),
      ['198.51.100.11', '198.51.100.12', '198.51.100.13'],
    );
    const ts = nodes.map((n) => {
      const t = lab.enter(n.ns, () =>
        openVrrpTransport({
          interface: n.dev,
          family: 4,
          sourceAddress: n.address,
          multicastGroup: '224.0.0.18',
        }),
      );
      open.push(t);
      return t;
    });
    const [t1, t2, t3] = ts as [VrrpTransport, VrrpTransport, VrrpTransport];
    const got = Promise.all([nextAdvert(t2), nextAdvert(t3)]);
    const self = collect(t1, 400);
    t1.send(ADVERT);
    for (const r of await got) {
      assert.deepEqual([r.source, r.ttl], ['198.51.100.11', 255]);
      assert.deepEqual([...r.payload], [...ADVERT]);
    }
    assert.deepEqual(await self, []);
  });
});
