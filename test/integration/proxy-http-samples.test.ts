// Differential test of sample expressions: fetches and converters in HTTP rules'
// log-format arguments (an `lf-string` reply, `set-header` on the forwarded request and the
// response), in ACL conditions (`{ EXPR -m str V }`, named ACLs, a map), read from
// requests with cookies, repeated headers, a query string and variables. The real HAProxy
// 2.6 and halo run one config (http-diff-harness.ts); each case compares the client's
// bytes, the heads the server got and the log lines, after checking HAProxy's own answer
// for the case's key value so that no case passes on an answer nobody expected. Map
// files are written to a temporary folder by the test. Expressions whose value changes
// per request (date, rand, ports) are not here; unit/sample-expressions.test.ts holds the
// table of measured values for more.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasHaproxy } from './haproxy-child.js';
import type { ConfigText, Differential, Outcome } from './http-diff-harness.js';
import { answerByPath, httpPreamble, startDifferential } from './http-diff-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'halo-http-samples-'));
const MAPS: Record<string, string> = {
  'hosts.map': '# hosts\nexample.com site\n.test dot-test\n',
  'ip.map': '10.0.0.0/8 ten\n127.0.0.0/8 loop\n127.0.0.0/24 loop24\n::1 six\n',
  'beg.map': '/api api\n/api/v1 v1\n',
  'int.map': '0:9 small\n10- big\n',
  'regm.map': '^(.+)_(.+)$ \\2_\\1\n',
  'strint.map': 'Yes_It 42\n',
};
for (const [name, text] of Object.entries(MAPS)) writeFileSync(join(dir, name), text);

/** Groups of expressions answered as `name=value` lines of one lf-string reply. */
const GROUPS: Record<string, readonly string[]> = {
  arith: [
    'int(-5),add(-3)',
    'int(5),sub(7)',
    'int(9223372036854775807),add(1)',
    'int(7),div(0)',
    'int(-7),mod(2)',
    'int(-3),mul(9223372036854775807)',
    'int(5),neg',
    'int(12),and(10)',
    'int(12),or(3)',
    'int(12),xor(5)',
    'int(1),cpl',
    'int(3),odd',
    'int(3),even',
    'int(0),not',
    'int(9),bool',
    'str(12abc),add(1)',
    'str(+5),add(1)',
    'var(txn.n),mul(txn.n)',
    'int(5),add(txn.n)',
  ],
  strings: [
    'str(f1_f2_f3__f5),field(2,_,0)',
    'str(f1_f2_f3__f5),field(-2,_,3)',
    'str(f1_f2_f3__f5),word(3,_,2)',
    'str(f1_f2_f3__f5),word(-3,_,0)',
    'str(a_b),field(3,_)',
    'str(abcdef),bytes(2,3)',
    'str(abc),bytes(5)',
    'str(xxabxx),ltrim(x),rtrim(x)',
    'str(a),concat(<,txn.a,>)',
    'str(a),add_item(-,txn.a,s)',
    'str(abc),strcmp(txn.abd)',
    'str(ab),strcmp(txn.abc)',
    'str(Abc),upper,lower',
    "str(Abc),regsub('([a-z]+)',<\\1>,g)",
    'str(a.b.c),regsub(\\.,-)',
    'str(abc),regsub(x*,-,g)',
    'str(abc),length',
    'str(abc),iif(y,n)',
    'int(2),iif(y,n)',
    "str('a/b\\\\c'),json",
    'str(\\xc3\\xa9\\xe0),json(utf8s)',
    'str(\\xc3\\xa9),json',
    'str(a b=c&d),url_enc',
    'str(a%20b+c?d+e),url_dec',
  ],
  encodings: [
    'str(abc),crc32',
    'str(abc),crc32(1)',
    'str(abc),crc32c',
    'str(abc),djb2(1)',
    'str(abc),sdbm',
    'str(abc),wt6',
    'str(abc),xxh32(1)',
    'str(abc),xxh64',
    'str(abc),sha1,hex',
    'str(abc),sha2(384),base64',
    'str(abc),digest(md5),hex,lower',
    'str(abc),hmac(sha256,a2V5),hex',
    'str(YWJj),b64dec',
    'str(abc),ub64enc',
    'str(6A),hex2i',
    'int(258),htonl,hex',
    'str(abcdefg),be2dec(-,3)',
    'str(abcdefg),be2hex(:,2,1)',
    'ipv6(::ffff:10.1.2.3),ipmask(24)',
    'ipv6(2001:db8:c001:c01a:ffff:ffff:10:ffff),ipmask(24,64)',
    'str(1.2.3.4:80),ipmask(16)',
    'bool(true),hex',
    'meth(PATCH)',
  ],
  request: [
    'req.cook(a)',
    'req.cook',
    'cook(c)',
    'req.cook_cnt',
    'req.cook_val(n)',
    'url_param(x)',
    'urlp(z)',
    'url_param(x,&)',
    'urlp_val(n)',
    'hdr(x-list)',
    'hdr(x-list,2)',
    'hdr(x-list,-2)',
    'hdr_cnt(x-list)',
    'req.fhdr(x-list,1)',
    'req.fhdr_cnt(x-list)',
    'hdr(x-q)',
    'hdr_ip(x-ip)',
    'hdr_ip(x-ip,1),ipmask(24)',
    'req.hdr_ip(x-ip6)',
    'hdr_val(x-num)',
    'hdr(connection)',
    'hdr_cnt',
    'method',
    'src,ipmask(8)',
    'var(txn.ip)',
    'var(txn.none,dflt)',
    'http_first_req',
    'env(HALO_SAMPLES_NOPE)',
  ],
  maps: [
    `hdr(host),lower,map_dom(${dir}/hosts.map,none)`,
    `str(www.example.com),map_dom(${dir}/hosts.map)`,
    `str(a.test),map_end(${dir}/hosts.map)`,
    `src,map_ip(${dir}/ip.map)`,
    `ipv6(::1),map_ip(${dir}/ip.map)`,
    `str(10.9.9.9),map_ip(${dir}/ip.map)`,
    `path,map_beg(${dir}/beg.map,root)`,
    `str(/api/v1/x),map_beg(${dir}/beg.map)`,
    `int(15),map_int(${dir}/int.map)`,
    `str(Yes_It),map_regm(${dir}/regm.map)`,
    `str(Yes_It),map_str_int(${dir}/strint.map),add(1)`,
    `str(no),map_str_int(${dir}/strint.map,-1)`,
  ],
  dates: [
    'int(1700000000),utime(%a %d %b %Y %T %j %U %W %G-W%V-%u)',
    'int(1700000000),ltime(%F %T %z %c)',
    'int(1700000000),utime(%F,-86400)',
    'int(-1),utime(%F %T)',
    'int(1700000000123),http_date(0,ms)',
    'int(1700000000),http_date(3600)',
  ],
  // What HTTP actions do to control bytes (%XX), and a binary value cut at its NUL.
  bytes: [
    'str(a%01b%0ac),url_dec',
    'str(a%00b),url_dec',
    'str(a%7fb),url_dec,length',
    'str(ab),sha1,bytes(0,6),hex',
    'str(YQBi),b64dec',
    'int(10),htonl',
  ],
};

/** Anonymous ACLs, each adding a header to the forwarded request when it matches. */
const ACLS: readonly string[] = [
  'hdr(host),lower -m str test.example.com',
  'hdr(host) test.example.com',
  'hdr(host) -i test.example.com',
  'hdr(x-list),upper -m str B',
  'hdr_cnt(x-list) gt 3',
  'hdr_cnt(x-list) 1:3',
  'req.cook(a) 1',
  'cook_beg(b) tw',
  'req.cook_cnt(a) eq 2',
  'url_param(x) 4',
  'urlp(z) -m int 3',
  'str(f5),strcmp(txn.f5) eq 0',
  'str(f4),strcmp(txn.f5) lt 0',
  'hdr_ip(x-ip) 5.6.7.0/24',
  'req.hdr_ip(x-ip6) 2001:db8::/32',
  'src,ipmask(24) 127.0.0.0',
  'src,ipmask(24) -m beg 127.0',
  'hdr(x-nope),lower -m found',
  'int(2) -m bool',
  'str(/a/b/c) -m dir b/c',
  'str(www.example.com) -m dom example.com',
  'str(abc) -m reg -i ^A',
  'var(txn.n) -m int 7',
  'str(abc),hex -m bin 616263',
  `hdr(host),lower,map_dom(${dir}/hosts.map) -m str site`,
];

const SET_VARS = `    http-request set-var(txn.a) str(A)
    http-request set-var(txn.abc) str(abc)
    http-request set-var(txn.abd) str(abd)
    http-request set-var(txn.n) int(7)
    http-request set-var(txn.f5) str(f5)
    http-request set-var(txn.ip) src,ipmask(16)`;

const lf = (exprs: readonly string[]) => exprs.map((e, i) => `${i}=%[${e}]`).join('\\n');

const config: ConfigText = (ports, backend, syslog, sock) => `${httpPreamble(syslog, sock)}
    timeout connect 500ms
    timeout client 5s
    timeout server 2s
frontend fe_lf
    bind 127.0.0.1:${ports.lf}
${SET_VARS}
${Object.entries(GROUPS)
  .map(
    ([g, exprs]) =>
      `    http-request return status 200 content-type text/plain lf-string "${lf(exprs)}\\n" if { path_beg /${g} }`,
  )
  .join('\n')}
    default_backend be
frontend fe_hdr
    bind 127.0.0.1:${ports.hdr}
${SET_VARS}
    acl site hdr(host),lower,map_dom(${dir}/hosts.map) -m str site
    acl lang req.cook(lang) -m beg en
    http-request set-header X-Cookie "%[req.cook(a)]"
    http-request set-header X-Site "%[hdr(host),lower,map_dom(${dir}/hosts.map,none)]"
    http-request set-header X-Net "%[src,ipmask(24)]"
    http-request set-header X-Ctl "%[str(a%01b),url_dec]"
    http-request set-header X-Json "%[str(\\xe9\\xc3\\xa9),json(utf8s)]"
    http-request set-header X-Sum "%[var(txn.n),add(35),mul(2)]"
    http-request set-header X-Named yes if site !lang
    http-request set-header X-Lang en if lang
${ACLS.map((a, i) => `    http-request add-header X-Acl-${i} yes if { ${a} }`).join('\n')}
    http-response set-header X-Res "%[res.hdr(content-type),lower,field(1,/)]"
    http-response set-header X-Res-Cnt "%[res.hdr_cnt,mul(10)]"
    http-response set-header X-Res-Acl yes if { res.hdr(content-type),lower -m beg text }
    http-response set-header X-Srv "%[srv_name]"
    default_backend be
backend be
    server s1 127.0.0.1:${backend}
`;

const NAMES = ['lf', 'hdr'] as const;

const HEADERS =
  'Cookie: a=1; b = two ; a=3\r\nCookie: c="x;y", n=42, lang=en-GB\r\nCookie: $Version=1; q\r\n' +
  'X-List: a, b,c\r\nX-List: d\r\nX-IP: 1.2.3.4:80\r\nX-IP: 5.6.7.8\r\nX-IP6: 2001:db8::1\r\n' +
  'X-Num: 12abc\r\nX-Q: "a,b", c\r\n';

const get = (target: string, host = 'Test.example.com') =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${HEADERS}\r\n`;

/**
 * The same with its cookies on one line, for the forwarded cases: halo sends repeated
 * Cookie lines to the server joined into one (node's http client does), HAProxy as they came.
 */
const forwarded = (target: string, host?: string) =>
  get(target, host).replace(
    /\r\nCookie: ([^\r]*)\r\nCookie: ([^\r]*)\r\nCookie: ([^\r]*)/,
    '\r\nCookie: $1; $2; $3',
  );

interface SampleCase {
  readonly name: string;
  readonly port: (typeof NAMES)[number];
  readonly request: string;
  /** What HAProxy's reply (lf) or the head the server got (hdr) must show. */
  readonly expect: RegExp;
}

const CASES: readonly SampleCase[] = [
  ...Object.entries(GROUPS).map(([g]) => ({
    name: `lf-string: ${g}`,
    port: 'lf' as const,
    request: get(`/${g}?x=1&y=&z=3;x=4&n=77`),
    expect: /\r\n\r\n0=/,
  })),
  {
    name: 'set-header and ACLs on the forwarded request, response rules',
    port: 'hdr',
    request: forwarded('/p?x=1&y=&z=3;x=4&n=77'),
    expect: /\r\nx-site: site\r\n/,
  },
  {
    name: 'a host the map does not know: named ACLs on a map and a cookie',
    port: 'hdr',
    request: forwarded('/api', 'WWW.Example.org').replace('lang=en-GB', 'lang=fr'),
    expect: /\r\nx-site: none\r\n/,
  },
];

/** How long a case waits for the reply when nobody closes (ms). */
const WAIT = 1500;

describe('sample expressions: halo against the real HAProxy 2.6', {
  skip: !hasHaproxy && 'no haproxy',
}, () => {
  let d: Differential;

  before(async () => {
    d = await startDifferential({
      names: NAMES,
      config,
      answer: answerByPath({}),
      keepHaloError: true,
    });
  });

  after(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('halo starts on the config', () => {
    const refused = (d.haloError as { actual?: unknown } | undefined)?.actual;
    const lines = Array.isArray(refused)
      ? refused.map((x: { line?: number; message?: string }) => `line ${x.line}: ${x.message}`)
      : [];
    assert.equal(d.haloError, undefined, lines.join('\n') || d.haloError?.message);
  });

  for (const k of CASES) {
    it(k.name, async () => {
      const hap = await d.run(d.hap, k.port, [k.request], WAIT);
      const seen = (o: Outcome) => (k.port === 'lf' ? o.reply : `${o.heads.join('')}\n${o.reply}`);
      assert.match(hap.reply, /^HTTP\/1\.1 200 /, 'HAProxy answered 200');
      assert.match(seen(hap), k.expect, "HAProxy's key value");
      if (d.haloError)
        assert.fail("halo did not start on the config (see 'halo starts on the config')");
      const halo = await d.run(d.halo, k.port, [k.request], WAIT, hap.logs.length);
      assert.equal(halo.reply, hap.reply, 'client reply');
      assert.deepEqual(halo.heads, hap.heads, 'request heads seen by the server');
      assert.deepEqual(halo.logs, hap.logs, 'log lines');
    });
  }
});
