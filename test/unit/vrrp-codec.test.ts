import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIpv6, parseIpv4, parseIpv6 } from '../../src/net/ip-address.js';
import { buildAdvert } from '../../src/vrrp/advert.js';
import { decodeVrrp, encodeVrrp, type VrrpAdvertFields } from '../../src/vrrp/codec.js';
import { buildIpv4Packet, parseIpv4Packet } from '../../src/vrrp/ipv4.js';
import { hexFixtureNames, readHexFixture } from './vrrp-fixtures.js';

const ipv6Addr = (b: Uint8Array, off: number) => formatIpv6(b, off);

/** Splits a fixture into VRRP payload and addressing. */
function open(name: string) {
  const bytes = readHexFixture(name);
  if (bytes[0]! >> 4 === 6) {
    return {
      family: 6 as const,
      bytes,
      vrrp: bytes.subarray(40),
      src: ipv6Addr(bytes, 8),
      dst: ipv6Addr(bytes, 24),
      hopLimit: bytes[7]!,
      ipId: 0,
    };
  }
  const p = parseIpv4Packet(bytes);
  assert.ok(p.ok, `${name}: ${p.ok ? '' : p.detail}`);
  return {
    family: 4 as const,
    bytes,
    vrrp: p.payload,
    src: p.header.src,
    dst: p.header.dst,
    hopLimit: p.header.ttl,
    ipId: p.header.id,
  };
}

const expected: Record<string, { version: 2 | 3; prio: number; src: string; vips: string[] }> = {
  'v2-master1-prio100': { version: 2, prio: 100, src: '198.51.100.1', vips: ['198.51.100.100'] },
  'v2-master1-prio98': { version: 2, prio: 98, src: '198.51.100.1', vips: ['198.51.100.100'] },
  'v2-master2-prio99': { version: 2, prio: 99, src: '198.51.100.2', vips: ['198.51.100.100'] },
  'v2-master1-prio0': { version: 2, prio: 0, src: '198.51.100.1', vips: ['198.51.100.100'] },
  'v2-two-vips-prio100': {
    version: 2,
    prio: 100,
    src: '198.51.100.1',
    vips: ['198.51.100.100', '198.51.100.101'],
  },
  'v3-master1-prio100': { version: 3, prio: 100, src: '198.51.100.1', vips: ['198.51.100.100'] },
  'v3-master1-prio98': { version: 3, prio: 98, src: '198.51.100.1', vips: ['198.51.100.100'] },
  'v3-master2-prio99': { version: 3, prio: 99, src: '198.51.100.2', vips: ['198.51.100.100'] },
  'v3-master1-prio0': { version: 3, prio: 0, src: '198.51.100.1', vips: ['198.51.100.100'] },
  'v3-ipv6-master1-prio100': { version: 3, prio: 100, src: 'fe80::', vips: ['2001:db8:50::100'] },
  'v3-ipv6-master1-prio0': { version: 3, prio: 0, src: 'fe80::', vips: ['2001:db8:50::100'] },
};

describe('VRRP codec against Keepalived 2.2.7 captures', () => {
  it('has a fixture for every expectation and vice versa', () => {
    assert.deepEqual(hexFixtureNames().sort(), Object.keys(expected).sort());
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: decodes the fields Keepalived sent`, () => {
      const f = open(name);
      assert.equal(f.hopLimit, 255);
      if (f.family === 4) assert.equal(f.src, want.src);
      else assert.ok(f.src.startsWith('fe80::'), f.src);
      assert.equal(f.dst, f.family === 4 ? '224.0.0.18' : 'ff02::12');
      const r = decodeVrrp(f.vrrp, { family: f.family, src: f.src, dst: f.dst });
      assert.ok(r.ok, r.ok ? '' : r.detail);
      const a = r.advert;
      assert.equal(a.version, want.version);
      assert.equal(a.type, 1);
      assert.equal(a.vrid, 50);
      assert.equal(a.priority, want.prio);
      assert.deepEqual(a.addresses, want.vips);
      if (want.version === 2) {
        assert.equal(a.adverInt, 1); // seconds
        assert.equal(a.authType, 1); // PASS
        assert.deepEqual(Array.from(a.authData), [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0, 0]);
      } else {
        assert.equal(a.adverInt, 100); // centiseconds
        assert.equal(a.reserved, 0);
        assert.equal(a.authData.length, 0);
      }
    });

    it(`${name}: halo builds the identical bytes from the same fields`, () => {
      const f = open(name);
      const built = buildAdvert(
        {
          version: want.version,
          family: f.family,
          vrid: 50,
          advertIntMs: 1000,
          vips: want.vips,
          authType: want.version === 2 ? 1 : 0,
          authPass: '123456',
        },
        want.prio,
        { src: f.src, dst: f.dst, ipId: f.ipId },
      );
      assert.deepEqual(
        Buffer.from(built).toString('hex'),
        Buffer.from(f.family === 4 ? f.bytes : f.vrrp).toString('hex'),
      );
    });

    it(`${name}: encode(decode(x)) gives x back`, () => {
      const f = open(name);
      const r = decodeVrrp(f.vrrp, { family: f.family, src: f.src, dst: f.dst });
      assert.ok(r.ok);
      assert.deepEqual(encodeVrrp(r.advert, { src: f.src, dst: f.dst }), Uint8Array.from(f.vrrp));
    });
  }

  it('rejects a flipped bit as a checksum error, v2 and v3', () => {
    for (const name of ['v2-master1-prio100', 'v3-master1-prio100', 'v3-ipv6-master1-prio100']) {
      const f = open(name);
      const bad = Uint8Array.from(f.vrrp);
      bad[2] = bad[2]! ^ 0x01; // priority
      const r = decodeVrrp(bad, { family: f.family, src: f.src, dst: f.dst });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'checksum', name);
    }
  });

  it('rejects VRRPv3 checksummed against the wrong pseudo-header', () => {
    const f = open('v3-master1-prio100');
    const r = decodeVrrp(f.vrrp, { family: 4, src: '198.51.100.9', dst: f.dst });
    assert.equal(!r.ok && r.reason, 'checksum');
  });

  it('names each rejection', () => {
    const f = open('v2-master1-prio100');
    const base = Uint8Array.from(f.vrrp);
    const mut = (i: number, v: number) => {
      const b = Uint8Array.from(base);
      b[i] = v;
      return decodeVrrp(b, { family: 4 });
    };
    const reason = (r: ReturnType<typeof decodeVrrp>) => (r.ok ? 'ok' : r.reason);
    assert.equal(reason(decodeVrrp(base.subarray(0, 7), { family: 4 })), 'length');
    assert.equal(reason(decodeVrrp(base.subarray(0, 19), { family: 4 })), 'length');
    assert.equal(reason(mut(0, 0x41)), 'version');
    assert.equal(reason(mut(0, 0x22)), 'type');
    assert.equal(reason(mut(3, 200)), 'length'); // huge count
    assert.equal(reason(mut(4, 3)), 'auth-type');
    assert.equal(reason(decodeVrrp(base, { family: 6 })), 'version');
  });
});

describe('VRRP codec properties (fast-check)', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((t) => t.join('.'));
  const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b));
  const fields = fc.oneof(
    fc.record({
      version: fc.constant(2 as const),
      family: fc.constant(4 as const),
      vrid: fc.nat(255),
      priority: fc.nat(255),
      addresses: fc.array(v4, { maxLength: 20 }),
      adverInt: fc.nat(255),
      authType: fc.nat(2),
      authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    }),
    fc.record({
      version: fc.constant(3 as const),
      family: fc.constant(4 as const),
      vrid: fc.nat(255),
      priority: fc.nat(255),
      addresses: fc.array(v4, { maxLength: 20 }),
      adverInt: fc.nat(0x0fff),
      authType: fc.constant(0),
    }),
    fc.record({
      version: fc.constant(3 as const),
      family: fc.constant(6 as const),
      vrid: fc.nat(255),
      priority: fc.nat(255),
      addresses: fc.array(v6, { maxLength: 10 }),
      adverInt: fc.nat(0x0fff),
      authType: fc.constant(0),
    }),
  );

  it('decode(encode(fields)) gives the fields back', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const fam = f.family;
        const addrs = f.addresses;
        const input: VrrpAdvertFields = f;
        const ctx =
          fam === 4
            ? { src: '198.51.100.1', dst: '224.0.0.18' }
            : { src: 'fe80::1', dst: 'ff02::12' };
        const bytes = encodeVrrp(input, ctx);
        const r = decodeVrrp(bytes, { family: fam, ...ctx });
        assert.ok(r.ok, r.ok ? '' : r.detail);
        assert.equal(r.advert.priority, f.priority);
        assert.equal(r.advert.vrid, f.vrid);
        assert.equal(r.advert.adverInt, f.adverInt);
        assert.deepEqual(r.advert.addresses, addrs);
        if (f.version === 2) assert.deepEqual(r.advert.authData, f.authData);
      }),
    );
  });

  it('decode never throws, and every accepted packet re-encodes to the same bytes', () => {
    const ctx = { src: '198.51.100.1', dst: '224.0.0.18' };
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.constantFrom(4 as const, 6 as const),
        (b, fam) => {
          const r = decodeVrrp(b, { family: fam });
          if (r.ok) assert.deepEqual(encodeVrrp(r.advert), Uint8Array.from(b));
          const r2 = decodeVrrp(b, { family: 4, ...ctx });
          if (r2.ok) assert.deepEqual(encodeVrrp(r2.advert, ctx), Uint8Array.from(b));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('finds accepted packets among mutated real ones and round-trips them', () => {
    const seeds = ['v2-master1-prio100', 'v3-master1-prio100'].map((n) => open(n).vrrp);
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(31), fc.nat(255), (seed, i, v) => {
        const b = Uint8Array.from(seed);
        if (i < b.length) b[i] = v;
        const r = decodeVrrp(b, { family: 4 });
        if (r.ok) assert.deepEqual(encodeVrrp(r.advert), b);
      }),
    );
  });

  it('parseIpv4Packet never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const r = parseIpv4Packet(b);
        if (r.ok) assert.equal(r.header.totalLength, b.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('buildIpv4Packet and parseIpv4Packet agree', () => {
    fc.assert(
      fc.property(
        v4,
        v4,
        fc.nat(0xffff),
        fc.uint8Array({ maxLength: 40 }),
        (src, dst, id, payload) => {
          const r = parseIpv4Packet(buildIpv4Packet({ src, dst, id }, payload));
          assert.ok(r.ok);
          assert.equal(r.header.src, src);
          assert.equal(r.header.dst, dst);
          assert.equal(r.header.id, id);
          assert.equal(r.header.ttl, 255);
          assert.deepEqual(Uint8Array.from(r.payload), payload);
        },
      ),
    );
  });
});

describe('IP address text', () => {
  it('formats IPv6 like inet_ntop', () => {
    const cases: [string, string][] = [
      ['2001:db8:50:0:0:0:0:100', '2001:db8:50::100'],
      ['ff02:0:0:0:0:0:0:12', 'ff02::12'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['fe80::f41a:d9ff:fea1:bf78', 'fe80::f41a:d9ff:fea1:bf78'],
    ];
    for (const [input, out] of cases) assert.equal(formatIpv6(parseIpv6(input)!), out, input);
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d']) {
      assert.equal(parseIpv4(bad), undefined, bad);
    }
    for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', ':::']) {
      assert.equal(parseIpv6(bad), undefined, bad);
    }
    assert.equal(formatIpv6(parseIpv6('::ffff:198.51.100.1')!), '::ffff:c633:6401');
  });
});
