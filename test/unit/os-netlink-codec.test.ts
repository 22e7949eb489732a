// The rtnetlink codec: byte layouts checked against hand-assembled vectors, round trips
// and "no input crashes the decoder" with fast-check.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AF } from '../../src/os/linux-abi.js';
import {
  align4,
  decodeAttrs,
  decodeError,
  decodeIfAddrMsg,
  decodeIfInfoMsg,
  decodeMessages,
  encodeAttrs,
  encodeError,
  encodeIfAddrMsg,
  encodeIfInfoMsg,
  encodeMessage,
  IFA,
  IFF,
  IFLA,
  NetlinkDecodeError,
  NLM_F,
  NLMSG,
  parseScope,
  RTM,
  stringAttr,
  u32Attr,
} from '../../src/os/netlink-codec.js';
import {
  addressRequest,
  linkByNameRequest,
  parseAddress,
  parseLink,
} from '../../src/os/rtnetlink.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

const attrArb = fc
  .record({
    type: fc.integer({ min: 0, max: 0xffff }),
    value: fc.uint8Array({ maxLength: 40 }),
  })
  .map((a) => ({ ...a }));
const messageArb = fc
  .record({
    type: fc.integer({ min: 0, max: 0xffff }),
    flags: fc.integer({ min: 0, max: 0xffff }),
    seq: fc.integer({ min: 0, max: 0xffffffff }),
    pid: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.uint8Array({ maxLength: 64 }),
  })
  .map((m) => ({ ...m }));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

describe('netlink codec: layouts', () => {
  test('nlmsghdr is len, type, flags, seq, pid in host (little-endian) order', () => {
    const m = encodeMessage({
      type: RTM.GETLINK,
      flags: 0x0301,
      seq: 7,
      pid: 0,
      payload: bytes(1),
    });
    assert.deepEqual(
      m,
      bytes(17, 0, 0, 0, 18, 0, 1, 3, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), // padded to 20
    );
  });

  test('RTM_NEWADDR for 198.51.100.100/32 dev 3 label eth0:1 brd + matches ip(8)', () => {
    const m = addressRequest(
      'add',
      {
        family: 4,
        address: '198.51.100.100',
        prefix: 24,
        interface: 'eth0',
        label: 'eth0:1',
        broadcast: '+',
      },
      3,
      9,
    );
    assert.equal(m.type, RTM.NEWADDR);
    assert.equal(m.flags, NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL);
    const ifa = decodeIfAddrMsg(m.payload);
    assert.deepEqual(
      [ifa.family, ifa.prefixlen, ifa.flags, ifa.scope, ifa.index],
      [AF.INET, 24, 0, 0, 3],
    );
    assert.deepEqual(m.payload.subarray(0, 8), bytes(2, 24, 0, 0, 3, 0, 0, 0));
    assert.deepEqual(
      ifa.attrs.map((a) => [a.type, [...a.value]]),
      [
        [IFA.LOCAL, [198, 51, 100, 100]],
        [IFA.ADDRESS, [198, 51, 100, 100]],
        [IFA.BROADCAST, [198, 51, 100, 255]],
        [IFA.LABEL, [...'eth0:1'].map((c) => c.charCodeAt(0)).concat(0)],
      ],
    );
    // rtattr: len 8, type IFA_LOCAL, then the address
    assert.deepEqual(m.payload.subarray(8, 16), bytes(8, 0, 2, 0, 198, 51, 100, 100));
  });

  test('RTM_DELADDR carries no CREATE/EXCL; scope names map to rt_scope numbers', () => {
    const m = addressRequest(
      'remove',
      { family: 4, address: '192.0.2.1', prefix: 32, interface: 'x', scope: 'host' },
      1,
      1,
    );
    assert.equal(m.type, RTM.DELADDR);
    assert.equal(m.flags, NLM_F.REQUEST | NLM_F.ACK);
    assert.equal(decodeIfAddrMsg(m.payload).scope, 254);
    assert.deepEqual(
      ['global', 'site', 'link', 'host', 'nowhere', '17', 17, 'bogus', 256].map(parseScope),
      [0, 200, 253, 254, 255, 17, 17, undefined, undefined],
    );
  });

  test('IPv6 addresses get IFA_F_NODAD when asked and no label/broadcast', () => {
    const m = addressRequest(
      'add',
      { family: 6, address: '2001:db8::1', prefix: 64, interface: 'x', label: 'x:1', noDad: true },
      4,
      1,
    );
    const ifa = decodeIfAddrMsg(m.payload);
    assert.equal(ifa.family, AF.INET6);
    assert.equal(ifa.flags, 0x02);
    assert.deepEqual(
      ifa.attrs.map((a) => a.type),
      [IFA.LOCAL, IFA.ADDRESS],
    );
  });

  test('bad prefixes, scopes, labels and addresses are refused before reaching the kernel', () => {
    const base = { family: 4 as const, address: '192.0.2.1', prefix: 32, interface: 'x' };
    for (const bad of [
      { ...base, prefix: 33 },
      { ...base, scope: 'galaxy' },
      { ...base, label: 'a-very-long-label' },
      { ...base, address: '2001:db8::1' },
      { ...base, broadcast: 'nope' },
    ]) {
      assert.throws(() => addressRequest('add', bad, 1, 1), { code: 'HALO_OS_ADDRESS' });
    }
  });

  test('RTM_GETLINK by name carries IFLA_IFNAME', () => {
    const m = linkByNameRequest('eth0', 3);
    const ifi = decodeIfInfoMsg(m.payload);
    assert.equal(m.type, RTM.GETLINK);
    assert.deepEqual(ifi.attrs, [stringAttr(IFLA.IFNAME, 'eth0')]);
    assert.throws(() => linkByNameRequest('sixteen-chars-xx', 1), { code: 'HALO_OS_NO_INTERFACE' });
  });

  test('NLMSG_ERROR: 0 is an ACK, else -errno and the original header', () => {
    const req = { type: RTM.NEWADDR, flags: 5, seq: 42, pid: 0, payload: new Uint8Array(0) };
    assert.deepEqual(decodeError(encodeError(-17, req)), { errno: -17, seq: 42 });
    assert.deepEqual(decodeError(bytes(0, 0, 0, 0)), { errno: 0 });
    assert.throws(() => decodeError(bytes(0, 0)), NetlinkDecodeError);
  });

  test('kernel-shaped RTM_NEWADDR and RTM_NEWLINK parse into domain types', () => {
    const addr = {
      type: RTM.NEWADDR,
      flags: NLM_F.MULTI,
      seq: 1,
      pid: 0,
      payload: encodeIfAddrMsg({
        family: AF.INET,
        prefixlen: 24,
        flags: 0x80,
        scope: 0,
        index: 2,
        attrs: [
          { type: IFA.ADDRESS, value: bytes(198, 51, 100, 11) },
          { type: IFA.LOCAL, value: bytes(198, 51, 100, 11) },
          { type: IFA.BROADCAST, value: bytes(198, 51, 100, 255) },
          stringAttr(IFA.LABEL, 'eth0'),
          u32Attr(IFA.FLAGS, 0x81),
        ],
      }),
    };
    assert.deepEqual(parseAddress(addr), {
      family: 4,
      address: '198.51.100.11',
      prefix: 24,
      ifindex: 2,
      scope: 0,
      secondary: true,
      tentative: false,
      label: 'eth0',
      broadcast: '198.51.100.255',
    });
    const link = {
      type: RTM.NEWLINK,
      flags: 0,
      seq: 0,
      pid: 0,
      payload: encodeIfInfoMsg({
        family: 0,
        type: 1,
        index: 5,
        flags: IFF.UP | IFF.BROADCAST,
        change: 0,
        attrs: [
          stringAttr(IFLA.IFNAME, 'eth0'),
          u32Attr(IFLA.MTU, 1500),
          { type: IFLA.ADDRESS, value: bytes(0x02, 0, 0x5e, 0, 1, 0x32) },
        ],
      }),
    };
    assert.deepEqual(parseLink(link), {
      ifindex: 5,
      name: 'eth0',
      mac: '02:00:5e:00:01:32',
      mtu: 1500,
      adminUp: true,
      running: false,
      up: false,
    });
  });
});

describe('netlink codec: properties', () => {
  test('messages round-trip, several per datagram', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 6 }), (msgs) => {
        const wire = concat(msgs.map(encodeMessage));
        assert.equal(wire.length % 4, 0);
        assert.deepEqual(decodeMessages(wire), msgs);
      }),
    );
  });

  test('attributes round-trip with 4-byte alignment', () => {
    fc.assert(
      fc.property(fc.array(attrArb, { maxLength: 8 }), (attrs) => {
        const wire = encodeAttrs(attrs);
        assert.equal(
          wire.length,
          attrs.reduce((n, a) => n + align4(4 + a.value.length), 0),
        );
        assert.deepEqual(decodeAttrs(wire), attrs);
      }),
    );
  });

  test('ifaddrmsg and ifinfomsg round-trip', () => {
    const u8 = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(
        u8,
        u8,
        u8,
        u8,
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(attrArb, { maxLength: 4 }),
        (family, prefixlen, flags, scope, index, attrs) => {
          const m = { family, prefixlen, flags, scope, index, attrs };
          assert.deepEqual(decodeIfAddrMsg(encodeIfAddrMsg(m)), m);
        },
      ),
    );
    fc.assert(
      fc.property(
        u8,
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(attrArb, { maxLength: 4 }),
        (family, type, index, flags, change, attrs) => {
          const m = { family, type, index, flags, change, attrs };
          assert.deepEqual(decodeIfInfoMsg(encodeIfInfoMsg(m)), m);
        },
      ),
    );
  });

  test('arbitrary bytes decode or raise NetlinkDecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (buf) => {
        for (const decode of [decodeMessages, decodeAttrs, decodeIfAddrMsg, decodeIfInfoMsg]) {
          try {
            decode(buf);
          } catch (e) {
            assert.ok(e instanceof NetlinkDecodeError, String(e));
          }
        }
        try {
          for (const m of decodeMessages(buf)) {
            if (m.type === RTM.NEWADDR) parseAddress(m);
            if (m.type === RTM.NEWLINK) parseLink(m);
          }
        } catch (e) {
          assert.ok(e instanceof NetlinkDecodeError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a length field pointing past the datagram is an error, not a short read', () => {
    const m = encodeMessage({
      type: NLMSG.DONE,
      flags: 0,
      seq: 1,
      pid: 0,
      payload: bytes(0, 0, 0, 0),
    });
    m[0] = 200;
    assert.throws(() => decodeMessages(m), NetlinkDecodeError);
    assert.throws(() => decodeAttrs(bytes(3, 0, 1, 0)), NetlinkDecodeError);
  });
});
