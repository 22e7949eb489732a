// The HTTP/1 request codec and gate (pure): HAProxy 2.6's refusals and normalisations, one
// message at a time, holding what follows. Cases measured against haproxy 2.6.12 live in
// test/integration/proxy-http-differential.test.ts; these pin the codec's own rules.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyFramer } from '../../src/proxy/http/h1-body.js';
import { DEFAULT_H1_LIMITS, h1Limits, parseRequestHead } from '../../src/proxy/http/h1-request.js';
import type { GateOutput } from '../../src/proxy/http/request-gate.js';
import { RequestGate } from '../../src/proxy/http/request-gate.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (u: Uint8Array) => Buffer.from(u).toString('latin1');

function summary(outs: GateOutput[]): string[] {
  return outs.map((o) =>
    o.kind === 'head'
      ? `head ${o.head.method} ${o.head.target}`
      : o.kind === 'body'
        ? `body ${text(o.bytes)}`
        : o.kind === 'end'
          ? 'end'
          : `error ${o.status}${o.inBody ? ' in body' : ''}`,
  );
}

describe('parseRequestHead', () => {
  const refused: [string, string][] = [
    ['two different Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b'],
    ['HTTP/0.9', 'GET /'],
    ['lower-case version', 'GET / http/1.1\r\nHost: a'],
    ['space in the URI', 'GET /a b HTTP/1.1\r\nHost: a'],
    ['8-bit URI byte', 'GET /\xff HTTP/1.1\r\nHost: a'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : a'],
    ['no colon', 'GET / HTTP/1.1\r\nnocolon'],
    ['differing Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4'],
    ['non-numeric Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 3x'],
    ['TE not ending in chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip'],
    ['a coding before chunked (422)', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked'],
    ['HTTP/1.0 GET with a payload (413)', 'GET / HTTP/1.0\r\nContent-Length: 3'],
    [
      'chunked twice',
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked',
    ],
    ['absolute URI naming another host', 'GET http://x/ HTTP/1.1\r\nHost: a'],
    ['a blank before the method', ' GET / HTTP/1.1\r\nHost: a'],
    ['a header name of 256 bytes', `GET / HTTP/1.1\r\n${'n'.repeat(256)}: v`],
    [
      'a WebSocket upgrade without Sec-WebSocket-Key',
      'GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket',
    ],
  ];
  for (const [name, head] of refused) {
    it(`refuses: ${name}`, () => {
      const r = parseRequestHead(head);
      assert.equal(r.ok, false);
    });
  }

  it('merges the same Host twice, keeps the first spelling', () => {
    const r = parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nHost: A');
    assert.ok(r.ok);
    assert.equal(r.head.canonical, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  });

  it('drops Content-Length beside Transfer-Encoding and frames by chunks', () => {
    const r = parseRequestHead(
      'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nHost: a',
    );
    assert.ok(r.ok);
    assert.deepEqual(r.head.body, { kind: 'chunked' });
    assert.doesNotMatch(r.head.canonical, /content-length/i);
    // Both framings: the connection closes after this request, as HAProxy closes it.
    assert.match(r.head.canonical, /\r\nConnection: close\r\n\r\n$/);
  });

  it('reduces a Content-Length list to its one value', () => {
    const r = parseRequestHead('POST / HTTP/1.1\r\nContent-Length: 3, 03\r\nContent-Length: 3');
    assert.ok(r.ok);
    assert.deepEqual(r.head.body, { kind: 'length', length: 3 });
    assert.equal(r.head.canonical, 'POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n');
  });

  it('joins a folded line with its line end turned into spaces', () => {
    const r = parseRequestHead('GET / HTTP/1.1\r\nX-F: a\r\n b\r\nX-G: c\n\td');
    assert.ok(r.ok);
    assert.deepEqual(r.head.headers, [
      ['X-F', 'a   b'],
      ['X-G', 'c \td'],
    ]);
  });

  it('takes at most tune.http.maxhdr - 1 headers', () => {
    const head = (n: number) =>
      `GET / HTTP/1.1${Array.from({ length: n }, (_, i) => `\r\nX-${i}: v`).join('')}`;
    assert.equal(parseRequestHead(head(100)).ok, true);
    assert.equal(parseRequestHead(head(101)).ok, false);
    assert.equal(parseRequestHead(head(101), h1Limits({ httpMaxhdr: 200 })).ok, true);
  });

  it('sizes heads by HTX accounting (limit measured on haproxy 2.6.12)', () => {
    const head = (n: number) => `GET /${'a'.repeat(n)} HTTP/1.1\r\nHost: a`;
    assert.equal(parseRequestHead(head(15250)).ok, true);
    assert.equal(parseRequestHead(head(15251)).ok, false);
  });
});

describe('RequestGate', () => {
  it('hands on one pipelined request at a time and holds the next', () => {
    const g = new RequestGate();
    const two = 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n';
    assert.deepEqual(summary(g.feed(bytes(two))), ['head GET /1', 'end']);
    assert.equal(g.held(), 28);
    assert.deepEqual(summary(g.feed(bytes('GET /3 HTTP/1.1\r\n\r\n'))), []);
    assert.deepEqual(summary(g.next()), ['head GET /2', 'end']);
    assert.deepEqual(summary(g.next()), ['head GET /3', 'end']);
    assert.equal(g.held(), 0);
  });

  it('takes a head one byte at a time', () => {
    const g = new RequestGate();
    const all: GateOutput[] = [];
    for (const b of bytes('\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n'))
      all.push(...g.feed(new Uint8Array([b])));
    assert.deepEqual(summary(all), ['head GET /', 'end']);
  });

  it('refuses a TLS ClientHello at its first byte, and HTTP/0.9 at its line end', () => {
    assert.deepEqual(summary(new RequestGate().feed(new Uint8Array([0x16, 3, 1]))), ['error 400']);
    assert.deepEqual(summary(new RequestGate().feed(bytes('GET /\r\n'))), ['error 400']);
    assert.deepEqual(summary(new RequestGate().feed(bytes('GET / HT'))), []);
  });

  it('refuses a head that outgrows the buffer before it ends', () => {
    const g = new RequestGate();
    assert.deepEqual(summary(g.feed(bytes(`GET /${'a'.repeat(15000)}`))), []);
    assert.deepEqual(summary(g.feed(bytes('a'.repeat(400)))), ['error 400']);
    assert.deepEqual(summary(g.feed(bytes('more'))), [], 'a refused connection takes nothing more');
  });

  it('passes a chunked body through as it comes, then holds what follows', () => {
    const g = new RequestGate();
    const out = g.feed(bytes('POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab'));
    assert.deepEqual(summary(out), ['head POST /p', 'body 3\r\nab']);
    const rest = g.feed(bytes('c\r\n0\r\nX-T: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n'));
    assert.deepEqual(summary(rest), ['body c\r\n0\r\nX-T: 1\r\n\r\n', 'end']);
    assert.deepEqual(summary(g.next()), ['head GET /', 'end']);
  });

  it('a bad first chunk that came with the head is a head error; a later one is a body error', () => {
    const bad = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n';
    assert.deepEqual(summary(new RequestGate().feed(bytes(bad))), ['error 400']);
    const g = new RequestGate();
    g.feed(bytes('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'));
    assert.deepEqual(summary(g.feed(bytes('zz\r\n'))), ['error 400 in body']);
  });

  it('copies what it keeps: the caller may reuse its read buffer', () => {
    const g = new RequestGate();
    const buf = bytes('GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n');
    g.feed(buf);
    buf.fill(0);
    assert.deepEqual(summary(g.next()), ['head GET /2', 'end']);
  });

  it('limits follow tune.bufsize', () => {
    assert.deepEqual(h1Limits(), DEFAULT_H1_LIMITS);
    const small = new RequestGate(h1Limits({ bufsize: 2048 }));
    assert.deepEqual(summary(small.feed(bytes(`GET /${'a'.repeat(1100)}`))), ['error 400']);
  });
});

describe('parseRequestHead: forms measured on the differential corpus', () => {
  it('an empty Transfer-Encoding element is a coding before chunked (422)', () => {
    const r = parseRequestHead('POST / HTTP/1.1\r\nTransfer-Encoding: ,chunked');
    assert.ok(!r.ok);
    assert.equal(r.status, 422);
  });

  it('keeps one plain Content-Length as sent', () => {
    const r = parseRequestHead('POST / HTTP/1.1\r\nContent-Length: 003');
    assert.ok(r.ok);
    assert.deepEqual(r.head.body, { kind: 'length', length: 3 });
    assert.match(r.head.canonical, /\r\nContent-Length: 003\r\n/);
  });

  it("drops an absolute URI's default port", () => {
    const r = parseRequestHead('GET http://a:80/x HTTP/1.1\r\nHost: a');
    assert.ok(r.ok);
    assert.match(r.head.canonical, /^GET http:\/\/a\/x HTTP\/1\.1\r\n/);
  });

  it('takes a header name of 255 bytes and a WebSocket upgrade with its key', () => {
    assert.ok(parseRequestHead(`GET / HTTP/1.1\r\n${'n'.repeat(255)}: v`).ok);
    const ws =
      'GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k';
    assert.ok(parseRequestHead(ws).ok);
  });
});

describe('BodyFramer', () => {
  it('counts a Content-Length body across calls', () => {
    const f = new BodyFramer({ kind: 'length', length: 5 });
    assert.deepEqual(f.step(bytes('abc'), 0, 3), { ok: true, used: 3, done: false });
    assert.deepEqual(f.step(bytes('defgh'), 0, 5), { ok: true, used: 2, done: true });
  });

  it('refuses chunk sizes that are not hex or too large, takes extensions', () => {
    const step = (s: string) => new BodyFramer({ kind: 'chunked' }).step(bytes(s), 0, s.length);
    assert.equal(step('zz\r\n').ok, false);
    assert.equal(step('ffffffffffffffffff\r\n').ok, false);
    assert.equal(step('3 ;x=y\r\nabc\r\n0\r\n\r\n').ok, true);
    assert.equal(step('3\r\nabcX\r\n').ok, false);
    // Leading zeros do not count towards the size's digits.
    assert.equal(step('00000000000000003\r\nabc\r\n0\r\n\r\n').ok, true);
  });
});
