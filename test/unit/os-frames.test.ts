// Pure helpers of the OS layer: IP text codec, sockaddr layouts, GARP / NA frames,
// IPv4 datagram reading and the capability mask.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  broadcastOf,
  formatIpv4,
  formatIpv6,
  formatMac,
  parseIp,
  parseIpv4,
  parseIpv6,
  parseMac,
} from '../../src/net/ip-address.js';
import {
  hasCapability,
  netCapabilities,
  parseEffectiveCapabilities,
} from '../../src/os/capabilities.js';
import { gratuitousArpFrame, internetChecksum, unsolicitedNaFrame } from '../../src/os/frames.js';
import {
  ipMreqn,
  sockaddrAddress,
  sockaddrIn,
  sockaddrIn6,
  sockaddrLl,
  sockaddrNl,
} from '../../src/os/linux-abi.js';
import { parseIpv4Datagram } from '../../src/os/vrrp-transport.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ip-address', () => {
  test('IPv4 and IPv6 text round-trips through bytes', () => {
    fc.assert(fc.property(fc.ipV4(), (a) => assert.equal(formatIpv4(parseIpv4(a)!), a)));
    fc.assert(
      fc.property(fc.ipV6(), (a) => {
        const b = parseIpv6(a);
        assert.ok(b, a);
        assert.deepEqual(parseIpv6(formatIpv6(b)), b);
      }),
    );
  });

  test('IPv6 text is canonical (RFC 5952), as the WHATWG URL parser writes it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const url = new URL(`http://[${formatIpv6(b)}]/`).hostname.slice(1, -1);
        assert.equal(formatIpv6(b), url);
      }),
    );
    assert.equal(formatIpv6(parseIpv6('FF02:0:0:0:0:0:0:12')!), 'ff02::12');
    assert.equal(formatIpv6(parseIpv6('2001:db8:0:1:0:0:0:1')!), '2001:db8:0:1::1');
    assert.equal(formatIpv6(parseIpv6('::ffff:198.51.100.1')!), '::ffff:c633:6401');
  });

  test('malformed addresses are refused', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.256',
      '01.2.3.4',
      '1:2:3',
      '1::2::3',
      'g::1',
      '1:2:3:4:5:6:7:8:9',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
    assert.equal(parseIp('fe80::1%eth0')?.family, 6);
  });

  test('broadcast of address/prefix sets the host bits', () => {
    assert.equal(formatIpv4(broadcastOf(parseIpv4('198.51.100.100')!, 24)), '198.51.100.255');
    assert.equal(formatIpv4(broadcastOf(parseIpv4('198.51.100.100')!, 32)), '198.51.100.100');
    assert.equal(formatIpv4(broadcastOf(parseIpv4('198.51.100.100')!, 25)), '198.51.100.127');
  });

  test('MAC text', () => {
    assert.equal(formatMac(parseMac('02:00:5E:00:01:32')!), '02:00:5e:00:01:32');
    assert.equal(parseMac('02:00:5e:00:01'), undefined);
  });
});

describe('sockaddr layouts', () => {
  test('sockaddr_in / sockaddr_in6 / sockaddr_nl / sockaddr_ll / ip_mreqn', () => {
    const v4 = parseIpv4('224.0.0.18')!;
    assert.equal(hex(sockaddrIn(v4)), '02000000e0000012' + '00'.repeat(8));
    const v6 = parseIpv6('ff02::12')!;
    const sa6 = sockaddrIn6(v6, 7);
    assert.equal(sa6.length, 28);
    assert.equal(hex(sa6), `0a0000000000000${'0'}${hex(v6)}07000000`);
    assert.deepEqual(sockaddrAddress(sa6), v6);
    assert.deepEqual(sockaddrAddress(sockaddrIn(v4)), v4);
    assert.equal(hex(sockaddrNl(1)), '100000000000000001000000');
    assert.equal(
      hex(sockaddrLl(3, 0x0806, Uint8Array.of(255, 255, 255, 255, 255, 255))),
      '1100080603000000000000' + '06' + 'ffffffffffff0000',
    );
    assert.equal(hex(ipMreqn(v4, 2)), 'e0000012' + '00000000' + '02000000');
  });
});

describe('frames', () => {
  const mac = parseMac('02:00:00:00:00:0a')!;
  test('gratuitous ARP: broadcast request, sender = target = VIP, padded to 60 bytes', () => {
    const f = gratuitousArpFrame(mac, parseIpv4('198.51.100.100')!);
    assert.equal(f.length, 60);
    assert.equal(
      hex(f.subarray(0, 42)),
      'ffffffffffff' +
        '02000000000a' +
        '0806' + // Ethernet
        '0001' +
        '0800' +
        '06' +
        '04' +
        '0001' + // ARP request
        '02000000000a' +
        'c6336464' +
        'ffffffffffff' +
        'c6336464',
    );
    assert.ok(f.subarray(42).every((b) => b === 0));
  });

  test('unsolicited NA: to 33:33:00:00:00:01 / ff02::1, hop limit 255, valid checksum', () => {
    const vip = parseIpv6('2001:db8::100')!;
    const f = unsolicitedNaFrame(mac, vip);
    assert.equal(hex(f.subarray(0, 14)), '333300000001' + '02000000000a' + '86dd');
    const ip6 = f.subarray(14, 54);
    assert.equal(ip6[6], 58);
    assert.equal(ip6[7], 255);
    assert.deepEqual(ip6.subarray(8, 24), vip);
    assert.equal(formatIpv6(ip6.subarray(24, 40)), 'ff02::1');
    const icmp = f.subarray(54, 86);
    assert.deepEqual([icmp[0], icmp[1], icmp[4]], [136, 0, 0x20]);
    assert.deepEqual(icmp.subarray(8, 24), vip);
    assert.deepEqual(icmp.subarray(24, 32), Uint8Array.of(2, 1, ...mac));
    const pseudo = new Uint8Array(40);
    pseudo.set(vip, 0);
    pseudo.set(ip6.subarray(24, 40), 16);
    pseudo[35] = 32;
    pseudo[39] = 58;
    assert.equal(internetChecksum([pseudo, icmp]), 0, 'checksum over pseudo-header verifies');
  });

  test('Internet checksum of RFC 1071 example data', () => {
    const data = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    assert.equal(internetChecksum([data]), ~0xddf2 & 0xffff);
    assert.equal(internetChecksum([data.subarray(0, 3), data.subarray(3)]), ~0xddf2 & 0xffff);
  });
});

describe('IPv4 datagram reading (raw socket input)', () => {
  const header = (ttl: number, total: number, ihl = 5) => {
    const h = new Uint8Array(ihl * 4);
    h[0] = 0x40 | ihl;
    h[2] = total >> 8;
    h[3] = total & 0xff;
    h[8] = ttl;
    h[9] = 112;
    h.set([198, 51, 100, 1], 12);
    h.set([224, 0, 0, 18], 16);
    return h;
  };
  test('header fields and payload up to total length', () => {
    const payload = Uint8Array.of(0x21, 50, 100, 1, 1, 1, 0, 0, 198, 51, 100, 100);
    const d = new Uint8Array(20 + payload.length + 4);
    d.set(header(255, 20 + payload.length), 0);
    d.set(payload, 20);
    const r = parseIpv4Datagram(d, 3);
    assert.deepEqual(
      [r.source, r.destination, r.ttl, r.ifindex, r.ipTotalLength],
      ['198.51.100.1', '224.0.0.18', 255, 3, 32],
    );
    assert.deepEqual(r.payload, payload);
  });
  test('options honoured; garbage never throws', () => {
    const d = new Uint8Array(28);
    d.set(header(64, 28, 6));
    assert.equal(parseIpv4Datagram(d, 1).payload.length, 4);
    const short = parseIpv4Datagram(Uint8Array.of(0x45, 0, 0), 1);
    assert.deepEqual(
      [short.payload.length, short.ttl, short.source, short.ipDatagram?.length],
      [0, -1, '0.0.0.0', 3],
      'still delivered, so the receive checks can count it',
    );
    const kernel = parseIpv4Datagram(
      d,
      1,
      Uint8Array.of(203, 0, 113, 5),
      Uint8Array.of(203, 0, 113, 6),
    );
    assert.deepEqual([kernel.source, kernel.destination], ['203.0.113.5', '203.0.113.6']);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const r = parseIpv4Datagram(b, 1);
        assert.ok(r.payload.length <= b.length);
        assert.equal(r.ipDatagram, b);
      }),
    );
  });
});

describe('capabilities', () => {
  test('CapEff bits 12 (NET_ADMIN) and 13 (NET_RAW)', () => {
    const status = (mask: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${mask}\n`;
    assert.deepEqual(netCapabilities(status('000001ffffffffff')), {
      netRaw: true,
      netAdmin: true,
      ok: true,
    });
    assert.deepEqual(netCapabilities(status('0000000000002000')), {
      netRaw: true,
      netAdmin: false,
      ok: false,
    });
    assert.deepEqual(netCapabilities(status('0000000000000000')).ok, false);
    assert.equal(parseEffectiveCapabilities('Name: x\n'), undefined);
    assert.equal(hasCapability(0x3000n, 12), true);
  });
});
