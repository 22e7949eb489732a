// The checks `haproxy -c` makes beyond keyword syntax, each measured on HAProxy 2.6.12:
// env expansion in addresses, proxy name clashes, ACL fetch/converter names, TLS without a
// certificate or CA, "no listener", user/group lookups through an injected host, and the
// halo warnings for values HAProxy takes silently.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { envExpand } from '../../src/config/haproxy/address.js';
import { type HaproxyHost, parseHaproxy } from '../../src/config/haproxy/index.js';

const T = 'defaults\n  timeout client 1m\n  timeout server 1m\n  timeout connect 1s\n';
/** A listener and a backend `b`, so a snippet is not also "no listener". */
const FE = 'frontend f\n  bind 127.0.0.1:80\n  default_backend b\n';

function run(text: string, opts: { env?: Record<string, string>; host?: HaproxyHost } = {}) {
  return parseHaproxy([{ path: 't.cfg', text }], opts).diagnostics.sorted();
}

/** `line severity: message` of every error and warning whose code is not a timeout one. */
function said(list: Diagnostic[]): string[] {
  return list
    .filter((d) => d.code !== 'HALO_TUNNEL_TIMEOUT' && d.code !== 'HAP_MISSING_TIMEOUTS')
    .map((d) => `${d.line} ${d.severity}: ${d.message}`);
}

function hasLine(list: Diagnostic[], line: number, severity: string, text: string): boolean {
  return list.some((d) => d.line === line && d.severity === severity && d.message.includes(text));
}

describe('envExpand (str2sa_range)', () => {
  const env = { A: '127.0.0.1', B: '80' };
  const cases: [string, string][] = [
    ['${A}:${B}', '127.0.0.1:80'],
    ['$A:$B', '127.0.0.1:80'],
    ['${NOPE}:80', ':80'],
    ['${NOPE-127.0.0.2}:80', '-127.0.0.2}:80'],
    ['${A}x${A}', '127.0.0.1x127.0.0.1'],
    ['no-dollar', 'no-dollar'],
  ];
  for (const [input, want] of cases) {
    it(`${input} -> ${want}`, () => assert.equal(envExpand(input, env), want));
  }
});

describe('environment variables outside quotes', () => {
  it('expands them in bind and server addresses', () => {
    const text = `${T}frontend f\n  bind \${ADDR}:80\n  default_backend b\nbackend b\n  server s \${ADDR}:\${PORT}\n`;
    assert.deepEqual(said(run(text, { env: { ADDR: '127.0.0.1', PORT: '6443' } })), []);
    const cfg = parseHaproxy([{ path: 't.cfg', text }], { env: { ADDR: '10.0.0.1' } }).config;
    assert.deepEqual(cfg?.proxies[0]?.binds[0]?.addresses[0], {
      kind: 'inet',
      family: 4,
      host: '10.0.0.1',
      port: 80,
    });
  });

  it('quotes the address as written in errors', () => {
    const d = run(`${T}frontend f\n  bind \${ADDR}:80\n`, { env: { ADDR: '999.1.1.1' } });
    assert.ok(hasLine(d, 6, 'error', "'bind' : invalid address: '999.1.1.1' in '${ADDR}:80'"));
  });

  it('leaves other words alone', () => {
    const d = run(`${T}frontend f\n  bind 127.0.0.1:80 \${OPT}\n`, { env: { OPT: 'v4v6' } });
    assert.ok(hasLine(d, 6, 'error', "unknown keyword '${OPT}'"));
  });
});

describe('proxies with the same name (2.6 looks up frontends for fe/listen, backends for backend)', () => {
  const cases: [string, string, string | undefined][] = [
    ['backend', 'listen', undefined],
    ['listen', 'backend', "backend 'x' has the same name as proxy 'x'"],
    ['listen', 'frontend', "frontend 'x' has the same name as proxy 'x'"],
    ['frontend', 'listen', "proxy 'x' has the same name as frontend 'x'"],
    ['frontend', 'backend', undefined],
    ['backend', 'frontend', undefined],
    ['backend', 'backend', "backend 'x' has the same name as backend 'x'"],
  ];
  for (const [first, second, error] of cases) {
    it(`${first} then ${second}: ${error ?? 'accepted'}`, () => {
      const d = run(`${T}${first} x\n  bind :81\n${second} x\n  bind :82\n${FE}backend b\n`);
      const errors = d.filter((x) => x.code === 'HAP_DUPLICATE_PROXY');
      if (error) assert.ok(hasLine(d, 7, 'error', error), said(d).join('\n'));
      else assert.deepEqual(errors, []);
    });
  }

  it('warns when a listen shares its name with an earlier backend', () => {
    const d = run(`${T}backend x\nlisten x\n  bind :81\n${FE}backend b\n`);
    const w = d.find((x) => x.code === 'HALO_SHADOWED_BACKEND');
    assert.equal(w?.line, 6);
    assert.equal(w?.origin, 'halo');
    assert.match(w?.hint ?? '', /declared first \(t\.cfg:5\)/);
  });
});

describe('did you mean, with section names', () => {
  it('suggests section names inside a proxy section and in global', () => {
    const d = run(`global\n  frontnd x\n${T}${FE}backnd b\n  globl\nbackend b\n`);
    assert.ok(hasLine(d, 2, 'error', "'global' section; did you mean 'frontend' maybe ?"));
    assert.ok(hasLine(d, 10, 'error', "'frontend' section; did you mean 'backend' maybe ?"));
    // HAProxy does not offer 'global' inside a proxy section.
    assert.ok(hasLine(d, 11, 'error', "unknown keyword 'globl' in 'frontend' section"));
    assert.ok(!d.some((x) => x.line === 11 && x.message.includes('did you mean')));
  });
});

describe('ACL criteria', () => {
  const acl = (criterion: string) => run(`${T}${FE}  acl a ${criterion} x\nbackend b\n`);
  const accepted = [
    'path_beg',
    'hdr_sub(host)',
    'src',
    'dst_port',
    'req.ssl_sni',
    'req.hdr(host),lower',
    'hdr(a),field(1,:),lower',
    'src,ipmask(24)',
    'req.hdr(host,1),regsub(a\\,b,g),lower',
  ];
  for (const c of accepted) {
    it(`accepts ${c}`, () => assert.deepEqual(said(acl(c)), []));
  }

  const refused: [string, string, string | undefined][] = [
    ['foo_bar(1)', "unknown fetch method 'foo_bar' in ACL expression 'foo_bar(1)'.", undefined],
    ['path_bg', "unknown fetch method 'path_bg' in ACL expression 'path_bg'.", 'path_beg'],
    ['-i', "unknown fetch method '-i' in ACL expression '-i'.", undefined],
    ['src+x', "unknown fetch method 'src+x' in ACL expression 'src+x'.", undefined],
    [
      'req.cook_beg(x)',
      "unknown fetch method 'req.cook_beg' in ACL expression 'req.cook_beg(x)'.",
      undefined,
    ],
    ['src,lowr', "unknown converter 'lowr' in ACL expression 'src,lowr'.", 'lower'],
    ['path_beg,lowr', "ACL keyword 'path_beg' : unknown converter 'lowr'.", 'lower'],
  ];
  for (const [c, message, suggestion] of refused) {
    it(`refuses ${c}`, () => {
      const d = acl(c).find((x) => x.code === 'HAP_UNKNOWN_FETCH');
      assert.equal(d?.line, 8);
      assert.equal(d?.message, `error detected while parsing ACL 'a' : ${message}`);
      if (suggestion) assert.equal(d?.hint, `did you mean '${suggestion}'?`);
    });
  }

  it('checks anonymous ACLs of a condition', () => {
    const d = run(
      `${T}${FE}  use_backend b if { foo_baz 1 }\n  use_backend b if { }\n  use_backend b if { src 1\nbackend b\n`,
    );
    assert.deepEqual(said(d), [
      "8 error: error detected while parsing switching rule : unknown fetch method 'foo_baz' in ACL expression 'foo_baz'.",
      "9 error: error detected while parsing switching rule : missing fetch method in ACL expression ''.",
      "10 error: error detected while parsing switching rule : missing closing '}' in condition.",
    ]);
  });
});

describe('TLS on bind lines', () => {
  it('needs a certificate, except with strict-sni (a warning); disabled and backend proxies too', () => {
    const d = run(
      `${T}frontend f\n  bind :80,:81 ssl\n  bind :82 ssl strict-sni\n  bind :83 ssl crt /x.pem\n  bind :84 ssl crt-list /x.lst\n  default_backend b\nfrontend g\n  disabled\n  bind :85 ssl\nbackend b\n  bind :86 ssl\n`,
    );
    assert.deepEqual(
      said(d).filter((s) => s.includes('SSL')),
      [
        "6 error: Proxy 'f': no SSL certificate specified for bind ':80,:81' at [t.cfg:6] (use 'crt').",
        "7 warning: Proxy 'f': no SSL certificate specified for bind ':82' at [t.cfg:7], ssl connections will fail (use 'crt').",
        "8 error: 'bind :83' in section 'frontend' : unable to stat SSL certificate from file '/x.pem' : No such file or directory.",
        "13 error: Proxy 'g': no SSL certificate specified for bind ':85' at [t.cfg:13] (use 'crt').",
        "15 error: Proxy 'b': no SSL certificate specified for bind ':86' at [t.cfg:15] (use 'crt').",
      ],
    );
  });
});

describe('TLS servers and their CA', () => {
  const BY_DEFAULT = 'verify is enabled by default but no CA file specified. If you';
  const servers = (global: string, lines: string) =>
    run(`${global}${T}${FE}backend b\n${lines}`).filter((d) => d.code === 'HAP_SERVER_NO_CA');
  const at = (list: Diagnostic[]) =>
    list.map(
      (d) => `${d.line} ${d.message.slice(0, d.message.indexOf(' : ') + 3 + BY_DEFAULT.length)}`,
    );

  it('refuses ssl, check-ssl and ssl checks without verify none or a CA file', () => {
    const d = servers(
      '',
      '  server a 127.0.0.1:1 ssl\n  server b 127.0.0.1:1 check check-ssl\n  server c 127.0.0.1:1 ssl verify required\n  server d 127.0.0.1:1 ssl verify none\n  server e 127.0.0.1:1 ssl ca-file @system-ca\n  server f 127.0.0.1:1 ssl no-ssl\n  server g 127.0.0.1:1 ssl disabled\n',
    );
    assert.deepEqual(at(d), [
      `9 'server b/a' : ${BY_DEFAULT}`,
      `10 'server b/b' : ${BY_DEFAULT}`,
      `11 'server b/c' : ${BY_DEFAULT}`,
      `15 'server b/g' : ${BY_DEFAULT}`,
    ]);
  });

  it("follows 'ssl-server-verify' (the last one wins)", () => {
    const none = 'global\n  ssl-server-verify required\n  ssl-server-verify none\n';
    assert.deepEqual(servers(none, '  server a 127.0.0.1:1 ssl\n'), []);
    const explicit = servers(none, '  server a 127.0.0.1:1 ssl verify required\n');
    assert.equal(
      explicit[0]?.message,
      "'server b/a' : verify is enabled but no CA file specified.",
    );
  });

  it('refuses bad ssl-server-verify values', () => {
    const d = run(`global\n  ssl-server-verify bogus\n  ssl-server-verify\n${T}${FE}backend b\n`);
    assert.deepEqual(said(d), [
      "2 error: 'ssl-server-verify' expects 'none' or 'required' as argument.",
      "3 error: 'ssl-server-verify' expects an integer argument.",
    ]);
  });

  it("checks servers of 'http-check connect ssl' and a 'default-server ssl' despite 'no-ssl'", () => {
    const d = servers(
      '',
      '  default-server ssl\n  server a 127.0.0.1:1 no-ssl\nbackend c\n  option httpchk\n  http-check connect ssl\n  server a 127.0.0.1:1 check\n',
    );
    assert.deepEqual(
      d.map((x) => x.line),
      [10, 14],
    );
  });

  it('skips disabled backends', () => {
    assert.deepEqual(servers('', '  disabled\n  server a 127.0.0.1:1 ssl\n'), []);
  });
});

describe('the PROXY protocol together with TLS', () => {
  const REFUSED = "together with 'ssl'";
  it('refuses accept-proxy with ssl on one bind, expect-proxy beside an ssl bind, send-proxy with ssl', () => {
    const d = run(
      `${T}frontend f\n  mode http\n  bind :80 ssl crt /x.pem accept-proxy\n  bind :81 accept-proxy\n  default_backend b\nfrontend g\n  mode http\n  bind :82 ssl crt /x.pem\n  tcp-request connection expect-proxy layer4\n  default_backend b\nbackend b\n  mode http\n  server a 127.0.0.1:1 ssl verify none send-proxy\n  server c 127.0.0.1:1 send-proxy-v2\n  server e 127.0.0.1:1 ssl verify none\n  server g 127.0.0.1:1 check check-ssl verify none check-send-proxy\n`,
    );
    const refused = d.filter(
      (x) => x.severity === 'error' && x.code === 'HALO_NOT_APPLIED_SECURITY',
    );
    assert.deepEqual(
      refused.map((x) => `${x.line} ${x.message.split(':')[0]}`),
      [
        `7 halo refuses 'accept-proxy' ${REFUSED} on one bind line`,
        "13 halo refuses 'tcp-request connection expect-proxy' in 'g', which has a bind with 'ssl'",
        `17 halo refuses 'send-proxy' ${REFUSED} on server 'b/a'`,
      ],
    );
  });
});

describe('no listener', () => {
  const NO_LISTENER = 'Configuration file has no error but will not start (no listener).';
  const cases: [string, string, number | undefined][] = [
    ['only backends', `${T}backend b\n  server s 127.0.0.1:1\n`, 5],
    ['a frontend without bind', `global\n${T}frontend f\n  default_backend b\nbackend b\n`, 6],
    ['a disabled frontend', `${T}frontend f\n  disabled\n  bind :80\n`, 5],
    ['an empty file', '', 1],
    ['a stats socket', `global\n  stats socket /run/x.sock\n${T}backend b\n`, undefined],
    ['a peers section', `${T}peers p\n  peer a 127.0.0.1:1024\nbackend b\n`, undefined],
    ['a listen with bind', `${T}listen l\n  bind :80\n`, undefined],
  ];
  for (const [name, text, line] of cases) {
    it(`${name}: ${line === undefined ? 'starts' : `error at line ${line}`}`, () => {
      const d = run(text).filter((x) => x.code === 'HAP_NO_LISTENER');
      assert.deepEqual(
        d.map((x) => [x.line, x.severity, x.message]),
        line === undefined ? [] : [[line, 'error', NO_LISTENER]],
      );
    });
  }

  it('is not reported when there are errors already (HAProxy stops before)', () => {
    const d = run(`${T}backend b\n  balance nope\n`);
    assert.ok(!d.some((x) => x.code === 'HAP_NO_LISTENER'));
  });
});

const OWNER_REFUSED =
  "halo refuses 'user' on a bind line: halo does not set the owner of a UNIX-socket listener yet, so it would keep halo's own user and group, not the ones named";

describe('user and group names through the host', () => {
  const host: HaproxyHost = {
    userExists: (n) => n === 'haproxy',
    groupExists: (n) => n === 'haproxy',
  };
  const text = `global\n  user nobody-here\n  group haproxy\n  stats socket /run/a.sock user haproxy group nogroup-here\n${T}frontend f\n  bind unix@/run/f.sock user nobody-here\n  default_backend b\nbackend b\n`;

  it("reports names the host does not know, in HAProxy's wording", () => {
    assert.deepEqual(said(run(text, { host })), [
      "2 error: cannot find user id for 'nobody-here'.",
      "4 error: 'stats socket' : ''group' : unknown group name 'nogroup-here''",
      `10 error: ${OWNER_REFUSED}`,
      "10 error: 'bind unix@/run/f.sock' in section 'frontend' : 'user' : unknown user name 'nobody-here'",
    ]);
  });

  it('checks nothing without a host (offline)', () => {
    // Only the refusal remains: halo does not set a listener socket's owner yet.
    assert.deepEqual(said(run(text)), [`10 error: ${OWNER_REFUSED}`]);
  });

  it('refuses an empty name even offline', () => {
    const d = run(`global\n  user\n  group\n${T}${FE}backend b\n`);
    assert.deepEqual(said(d), [
      "2 error: cannot find user id for ''.",
      "3 error: cannot find group id for ''.",
    ]);
  });
});

describe('halo warnings for values HAProxy takes without a word', () => {
  it('warns about non-numbers, negative server limits and empty conditions', () => {
    const d = run(
      `global\n  maxconn lots\n${T}frontend f\n  bind :80\n  maxconn 12abc\n  use_backend b if\n  use_backend b unless\n  default_backend b\nbackend b\n  retries many\n  server s 127.0.0.1:1 maxconn -5 maxqueue +3\n`,
    );
    const halo = d.filter((x) => x.origin === 'halo' && x.code !== 'HALO_TUNNEL_TIMEOUT');
    assert.deepEqual(
      halo.map((x) => `${x.line} ${x.code}`),
      [
        '2 HALO_NOT_A_NUMBER',
        '9 HALO_NOT_A_NUMBER',
        '10 HALO_EMPTY_CONDITION',
        '11 HALO_EMPTY_CONDITION',
        '14 HALO_NOT_A_NUMBER',
        '15 HALO_SERVER_LIMIT',
      ],
    );
    assert.ok(halo.every((x) => x.severity === 'warning' && x.hint));
    assert.match(halo[1]?.message ?? '', /'12abc': HAProxy silently reads it as 12/);
    assert.match(halo[2]?.message ?? '', /never applies/);
    assert.match(halo[3]?.message ?? '', /always applies/);
    assert.match(halo[5]?.message ?? '', /maxconn '-5'.*no limit/);
  });
});
