// HTTP rules without sockets: the parser (HAProxy 2.6's messages, measured with `haproxy -c`
// on 2.6.12), log-format strings, and the rule set run on heads built in the test. The
// wire behaviour next to the real HAProxy is integration/proxy-http-rules.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseErrorFile } from '../../src/config/haproxy/http-reply.js';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { parseLogFormat } from '../../src/config/haproxy/log-format.js';
import type { Proxy as ProxyConfig } from '../../src/config/haproxy/model.js';
import { conditionChecks } from '../../src/proxy/condition-checks.js';
import {
  authenticatedUser,
  basicCredentials,
  preloadCrypt,
} from '../../src/proxy/http/basic-auth.js';
import {
  HeaderList,
  RequestHead,
  ResponseHead,
  ResponseView,
  VarStore,
} from '../../src/proxy/http/http-head.js';
import type { RuleInput } from '../../src/proxy/http/http-rules.js';
import { HttpRuleSet } from '../../src/proxy/http/http-rules.js';
import { headFacts } from '../../src/proxy/http/messages.js';

const cfg = (lines: string) => `defaults
    mode http
    timeout client 1s
    timeout server 1s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:18080
${lines
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
    default_backend be
backend be
    server s 127.0.0.1:1
`;

function parse(lines: string) {
  const r = parseHaproxy([{ path: 't.cfg', text: cfg(lines) }]);
  if (r.config) conditionChecks(r.config, r.diagnostics);
  const diags = r.diagnostics.sorted().map((d) => `${d.line}: ${d.severity}: ${d.message}`);
  const fe = r.config?.proxies.find((p) => p.name === 'fe');
  return { diags, fe };
}

const conn = { clientIp: '192.0.2.7', clientPort: 4242, localIp: '127.0.0.1', localPort: 80 };

function request(method: string, url: string, headers: [string, string][] = []): RequestHead {
  return new RequestHead(method, url, '1.1', new HeaderList(headers.map(([k, v]) => [k, v])));
}

function input(req: RequestHead, res?: ResponseHead): RuleInput {
  return {
    facts: headFacts(conn, res ? new ResponseView(res, req.vars) : req, () => 1),
    scope: {
      conn,
      ssl: undefined,
      req,
      ...(res ? { res } : {}),
      frontend: 'fe',
      frontendTls: false,
      backend: 'be',
    },
  };
}

function rules(lines: string): HttpRuleSet {
  const { diags, fe } = parse(lines);
  assert.deepEqual(
    diags.filter((d) => / error: /.test(d)),
    [],
  );
  return new HttpRuleSet((fe as ProxyConfig).httpRules!, (fe as ProxyConfig).acls);
}

describe('log-format strings', () => {
  it('text, %%, samples with converters, variables, and flag blocks', () => {
    assert.deepEqual(parseLogFormat('a%%b'), [{ kind: 'text', text: 'a%b' }]);
    const f = parseLogFormat('x=%[req.hdr(host,1),lower] %ci:%{+Q}cp');
    assert.ok(Array.isArray(f));
    assert.deepEqual(
      (f as { kind: string }[]).map((n) => n.kind),
      ['text', 'sample', 'text', 'var', 'text', 'var'],
    );
    const s = (f as { kind: string; expr?: unknown }[])[1]!.expr;
    assert.deepEqual(s, {
      fetch: 'req.hdr',
      args: ['host', '1'],
      convs: [{ name: 'lower', args: [] }],
      text: 'req.hdr(host,1),lower',
    });
  });

  it('errors as HAProxy words them', () => {
    assert.match(String(parseLogFormat('%zz')), /no such format variable 'zz'/);
    assert.match(String(parseLogFormat('%[src')), /missing '\]'/);
    assert.match(
      String(parseLogFormat('%[req.hdr(host]')),
      /fetch method 'req.hdr' : expected '\)'$/,
    );
    assert.match(
      String(parseLogFormat('%[src lower]')),
      /expected '\]' after 'src', but found ' '/,
    );
  });
});

describe('HTTP rule parsing', () => {
  it("HAProxy's errors for bad arguments, at the rule's line", () => {
    const cases: [string, RegExp][] = [
      ['http-request deny deny_status 999', /Unexpected status code '999'/],
      ['http-request deny deny_status 418', /status code '418' not handled by default/],
      ['http-request return string x', /a content type must be defined/],
      ['http-request set-header', /expects exactly 2 arguments/],
      ['http-request set-header x %[nosuch]', /unknown fetch method 'nosuch'/],
      ['http-request set-header x %[src,nosuch]', /unknown converter 'nosuch'/],
      ['http-request redirect location /x code 305', /unsupported HTTP code '305'/],
      ['http-request del-header x -m foo', /unsupported matching method 'foo'/],
      ['http-response set-header X %[path]', /needs 'HTTP request headers'/],
      ['http-request set-header Y %[status]', /needs 'HTTP response'/],
      ['http-request set-var(foo.x) str(a)', /invalid variable name 'foo.x'/],
      ['http-request set-var(txn.y)', /missing fetch method/],
    ];
    for (const [line, want] of cases) {
      const { diags } = parse(line);
      assert.ok(
        diags.some((d) => d.startsWith('8: error: ') && want.test(d)),
        `${line}: ${diags.join('\n')}`,
      );
    }
  });

  it('ACLs that can never match on that side warn as HAProxy does', () => {
    const { diags } = parse(
      'acl p path /x\nhttp-response deny if p\nhttp-request deny if { status 200 }',
    );
    assert.ok(
      diags.some((d) => /^9: warning: acl 'p' will never match/.test(d)),
      diags.join('\n'),
    );
    assert.ok(
      diags.some((d) =>
        /^10: warning: anonymous acl will never match because it uses keyword 'status'/.test(d),
      ),
      diags.join('\n'),
    );
  });

  it('a condition or sample halo does not evaluate is refused, not run as false', () => {
    const { diags } = parse(
      'http-request deny if { req.body -m sub x }\nhttp-request set-header x %[req.body]',
    );
    assert.ok(
      diags.some((d) => /^8: error: halo refuses 'http-request deny'/.test(d)),
      diags.join('\n'),
    );
    assert.ok(
      diags.some((d) => /^9: error: halo refuses 'http-request set-header'/.test(d)),
      diags.join('\n'),
    );
  });

  it('actions halo does not run yet stay refused or warned', () => {
    const { diags } = parse(
      'http-request normalize-uri path-merge-slashes\nhttp-request set-log-level silent',
    );
    assert.ok(
      diags.some((d) => /^8: error: halo refuses 'http-request normalize-uri'/.test(d)),
      diags.join('\n'),
    );
    assert.ok(
      diags.some((d) => /^9: warning: halo does not apply/.test(d)),
      diags.join('\n'),
    );
  });
});

describe('HTTP rule sets', () => {
  it('allow ends the list; deny answers with the built-in page', () => {
    const r = rules('http-request allow if { src 192.0.2.0/24 }\nhttp-request deny');
    assert.equal(r.runRequest(input(request('GET', '/'))), undefined);
    const other = rules('http-request allow if { src 198.51.100.0/24 }\nhttp-request deny');
    const v = other.runRequest(input(request('GET', '/')));
    assert.equal(v?.action, 'deny');
    assert.equal(v?.reply.status, 403);
    assert.match(v?.reply.body ?? '', /Request forbidden by administrative rules/);
  });

  it('header edits in order, later rules and ACLs seeing them', () => {
    const r = rules(
      [
        'http-request set-header X-Proto https',
        'http-request add-header X-Client %ci:%cp',
        'http-request del-header X-Secret',
        'http-request replace-header User-Agent ^curl(.*) Curl\\1',
        'http-request replace-value X-List ^a$ z',
        'http-request set-header X-Seen yes if { hdr(x-proto) https }',
        'http-request del-header ^x-dr -m reg',
      ].join('\n'),
    );
    const req = request('GET', '/p', [
      ['x-secret', 's'],
      ['user-agent', 'curl/8'],
      ['x-list', 'a, b, a'],
      ['x-proto', 'http'],
      ['x-drop', '1'],
    ]);
    assert.equal(r.runRequest(input(req)), undefined);
    assert.deepEqual(req.headers.lines, [
      ['user-agent', 'Curl/8'],
      ['x-list', 'z, b,z'],
      ['x-proto', 'https'],
      ['x-client', '192.0.2.7:4242'],
      ['x-seen', 'yes'],
    ]);
  });

  it('request line rewrites keep what they do not name', () => {
    const run = (rule: string, url: string) => {
      const req = request('GET', url);
      rules(rule).runRequest(input(req));
      return `${req.method} ${req.url}`;
    };
    assert.equal(run('http-request set-path /n', '/o?q=1'), 'GET /n?q=1');
    assert.equal(run('http-request set-path /n', 'http://h.test/o?q'), 'GET http://h.test/n?q');
    assert.equal(run('http-request set-query a=1', '/o?old'), 'GET /o?a=1');
    assert.equal(run('http-request set-pathq /p?x', '/o?q'), 'GET /p?x');
    assert.equal(run('http-request set-uri /u', '/o'), 'GET /u');
    assert.equal(run('http-request set-method PUT', '/o'), 'PUT /o');
  });

  it('redirect forms build the Location HAProxy sends', () => {
    const loc = (rule: string, url: string, host = 'h.test') => {
      const v = rules(rule).runRequest(input(request('GET', url, [['host', host]])));
      return [v?.reply.status, v?.reply.headers.find(([k]) => k === 'location')?.[1]];
    };
    assert.deepEqual(loc('http-request redirect location /new code 301', '/a?x'), [301, '/new']);
    assert.deepEqual(loc('http-request redirect prefix https://e.test', '/b?y=2'), [
      302,
      'https://e.test/b?y=2',
    ]);
    assert.deepEqual(loc('http-request redirect scheme https', '/c?q'), [
      302,
      'https://h.test/c?q',
    ]);
    assert.deepEqual(loc('http-request redirect prefix /p drop-query append-slash', '/f/x?q'), [
      302,
      '/p/f/x/',
    ]);
    assert.deepEqual(loc('http-request redirect prefix /', '/e/x?q'), [302, '/e/x?q']);
    assert.deepEqual(loc('redirect location /r if { path /a }', '/a'), [302, '/r']);
  });

  it('return builds its reply: hdr first, no content-length on a 204', () => {
    const v = rules(
      'http-request return status 201 content-type text/plain lf-string "p=%[path]" hdr x-a b',
    ).runRequest(input(request('GET', '/z')));
    assert.deepEqual(v?.reply, {
      status: 201,
      reason: 'Created',
      headers: [
        ['x-a', 'b'],
        ['content-length', '4'],
        ['content-type', 'text/plain'],
      ],
      body: 'p=/z',
      page: false,
    });
    const empty = rules('http-request return status 204').runRequest(input(request('GET', '/')));
    assert.deepEqual(empty?.reply.headers, []);
  });

  it('response rules see the response and no request', () => {
    const r = rules(
      [
        'http-response set-status 201 if { status 200 }',
        'http-response set-header X-S %[status]',
        'http-response deny if { res.hdr(x-bad) 1 }',
        'http-after-response set-header X-After 1',
      ].join('\n'),
    );
    const req = request('GET', '/');
    const res = new ResponseHead(200, 'OK', new HeaderList([['x-foo', 'bar']]));
    assert.equal(r.runResponse(input(req, res), res), undefined);
    r.runAfterResponse(input(req, res), res);
    assert.equal(res.status, 201);
    assert.equal(res.reason, 'Created');
    assert.deepEqual(res.headers.lines, [
      ['x-foo', 'bar'],
      ['x-s', '201'],
      ['x-after', '1'],
    ]);
    const bad = new ResponseHead(200, 'OK', new HeaderList([['x-bad', '1']]));
    assert.equal(r.runResponse(input(req, bad), bad)?.reply.status, 502);
  });
});

describe('userlists and http_auth', () => {
  const withList = (list: string, rules: string) =>
    parseHaproxy([{ path: 't.cfg', text: `userlist L\n${list}\n${cfg(rules)}` }]);
  const diagsOf = (r: ReturnType<typeof parseHaproxy>) => {
    if (r.config) conditionChecks(r.config, r.diagnostics);
    return r.diagnostics.sorted().map((d) => `${d.line}: ${d.severity}: ${d.message}`);
  };

  it("HAProxy's errors: an unknown group or user, an unknown userlist", () => {
    const d = diagsOf(
      withList(
        '    user a insecure-password x groups nope\n    group g users ghost',
        'acl ok http_auth(M)',
      ),
    );
    assert.ok(
      d.some((l) => /^2: error: userlist 'L': no such group 'nope' specified in user 'a'/.test(l)),
      d.join('\n'),
    );
    assert.ok(
      d.some((l) => /^3: error: userlist 'L': no such user 'ghost' specified in group 'g'/.test(l)),
      d.join('\n'),
    );
    assert.ok(
      d.some((l) =>
        /unable to find userlist 'M' referenced in arg 1 of ACL keyword 'http_auth'/.test(l),
      ),
      d.join('\n'),
    );
  });

  it('a hash scheme halo does not verify is refused at the user', () => {
    const d = diagsOf(withList('    user a password $y$j9T$abc$def', 'acl ok http_auth(L)'));
    assert.ok(
      d.some((l) => /^2: error: halo refuses the password of user 'a'/.test(l)),
      d.join('\n'),
    );
  });

  it('Basic credentials: insecure-password, SHA-512 crypt, groups from both sides', async () => {
    await preloadCrypt();
    const r = withList(
      [
        '    group admins users alice',
        `    user alice password ${'$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1'}`,
        '    user bob insecure-password pw groups admins',
        '    user eve insecure-password ev',
      ].join('\n'),
      '',
    );
    const list = r.config!.userlists.get('L')!;
    const basic = (c: string) => `Basic ${Buffer.from(c).toString('base64')}`;
    assert.equal(authenticatedUser(list, basic('alice:secret'))?.name, 'alice');
    assert.equal(authenticatedUser(list, basic('alice:secret'))?.name, 'alice', 'remembered');
    assert.equal(authenticatedUser(list, basic('alice:Secret')), undefined);
    assert.deepEqual(authenticatedUser(list, basic('bob:pw'))?.groups, ['admins']);
    assert.deepEqual(authenticatedUser(list, basic('eve:ev'))?.groups, []);
    assert.equal(authenticatedUser(list, 'Digest x'), undefined);
    assert.equal(authenticatedUser(list, basic('nocolon')), undefined);
    assert.deepEqual(basicCredentials(basic('u:p:q')), { user: 'u', password: 'p:q' });
  });
});

describe('variables', () => {
  it('set-var, set-var-fmt, unset-var; req. is gone once the response is in', () => {
    const r = rules(
      [
        'http-request set-var(txn.host) req.hdr(host),lower',
        'http-request set-var(req.p) path',
        'http-request set-var-fmt(txn.who) "%[src]/%[var(txn.host)]"',
        'http-request set-var(txn.tmp) str(x)',
        'http-request unset-var(txn.tmp)',
        'http-request set-var(txn.none) req.hdr(nope)',
        'http-request set-header X-Who %[var(txn.who)]',
        'http-request deny if { var(txn.host) -m str evil.test }',
        'http-response set-header X-P %[var(req.p)]',
        'http-response set-header X-H %[var(txn.host)]',
      ].join('\n'),
    );
    const head = (host: string) => {
      const req = request('GET', '/p', [['host', host]]);
      req.vars = new VarStore(new Map(), new Map());
      return req;
    };
    const req = head('H.Test');
    assert.equal(r.runRequest(input(req)), undefined);
    assert.equal(req.vars!.get('txn.tmp'), undefined);
    assert.equal(req.vars!.get('txn.none'), undefined, 'an empty sample sets nothing');
    assert.deepEqual(req.headers.values('x-who'), ['192.0.2.7/h.test']);
    req.vars!.endRequest();
    const res = new ResponseHead(200, 'OK', new HeaderList());
    assert.equal(r.runResponse(input(req, res), res), undefined);
    assert.deepEqual(res.headers.lines, [
      ['x-p', ''],
      ['x-h', 'h.test'],
    ]);
    assert.equal(r.runRequest(input(head('EVIL.test')))?.action, 'deny');
  });
});

describe('errorfile', () => {
  it("a file's status line, headers and payload; HAProxy's reasons for refusing one", () => {
    const ok = parseErrorFile(
      Buffer.from('HTTP/1.0 503 Down\r\nConnection: close\r\nX-A: b\r\n\r\nbody\n'),
    );
    assert.deepEqual(ok, {
      version: 'HTTP/1.0',
      status: 503,
      reason: 'Down',
      headers: [
        ['connection', 'close'],
        ['x-a', 'b'],
      ],
      body: 'body\n',
    });
    assert.match(
      String(parseErrorFile(Buffer.from('HTTP/1.1 503 X\r\nContent-Length: 5\r\n\r\nslow\nEXTRA'))),
      /payload size does not match the announced content-length \(10 != 5\)/,
    );
    assert.match(String(parseErrorFile(Buffer.from('garbage\r\n\r\n'))), /invalid status line/);
  });

  it('codes without a page and files that do not open are errors at their line', () => {
    const { diags } = parse(
      'errorfile 418 /etc/haproxy/errors/403.http\nerrorfile 503 /nonexistent/x',
    );
    assert.ok(
      diags.some((d) => /^8: error: errorfile : status code '418' not handled\./.test(d)),
      diags.join('\n'),
    );
    assert.ok(
      diags.some((d) => /^9: error: errorfile : error opening file '\/nonexistent\/x'\./.test(d)),
      diags.join('\n'),
    );
  });
});
