// The PROXY protocol codec: the examples of the spec (doc/proxy-protocol.txt, written here
// from its rules, not copied), the cases HAProxy 2.6 was seen to accept or refuse side by
// side (see the header of src/proxy/proxy-protocol.ts), the bytes HAProxy 2.6 was captured
// sending, and fuzzing: arbitrary and mutated headers never throw, never claim more bytes
// than given, and the answer does not depend on how the bytes arrive.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeProxyHeader,
  encodeProxyV1,
  encodeProxyV2,
  V2_SIGNATURE,
} from '../../src/proxy/proxy-protocol.js';

const SEED = Number(process.env.HALO_FUZZ_SEED ?? 4242);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const SIG = '0d0a0d0a000d0a515549540a';

describe('PROXY v1 decoding', () => {
  const cases: [string, string, object][] = [
    [
      'TCP4',
      'PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET /',
      {
        kind: 'header',
        length: 47,
        version: 1,
        command: 'proxy',
        src: { address: '192.168.0.1', port: 56324 },
        dst: { address: '192.168.0.11', port: 443 },
      },
    ],
    [
      'TCP6, normalised',
      'PROXY TCP6 2001:DB8:0:0::1 ::1 1 65535\r\n',
      {
        kind: 'header',
        length: 40,
        version: 1,
        command: 'proxy',
        src: { address: '2001:db8::1', port: 1 },
        dst: { address: '::1', port: 65535 },
      },
    ],
    ['UNKNOWN', 'PROXY UNKNOWN\r\nx', { kind: 'header', length: 15, version: 1, command: 'local' }],
    ['UNKNOWN with fields (HAProxy 2.6 refuses)', 'PROXY UNKNOWN a b\r\n', bad('bad-proto')],
    ['TCP5', 'PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n', bad('bad-proto')],
    ['LF without CR', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\nxx', bad('bad-header')],
    ['extra field', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n', bad('bad-header')],
    ['missing field', 'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', bad('bad-header')],
    ['v6 address on TCP4', 'PROXY TCP4 ::1 5.6.7.8 1 2\r\n', bad('bad-header')],
    ['v4 address on TCP6', 'PROXY TCP6 1.2.3.4 ::1 1 2\r\n', bad('bad-header')],
    ['port too large', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n', bad('bad-header')],
    ['signed port', 'PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n', bad('bad-header')],
    ['double space', 'PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n', bad('bad-header')],
    ['partial', 'PROXY TCP4 1.2.3.4 5.6.7.8 11', { kind: 'need-more' }],
    ['short prefix', 'PROX', { kind: 'need-more' }],
    ['no CRLF in 107 bytes', `PROXY TCP6 ${'1'.repeat(120)}`, bad('truncated')],
    ['not a header (16 bytes)', 'GET / HTTP/1.1\r\n', bad('not-header')],
    ['not judged before 16 bytes', 'GARBAGE\r\n', { kind: 'need-more' }],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => assert.deepEqual(decodeProxyHeader(ascii(input)), want));
  }

  it('a 107-byte line (the longest TCP6 form) decodes', () => {
    const a = 'ffff:f...f:ffff'.replace('f...f', 'ffff:ffff:ffff:ffff:ffff:ffff');
    const line = `PROXY TCP6 ${a} ${a} 65535 65535\r\n`;
    assert.equal(line.length, 104);
    const r = decodeProxyHeader(ascii(line));
    assert.equal(r.kind, 'header');
  });
});

function bad(error: string): object {
  return { kind: 'invalid', error };
}

describe('PROXY v2 decoding', () => {
  it('PROXY TCP/IPv4 with its addresses, data after it', () => {
    const r = decodeProxyHeader(hex(`${SIG} 21 11 000c 01020304 05060708 0001 0002 6869`));
    assert.deepEqual(r, {
      kind: 'header',
      length: 28,
      version: 2,
      command: 'proxy',
      src: { address: '1.2.3.4', port: 1 },
      dst: { address: '5.6.7.8', port: 2 },
    });
  });
  it('PROXY TCP/IPv6', () => {
    const a = '20010db8000000000000000000000001';
    const b = '00000000000000000000000000000001';
    const r = decodeProxyHeader(hex(`${SIG} 21 21 0024 ${a} ${b} 1f90 0050`));
    assert.deepEqual(r, {
      kind: 'header',
      length: 52,
      version: 2,
      command: 'proxy',
      src: { address: '2001:db8::1', port: 8080 },
      dst: { address: '::1', port: 80 },
    });
  });
  const cases: [string, string, object | string][] = [
    ['TLV that fits', `21 11 000f 01020304 05060708 0001 0002 040000`, { length: 31 }],
    ['TLV longer than the header', `21 11 000f 01020304 05060708 0001 0002 040005`, 'bad-header'],
    ['TLV cut in its own header', `21 11 000d 01020304 05060708 0001 0002 04`, 'bad-header'],
    ['INET length too short', `21 11 0008 01020304 05060708`, 'bad-header'],
    ['PROXY over UNSPEC (refused by 2.6)', `21 00 0000`, 'bad-header'],
    ['PROXY over DGRAM (refused by 2.6)', `21 12 000c 01020304 05060708 0001 0002`, 'bad-header'],
    ['command 2', `22 11 000c 01020304 05060708 0001 0002`, 'bad-header'],
    ['version 1', `11 11 0000`, 'not-header'],
    ['LOCAL with addresses: skipped', `20 11 000c 01020304 05060708 0001 0002`, { length: 28 }],
    ['LOCAL: TLVs not read (as 2.6)', `20 00 0002 0400`, { length: 18 }],
  ];
  for (const [name, tail, want] of cases) {
    it(name, () => {
      const r = decodeProxyHeader(hex(SIG + tail));
      if (typeof want === 'string') assert.deepEqual(r, bad(want));
      else {
        assert.equal(r.kind, 'header');
        assert.equal(r.kind === 'header' && r.length, (want as { length: number }).length);
      }
    });
  }
  it('needs the whole length before answering', () => {
    const full = hex(`${SIG} 21 11 000c 01020304 05060708 0001 0002`);
    for (let n = 0; n < full.length; n++)
      assert.deepEqual(decodeProxyHeader(full.subarray(0, n)), { kind: 'need-more' }, `at ${n}`);
  });
  it('a wrong signature byte is not a header', () => {
    const b = hex(`${SIG} 21 11 000c 01020304 05060708 0001 0002`);
    b[5] = 0x0c;
    assert.deepEqual(decodeProxyHeader(b), bad('not-header'));
  });
});

describe('PROXY encoding (bytes HAProxy 2.6 was captured sending)', () => {
  const v4 = {
    src: { address: '127.0.0.1', port: 51028 },
    dst: { address: '127.0.0.1', port: 21801 },
  };
  it('v1 TCP4', () => {
    assert.equal(
      Buffer.from(encodeProxyV1(v4)).toString('latin1'),
      'PROXY TCP4 127.0.0.1 127.0.0.1 51028 21801\r\n',
    );
  });
  it('v2 TCP4, no TLV (plain send-proxy-v2)', () => {
    const v = {
      src: { address: '127.0.0.1', port: 39932 },
      dst: { address: '127.0.0.1', port: 21802 },
    };
    assert.equal(
      Buffer.from(encodeProxyV2(v)).toString('hex'),
      '0d0a0d0a000d0a515549540a2111000c7f0000017f0000019bfc552a',
    );
  });
  it('v2 LOCAL (a health check)', () => {
    assert.equal(Buffer.from(encodeProxyV2({}, true)).toString('hex'), `${SIG}20000000`);
  });
  it('v1 UNKNOWN without addresses; mixed families as IPv6', () => {
    assert.equal(Buffer.from(encodeProxyV1({})).toString(), 'PROXY UNKNOWN\r\n');
    const mixed = { src: { address: '1.2.3.4', port: 1 }, dst: { address: '::1', port: 2 } };
    assert.equal(
      Buffer.from(encodeProxyV1(mixed)).toString(),
      'PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n',
    );
    const r = decodeProxyHeader(encodeProxyV2(mixed));
    assert.equal(r.kind === 'header' && r.src?.address, '::ffff:1.2.3.4');
  });
  it('decode(encode(x)) gives x back, both versions', () => {
    const ip4 = fc
      .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
      .map((p) => p.join('.'));
    const ip6 = fc.ipV6().map((a) => {
      const r = decodeProxyHeader(ascii(`PROXY TCP6 ${a} ::1 1 1\r\n`));
      return r.kind === 'header' ? r.src!.address : '::1';
    });
    const port = fc.nat(65535);
    fc.assert(
      fc.property(fc.oneof(fc.tuple(ip4, ip4), fc.tuple(ip6, ip6)), port, port, ([a, b], p, q) => {
        const x = { src: { address: a, port: p }, dst: { address: b, port: q } };
        for (const bytes of [encodeProxyV1(x), encodeProxyV2(x)]) {
          const r = decodeProxyHeader(cat(bytes, ascii('data')));
          assert.equal(r.kind, 'header');
          if (r.kind !== 'header') return;
          assert.equal(r.length, bytes.length);
          assert.deepEqual({ src: r.src, dst: r.dst }, x);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('PROXY decoding fuzz', () => {
  const v1 = encodeProxyV1({
    src: { address: '10.0.0.1', port: 1 },
    dst: { address: '10.0.0.2', port: 2 },
  });
  const v2 = cat(
    encodeProxyV2({ src: { address: '10.0.0.1', port: 1 }, dst: { address: '10.0.0.2', port: 2 } }),
    ascii('rest'),
  );
  const mutated = fc
    .tuple(
      fc.constantFrom(v1, v2, V2_SIGNATURE),
      fc.array(fc.tuple(fc.nat(200), fc.nat(255)), { maxLength: 6 }),
      fc.nat(140),
    )
    .map(([base, edits, cut]) => {
      const b = Uint8Array.from(base);
      for (const [at, v] of edits) if (at < b.length) b[at] = v;
      return b.subarray(0, Math.min(cut, b.length));
    });
  const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated);

  it('never throws and never claims bytes it was not given', () => {
    fc.assert(
      fc.property(anyBytes, (b) => {
        const r = decodeProxyHeader(b);
        if (r.kind === 'header') {
          assert.ok(r.length > 0 && r.length <= b.length);
          assert.ok(r.version === 1 ? r.length <= 107 : r.length >= 16);
        }
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('answers the same whatever follows a decided header, and never decides early wrongly', () => {
    fc.assert(
      fc.property(anyBytes, fc.uint8Array({ maxLength: 40 }), (b, more) => {
        const r = decodeProxyHeader(b);
        const r2 = decodeProxyHeader(cat(b, more));
        // What was decided on a prefix stays decided when more bytes arrive.
        if (r.kind !== 'need-more') assert.deepEqual(r2, r);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});
