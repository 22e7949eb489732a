// HAProxy 2.6's converters and fetches as halo evaluates them, table-driven: each row is
// an expression and the value HAProxy 2.6.12 wrote for it in `lf-string "%[EXPR]"`
// (measured with the real binary; integration/proxy-http-samples.test.ts compares the two
// on the wire). Rows with constant inputs first, then rows reading a request with
// headers, cookies, a query string and variables.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { parseLogFormat, parseSampleExpr } from '../../src/config/haproxy/log-format.js';
import { compileCondition } from '../../src/proxy/acl.js';
import { HeaderList, RequestHead, VarStore } from '../../src/proxy/http/http-head.js';
import { headFacts } from '../../src/proxy/http/messages.js';
import type { SampleScope } from '../../src/proxy/http/samples.js';
import { evalFormat, sampleOf, unevaluated } from '../../src/proxy/http/samples.js';
import { stickKey } from '../../src/proxy/sample/sample.js';

const dir = mkdtempSync(join(tmpdir(), 'halo-samples-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const MAPS: Record<string, string> = {
  'ip.map':
    '10.0.0.0/8 ten\n10.1.0.0/16 ten-one\n192.168.0.0/255.255.0.0 lan\n2001:db8::/32 doc6\n',
  'beg.map': '/api beg-api\n/api/v1 beg-v1\n',
  'dom.map': 'example.com dom\n.b end-b\n',
  'dir.map': 'b dir-b\n',
  'sub.map': 'y sub-y\nx sub-x\n',
  'str.map': '# comment\n  abc   value with  spaces  \ndup first\ndup second\n\n',
  'int2.map': '10:20 tens\n100- hundreds\n-0 nonpos\n7 seven\n',
  'strint.map': 'abc 12\n',
  'strip.map': 'abc 10.9.8.7\n',
  'regm.map': '^(.+)_(.+)$ \\2_\\1\n',
  'reg2.map': '[0-9]+$ digits\n^f first-f\n',
};
for (const [name, text] of Object.entries(MAPS)) writeFileSync(join(dir, name), text);
const files = {
  read: (p: string) => {
    try {
      return readFileSync(p);
    } catch {
      return undefined;
    }
  },
};

/** A request as the measurements sent it, variables set as their `set-var` lines did. */
function scope(path: string, headers: [string, string][] = []): SampleScope {
  const req = new RequestHead(
    'GET',
    path,
    '1.1',
    new HeaderList([['host', 'Test.example.com'], ...headers]),
  );
  req.vars = new VarStore(new Map(), new Map());
  return {
    conn: { clientIp: '127.0.0.1', clientPort: 53364, localIp: '127.0.0.1', localPort: 8080 },
    ssl: undefined,
    req,
    frontend: 'fe',
    frontendTls: false,
    backend: 'fe',
  };
}

function value(expr: string, s: SampleScope): string {
  const f = parseLogFormat(`%[${expr.replaceAll('/tmp/hx/', `${dir}/`)}]`, files);
  assert.ok(Array.isArray(f), `parses: ${String(f)}`);
  assert.deepEqual(unevaluated(f), [], 'halo evaluates every step');
  return evalFormat(f, s);
}

/** Expressions on constants: `str()`, `int()`, `ipv4()`..., then converters. */
const CONSTANT: readonly [string, string][] = [
  ['int(-1),add(-1)', '9223372036854775807'],
  ['int(5),add(-7)', '-2'],
  ['int(9223372036854775807),add(1)', '9223372036854775807'],
  ['int(-9223372036854775808),add(-1)', '-9223372036854775808'],
  ['int(-9223372036854775808),sub(1)', '-9223372036854775808'],
  ['int(3),sub(-9223372036854775808)', '9223372036854775807'],
  ['int(7),div(0)', '9223372036854775807'],
  ['int(7),mod(0)', '0'],
  ['int(-7),div(2)', '-3'],
  ['int(-7),mod(2)', '-1'],
  ['int(9223372036854775807),mul(2)', '9223372036854775807'],
  ['int(-3),mul(9223372036854775807)', '-9223372036854775808'],
  ['str(12abc),add(1)', '13'],
  ['str(abc),add(1)', '1'],
  ['str(-12),neg', '12'],
  ['str( 5),add(1)', '1'],
  ['str(+5),add(1)', '6'],
  ['int(1),cpl', '-2'],
  ['int(3),bool', '1'],
  ['int(3),not', '0'],
  ['int(3),odd', '1'],
  ['int(3),even', '0'],
  ['str(abc),crc32', '891568578'],
  ['str(abc),crc32(1)', '930845320'],
  ['str(abc),djb2', '193485963'],
  ['str(abc),sdbm', '807794786'],
  ['str(abc),wt6', '2483038440'],
  ['str(abc),xxh32', '852579327'],
  ['str(abc),xxh64', '4952883123889572249'],
  ['str(abc),xxh64(1)', '-4708009277469325048'],
  ['str(abc),crc32c', '910901175'],
  ['str(abc),sha1,hex', 'A9993E364706816ABA3E25717850C26C9CD0D89D'],
  ['int(258),htonl,hex', '00000102'],
  ['str(abc),bytes(1)', 'bc'],
  ['str(abc),bytes(1,1)', 'b'],
  ['str(abc),bytes(5)', ''],
  ['int(1),hex', '0000000000000001'],
  ['always_true,hex', '0000000000000001'],
  ['str(1.2.3.4),ipmask(24)', '1.2.3.0'],
  ['ipv6(::ffff:1.2.3.4),ipmask(24)', '1.2.3.0'],
  ['ipv6(2001:db8::1),ipmask(24)', ''],
  ['ipv6(2001:db8::1),ipmask(24,32)', '2001:db8::'],
  ['str(aXbXc),regsub(X,Y)', 'aYbXc'],
  ['str(aXbXc),regsub(X,Y,g)', 'aYbYc'],
  ['str(abc),regsub(x*,-,g)', '-a-b-c-'],
  ['ipv6(::2)', '::2'],
  ['ipv6(::1.2.3.4)', '::1.2.3.4'],
  ['ipv6(::ffff:1.2.3.4)', '::ffff:1.2.3.4'],
  ['ipv6(1:0:0:2:0:0:0:3)', '1:0:0:2::3'],
  ['ipv6(1:0:2:0:3:0:4:0)', '1:0:2:0:3:0:4:0'],
  ['ipv6(0:0:1:0:0:1:0:0)', '::1:0:0:1:0:0'],
  ['ipv6(::)', '::'],
  ['ipv6(1::)', '1::'],
  ['ipv6(ABCD::EF)', 'abcd::ef'],
  ['ipv6(::ffff:0:1.2.3.4)', '::ffff:0:102:304'],
  ['str(1.2.3.4abc),ipmask(32)', '1.2.3.4'],
  ['str(1.2.3.4:80),ipmask(32)', '1.2.3.4'],
  ['str(1.2.3),ipmask(32)', ''],
  ['str(::1),ipmask(32,128)', '::1'],
  ['str(001.2.3.4),ipmask(32)', '1.2.3.4'],
  ['str(1.2.3.04),ipmask(32)', '1.2.3.4'],
  ['int(16909060),ipmask(32)', '1.2.3.4'],
  ['int(-1),ipmask(32)', '255.255.255.255'],
  ['str(abc),length', '3'],
  ['str(),length', '0'],
  ['str(abc),base64', 'YWJj'],
  ['str(abc),hex', '616263'],
  ['str(abc),upper', 'ABC'],
  ['int(10),hex', '000000000000000A'],
  ['int(10),base64', 'AAAAAAAAAAo='],
  ['int(10),length', '2'],
  ['int(-10),length', '3'],
  ['str(abc),be2hex', '616263'],
  ['str(abcdefg),be2dec(-,3)', '6382179-6579558-103'],
  ['str(abcdefg),be2dec(-,3,1)', '6382179-6579558'],
  ['str(abcdefg),be2hex(-,3,1)', '616263-646566'],
  ['str(6A),hex2i', '106'],
  ['str(zz),hex2i', ''],
  ['str(YWJj),b64dec', 'abc'],
  ['str(YWJ),b64dec', ''],
  ['str(YWJj!),b64dec', ''],
  ['str(abc),ub64enc', 'YWJj'],
  ['str(YWJj),ub64dec', 'abc'],
  ['str(a?b),ub64enc', 'YT9i'],
  ['str(abc),iif(y,n)', 'n'],
  ['always_false,iif(y,n)', 'n'],
  ['int(0),iif(y,n)', 'n'],
  ['str(),iif(y,n)', ''],
  ['str(a),add_item(-,,s)', 'a-s'],
  ['str(),add_item(-,,s)', 's'],
  ['str(a b),url_enc', 'a%20b'],
  ['str(a%20b+c),url_dec', 'a b+c'],
  ['str(a%20b+c),url_dec(1)', 'a b c'],
  ['str(a%2),url_dec', ''],
  ['str(a%zzb),url_dec', ''],
  ['str(a b=c&d),url_enc(query)', 'a%20b%3Dc%26d'],
  ['str(  ab  ),ltrim( )', 'ab  '],
  ['str(  ab  ),rtrim( )', '  ab'],
  ['str(xxabxx),ltrim(x),rtrim(x)', 'ab'],
  ['str(ab),cut_crlf', 'ab'],
  ['bool(true)', '1'],
  ['bool(0)', '0'],
  ['ipv4(1.2.3.4)', '1.2.3.4'],
  ['bin(414243)', 'ABC'],
  ['meth(GET)', 'GET'],
  ['meth(FOO)', 'FOO'],
  ['str(f1_f2_f3__f5),field(-2,_,3)', 'f2_f3_'],
  ['str(f1_f2_f3__f5),word(-2,_,3)', 'f1_f2_f3'],
  ['str(a_b),field(3,_)', ''],
  ['str(a_b),word(3,_)', ''],
  ['str(a_b),field(-3,_)', ''],
  ['str(f1_f2_f3__f5),field(2,_,0)', 'f2_f3__f5'],
  ['str(f1_f2_f3__f5),field(4,_)', ''],
  ['str(f1_f2_f3__f5),word(3,_,2)', 'f3__f5'],
  ['str(f1_f2_f3__f5),word(-3,_,0)', 'f1_f2'],
  ['str(f1_f2_f3__f5),field(-3,_,0)', 'f1_f2_f3'],
  ['str(/a/b),field(1,/)', ''],
  ['str(/a/b),word(1,/)', 'a'],
  ['str(abc),bytes(1,0)', ''],
  ['str(abcdef),be2hex(:,2)', '6162:6364:6566'],
  ['str(ab),be2hex(:,2,1)', '6162'],
  ['str(abc),be2dec(.,2,1)', '24930'],
  ['str(abc),base64,b64dec', 'abc'],
  ['str(YQ==YQ==),b64dec', 'aa'],
  ['str(X===),b64dec,length', '0'],
  ['str(YQ),ub64dec', 'a'],
  ['str(YQ=),ub64dec,hex', '610F'],
  ['int(4294967297),htonl,hex', '00000001'],
  ['int(-1),xxh32', '3246573273'],
  ['str(abc),xxh32(-1)', '2989167648'],
  ['str(abcdefghijklmnopqrstuvwxyz0123456789ABCDEF),xxh32', '4175499653'],
  ['str(abcdefghijklmnopqrstuvwxyz0123456789ABCDEF),xxh64', '1539807644204849525'],
  ['str(abcdefghijklmnopqrstuvwxyz0123456789ABCDEF),wt6', '3764726354'],
  ['str(abcdefghijklmnopqrstuvwxyz0123456789ABCDEF),sdbm(1)', '1309481972'],
  ['str(abcdefghijklmnopqrstuvwxyz0123456789ABCDEF),djb2(1)', '2893950382'],
  [
    'str(abc),sha2(512),hex',
    'DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F',
  ],
  ['str(abc),digest(md5),hex', '900150983CD24FB0D6963F7D28E17F72'],
  [
    'str(abc),hmac(sha256,a2V5),hex',
    '9C196E32DC0175F86F4B1CB89289D6619DE6BEE699E4C378E68309ED97A1A6AB',
  ],
  ['int(3),mul(-4)', '-12'],
  ['int(-7),mod(-2)', '-1'],
  ['int(9),and(3)', '1'],
  ['int(9),or(6)', '15'],
  ['int(9),xor(3)', '10'],
  ['int(0),neg', '0'],
  ['str(0x10),add(0)', '0'],
  ['ipv4(1.2.3.4),add(0)', '16909060'],
  ['ipv4(1.2.3.4),hex', '01020304'],
  ['ipv6(::1),hex', '00000000000000000000000000000001'],
  ['bool(1),add(1)', '2'],
  ['meth(GET),hex', '474554'],
  ['str(5),iif(y,n)', 'y'],
  ['str(-1),bool', '1'],
  ['str(a;b),url_enc', 'a%3Bb'],
  ['str(%41%4a),url_dec', 'AJ'],
  ['str(a+b?c+d),url_dec', 'a+b?c d'],
  ['str(aAbB),lower,upper', 'AABB'],
  ['str(a\\r\\nb),cut_crlf', 'a'],
  ['str(xxa b x),ltrim(x ),rtrim(x)', 'a b '],
  ['str(abcdefghijklmnopqrstuvwxyz0123456789ABCDEF),djb2', '3899098310'],
  ['str(abc),djb2(1)', '2235766107'],
  ['str(abcdefghi),djb2', '1004377394'],
  ['str(abcdefgh),djb2', '1722392489'],
];

describe('converters on constant samples, as HAProxy 2.6.12 computed them', () => {
  for (const [expr, want] of CONSTANT) it(expr, () => assert.equal(value(expr, scope('/0')), want));
});

const HEADERS: [string, string][] = [
  ['cookie', 'a=1; b = two ; a=3'],
  ['cookie', 'c="x;y", n=42'],
  ['cookie', '$Version=1; q'],
  ['x-list', 'a, b,c'],
  ['x-list', 'd'],
  ['x-ip', '1.2.3.4:80'],
  ['x-ip', '5.6.7.8'],
  ['x-ip6', '2001:db8::1'],
  ['x-num', '12abc'],
  ['x-q', '"a,b", c'],
  ['x-empty', ''],
  ['x-trail', 'a,'],
];

const SET_VARS: [string, string][] = [
  ['txn.a', 'str(A)'],
  ['txn.abc', 'str(abc)'],
  ['txn.abd', 'str(abd)'],
  ['txn.ab', 'str(ab)'],
  ['txn.n', 'int(7)'],
  ['txn.ip', 'src'],
  ['txn.bin', 'str(ab),sha1,bytes(0,4)'],
];

/** Expressions on `GET /p?x=1&y=&z=3;x=4&n=77` with HEADERS, variables set by SET_VARS. */
const ON_REQUEST: readonly [string, string][] = [
  ['hdr', ''],
  ['req.fhdr', ''],
  ['hdr_val', ''],
  ['hdr_ip', ''],
  ['hdr_cnt()', '18'],
  ['req.cook()', '1'],
  ['url_param()', '1'],
  ['req.cook(a)', '3'],
  ['req.cook(b)', 'two'],
  ['cook(c)', '"x;y"'],
  ['req.cook', '1'],
  ['req.cook_cnt(a)', '2'],
  ['req.cook_cnt', '5'],
  ['req.cook_val(n)', '42'],
  ['cook(q)', ''],
  ['url_param(x)', '1'],
  ['url_param(y)', ''],
  ['urlp(z)', '3'],
  ['url_param', '1'],
  ['urlp_val(n)', '77'],
  ['url_param(x,&)', '4'],
  ['hdr(x-list)', 'd'],
  ['hdr(x-list,1)', 'a'],
  ['hdr(x-list,2)', 'b'],
  ['hdr(x-list,-2)', 'c'],
  ['hdr_cnt(x-list)', '4'],
  ['req.fhdr(x-list)', 'd'],
  ['req.fhdr_cnt(x-list)', '2'],
  ['hdr_cnt', '18'],
  ['hdr_ip(x-ip)', '5.6.7.8'],
  ['hdr_ip(x-ip,1)', '1.2.3.4'],
  ['req.hdr_ip(x-ip6)', '2001:db8::1'],
  ['hdr_val(x-num)', '12'],
  ['hdr(x-q)', 'c'],
  ['hdr_cnt(x-q)', '2'],
  ['hdr(x-empty)', ''],
  ['hdr_cnt(x-empty)', '1'],
  ['hdr(x-trail)', ''],
  ['hdr_cnt(x-trail)', '2'],
  ['hdr()', ''],
  ['method', 'GET'],
  ['method,lower', 'get'],
  ['base', 'Test.example.com/p'],
  ['str(a),concat(<,txn.a,>)', 'a<A>'],
  ['str(a),concat(,txn.nope,)', 'a'],
  ['str(abc),strcmp(txn.abd)', '-1'],
  ['str(abd),strcmp(txn.abc)', '1'],
  ['str(ab),strcmp(txn.abc)', '-1'],
  ['str(abc),strcmp(txn.ab)', '1'],
  ['int(5),add(txn.n)', '12'],
  ['int(5),sub(txn.n)', '-2'],
  ['int(-5),sub(3)', '9223372036854775807'],
  ['var(txn.n),add(1)', '8'],
  ['var(txn.ip),ipmask(16)', '127.0.0.0'],
  ['var(txn.bin),hex', 'DA23614E'],
  ['var(txn.nope,dflt)', 'dflt'],
  ["str(Abc),regsub('([a-z]+)',<\\1>,g)", 'A<bc>'],
  ['str(a.b.c),regsub(\\.,-,g)', 'a-b-c'],
  ['str(ABC),regsub(b,x,i)', 'AxC'],
  ['str(abc),regsub(^,x,g)', 'xabc'],
  ['str(abc),regsub(c$,x,g)', 'abx'],
  ['str(a b),url_enc', 'a%20b'],
  ['str(a%00b),url_dec', 'a%00b'],
  ['str(a%00b),url_dec,length', '3'],
  ['str(a%01b),url_dec', 'a%01b'],
  ['str(a%0ab),url_dec', 'a%0Ab'],
  ['str(x),concat(a%00b)', 'xa%00b'],
  ['src,ipmask(24),hex', '7F000000'],
  ['ipv6(::1),ipmask(24,64)', '::'],
  ['ipv4(10.1.2.3),map_ip(/tmp/hx/ip.map)', 'ten-one'],
  ['ipv4(10.2.2.3),map_ip(/tmp/hx/ip.map)', 'ten'],
  ['ipv4(192.168.1.5),map_ip(/tmp/hx/ip.map)', 'lan'],
  ['ipv4(1.1.1.1),map_ip(/tmp/hx/ip.map,none)', 'none'],
  ['ipv6(::ffff:10.1.2.3),map_ip(/tmp/hx/ip.map)', 'ten-one'],
  ['ipv6(2001:db8::5),map_ip(/tmp/hx/ip.map)', 'doc6'],
  ['str(10.1.2.3),map_ip(/tmp/hx/ip.map)', 'ten-one'],
  ['str(/api/v1/x),map_beg(/tmp/hx/beg.map)', 'beg-v1'],
  ['str(/api/v2/x),map_beg(/tmp/hx/beg.map)', 'beg-api'],
  ['str(/apix),map_beg(/tmp/hx/beg.map)', 'beg-api'],
  ['str(www.example.com),map_dom(/tmp/hx/dom.map)', 'dom'],
  ['str(example.com),map_dom(/tmp/hx/dom.map)', 'dom'],
  ['str(notexample.com),map_dom(/tmp/hx/dom.map)', ''],
  ['str(/a/b/c),map_dir(/tmp/hx/dir.map)', 'dir-b'],
  ['str(a.b),map_end(/tmp/hx/dom.map)', 'end-b'],
  ['str(xyz),map_sub(/tmp/hx/sub.map)', 'sub-y'],
  ['str(abc),map(/tmp/hx/str.map)', 'value with  spaces'],
  ['str(abc),map_str(/tmp/hx/str.map)', 'value with  spaces'],
  ['str(dup),map(/tmp/hx/str.map)', 'first'],
  ['str(nope),map(/tmp/hx/str.map,dflt)', 'dflt'],
  ['str(nope),map(/tmp/hx/str.map)', ''],
  ['int(15),map_int(/tmp/hx/int2.map)', 'tens'],
  ['int(150),map_int(/tmp/hx/int2.map)', 'hundreds'],
  ['int(-3),map_int(/tmp/hx/int2.map)', 'nonpos'],
  ['str(7),map_int(/tmp/hx/int2.map)', 'seven'],
  ['str(abc),map_str_int(/tmp/hx/strint.map)', '12'],
  ['str(abc),map_str_int(/tmp/hx/strint.map),add(1)', '13'],
  ['str(zz),map_str_int(/tmp/hx/strint.map,42)', '42'],
  ['str(abc),map_str_ip(/tmp/hx/strip.map)', '10.9.8.7'],
  ['str(zz),map_str_ip(/tmp/hx/strip.map,::1)', '::1'],
  ['str(Yes_It),map_regm(/tmp/hx/regm.map)', 'It_Yes'],
  ['str(foo123),map_reg(/tmp/hx/reg2.map)', 'digits'],
  ['str(foo),map_reg(/tmp/hx/reg2.map)', 'first-f'],
];

describe('fetches and converters on a request, as HAProxy 2.6.12 computed them', () => {
  const s = scope('/p?x=1&y=&z=3;x=4&n=77', HEADERS);
  for (const [name, text] of SET_VARS) {
    const e = parseSampleExpr(text);
    assert.ok(typeof e !== 'string');
    const v = sampleOf(e, s);
    if (v) s.req.vars!.set(name, v);
  }
  for (const [expr, want] of ON_REQUEST) it(expr, () => assert.equal(value(expr, s), want));
});

/** Anonymous ACLs `{ CRITERION VALUES }` on the same request: whether HAProxy matched. */
const ACLS: readonly [string, boolean][] = [
  ['hdr(host),lower -m str test.example.com', true],
  ['hdr(host),lower test.example.com', true],
  ['hdr(host) test.example.com', false],
  ['hdr(host) -i test.example.com', true],
  ['hdr(x-list),upper -m str B', true],
  ['hdr(x-list),upper -m str Z', false],
  ['hdr_cnt(x-list) 4', true],
  ['hdr_cnt(x-list) gt 3', true],
  ['hdr_cnt(x-list) 1:3', false],
  ['req.cook(a) 1', true],
  ['req.cook(a) 3', true],
  ['cook_beg(b) tw', true],
  ['cook_sub(c) ;', true],
  ['req.cook_cnt(a) eq 2', true],
  ['url_param(x) 4', true],
  ['url_param(x) 1', true],
  ['urlp(z) -m int 3', true],
  ['urlp_beg(z) 3', true],
  ['str(f5),strcmp(txn.f5) eq 0', true],
  ['str(f5),strcmp(txn.f5) 0', true],
  ['str(f4),strcmp(txn.f5) lt 0', true],
  ['hdr_ip(x-ip) 5.6.7.0/24', true],
  ['hdr_ip(x-ip) 1.2.3.4', true],
  ['hdr_ip(x-ip) 9.9.9.9', false],
  ['req.hdr_ip(x-ip6) 2001:db8::/32', true],
  ['src,ipmask(24) 127.0.0.0', true],
  ['src,ipmask(24) -m str 127.0.0.0', true],
  ['src,ipmask(24) -m beg 127.0', true],
  ['hdr_val(x-num) 12', true],
  ['hdr(x-list) -m found', true],
  ['hdr(x-nope) -m found', false],
  ['hdr(x-nope),lower -m found', false],
  ['str(abc),length 3', true],
  ['int(0),bool', false],
  ['int(2),bool', true],
  ['int(2) -m bool', true],
  ['str(/a/b/c) -m dir b/c', true],
  ['str(www.example.com) -m dom example.com', true],
  ['str(abc) -m reg ^a.c$', true],
  ['str(abc) -m reg -i ^A', true],
  ['str(abc) -i -m reg ^A', true],
  ['str(abc) -m len 3', true],
  ['str(abc) -m sub x b', true],
  ['var(txn.f5) -m str f5', true],
  ['var(txn.n) -m int 7', true],
  ['str(abc),crc32 891568578', true],
  ['str(abc),hex 616263', true],
  ['str(abc),hex -m bin 616263', false],
  ['str(abc) -m bin 616263', true],
];

describe('ACL criteria on sample expressions, as HAProxy 2.6.12 matched them', () => {
  const s = scope('/p?x=1&y=&z=3;x=4&n=77', HEADERS);
  for (const [name, text] of [...SET_VARS, ['txn.f5', 'str(f5)'] as [string, string]]) {
    const e = parseSampleExpr(text);
    assert.ok(typeof e !== 'string');
    const v = sampleOf(e, s);
    if (v) s.req.vars!.set(name, v);
  }
  const facts = headFacts(
    s.conn,
    s.req,
    () => -1,
    undefined,
    () => s,
  );
  for (const [acl, want] of ACLS)
    it(acl, () => {
      const c = compileCondition(
        {
          pos: { file: 't', line: 1 },
          negate: false,
          terms: [[{ name: `{ ${acl} }`, negate: false }]],
        },
        [],
      );
      assert.deepEqual(c.unsupportedOnHttp, [], 'halo evaluates it');
      assert.equal(c.test(facts), want);
    });

  it('a map an ACL names is read with the config (named and anonymous)', () => {
    const text = `defaults
    mode http
    timeout client 1s
    timeout server 1s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:1
    acl m hdr(host),map_dom(${dir}/dom.map) -m str dom
    http-request deny if m { hdr(host),map_dom(${dir}/dom.map,x) -m str dom }
    default_backend be
backend be
    server s 127.0.0.1:2
`;
    const r = parseHaproxy([{ path: 't.cfg', text }]);
    const fe = r.config?.proxies.find((p) => p.name === 'fe');
    const rule = fe?.httpRules?.request[0];
    assert.ok(fe && rule?.cond);
    const c = compileCondition(rule.cond, fe.acls);
    assert.deepEqual(c.unsupportedOnHttp, []);
    assert.equal(c.test(facts), true);
  });
});

/** utime and http_date (UTC, whatever the machine's zone), as HAProxy 2.6.12 wrote them. */
const DATES: readonly [string, string][] = [
  ['int(1700000000),utime(%Y-%m-%d %H:%M:%S)', '2023-11-14 22:13:20'],
  [
    'int(1700000000),utime(%a %A %b %B %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %p %P %r %R %s %S %T %u %U %V %w %W %y %Y %z %%)',
    'Tue Tuesday Nov November 20 14 11/14/23 14 2023-11-14 23 2023 Nov 22 10 318 22 10 11 13 PM pm 10:13:20 PM 22:13 1700000000 20 22:13:20 2 46 46 2 46 23 2023 +0000 %',
  ],
  ['int(0),utime(%G-W%V-%u %U %W %j)', '1970-W01-4 00 00 001'],
  ['int(1704067200),utime(%G-W%V-%u %U %W %j)', '2024-W01-1 00 01 001'],
  ['int(1735603200),utime(%G-W%V-%u %U %W %j)', '2025-W01-2 52 53 366'],
  ['int(-86400),utime(%Y-%m-%d)', '1141709097-06-12'],
  ['int(-1),utime(%Y-%m-%d %T)', '1141709097-06-13 06:26:07'],
  ['int(1700000000),utime(%F,3600)', '2023-11-14'],
  ['int(253402300799),utime(%F %T)', '9999-12-31 23:59:59'],
  ['int(99999999999999),utime(%F %T)', '3170843-11-07 09:46:39'],
  ['int(-9223372036854775807),utime(%F %T)', '1970-01-01 00:00:01'],
  ['int(1700000000),http_date', 'Tue, 14 Nov 2023 22:13:20 GMT'],
  ['int(1700000000123),http_date(0,ms)', 'Tue, 14 Nov 2023 22:13:20.123 GMT'],
  ['int(1700000000000123),http_date(0,us)', 'Tue, 14 Nov 2023 22:13:20.123 GMT'],
  ['int(1700000000005),http_date(10,ms)', 'Tue, 14 Nov 2023 22:13:20.15 GMT'],
  ['int(1700000000),http_date(0,s)', 'Tue, 14 Nov 2023 22:13:20 GMT'],
  ['int(-1000),http_date(0,ms)', 'Sun, 13 Jun 1141709097 06:26:07.0 GMT'],
];

describe('date converters, as HAProxy 2.6.12 wrote them', () => {
  for (const [expr, want] of DATES) it(expr, () => assert.equal(value(expr, scope('/0')), want));

  it('ltime writes the local time the scope gives (one hour east here)', () => {
    const s = { ...scope('/0'), localOffset: () => 3600 };
    assert.equal(value('int(1700000000),ltime(%F %T %z)', s), '2023-11-14 23:13:20 +0100');
    assert.equal(value('int(1700000000),ltime(%c)', s), 'Tue Nov 14 23:13:20 2023');
  });

  it('a format with a conversion halo does not write is refused, not guessed', () => {
    const f = parseLogFormat('%[int(1),utime(%Z)]');
    assert.ok(Array.isArray(f));
    assert.deepEqual(unevaluated(f), ['utime']);
  });
});

describe("track-sc keys take the stick table's type", () => {
  const key = (expr: string, type: Parameters<typeof stickKey>[1]) => {
    const e = parseSampleExpr(expr);
    assert.ok(typeof e !== 'string');
    const v = sampleOf(e, scope('/0', [['x-ip', '192.168.1.101']]));
    return v && stickKey(v, type);
  };
  it('an IPv4 sample in an ipv6 table is IPv4-mapped, as show table writes it', () =>
    assert.equal(key('src,ipmask(24)', 'ipv6'), '::ffff:127.0.0.0'));
  it('a header read as an address, an integer, a string', () => {
    assert.equal(key('hdr(x-ip)', 'ip'), '192.168.1.101');
    assert.equal(key('str(12abc)', 'integer'), '12');
    assert.equal(key('src', 'string'), '127.0.0.1');
  });
  it('a string that is no address tracks nothing', () =>
    assert.equal(key('str(abc)', 'ip'), undefined));
});
