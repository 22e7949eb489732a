// Differential test of HTTP rules: `http-request`, `http-response` and `http-after-response`
// actions (deny, allow, return, redirect, tarpit, header and request-line rewrites,
// set-status), in frontends and backends, with anonymous and named ACL conditions. The real
// HAProxy 2.6 (/usr/sbin/haproxy) and halo run one config text (ports differ per side) in
// front of the scripted backend of http-diff-harness.ts; each case sends the same raw
// request to both and compares, byte for byte, the client's reply, the request heads and
// bodies the backend received and the masked log lines. Each case also checks HAProxy's key
// fact (its status, a header), so it cannot pass on a HAProxy that answered otherwise.
//
// While halo refuses these rules at start-up (as it does until it applies them), the first
// case lists the refused lines and every other one fails after checking HAProxy's side.
//
// HALO_RULES_SELFCHECK=1 runs a second HAProxy in halo's place, to check the test itself:
// every case must then pass. HALO_DIFF_DUMP=file appends each case's pair of outcomes to
// `file` as a JSON line.

import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { hasHaproxy } from './haproxy-child.js';
import type { ConfigText, Differential, Outcome } from './http-diff-harness.js';
import { answerByPath, httpPreamble, startDifferential } from './http-diff-harness.js';

/** `openssl passwd -6 -salt saltsalt secret`: alice's password, SHA-512 crypt. */
const ALICE_SHA512 =
  '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';
const basic = (cred: string) => `Authorization: Basic ${Buffer.from(cred).toString('base64')}\r\n`;

const config: ConfigText = (ports, backend, syslog, sock) => `${httpPreamble(syslog, sock)}
    timeout http-request 600ms
    timeout connect 500ms
    timeout client 5s
    timeout server 600ms
    timeout tarpit 300ms
userlist users
    group admins users alice
    user alice password ${ALICE_SHA512}
    user bob insecure-password pw groups admins
    user dave insecure-password dd
frontend fe_auth
    bind 127.0.0.1:${ports.auth}
    acl ok http_auth(users)
    acl adm http_auth_group(users) admins
    http-request auth if { path /norealm } !ok
    http-request auth realm Kube unless ok
    http-request deny if { path /adm } !adm
    default_backend be
frontend fe_errfile
    bind 127.0.0.1:${ports.errfile}
    errorfile 403 /etc/haproxy/errors/403.http
    errorfile 503 /etc/haproxy/errors/503.http
    http-request deny if { path /deny }
    http-request return status 403 content-type text/plain string mine if { path /ret }
    use_backend be_none if { path /nosrv }
    default_backend be
frontend fe_vars
    bind 127.0.0.1:${ports.vars}
    http-request set-var(txn.host) req.hdr(host),lower
    http-request set-var(req.path) path
    http-request set-var-fmt(txn.who) "%[src]-%[var(txn.host)]"
    http-request set-var(txn.gone) str(x)
    http-request unset-var(txn.gone)
    http-request set-var(sess.first) path if { path /first }
    http-request set-header X-Host %[var(txn.host)]
    http-request set-header X-Who %[var(txn.who)]
    http-request set-header X-Gone %[var(txn.gone)]
    http-request set-header X-None %[var(txn.none,dflt)]
    http-request set-header X-Sess %[var(sess.first)]
    http-request deny if { var(txn.host) -m str evil.test }
    http-response set-header X-Path %[var(req.path)]
    http-response set-var(res.st) status
    http-response set-header X-St %[var(res.st)]
    default_backend be
frontend fe_deny
    bind 127.0.0.1:${ports.deny}
    http-request deny if { path /plain }
    http-request deny deny_status 429 if { path /429 }
    http-request deny deny_status 400 content-type text/plain string "nope" if { path /nope }
    http-request deny hdr x-why %[path] if { path_beg /why }
    http-request deny if { path_beg /admin }
    http-request reject if { path /reject }
    default_backend be
frontend fe_allow
    bind 127.0.0.1:${ports.allow}
    http-request allow if { src 127.0.0.1 }
    http-request deny
    default_backend be_rules
frontend fe_notallowed
    bind 127.0.0.1:${ports.notallowed}
    http-request allow if { src 10.0.0.0/8 }
    http-request deny
    default_backend be
frontend fe_return
    bind 127.0.0.1:${ports.ret}
    http-request return status 200 content-type text/plain string "ok\\n" if { path /ok }
    http-request return status 204 if { path /204 }
    http-request return status 200 hdr x-a b if { path /hdr }
    http-request return content-type text/plain lf-string "%[path]" if { path_beg /lf }
    http-request return if { path /bare }
    default_backend be
frontend fe_redirect
    bind 127.0.0.1:${ports.redirect}
    http-request redirect location /new code 301 if { path /old }
    http-request redirect prefix https://example.test if { path_beg /pre }
    http-request redirect scheme https if { path_beg /sch }
    http-request redirect prefix /p drop-query if { path_beg /dq }
    redirect scheme https code 308 if { path_beg /kw }
    default_backend be
frontend fe_tarpit
    bind 127.0.0.1:${ports.tarpit}
    http-request tarpit if { path /t }
    http-request tarpit deny_status 403 if { path /t403 }
    default_backend be
frontend fe_names
    bind 127.0.0.1:${ports.names}
    option http-restrict-req-hdr-names reject
    default_backend be
frontend fe_headers
    bind 127.0.0.1:${ports.headers}
    option originalto
    option http-restrict-req-hdr-names delete
    http-request set-header X-Forwarded-Proto https
    http-request add-header X-Added %[src]
    http-request del-header X-Secret
    http-request replace-header User-Agent ^curl(.*) Curl\\1
    http-request replace-value X-List ^a$ z
    http-request set-header X-Path %[path]
    http-request set-header X-Host %[req.hdr(host),lower]
    default_backend be
frontend fe_line
    bind 127.0.0.1:${ports.line}
    http-request set-path /rewritten if { path_beg /sp/ }
    http-request set-query a=1 if { path_beg /sq }
    http-request set-uri /x?y if { path_beg /su }
    http-request set-method POST if { path_beg /sm }
    http-request set-method GET if { path_beg /sg }
    http-request set-pathq /p?q=1 if { path_beg /spq }
    http-request replace-path /rp(/.*) \\1 if { path_beg /rp/ }
    http-request replace-pathq ^/rq(.*)$ /newpq\\1 if { path_beg /rq }
    http-request replace-uri ^http://([^/]*)(.*)$ \\2 if { path_beg /ru }
    default_backend be
frontend fe_chain
    bind 127.0.0.1:${ports.chain}
    acl has_k hdr(x-k) -m str v
    http-request add-header X-Order fe
    http-request set-header X-Named named if has_k
    http-request set-header X-Anon anon if { hdr(x-k) -m str v }
    http-request set-header X-Post yes if METH_POST
    http-request deny deny_status 429 if { path /fe-deny }
    http-response add-header X-Resp-Order fe
    default_backend be_rules
frontend fe_resp
    bind 127.0.0.1:${ports.resp}
    http-response set-header X-Resp yes
    http-response del-header X-Foo
    http-response add-header X-S %[status]
    default_backend be
frontend fe_status
    bind 127.0.0.1:${ports.status}
    http-response set-status 201
    default_backend be
frontend fe_reason
    bind 127.0.0.1:${ports.reason}
    http-response set-status 503 reason "Go away"
    default_backend be
frontend fe_rdeny
    bind 127.0.0.1:${ports.rdeny}
    http-response deny
    default_backend be
frontend fe_rdeny404
    bind 127.0.0.1:${ports.rdeny404}
    http-response deny if { status 404 }
    default_backend be
frontend fe_after
    bind 127.0.0.1:${ports.after}
    http-request deny if { path /deny }
    http-request return status 200 content-type text/plain string "r" if { path /ret }
    http-request redirect location /elsewhere if { path /redir }
    http-request tarpit if { path /tarpit }
    http-response deny if { status 404 }
    use_backend be_none if { path /nosrv }
    http-after-response set-header X-After 1
    default_backend be
frontend fe_cap
    bind 127.0.0.1:${ports.cap}
    capture request header X-A len 5
    capture request header Host len 64
    declare capture request len 4
    capture response header X-R len 3
    declare capture response len 10
    http-request capture req.hdr(x-b) len 3
    http-request capture path id 2
    http-response capture res.hdr(x-s) id 1
    http-request return status 200 content-type text/plain lf-string "%[capture.req.hdr(0)]|%[capture.req.hdr(3)]" if { path /ret }
    default_backend be
frontend fe_addr
    bind 127.0.0.1:${ports.addr}
    option forwardfor
    http-request set-src hdr(x-src)
    http-request set-dst hdr(x-dst)
    http-request set-src-port hdr(x-sport)
    http-request set-dst-port hdr(x-dport)
    http-request set-header X-Src %[src]
    http-request set-header X-Dst %[dst]
    http-request set-header X-Src-Port <%[src_port]> if { req.hdr(x-sport) -m found }
    http-request set-header X-Dst-Port %[dst_port] if { req.hdr(x-dport) -m found }
    http-request deny if { src 203.0.113.9 }
    default_backend be
frontend fe_tag
    bind 127.0.0.1:${ports.tag}
    log-tag kube-lb
    default_backend be
frontend fe_caplog
    bind 127.0.0.1:${ports.caplog}
    capture request header X-A len 10
    capture request header X-Missing len 10
    capture response header X-R len 10
    log-format "%hr %hrl %{+Q}hrl %hs %hsl %{+Q}hr [%[capture.res.hdr(0)]]"
    default_backend be
backend be
    server s1 127.0.0.1:${backend}
backend be_rules
    http-request add-header X-Order be
    http-request set-header X-Backend be_rules
    http-request deny deny_status 401 if { path /be-deny }
    http-response add-header X-Resp-Order be
    server s1 127.0.0.1:${backend}
backend be_none
defaults def_fe
    mode http
    log global
    option httplog
    option dontlognull
    option http-server-close
    timeout connect 500ms
    timeout client 5s
    timeout server 600ms
    acl from_def path /def-acl
    http-request set-header X-Def fe
    http-request deny deny_status 429 if from_def
    http-response set-header X-Def-Res %[fe_name]
frontend fe_def from def_fe
    bind 127.0.0.1:${ports.def}
    acl from_def path /other
    http-request set-header X-Own 1
    default_backend be_def
defaults def_be2
    mode http
    timeout connect 500ms
    timeout server 600ms
    http-request set-header X-Def-Be %[be_name]
backend be_def from def_be2
    http-request set-header X-Be-Own 1
    server s1 127.0.0.1:${backend}
`;

const NAMES = [
  'auth',
  'names',
  'errfile',
  'vars',
  'deny',
  'allow',
  'notallowed',
  'ret',
  'redirect',
  'tarpit',
  'headers',
  'line',
  'chain',
  'resp',
  'status',
  'reason',
  'rdeny',
  'rdeny404',
  'after',
  'def',
  'cap',
  'caplog',
  'addr',
  'tag',
] as const;

interface RuleCase {
  readonly name: string;
  readonly port: (typeof NAMES)[number];
  readonly parts: readonly (string | number)[];
  /** The status of HAProxy's (first) answer; 'closed' when it closed without one. */
  readonly status: number | 'closed';
  /** Whether the backend got a request (else HAProxy answered itself). */
  readonly served: boolean;
  /** What HAProxy's reply, the head the backend got, its log line must (not) show. */
  readonly reply?: readonly RegExp[];
  readonly head?: readonly RegExp[];
  /** Requests the backend got, when not one (served) or none; `head` checks the last. */
  readonly requests?: number;
  readonly log?: RegExp;
  readonly not?: RegExp;
  /** Both sides take at least this many ms to answer (`timeout tarpit`). */
  readonly slower?: number;
}

/** A request that asks for the connection's close, so the exchange ends with the reply. */
const req = (method: string, target: string, extra = '', body = '') =>
  `${method} ${target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n${extra}` +
  (body ? `Content-Length: ${body.length}\r\n` : '') +
  `\r\n${body}`;
const get = (target: string, extra = '') => req('GET', target, extra);
/** The same request without Connection: close, so a second one can follow. */
const keep = (target: string) => `GET ${target} HTTP/1.1\r\nHost: test\r\n\r\n`;
/** A header line of a reply or head (names lower-cased, as HAProxy sends them). */
const line = (text: string) =>
  new RegExp(`\r\n${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\r\n|$)`);
const AFTER = line('x-after: 1');

const CASES: readonly RuleCase[] = [
  {
    name: 'auth: no credentials, a 401 with the realm',
    port: 'auth',
    parts: [get('/')],
    status: 401,
    served: false,
    reply: [line('www-authenticate: Basic realm="Kube"')],
  },
  {
    name: 'auth: a SHA-512 crypt password',
    port: 'auth',
    parts: [get('/', basic('alice:secret'))],
    status: 200,
    served: true,
  },
  {
    name: 'auth: a wrong password',
    port: 'auth',
    parts: [get('/', basic('alice:nope'))],
    status: 401,
    served: false,
  },
  {
    name: 'auth: insecure-password, in the group',
    port: 'auth',
    parts: [get('/adm', basic('bob:pw'))],
    status: 200,
    served: true,
  },
  {
    name: 'auth: a user outside the group',
    port: 'auth',
    parts: [get('/adm', basic('dave:dd'))],
    status: 403,
    served: false,
  },
  {
    name: "auth without a realm: the proxy's name",
    port: 'auth',
    parts: [get('/norealm')],
    status: 401,
    served: false,
    reply: [line('www-authenticate: Basic realm="fe_auth"')],
  },
  {
    name: 'auth: credentials that are not Basic',
    port: 'auth',
    parts: [get('/', 'Authorization: Digest abc\r\n')],
    status: 401,
    served: false,
  },
  {
    name: 'variables: set-var, set-var-fmt, unset-var, var() with a default',
    port: 'vars',
    parts: [get('/a')],
    status: 200,
    served: true,
    head: [
      line('x-host: test'),
      line('x-who: 127.0.0.1-test'),
      line('x-gone: '),
      line('x-none: dflt'),
    ],
    reply: [line('x-path: '), line('x-st: 200')],
  },
  {
    name: 'variables: an ACL on var()',
    port: 'vars',
    parts: [req('GET', '/a').replace('Host: test', 'Host: EVIL.test')],
    status: 403,
    served: false,
  },
  {
    name: 'variables: sess. lasts the connection',
    port: 'vars',
    parts: [keep('/first'), 100, get('/second')],
    status: 200,
    served: true,
    requests: 2,
    head: [/^GET \/second /, line('x-sess: /first')],
  },
  {
    name: "errorfile: a deny sends the file (Debian's 403.http)",
    port: 'errfile',
    parts: [get('/deny')],
    status: 403,
    served: false,
    reply: [
      /^HTTP\/1\.0 403 Forbidden\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n/,
    ],
  },
  {
    name: 'errorfile: a 503 without a server sends the file',
    port: 'errfile',
    parts: [get('/nosrv')],
    status: 503,
    served: false,
    reply: [/^HTTP\/1\.0 503 /],
  },
  {
    name: 'errorfile: a return of the same status is not replaced',
    port: 'errfile',
    parts: [get('/ret')],
    status: 403,
    served: false,
    reply: [/\r\n\r\nmine$/],
  },
  { name: 'deny: 403', port: 'deny', parts: [get('/plain')], status: 403, served: false },
  {
    name: 'reject: the connection closed, nothing sent, logged -1 PR--',
    port: 'deny',
    parts: [get('/reject')],
    status: 'closed',
    served: false,
    log: / -1\/-1\/-1\/-1\/N -1 0 - - PR-- .*"GET \/reject /,
  },
  {
    name: 'reject after a kept-alive request: the first answered, then the close',
    port: 'deny',
    parts: [keep('/ok'), 100, get('/reject')],
    status: 200,
    served: true,
  },
  {
    name: 'deny deny_status 429',
    port: 'deny',
    parts: [get('/429')],
    status: 429,
    served: false,
  },
  {
    name: 'deny with a string body',
    port: 'deny',
    parts: [get('/nope')],
    status: 400,
    served: false,
    reply: [/\r\n\r\nnope$/],
  },
  {
    name: 'deny with a header from a sample',
    port: 'deny',
    parts: [get('/why/me')],
    status: 403,
    served: false,
    reply: [line('x-why: /why/me')],
  },
  {
    name: 'deny if path_beg /admin: matches',
    port: 'deny',
    parts: [get('/admin/x')],
    status: 403,
    served: false,
  },
  {
    name: 'deny if path_beg /admin: another path passes',
    port: 'deny',
    parts: [get('/public')],
    status: 200,
    served: true,
  },
  {
    name: 'deny on a kept-alive connection, then a second request',
    port: 'deny',
    parts: [keep('/plain'), 100, get('/public')],
    status: 403,
    served: true,
  },
  {
    name: 'deny of a request with a body',
    port: 'deny',
    parts: [req('POST', '/plain', '', 'hello')],
    status: 403,
    served: false,
  },
  {
    name: 'allow stops the frontend rules (the backend rules still run)',
    port: 'allow',
    parts: [get('/')],
    status: 200,
    served: true,
    head: [line('x-backend: be_rules')],
  },
  {
    name: 'allow not matching: the next rule denies',
    port: 'notallowed',
    parts: [get('/')],
    status: 403,
    served: false,
  },
  {
    name: 'return status 200 with a string',
    port: 'ret',
    parts: [get('/ok')],
    status: 200,
    served: false,
    reply: [/\r\n\r\nok\n$/],
    log: / LR-- /,
  },
  { name: 'return status 204', port: 'ret', parts: [get('/204')], status: 204, served: false },
  {
    name: 'return with a header',
    port: 'ret',
    parts: [get('/hdr')],
    status: 200,
    served: false,
    reply: [line('x-a: b')],
  },
  {
    name: 'return with an lf-string',
    port: 'ret',
    parts: [get('/lf/abc?q=1')],
    status: 200,
    served: false,
    reply: [/\r\n\r\n\/lf\/abc$/],
  },
  { name: 'return bare', port: 'ret', parts: [get('/bare')], status: 200, served: false },
  {
    name: 'return on a kept-alive connection, then a second request',
    port: 'ret',
    parts: [keep('/ok'), 100, get('/204')],
    status: 200,
    served: false,
    reply: [/^HTTP\/1\.1 200 OK\r\n(?:(?!connection)[^\r]*\r\n)*\r\nok\nHTTP\/1\.1 204 /],
  },
  {
    name: 'redirect location code 301',
    port: 'redirect',
    parts: [get('/old')],
    status: 301,
    served: false,
    reply: [line('location: /new')],
  },
  {
    name: 'redirect prefix',
    port: 'redirect',
    parts: [get('/pre/a?b=c')],
    status: 302,
    served: false,
    reply: [line('location: https://example.test/pre/a?b=c')],
  },
  {
    name: 'redirect scheme https with a Host',
    port: 'redirect',
    parts: [get('/sch/x?y')],
    status: 302,
    served: false,
    reply: [line('location: https://test/sch/x?y')],
  },
  {
    name: 'redirect scheme https, HTTP/1.0 without a Host',
    port: 'redirect',
    parts: ['GET /sch/x HTTP/1.0\r\n\r\n'],
    status: 302,
    served: false,
    reply: [line('location: https:///sch/x')],
  },
  {
    name: 'redirect prefix drop-query',
    port: 'redirect',
    parts: [get('/dq/a?b=c')],
    status: 302,
    served: false,
    reply: [line('location: /p/dq/a')],
  },
  {
    name: 'the redirect keyword: scheme https code 308',
    port: 'redirect',
    parts: [get('/kw/a?b')],
    status: 308,
    served: false,
    reply: [line('location: https://test/kw/a?b')],
  },
  {
    name: 'redirect on a kept-alive connection, then a second request',
    port: 'redirect',
    parts: [keep('/old'), 100, get('/other')],
    status: 301,
    served: true,
  },
  {
    name: 'tarpit: 500 after timeout tarpit',
    port: 'tarpit',
    parts: [get('/t')],
    status: 500,
    served: false,
    log: / PT-- /,
    slower: 300,
  },
  {
    name: 'tarpit deny_status 403',
    port: 'tarpit',
    parts: [get('/t403')],
    status: 403,
    served: false,
    slower: 300,
  },
  {
    name: 'tarpit: another path passes',
    port: 'tarpit',
    parts: [get('/x')],
    status: 200,
    served: true,
  },
  {
    name: 'header edits reach the server',
    port: 'headers',
    parts: [
      get(
        '/h/p?q',
        'X-Forwarded-Proto: http\r\nX-Forwarded-Proto: ftp\r\nX-Added: mine\r\n' +
          'X-Secret: 1\r\nx-secret: 2\r\nUser-Agent: curl/8.0\r\nX-List: a, b,a\r\n' +
          'X-List: a\r\nX-Path: spoofed\r\n',
      ).replace('Host: test', 'Host: Test.EXAMPLE'),
    ],
    status: 200,
    served: true,
    head: [
      line('x-forwarded-proto: https'),
      line('x-added: 127.0.0.1'),
      line('user-agent: Curl/8.0'),
      line('x-list: z, b,z\r\nx-list: z'),
      line('x-path: /h/p'),
      line('x-host: test.example'),
    ],
    not: /x-secret|spoofed/i,
  },
  {
    name: 'header edits: a User-Agent that does not match, no X-List',
    port: 'headers',
    parts: [get('/', 'User-Agent: wget\r\n')],
    status: 200,
    served: true,
    head: [line('user-agent: wget')],
  },
  {
    name: 'option originalto: X-Original-To with the address reached, a client one kept',
    port: 'headers',
    parts: [get('/o', 'X-Original-To: spoofed\r\n')],
    status: 200,
    served: true,
    head: [line('x-original-to: spoofed'), /\r\nx-original-to: 127\.0\.0\.1(\r\n|$)/],
  },
  {
    name: 'http-restrict-req-hdr-names delete: X_Forwarded_For and X.Dot dropped',
    port: 'headers',
    parts: [get('/n', 'X_Forwarded_For: 192.0.2.9\r\nX.Dot: 1\r\nGood-Name: 2\r\n')],
    status: 200,
    served: true,
    head: [line('good-name: 2')],
    not: /x_forwarded_for|x\.dot/i,
  },
  {
    name: 'http-restrict-req-hdr-names reject: a 403',
    port: 'names',
    parts: [get('/n', 'X_Forwarded_For: 192.0.2.9\r\n')],
    status: 403,
    served: false,
  },
  {
    name: 'http-restrict-req-hdr-names reject: clean names pass',
    port: 'names',
    parts: [get('/n', 'Good-Name: 2\r\n')],
    status: 200,
    served: true,
  },
  {
    name: 'set-path',
    port: 'line',
    parts: [get('/sp/a?k=v')],
    status: 200,
    served: true,
    head: [/^GET \/rewritten\?k=v HTTP\/1\.1\r\n/],
  },
  {
    name: 'set-query',
    port: 'line',
    parts: [get('/sq?old=1')],
    status: 200,
    served: true,
    head: [/^GET \/sq\?a=1 HTTP\/1\.1\r\n/],
  },
  {
    name: 'set-uri',
    port: 'line',
    parts: [get('/su/a?b')],
    status: 200,
    served: true,
    head: [/^GET \/x\?y HTTP\/1\.1\r\n/],
  },
  {
    name: 'set-method POST on a GET without a body',
    port: 'line',
    parts: [get('/sm')],
    status: 200,
    served: true,
    head: [/^POST \/sm HTTP\/1\.1\r\n/],
  },
  {
    name: 'set-method GET on a POST with a body',
    port: 'line',
    parts: [req('POST', '/sg', '', 'hello')],
    status: 200,
    served: true,
    head: [/^GET \/sg HTTP\/1\.1\r\n/, line('content-length: 5')],
  },
  {
    name: 'set-pathq',
    port: 'line',
    parts: [get('/spq/a?b=2')],
    status: 200,
    served: true,
    head: [/^GET \/p\?q=1 HTTP\/1\.1\r\n/],
  },
  {
    name: 'replace-path: the query stays',
    port: 'line',
    parts: [get('/rp/v1/x?q=1')],
    status: 200,
    served: true,
    head: [/^GET \/v1\/x\?q=1 HTTP\/1\.1/],
  },
  {
    name: 'replace-pathq',
    port: 'line',
    parts: [get('/rq/a?b=c')],
    status: 200,
    served: true,
    head: [/^GET \/newpq\/a\?b=c HTTP\/1\.1/],
  },
  {
    name: 'replace-uri on an absolute URI',
    port: 'line',
    parts: [req('GET', 'http://test/ru/x?y')],
    status: 200,
    served: true,
    head: [/^GET \/ru\/x\?y HTTP\/1\.1/],
  },
  {
    name: 'frontend rules then backend rules, conditions false',
    port: 'chain',
    parts: [get('/')],
    status: 200,
    served: true,
    head: [line('x-order: fe\r\nx-order: be')],
    not: /x-named|x-anon|x-post/,
  },
  {
    name: 'named acl and anonymous acl on a header, METH_POST',
    port: 'chain',
    parts: [req('POST', '/', 'X-K: v\r\n', 'abc')],
    status: 200,
    served: true,
    head: [line('x-named: named\r\nx-anon: anon\r\nx-post: yes')],
  },
  {
    name: 'a header value that does not match the acl',
    port: 'chain',
    parts: [get('/', 'X-K: V\r\n')],
    status: 200,
    served: true,
    not: /x-named|x-anon/,
  },
  {
    name: 'deny in the frontend',
    port: 'chain',
    parts: [get('/fe-deny')],
    status: 429,
    served: false,
  },
  {
    name: 'deny in the backend',
    port: 'chain',
    parts: [get('/be-deny')],
    status: 401,
    served: false,
    log: / fe_chain be_rules\/<NOSRV> /,
  },
  {
    name: 'http-response rules: backend first, then frontend',
    port: 'chain',
    parts: [get('/')],
    status: 200,
    served: true,
    reply: [line('x-resp-order: be\r\nx-resp-order: fe')],
  },
  {
    name: 'http-response set-header, del-header, add-header %[status] on a 404',
    port: 'resp',
    parts: [get('/404')],
    status: 404,
    served: true,
    reply: [line('x-resp: yes\r\nx-s: 404')],
    not: /x-foo/i,
  },
  {
    name: 'http-response edits on a 200',
    port: 'resp',
    parts: [get('/')],
    status: 200,
    served: true,
    reply: [line('x-resp: yes\r\nx-s: 200')],
  },
  {
    name: 'http-response set-status 201',
    port: 'status',
    parts: [get('/')],
    status: 201,
    served: true,
  },
  {
    name: 'http-response set-status 503 reason',
    port: 'reason',
    parts: [get('/')],
    status: 503,
    served: true,
    reply: [/^HTTP\/1\.1 503 Go away\r\n/],
  },
  {
    name: 'http-response deny: 502',
    port: 'rdeny',
    parts: [get('/')],
    status: 502,
    served: true,
    log: / PH-- /,
  },
  {
    name: 'http-response deny if status 404: a 404',
    port: 'rdeny404',
    parts: [get('/404')],
    status: 502,
    served: true,
  },
  {
    name: 'http-response deny if status 404: a 200 passes',
    port: 'rdeny404',
    parts: [get('/')],
    status: 200,
    served: true,
  },
  {
    name: 'http-after-response on a server response',
    port: 'after',
    parts: [get('/')],
    status: 200,
    served: true,
    reply: [AFTER],
  },
  {
    name: 'http-after-response on a 503 (a backend without a server)',
    port: 'after',
    parts: [get('/nosrv')],
    status: 503,
    served: false,
    reply: [AFTER],
  },
  {
    name: 'http-after-response on a http-request deny',
    port: 'after',
    parts: [get('/deny')],
    status: 403,
    served: false,
    reply: [AFTER],
  },
  {
    name: 'http-after-response on a http-request return',
    port: 'after',
    parts: [get('/ret')],
    status: 200,
    served: false,
    reply: [AFTER],
  },
  {
    name: 'http-after-response on a redirect',
    port: 'after',
    parts: [get('/redir')],
    status: 302,
    served: false,
    reply: [AFTER],
  },
  {
    name: 'http-after-response on a tarpit',
    port: 'after',
    parts: [get('/tarpit')],
    status: 500,
    served: false,
    reply: [AFTER],
    slower: 300,
  },
  {
    name: 'http-after-response on a http-response deny',
    port: 'after',
    parts: [get('/404')],
    status: 502,
    served: true,
    reply: [AFTER],
  },
  {
    name: 'http-after-response: not on the 400 of an unparsable request',
    port: 'after',
    parts: ['GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    status: 400,
    served: false,
    not: /x-after/i,
  },
  {
    name: 'captures: header slots (last occurrence, cut, encoded in the log), declare, http-request capture',
    port: 'cap',
    parts: [get('/ret', 'X-A: a1, a2\r\nX-A: "c{|}#d\r\nX-B: bbbbb\r\n')],
    status: 200,
    served: false,
    reply: [/\r\n\r\n"c\{\|\}\|bbb$/],
    log: / \{#22c#7B#7C#7D\|test\|\/ret\|bbb\} \{\|\} "GET \/ret /,
  },
  {
    name: 'captures: response header slots and http-response capture',
    port: 'cap',
    parts: [get('/capres')],
    status: 200,
    served: true,
    log: / \{\|test\|\/cap\|\} \{rrr\|s1s2s3s4s5\} "GET /,
  },
  {
    name: 'captures: an unparsable request logs no capture block',
    port: 'cap',
    parts: ['GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    status: 400,
    served: false,
  },
  {
    name: 'captures in log-format: %hr %hrl %hs %hsl, quoted, and capture.res.hdr',
    port: 'caplog',
    parts: [get('/capres', 'X-A: x y\r\n')],
    status: 200,
    served: true,
    log: /\{x y\|\} x y - "x y" "" \{rrrrr\} rrrrr "\{x y\|\}" \[rrrrr\]/,
  },
  {
    name: 'set-src, set-dst and their ports: later rules, X-Forwarded-For and the log see them',
    port: 'addr',
    parts: [
      get('/', 'X-Src: 192.0.2.7\r\nX-Dst: 2001:DB8::1\r\nX-Sport: 65537\r\nX-Dport: 8443\r\n'),
    ],
    status: 200,
    served: true,
    head: [
      line('x-src: 192.0.2.7'),
      line('x-dst: 2001:db8::1'),
      line('x-src-port: <1>'),
      line('x-dst-port: 8443'),
      line('x-forwarded-for: 192.0.2.7'),
    ],
    log: /: 192\.0\.2\.7:/,
  },
  {
    name: 'set-src with a value that is no address changes nothing',
    port: 'addr',
    parts: [get('/', 'X-Src: nope\r\nX-Sport: x\r\n')],
    status: 200,
    served: true,
    // A port that is no number is port 0, which src_port does not find.
    head: [line('x-src: 127.0.0.1'), line('x-src-port: <>'), line('x-forwarded-for: 127.0.0.1')],
  },
  {
    name: 'log-tag: the syslog header names the proxy tag',
    port: 'tag',
    parts: [get('/')],
    status: 200,
    served: true,
    log: /^<134>DATE kube-lb\[PID\]: /,
  },
  {
    name: 'set-src: a later rule on src sees the new address',
    port: 'addr',
    parts: [get('/', 'X-Src: 203.0.113.9\r\n')],
    status: 403,
    served: false,
  },
  {
    name: "set-src holds for its request: the next one has the connection's address again",
    port: 'addr',
    parts: [`GET /a HTTP/1.1\r\nHost: test\r\nX-Src: 192.0.2.8\r\n\r\n`, 100, get('/b')],
    status: 200,
    served: true,
    requests: 2,
    head: [/^GET \/b /, line('x-forwarded-for: 127.0.0.1')],
  },
  {
    name: "named defaults' rules run before the proxy's own, in the frontend and the backend",
    port: 'def',
    parts: [get('/')],
    status: 200,
    served: true,
    head: [/\r\nx-def: fe\r\nx-own: 1\r\n/, /\r\nx-def-be: be_def\r\nx-be-own: 1(\r\n|$)/],
    reply: [line('x-def-res: fe_def')],
  },
  {
    name: "a named defaults' rule sees the defaults' ACL",
    port: 'def',
    parts: [get('/def-acl')],
    status: 429,
    served: false,
  },
  {
    name: "a named defaults' rule does not see the proxy's ACL of the same name",
    port: 'def',
    parts: [get('/other')],
    status: 200,
    served: true,
  },
];

/** Checks HAProxy's key facts of case `k`, so that no case passes on an unexpected answer. */
function checkHaproxy(k: RuleCase, r: Outcome): void {
  if (k.status === 'closed') assert.equal(r.reply, '', 'HAProxy closed without an answer');
  else
    assert.match(r.reply, new RegExp(`^HTTP/1\\.[01] ${k.status} `), 'the status HAProxy answered');
  assert.equal(
    r.heads.length,
    k.requests ?? (k.served ? 1 : 0),
    'requests the backend got through HAProxy',
  );
  for (const re of k.reply ?? []) assert.match(r.reply, re);
  for (const re of k.head ?? []) assert.match(r.heads.at(-1) ?? '', re);
  if (k.not) assert.doesNotMatch(r.reply + r.heads.join(''), k.not);
  assert.ok(r.logs.length > 0, 'HAProxy logged the case');
  if (k.log) assert.match(r.logs[0]!, k.log);
  if (k.slower) assert.ok(r.elapsed >= k.slower, `HAProxy answered after ${r.elapsed} ms`);
}

/** How long a case waits for the reply when nobody closes (ms). */
const WAIT = 1500;

const selfcheck = process.env.HALO_RULES_SELFCHECK === '1';

describe(`HTTP rules: ${selfcheck ? 'HAProxy against itself (selfcheck)' : 'halo against the real HAProxy 2.6'}`, {
  skip: !hasHaproxy && 'no haproxy',
}, () => {
  let d: Differential;

  before(async () => {
    d = await startDifferential({
      names: NAMES,
      config,
      answer: answerByPath({
        '/capres':
          'HTTP/1.1 200 OK\r\nX-R: rrrrr\r\nX-S: s1s2s3s4s5s6\r\nContent-Length: 2\r\n\r\nok',
      }),
      keepHaloError: true,
      haproxyAsHalo: selfcheck,
    });
  });

  after(() => d?.stop());

  it('halo starts on the rules config', () => {
    // startProxy's parse check fails with the error diagnostics as `actual`: one line each.
    const refused = (d.haloError as { actual?: unknown } | undefined)?.actual;
    const lines = Array.isArray(refused)
      ? refused.map((x: { line?: number; message?: string }) => `line ${x.line}: ${x.message}`)
      : [];
    assert.equal(d.haloError, undefined, lines.join('\n') || d.haloError?.message);
  });

  for (const k of CASES) {
    it(k.name, async () => {
      const hap = await d.run(d.hap, k.port, k.parts, WAIT);
      const dump = (halo?: Outcome) => {
        if (process.env.HALO_DIFF_DUMP)
          appendFileSync(
            process.env.HALO_DIFF_DUMP,
            `${JSON.stringify({ name: k.name, hap, halo })}\n`,
          );
      };
      if (d.haloError) dump();
      checkHaproxy(k, hap);
      if (d.haloError)
        assert.fail("halo did not start on the config (see 'halo starts on the rules config')");
      const halo = await d.run(d.halo, k.port, k.parts, WAIT, hap.logs.length);
      dump(halo);
      assert.equal(halo.reply, hap.reply, 'client reply');
      assert.deepEqual(halo.heads, hap.heads, 'request heads seen by the server');
      assert.deepEqual(halo.bodies, hap.bodies, 'request bodies seen by the server');
      assert.equal(halo.conns, hap.conns, 'server connections used');
      assert.deepEqual(halo.logs, hap.logs, 'log lines');
      if (k.slower) assert.ok(halo.elapsed >= k.slower, `halo answered after ${halo.elapsed} ms`);
    });
  }
});
