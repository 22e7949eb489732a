// The pure HTTP-mode pieces: the httplog line, HAProxy's response size (%B), the request
// line quoting, the accept-time line of a proxy without httplog, forwardfor rules and the
// HTTP fetches of use_backend ACLs. Sizes and lines are the ones HAProxy 2.6.12 logged.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Acl, Condition, Forwardfor } from '../../src/config/haproxy/model.js';
import type { ConnectionFacts } from '../../src/proxy/acl.js';
import { compileCondition } from '../../src/proxy/acl.js';
import { sizeFromHead } from '../../src/proxy/http/exchange-log.js';
import { forwardedFor, forwardforRule } from '../../src/proxy/http/forwardfor.js';
import { pathOf } from '../../src/proxy/http/http-fetches.js';
import {
  formatConnectLog,
  formatHttpLog,
  htxResponseSize,
  quoteRequestLine,
} from '../../src/proxy/log/httplog.js';

const pos = { file: 't.cfg', line: 1, col: 1 };

describe('httplog line', () => {
  const base = {
    clientIp: '127.0.0.1',
    clientPort: 38582,
    received: new Date(2026, 10, 25, 20, 27, 3, 442).getTime(),
    frontend: 'fe',
    backend: 'be',
    server: 's1',
    tR: 0,
    tw: 0,
    tc: 0,
    tr: 3,
    ta: 3,
    status: 200,
    bytes: 74,
    termination: '----',
    actconn: 1,
    feconn: 1,
    beconn: 0,
    srvconn: 0,
    retries: 0,
    redispatched: false,
    srvQueue: 0,
    beQueue: 0,
    requestLine: 'GET / HTTP/1.1',
  };

  it('formats every field as HAProxy 2.6', () => {
    assert.equal(
      formatHttpLog(base),
      '127.0.0.1:38582 [25/Nov/2026:20:27:03.442] fe be/s1 0/0/0/3/3 200 74 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"',
    );
  });

  it('bad requests, retries and redispatch', () => {
    assert.equal(
      formatHttpLog({
        ...base,
        backend: 'fe',
        server: '<NOSRV>',
        tR: -1,
        tw: -1,
        tc: -1,
        tr: -1,
        ta: 2001,
        status: 408,
        bytes: 0,
        termination: 'cR--',
        requestLine: undefined,
      }),
      '127.0.0.1:38582 [25/Nov/2026:20:27:03.442] fe fe/<NOSRV> -1/-1/-1/-1/2001 408 0 - - cR-- 1/1/0/0/0 0/0 "<BADREQ>"',
    );
    assert.match(formatHttpLog({ ...base, retries: 3, redispatched: true }), / 1\/1\/0\/0\/\+3 /);
  });

  it('quotes the request line, escaping quotes and control bytes', () => {
    assert.equal(quoteRequestLine('GET /a"b HTTP/1.1'), '"GET /a#22b HTTP/1.1"');
    assert.equal(quoteRequestLine('GET /\x01 HTTP/1.1'), '"GET /#01 HTTP/1.1"');
  });

  it('a proxy without httplog/tcplog logs the connection at accept', () => {
    assert.equal(
      formatConnectLog({
        clientIp: '127.0.0.1',
        clientPort: 51264,
        localIp: '127.0.0.1',
        localPort: 18083,
        frontend: 'fe_plain',
        mode: 'http',
      }),
      'Connect from 127.0.0.1:51264 to 127.0.0.1:18083 (fe_plain/HTTP)',
    );
  });
});

describe('%B: response size as HAProxy counts it', () => {
  const cases: [string, Parameters<typeof htxResponseSize>[0], number][] = [
    [
      '200 with content-length and content-type',
      {
        version: 'HTTP/1.1',
        status: 200,
        reason: 'OK',
        headers: [
          ['content-length', '3'],
          ['content-type', 'text/plain'],
        ],
        bodyBytes: 3,
        chunked: false,
      },
      74,
    ],
    [
      '404 with a custom header',
      {
        version: 'HTTP/1.1',
        status: 404,
        reason: 'Not Found',
        headers: [
          ['content-length', '3'],
          ['x-foo', 'bar'],
        ],
        bodyBytes: 3,
        chunked: false,
      },
      67,
    ],
    [
      'chunked body counts its data and one end byte',
      {
        version: 'HTTP/1.1',
        status: 200,
        reason: 'OK',
        headers: [['transfer-encoding', 'chunked']],
        bodyBytes: 3,
        chunked: true,
      },
      62,
    ],
  ];
  for (const [name, r, want] of cases) {
    it(name, () => assert.equal(htxResponseSize(r), want));
  }

  it('from the head Node wrote: the 503 and 502 error replies', () => {
    const h503 =
      'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n';
    assert.equal(sizeFromHead(h503, 107, false), 217);
    const h502 =
      'HTTP/1.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n';
    assert.equal(sizeFromHead(h502, 107, false), 209, 'the connection line is not counted');
    assert.equal(sizeFromHead(undefined, 10, false), 0);
  });
});

describe('option forwardfor', () => {
  const ff = (over: Partial<Forwardfor> = {}): Forwardfor => ({
    pos,
    header: 'X-Forwarded-For',
    ifNone: false,
    ...over,
  });
  const none = () => false;

  it('frontend or backend; the backend header name wins; lower case', () => {
    assert.deepEqual(forwardedFor(forwardforRule(ff(), undefined), '192.0.2.7', none), [
      'x-forwarded-for',
      '192.0.2.7',
    ]);
    const rule = forwardforRule(ff({ header: 'X-Real-IP' }), ff());
    assert.deepEqual(forwardedFor(rule, '192.0.2.7', none), ['x-forwarded-for', '192.0.2.7']);
    assert.equal(forwardforRule(undefined, undefined), undefined);
  });

  it('except on either side; if-none only when every side says so', () => {
    const rule = forwardforRule(undefined, ff({ except: '127.0.0.0/8' }));
    assert.equal(forwardedFor(rule, '127.0.0.1', none), undefined);
    assert.deepEqual(forwardedFor(rule, '198.51.100.1', none), ['x-forwarded-for', '198.51.100.1']);
    const has = (n: string) => n === 'x-forwarded-for';
    assert.equal(
      forwardedFor(forwardforRule(ff({ ifNone: true }), ff({ ifNone: true })), '::1', has),
      undefined,
    );
    assert.deepEqual(forwardedFor(forwardforRule(ff({ ifNone: true }), ff()), '::1', has), [
      'x-forwarded-for',
      '::1',
    ]);
    assert.equal(forwardedFor(forwardforRule(ff(), undefined), 'unix', none), undefined);
  });
});

describe('HTTP fetches in use_backend conditions', () => {
  const acl = (name: string, criterion: string, ...values: string[]): Acl => ({
    pos,
    name,
    criterion,
    values,
  });
  const cond = (...names: string[]): Condition => ({
    pos,
    negate: false,
    terms: [names.map((name) => ({ name, negate: false }))],
  });
  const req = (
    method: string,
    url: string,
    headers: Record<string, string[]> = {},
  ): ConnectionFacts => ({
    src: () => '192.0.2.1',
    srcPort: () => 1,
    dst: () => '127.0.0.1',
    dstPort: () => 80,
    nbsrv: () => 1,
    http: { method, url, version: '1.1', header: (n) => headers[n] ?? [] },
  });
  const tcp: ConnectionFacts = {
    src: () => '192.0.2.1',
    srcPort: () => 1,
    dst: () => '127.0.0.1',
    dstPort: () => 80,
    nbsrv: () => 1,
  };

  const table: [string, Acl, ConnectionFacts, boolean][] = [
    ['path exact', acl('a', 'path', '/x'), req('GET', '/x?q=1'), true],
    ['path exact, other', acl('a', 'path', '/x'), req('GET', '/xy'), false],
    ['path_beg', acl('a', 'path_beg', '/api/', '/v2/'), req('GET', '/v2/pods'), true],
    ['path_end', acl('a', 'path_end', '.css'), req('GET', '/a/b.css'), true],
    ['path_reg', acl('a', 'path_reg', '^/u/[0-9]+$'), req('GET', '/u/42'), true],
    ['path_dir', acl('a', 'path_dir', 'api'), req('GET', '/v1/api/x'), true],
    ['url_beg keeps the query', acl('a', 'url_beg', '/x?q'), req('GET', '/x?q=1'), true],
    ['url_sub', acl('a', 'url_sub', 'q=1'), req('GET', '/x?q=1'), true],
    ['method', acl('a', 'method', 'POST'), req('POST', '/'), true],
    ['method -i', acl('a', 'method', '-i', 'post'), req('POST', '/'), true],
    [
      'hdr(host) -i',
      acl('a', 'hdr(host)', '-i', 'api.example'),
      req('GET', '/', { host: ['API.example'] }),
      true,
    ],
    [
      'hdr_beg',
      acl('a', 'hdr_beg(host)', 'api.'),
      req('GET', '/', { host: ['api.example'] }),
      true,
    ],
    [
      'hdr_dom',
      acl('a', 'hdr_dom(host)', 'example'),
      req('GET', '/', { host: ['www.example.org'] }),
      true,
    ],
    [
      'hdr_dom, no partial word',
      acl('a', 'hdr_dom(host)', 'exam'),
      req('GET', '/', { host: ['www.example.org'] }),
      false,
    ],
    [
      'hdr_sub',
      acl('a', 'hdr_sub(user-agent)', 'curl'),
      req('GET', '/', { 'user-agent': ['curl/7.88'] }),
      true,
    ],
    ['hdr splits commas', acl('a', 'hdr(x-a)', 'b'), req('GET', '/', { 'x-a': ['a, b'] }), true],
    // hdr_cnt and the other criteria that are sample expressions read the request through
    // its SampleScope, which these facts do not carry: sample-expressions.test.ts has them.
    [
      'req.hdr -m beg',
      acl('a', 'req.hdr(x-env)', '-m', 'beg', 'prod'),
      req('GET', '/', { 'x-env': ['production'] }),
      true,
    ],
    ['-m found', acl('a', 'req.hdr(x-env)', '-m', 'found'), req('GET', '/', {}), false],
    ['HTTP fetch on a TCP connection never matches', acl('a', 'path_beg', '/'), tcp, false],
  ];
  for (const [name, a, facts, want] of table) {
    it(name, () => {
      const c = compileCondition(cond('a'), [a]);
      assert.equal(c.test(facts), want);
      assert.deepEqual(c.unsupportedOnHttp, []);
      assert.deepEqual(c.unsupported, [a.criterion], 'not answerable on a TCP connection');
    });
  }

  it('predefined HTTP ACLs; unknown fetches are reported for HTTP too', () => {
    assert.equal(compileCondition(cond('METH_GET'), []).test(req('HEAD', '/')), true);
    assert.equal(compileCondition(cond('METH_POST'), []).test(req('GET', '/')), false);
    assert.equal(compileCondition(cond('HTTP_1.1'), []).test(req('GET', '/')), true);
    assert.equal(compileCondition(cond('HTTP'), []).test(tcp), false);
    const c = compileCondition(cond('x'), [acl('x', 'req.ssl_sni', 'a')]);
    assert.deepEqual(c.unsupportedOnHttp, ['req.ssl_sni']);
  });

  it('path of absolute-form targets', () => {
    assert.equal(pathOf('http://h.example:80/a/b?c'), '/a/b');
    assert.equal(pathOf('http://h.example'), '/');
    assert.equal(pathOf('/x'), '/x');
  });
});

describe('request line quoting (property)', () => {
  it('never leaves a quote or a control byte inside, and keeps printable text', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (s) => {
        const q = quoteRequestLine(s);
        const inner = q.slice(1, -1);
        assert.ok(q.startsWith('"') && q.endsWith('"'));
        assert.ok(!/["\x00-\x1f\x7f]/.test(inner));
        const plain = s.replace(/["#\x00-\x1f\x7f-\uffff]/g, '');
        assert.equal(inner.replace(/#[0-9A-F]{2}/g, ''), plain);
      }),
    );
  });
});
