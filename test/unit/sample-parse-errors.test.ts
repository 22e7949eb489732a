// HAProxy 2.6's parse-time checks of sample expressions in HTTP rules, table-driven: the
// rule and the message HAProxy 2.6.12 gave for it (`haproxy -c`, each line alone), which
// halo must give at the rule's line ("Configuration file is valid": no error). Map files
// are read when the rule is parsed, as HAProxy reads them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseHaproxy } from '../../src/config/haproxy/index.js';

const dir = mkdtempSync(join(tmpdir(), 'halo-sample-errors-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'int.map'), 'abc 1\nx y\n');
writeFileSync(join(dir, 'ipv.map'), '1.2.3.4 foo\n');
writeFileSync(join(dir, 'ok.map'), 'a b\n');

const CASES: readonly [string, string][] = [
  [
    'http-request set-header a %[str(a),field(0,_)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),field(0,_)]> : invalid args in converter 'field' : Unexpected value 0 for index.",
  ],
  [
    'http-request set-header a %[str(a),field(1,)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),field(1,)]> : invalid args in converter 'field' : Empty separators list.",
  ],
  [
    'http-request set-header a %[str(a),add(x)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),add(x)]> : invalid args in converter 'add' : expects an integer or a variable name.",
  ],
  [
    'http-request set-header a %[str(a),add(1x)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),add(1x)]> : invalid args in converter 'add' : expects an integer or a variable name.",
  ],
  [
    'http-request set-header a %[str(a),ipmask(33)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),ipmask(33)]> : invalid arg 1 in converter 'ipmask' : failed to parse '33' as type 'IPv4 mask' at position 1.",
  ],
  [
    'http-request set-header a %[str(a),ipmask()]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),ipmask()]> : invalid arg 1 in converter 'ipmask' : expected type 'IPv4 mask' at position 1, but got nothing.",
  ],
  [
    'http-request set-header a %[str(a),lower(1)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),lower(1)]> : invalid arg 1 in converter 'lower' : expected ')' before '1)]'.",
  ],
  [
    'http-request set-header a %[str(a),field(1,a,2,3)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),field(1,a,2,3)]> : invalid arg 3 in converter 'field' : expected ')' before ',3)]'.",
  ],
  [
    'http-request set-header a %[str(a),regsub(a,b,x)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),regsub(a,b,x)]> : invalid args in converter 'regsub' : invalid regex flag 'x', only 'i' and 'g' are supported.",
  ],
  [
    'http-request set-header a %[str(a),map(/nonexist)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map(/nonexist)]> : invalid args in converter 'map' : failed to open pattern file </nonexist>.",
  ],
  [
    'http-request set-header a %[str(a),json(foo)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),json(foo)]> : invalid args in converter 'json' : Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'.",
  ],
  ['http-request set-header a %[src,lower]', 'Configuration file is valid'],
  [
    'http-request set-header a %[str(a),strcmp()]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),strcmp()]> : invalid args in converter 'strcmp' : missing variable name.",
  ],
  [
    'http-request set-header a %[str(a),strcmp(foo)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),strcmp(foo)]> : invalid args in converter 'strcmp' : failed to register variable name 'foo'.",
  ],
  [
    'http-request set-header a %[str(a),concat(a,foo)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),concat(a,foo)]> : invalid args in converter 'concat' : failed to register variable name 'foo'.",
  ],
  [
    'http-request set-header a %[int(a)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <int(a)]> : fetch method 'int' : failed to parse 'a' as type 'integer' at position 1.",
  ],
  [
    'http-request set-header a %[str(a),sha2(100)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),sha2(100)]> : invalid args in converter 'sha2' : Unsupported number of bits: '100'.",
  ],
  [
    'http-request set-header a %[str(a),field(1,a]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),field(1,a]> : invalid arg 2 in converter 'field' : expected ')'.",
  ],
  [
    'http-request set-header a %[str(a),crc32(,)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),crc32(,)]> : invalid arg 1 in converter 'crc32' : expected ')' before ',)]'.",
  ],
  [
    'http-request set-header a %[date(0,x)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <date(0,x)]> : invalid args in fetch method 'date' : expects 's', 'ms' or 'us', got 'x'.",
  ],
  ['http-request set-header a %[url_param()]', 'Configuration file is valid'],
  ['http-request set-header a %[str(),lower]', 'Configuration file is valid'],
  [
    'http-request set-header a %[str(a),bytes()]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),bytes()]> : invalid arg 1 in converter 'bytes' : expected type 'integer' at position 1, but got nothing.",
  ],
  [
    'http-request set-header a %[str(a),be2dec(,0)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),be2dec(,0)]> : invalid args in converter 'be2dec' : chunk_size out of [1..8] range (0).",
  ],
  [
    'http-request set-header a %[str(a),url_enc(foo)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),url_enc(foo)]> : invalid args in converter 'url_enc' : Unexpected encode type. Allowed value is 'query'.",
  ],
  [
    'http-request set-header a %[bool(x)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <bool(x)]> : invalid args in fetch method 'bool' : Expects 'true', 'false', '0' or '1'.",
  ],
  [
    'http-request set-header a %[str(a)lower]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : expected ']' after 'str(a)', but found 'l'.",
  ],
  ['http-request set-header a %[str(a),,lower]', 'Configuration file is valid'],
  [
    'http-request set-header a %[str(a),lower',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : missing ']' after 'str(a),lower'.",
  ],
  [
    'http-request set-header a %[str(a),map_int(/tmp/hx/int.map)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_int(/tmp/hx/int.map)]> : invalid args in converter 'map_int' : 'abc' is not a number at line 1 of file '/tmp/hx/int.map'.",
  ],
  [
    'http-request set-header a %[str(a),map_str_int(/tmp/hx/ok.map)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_str_int(/tmp/hx/ok.map)]> : invalid args in converter 'map_str_int' : unable to parse 'b' at line 1 of file '/tmp/hx/ok.map'.",
  ],
  [
    'http-request set-header a %[str(a),map_str_ip(/tmp/hx/ok.map)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_str_ip(/tmp/hx/ok.map)]> : invalid args in converter 'map_str_ip' : unable to parse 'b' at line 1 of file '/tmp/hx/ok.map'.",
  ],
  [
    'http-request set-header a %[str(a),map_ip(/tmp/hx/ok.map)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_ip(/tmp/hx/ok.map)]> : invalid args in converter 'map_ip' : 'a' is not a valid IPv4 or IPv6 address at line 1 of file '/tmp/hx/ok.map'.",
  ],
  [
    'http-request set-header a %[str(a),map_str_ip(/tmp/hx/ipv.map,zz)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_str_ip(/tmp/hx/ipv.map,zz)]> : invalid args in converter 'map_str_ip' : unable to parse 'foo' at line 1 of file '/tmp/hx/ipv.map'.",
  ],
  [
    'http-request set-header a %[str(a),map_str_int(/tmp/hx/ipv.map,zz)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_str_int(/tmp/hx/ipv.map,zz)]> : invalid arg 2 in converter 'map_str_int' : failed to parse 'zz' as type 'integer' at position 2.",
  ],
  [
    'http-request set-header a %[str(a),map(/tmp/hx/ok.map),map(/tmp/hx/ok.map,dflt)]',
    'Configuration file is valid',
  ],
  [
    'http-request set-header a %[str(a),map_ip_ip(/tmp/hx/ipv.map),lower]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_ip_ip(/tmp/hx/ipv.map),lower]> : invalid args in converter 'map_ip_ip' : unable to parse 'foo' at line 1 of file '/tmp/hx/ipv.map'.",
  ],
  [
    'http-request set-header a %[str(a),map_str_ip(/tmp/hx/ipv.map)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_str_ip(/tmp/hx/ipv.map)]> : invalid args in converter 'map_str_ip' : unable to parse 'foo' at line 1 of file '/tmp/hx/ipv.map'.",
  ],
  [
    'http-request set-header a %[str(a),crc32(x)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),crc32(x)]> : invalid arg 1 in converter 'crc32' : failed to parse 'x' as type 'integer' at position 1.",
  ],
  [
    'http-request set-header a %[str(a),hmac(sha1,abc)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),hmac(sha1,abc)]> : invalid args in converter 'hmac' : failed to parse key : argument needs to be base64 encoded, and can either be a string or a variable.",
  ],
  [
    'http-request set-header a %[str(a),add_item(-)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),add_item(-)]> : invalid arg 2 in converter 'add_item' : missing arguments (got 1/2), type 'string' expected.",
  ],
  [
    'http-request set-header a %[str(a),add_item(-,,)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),add_item(-,,)]> : invalid args in converter 'add_item' : one of the optional arguments has to be nonempty.",
  ],
  ['http-request set-header a %[src,lower,ipmask(24)]', 'Configuration file is valid'],
  [
    'http-request set-header a %[str(a),be2hex(,0,1)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),be2hex(,0,1)]> : invalid args in converter 'be2hex' : chunk_size needs to be positive (0).",
  ],
  [
    'http-request set-header a %[str(a),be2dec(:,9)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),be2dec(:,9)]> : invalid args in converter 'be2dec' : chunk_size out of [1..8] range (9).",
  ],
  [
    'http-request set-header a %[str(a),be2dec(:,2,2)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),be2dec(:,2,2)]> : invalid args in converter 'be2dec' : Unsupported truncate value (2).",
  ],
  [
    'http-request set-header a %[hdr(x,-11)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <hdr(x,-11)]> : invalid args in fetch method 'hdr' : header occurrence must be >= -10.",
  ],
  [
    'http-request set-header a %[var(foo)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <var(foo)]> : invalid args in fetch method 'var' : invalid variable name 'foo'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'.",
  ],
  [
    'http-request set-header a %[var(txn.a-b)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <var(txn.a-b)]> : invalid args in fetch method 'var' : invalid syntax at char '-b'.",
  ],
  [
    'http-request set-header a %[meth(G@T)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <meth(G@T)]> : invalid args in fetch method 'meth' : expects valid method..",
  ],
  [
    'http-request set-header a %[str(a),field(1)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),field(1)]> : invalid arg 2 in converter 'field' : missing arguments (got 1/2), type 'string' expected.",
  ],
  [
    'http-request set-header a %[ipv4(1.2.3)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <ipv4(1.2.3)]> : fetch method 'ipv4' : failed to parse '1.2.3' as type 'IPv4 address' at position 1.",
  ],
  [
    'http-request set-header a %[str(a),ipmask(24,129)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),ipmask(24,129)]> : invalid arg 2 in converter 'ipmask' : failed to parse '129' as type 'IPv6 mask' at position 2.",
  ],
  [
    'http-request set-header a %[str(a),sha2(0)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),sha2(0)]> : invalid args in converter 'sha2' : Unsupported number of bits: '0'.",
  ],
  [
    'http-request set-header a %[str(a),strcmp(txn.x,y)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),strcmp(txn.x,y)]> : invalid arg 2 in converter 'strcmp' : expected ')' before ',y)]'.",
  ],
  [
    'http-request set-header a %[str(a),map_str_ip(/tmp/hx/ok.map,zz)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <str(a),map_str_ip(/tmp/hx/ok.map,zz)]> : invalid args in converter 'map_str_ip' : unable to parse 'b' at line 1 of file '/tmp/hx/ok.map'.",
  ],
  [
    'http-request set-header a %[method,ipmask(24)]',
    "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression <method,ipmask(24)]> : converter 'ipmask' cannot be applied.",
  ],
];

function firstError(rule: string): string {
  const text = `defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 5s
frontend fe
    bind 127.0.0.1:1
    ${rule}
    default_backend be
backend be
    server s 127.0.0.1:2
`;
  const r = parseHaproxy([{ path: 'one.cfg', text }]);
  const errors = r.diagnostics.sorted().filter((d) => d.severity === 'error' && d.line === 8);
  return errors[0]?.message ?? 'Configuration file is valid';
}

describe("sample expressions: HAProxy 2.6.12's parse errors", () => {
  for (const [rule, want] of CASES)
    it(rule, () =>
      assert.equal(
        firstError(rule.replaceAll('/tmp/hx/', `${dir}/`)),
        want.replaceAll('/tmp/hx/', `${dir}/`),
      ),
    );
});
