// Table-driven parser tests: each config snippet and the diagnostics HAProxy 2.6.12 gives
// for it (`haproxy -c` wording and verdict, checked on the real binary), plus model fields.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHaproxy } from '../../src/config/haproxy/index.js';

const T = 'defaults\n  timeout client 1m\n  timeout server 1m\n  timeout connect 1s\n';
const parse = (text: string, env: Record<string, string> = {}) =>
  parseHaproxy([{ path: 't.cfg', text }], { env });

type Want = [code: string, line: number, severity: 'error' | 'warning', message: string];

/** `haproxy -c` exits 2 on a config without any listener; halo reports it as an error. */
const NO_LISTENER = (line: number): Want => [
  'HAP_NO_LISTENER',
  line,
  'error',
  'Configuration file has no error but will not start (no listener).',
];
/** A listener, so that model tests about backends are not also "will not start". */
const FE = 'frontend f\n  bind :80\n  default_backend b\n';

const cases: [name: string, text: string, want: Want[]][] = [
  [
    'unknown global keyword',
    'global\n  foo bar\n',
    [['HAP_UNKNOWN_KEYWORD', 2, 'error', "unknown keyword 'foo' in 'global' section"]],
  ],
  [
    'did you mean',
    `${T}backend b\n  balanse roundrobin\n`,
    [
      [
        'HAP_UNKNOWN_KEYWORD',
        6,
        'error',
        "unknown keyword 'balanse' in 'backend' section; did you mean 'balance' maybe ?",
      ],
    ],
  ],
  [
    'out of section',
    'maxconn 10\n',
    [['HAP_OUT_OF_SECTION', 1, 'error', "unknown keyword 'maxconn' out of section."]],
  ],
  [
    'pidfile twice',
    'global\n  pidfile /a\n  pidfile /b\n',
    [
      NO_LISTENER(1),
      ['HAP_ALREADY_SPECIFIED', 3, 'warning', "'pidfile' already specified. Continuing."],
    ],
  ],
  [
    'nbproc',
    'global\n  nbproc 2\n',
    [
      [
        'HAP_REMOVED_KEYWORD',
        2,
        'error',
        'nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.',
      ],
    ],
  ],
  [
    'missing LF',
    'global\n  maxconn 10',
    [
      [
        'HAP_MISSING_LF',
        2,
        'error',
        'Missing LF on last line, file might have been truncated at position 13.',
      ],
    ],
  ],
  [
    'unmatched quote',
    'global\n  chroot "/x\n',
    [['HAP_UNMATCHED_QUOTE', 2, 'error', 'unmatched quote at position 10']],
  ],
  [
    'unknown option',
    `${T}backend b\n  option httplg\n`,
    [['HAP_UNKNOWN_OPTION', 6, 'error', "unknown option 'httplg'; did you mean 'httplog' maybe ?"]],
  ],
  [
    'no on a non-negatable option',
    `${T}backend b\n  no option forwardfor\n`,
    [
      [
        'HAP_NEGATION_UNSUPPORTED',
        6,
        'error',
        "negation/default is not supported for option 'forwardfor'.",
      ],
    ],
  ],
  [
    'bad mode',
    `${T}backend b\n  mode foo\n`,
    [['HAP_UNKNOWN_MODE', 6, 'error', "unknown proxy mode 'foo'."]],
  ],
  [
    'old timeouts',
    `${T}backend b\n  contimeout 5s\n`,
    [
      [
        'HAP_REMOVED_KEYWORD',
        6,
        'error',
        "the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
      ],
    ],
  ],
  [
    'bad time',
    `${T}backend b\n  timeout connect 5q\n`,
    [['HAP_BAD_TIME', 6, 'error', "unexpected character 'q' in 'timeout connect'"]],
  ],
  [
    'bad timeout name',
    `${T}backend b\n  timeout foo 5s\n`,
    [
      [
        'HAP_BAD_VALUE',
        6,
        'error',
        "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got 'foo')",
      ],
    ],
  ],
  [
    'bind without port',
    `${T}frontend f\n  bind 1.2.3.4\n`,
    [['HAP_BAD_ADDRESS', 6, 'error', "'bind' : missing port specification in '1.2.3.4'"]],
  ],
  [
    'bind bad port',
    `${T}frontend f\n  bind :70000\n`,
    [['HAP_BAD_ADDRESS', 6, 'error', "'bind' : invalid port '70000'"]],
  ],
  [
    'bind bad address',
    `${T}frontend f\n  bind 999.1.1.1:80\n`,
    [['HAP_BAD_ADDRESS', 6, 'error', "'bind' : invalid address: '999.1.1.1' in '999.1.1.1:80'"]],
  ],
  [
    'bind unknown option',
    `${T}frontend f\n  bind :80 bogusopt\n`,
    [
      [
        'HAP_BAD_BIND_OPTION',
        6,
        'error',
        "'bind :80' in section 'frontend': unknown keyword 'bogusopt'.",
      ],
    ],
  ],
  [
    'server without address',
    `${T}backend b\n  server s1\n`,
    [['HAP_MISSING_ARG', 6, 'error', "'server' expects <name> and <addr>[:<port>] as arguments."]],
  ],
  [
    'server bad port',
    `${T}backend b\n  server s 1.2.3.4:99999\n`,
    [['HAP_BAD_ADDRESS', 6, 'error', "'server b/s' : invalid port '99999'"]],
  ],
  [
    'server rise 0',
    `${T}backend b\n  server s 1.2.3.4:80 rise 0\n`,
    [['HAP_BAD_SERVER_OPTION', 6, 'error', "'server b/s' : 'rise' has to be > 0.."]],
  ],
  [
    'duplicate server',
    `${T}backend b\n  server s 1.2.3.4:80\n  server s 1.2.3.4:81\n`,
    [
      [
        'HAP_DUPLICATE_SERVER',
        7,
        'error',
        "backend 'b', another server named 's' was already defined at line 6, please use distinct names.",
      ],
    ],
  ],
  [
    'duplicate backend',
    `${T}backend b\nbackend b\n`,
    [
      [
        'HAP_DUPLICATE_PROXY',
        6,
        'error',
        "backend 'b' has the same name as backend 'b' declared at t.cfg:5.",
      ],
    ],
  ],
  [
    'frontend and backend may share a name',
    `${T}frontend x\n  bind :80\n  default_backend x\nbackend x\n  timeout tunnel 1h\n  server s 127.0.0.1:80\n`,
    [],
  ],
  [
    'unknown default_backend',
    `${T}frontend f\n  bind :80\n  default_backend nope\n`,
    [
      [
        'HAP_UNKNOWN_BACKEND',
        7,
        'error',
        "Proxy 'f': unable to find required default_backend: 'nope'.",
      ],
    ],
  ],
  [
    'unknown use_backend',
    `${T}frontend f\n  bind :80\n  use_backend nope if TRUE\n`,
    [
      [
        'HAP_UNKNOWN_BACKEND',
        7,
        'error',
        "Proxy 'f': unable to find required use_backend: 'nope'.",
      ],
    ],
  ],
  [
    'no such ACL',
    `${T}frontend f\n  bind :80\n  use_backend b if a\nbackend b\n`,
    [
      [
        'HAP_UNKNOWN_ACL',
        7,
        'error',
        "error detected while parsing switching rule : no such ACL : 'a'.",
      ],
    ],
  ],
  [
    'frontend without bind',
    `${T}frontend f\n`,
    [
      [
        'HAP_NO_BIND',
        5,
        'warning',
        "frontend 'f' has no 'bind' directive. Please declare it as a backend if this was intended.",
      ],
      NO_LISTENER(5),
    ],
  ],
  [
    'missing timeouts',
    'listen l\n  bind :80\n  server s 127.0.0.1:80\n',
    [['HAP_MISSING_TIMEOUTS', 1, 'warning', "missing timeouts for proxy 'l'."]],
  ],
  [
    'http frontend to tcp backend',
    `${T}frontend f\n  mode http\n  bind :80\n  default_backend b\nbackend b\n  mode tcp\n`,
    [
      [
        'HAP_MODE_INCOMPATIBLE',
        8,
        'error',
        "http frontend 'f' (t.cfg:5) tries to use incompatible tcp backend 'b' (t.cfg:9) as its default backend (see 'mode').",
      ],
    ],
  ],
  [
    'httplog in a tcp frontend',
    `${T}  option httplog\n  log 127.0.0.1 local0\nfrontend f\n  bind :80\n`,
    [
      [
        'HAP_HTTPLOG_FALLBACK',
        5,
        'warning',
        "'option httplog' not usable with frontend 'f' (needs 'mode http'). Falling back to 'option tcplog'.",
      ],
    ],
  ],
  [
    'capability warning',
    `${T}frontend f\n  bind :80\n  balance roundrobin\n`,
    [
      [
        'HAP_CAPABILITY_IGNORED',
        7,
        'warning',
        "'balance' ignored because frontend 'f' has no backend capability.",
      ],
    ],
  ],
  [
    'bind in defaults',
    `${T}  bind :80\n`,
    [['HAP_NOT_ALLOWED', 5, 'error', "'bind' not allowed in 'defaults' section."]],
  ],
  [
    'unknown defaults',
    `${T}backend b from nope\n`,
    [['HAP_UNKNOWN_DEFAULTS', 5, 'error', "defaults section 'nope' not found for backend 'b'."]],
  ],
  [
    'bad log facility',
    'global\n  log 127.0.0.1 local9\n',
    [['HAP_BAD_VALUE', 2, 'error', "log : unknown log facility 'local9'"]],
  ],
  [
    'stats admin without condition',
    `${T}listen s\n  bind :80\n  mode http\n  stats admin\n`,
    [
      [
        'HAP_MISSING_ARG',
        8,
        'error',
        "'stats admin' requires either 'if' or 'unless' followed by a condition.",
      ],
    ],
  ],
  [
    'negation of a keyword',
    'global\n  no daemon\n',
    [
      [
        'HAP_NEGATION_UNSUPPORTED',
        2,
        'error',
        'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.',
      ],
    ],
  ],
  [
    'check override (halo)',
    `${T}backend b\n  option httpchk GET /healthz\n  option ssl-hello-chk\n  server s 127.0.0.1:6443 check\n`,
    [
      [
        'HALO_CHECK_OVERRIDDEN',
        5,
        'warning',
        "backend 'b' sets both 'option httpchk' and 'option ssl-hello-chk'",
      ],
      NO_LISTENER(5),
    ],
  ],
  [
    'weak stats auth (halo)',
    `${T}listen s\n  bind :80\n  mode http\n  stats auth admin:admin\n`,
    [
      [
        'HALO_WEAK_STATS_AUTH',
        8,
        'warning',
        "'stats auth admin:...' uses the password equals the user name",
      ],
    ],
  ],
];

describe('haproxy parser diagnostics', () => {
  for (const [name, text, want] of cases) {
    it(name, () => {
      const { diagnostics, config } = parse(text);
      assert.ok(config, 'a model comes back even with errors');
      const got = diagnostics.sorted().map((d) => [d.code, d.line, d.severity, d.message] as const);
      assert.equal(got.length, want.length, `got ${JSON.stringify(got, null, 1)}`);
      for (const [i, w] of want.entries()) {
        const g = got[i];
        assert.ok(g);
        assert.deepEqual(g.slice(0, 3), w.slice(0, 3));
        assert.ok(
          g[3].startsWith(w[3]),
          `message ${JSON.stringify(g[3])} should start with ${JSON.stringify(w[3])}`,
        );
      }
    });
  }

  it('keeps parsing after errors and reports all of them', () => {
    const { diagnostics } = parse('global\n  foo\n  bar\ndefaults\n  mode nope\n  baz\n');
    assert.deepEqual(
      diagnostics.sorted().map((d) => d.line),
      [2, 3, 5, 6],
    );
  });
});

describe('haproxy model resolution', () => {
  it('parses every bind address form', () => {
    const { config } = parse(
      `${T}frontend f\n  bind *:9443,:9444\n  bind :::9445 v6only\n  bind [::]:9446 v4v6\n  bind ipv4@0.0.0.0:9447 name x accept-proxy\n  bind ipv6@:9448\n  bind 127.0.0.1:9000-9010\n  bind unix@/run/a.sock\n  bind /run/b.sock\n  bind fd@3\n  bind :443 ssl crt /etc/x.pem\n`,
    );
    const binds = config?.proxies[0]?.binds ?? [];
    assert.deepEqual(
      binds.flatMap((b) => b.addresses),
      [
        { kind: 'inet', family: 'any', host: '0.0.0.0', port: 9443 },
        { kind: 'inet', family: 'any', host: '0.0.0.0', port: 9444 },
        { kind: 'inet', family: 6, host: '::', port: 9445 },
        { kind: 'inet', family: 6, host: '::', port: 9446 },
        { kind: 'inet', family: 4, host: '0.0.0.0', port: 9447 },
        { kind: 'inet', family: 6, host: '::', port: 9448 },
        { kind: 'inet', family: 4, host: '127.0.0.1', port: 9000, portEnd: 9010 },
        { kind: 'unix', path: '/run/a.sock' },
        { kind: 'unix', path: '/run/b.sock' },
        { kind: 'fd', fd: 3 },
        { kind: 'inet', family: 'any', host: '0.0.0.0', port: 443 },
      ],
    );
    assert.deepEqual(binds[3]?.options, { name: 'x', 'accept-proxy': true });
    assert.deepEqual(binds.at(-1)?.options, { ssl: true, crt: '/etc/x.pem' });
  });

  it('applies default-server and server options', () => {
    const { config, diagnostics } = parse(
      `${T}backend b\n  default-server inter 3s rise 5 fall 2\n  server a 10.0.0.1:6443 check fastinter 1s downinter 5s weight 10 maxconn 100 maxqueue 5 backup port 8080 addr 10.0.0.9 ssl check-ssl verify none sni str(x) observe layer7 error-limit 4 on-error mark-down on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions send-proxy-v2\n  server b 10.0.0.2 disabled\n${FE}`,
    );
    // The model keeps every option; what halo does not apply yet is refused (ssl-checks.ts:
    // TLS to servers only from the HTTP side, and not yet behind a PROXY header).
    assert.deepEqual(
      diagnostics.list.filter((d) => d.severity === 'error').map((d) => d.message.split(':')[0]),
      [
        "halo refuses 'ssl' on a server of the mode tcp backend 'b'",
        "halo refuses 'send-proxy-v2' together with 'ssl' on server 'b/a'",
      ],
    );
    const [a, b] = config?.proxies[0]?.servers ?? [];
    assert.deepEqual(
      [
        a?.inter,
        a?.rise,
        a?.fall,
        a?.fastinter,
        a?.downinter,
        a?.weight,
        a?.maxconn,
        a?.maxqueue,
        a?.backup,
        a?.checkPort,
        a?.checkAddr,
        a?.ssl,
        a?.checkSsl,
        a?.verify,
        a?.sni,
        a?.observe,
        a?.errorLimit,
        a?.onError,
        a?.onMarkedDown,
        a?.onMarkedUp,
        a?.sendProxy,
      ],
      [
        3000,
        5,
        2,
        1000,
        5000,
        10,
        100,
        5,
        true,
        8080,
        '10.0.0.9',
        true,
        true,
        'none',
        'str(x)',
        'layer7',
        4,
        'mark-down',
        'shutdown-sessions',
        'shutdown-backup-sessions',
        'v2',
      ],
    );
    assert.deepEqual(
      [b?.host, b?.port, b?.disabled, b?.inter],
      ['10.0.0.2', undefined, true, 3000],
    );
  });

  it('uses the last defaults section, or the named one', () => {
    const { config } = parse(
      'defaults web\n  mode http\n  timeout client 5s\ndefaults\n  mode tcp\nbackend a\nbackend b from web\n',
    );
    const [a, b] = config?.proxies ?? [];
    assert.deepEqual([a?.mode, a?.timeouts.client], ['tcp', undefined]);
    assert.deepEqual(
      [b?.mode, b?.modeInherited, b?.modePos.line, b?.timeouts.client],
      ['http', true, 2, 5000],
    );
  });

  it('expands environment variables in double quotes', () => {
    const { config } = parse(`${T}frontend f\n  bind "\${ADDR}:\${PORT-9443}"\n`, {
      ADDR: '127.0.0.1',
    });
    assert.deepEqual(config?.proxies[0]?.binds[0]?.addresses[0], {
      kind: 'inet',
      family: 4,
      host: '127.0.0.1',
      port: 9443,
    });
  });

  it('parses balance, options, httpchk and http-check rules', () => {
    const { config, diagnostics } = parse(
      `${T}  mode http\nbackend b\n  balance random(3)\n  option httpchk GET /healthz HTTP/1.1\n  http-check expect status 200\n  option forwardfor except 10.0.0.0/8 header X-Real-IP if-none\n  no option redispatch\n  retries 5\n  server s 127.0.0.1:80 check\n${FE}`,
    );
    assert.equal(diagnostics.errors, 0);
    const b = config?.proxies[0];
    assert.deepEqual(b?.balance.algorithm, 'random');
    assert.deepEqual(b?.balance.draws, 3);
    assert.deepEqual(
      [b?.healthCheck.type, b?.healthCheck.method, b?.healthCheck.uri, b?.healthCheck.version],
      ['http', 'GET', '/healthz', 'HTTP/1.1'],
    );
    assert.equal(b?.healthCheck.rules[0]?.kind, 'expect');
    assert.deepEqual(
      [b?.forwardfor?.except, b?.forwardfor?.header, b?.forwardfor?.ifNone],
      ['10.0.0.0/8', 'X-Real-IP', true],
    );
    assert.equal(b?.options.redispatch?.on, false);
    assert.equal(b?.retries, 5);
  });

  it('honours .if/.else blocks', () => {
    const { config } = parse(`${T}.if defined(FAST)\nbackend fast\n.else\nbackend slow\n.endif\n`, {
      FAST: '1',
    });
    assert.deepEqual(
      config?.proxies.map((p) => p.name),
      ['fast'],
    );
  });
});

describe('log-tag', () => {
  it("tags the global targets, a proxy's own tag winning for its lines", () => {
    const { config, diagnostics } = parse(
      'global\n    log 127.0.0.1:514 local0\n    log-tag lb\ndefaults\n    mode http\n    log global\n' +
        '    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n' +
        'frontend a\n    bind 127.0.0.1:8001\n' +
        'frontend b\n    bind 127.0.0.1:8002\n    log-tag kube\n',
    );
    assert.equal(diagnostics.errors, 0, diagnostics.list.map((d) => d.message).join('\n'));
    assert.equal(config?.global.logs[0]?.tag, 'lb');
    const tag = (n: string) => config?.proxies.find((p) => p.name === n)?.logs[0]?.tag;
    assert.equal(tag('a'), 'lb');
    assert.equal(tag('b'), 'kube');
  });
});
