// Golden test for the article's haproxy.cfg: the exact diagnostics (HAProxy's one warning
// plus halo's findings) and the key fields of the resolved model.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import { parseHaproxy } from '../../../src/config/haproxy/index.js';

const dir = join(process.cwd(), 'test/golden/haproxy');
const text = readFileSync(join(dir, 'article-haproxy.cfg'), 'utf8');
const expected = readFileSync(join(dir, 'article-haproxy.expected'), 'utf8');
const { config, diagnostics } = parseHaproxy([{ path: 'article-haproxy.cfg', text }]);

describe('article haproxy.cfg golden', () => {
  it('renders exactly the expected diagnostics', () => {
    const got = `${diagnostics.sorted().map(formatDiagnostic).join('\n')}\n`;
    assert.equal(got, expected);
    assert.equal(diagnostics.errors, 0, 'haproxy -c accepts this file');
  });

  it('carries HAProxy wording and origin for the forwardfor warning', () => {
    const d = diagnostics.list.find((x) => x.origin === 'haproxy');
    assert.ok(d);
    assert.equal(
      d.message,
      "'option forwardfor' ignored for frontend 'apiserver' as it requires HTTP mode.",
    );
    assert.equal(d.line, 63);
    assert.match(d.hint ?? '', /:48/);
  });

  it('lists the halo findings at the right lines', () => {
    const codes = diagnostics.list
      .filter((d) => d.origin === 'halo')
      .map((d) => `${d.code}@${d.line}`);
    assert.deepEqual(codes.sort(), [
      'HALO_MODE_TRAP@72',
      'HALO_REALM_WORDS@87',
      'HALO_TUNNEL_TIMEOUT@63',
      'HALO_WEAK_STATS_AUTH@88',
    ]);
  });

  it('resolves the model as HAProxy does', () => {
    assert.ok(config);
    const g = config.global;
    assert.equal(g.maxconn, 4000);
    assert.equal(g.pidfile?.path, '/var/run/haproxy.pid');
    assert.equal(g.daemon, true);
    assert.deepEqual(
      g.logs.map((l) => [l.target, l.facility]),
      [[{ kind: 'udp', host: '127.0.0.1', port: 514 }, 'local2']],
    );
    assert.deepEqual(g.statsSockets[0]?.address, { kind: 'unix', path: '/var/lib/haproxy/stats' });

    const [fe, be, stats] = config.proxies;
    assert.ok(fe && be && stats);
    assert.deepEqual(
      [fe.kind, fe.name, fe.mode, fe.modeInherited, fe.modePos.line],
      ['frontend', 'apiserver', 'tcp', false, 65],
    );
    assert.deepEqual(
      [be.kind, be.name, be.mode, be.modeInherited, be.modePos.line],
      ['backend', 'apiserver', 'http', true, 43],
    );
    assert.deepEqual(fe.binds[0]?.addresses, [
      { kind: 'inet', family: 'any', host: '0.0.0.0', port: 9443 },
    ]);
    assert.equal(fe.defaultBackend?.name, 'apiserver');
    assert.equal(fe.forwardfor, undefined, 'dropped in mode tcp');
    assert.equal(fe.maxconn, 3000);
    assert.deepEqual(fe.timeouts, {
      httpRequest: 10_000,
      queue: 60_000,
      connect: 10_000,
      client: 60_000,
      server: 60_000,
      httpKeepAlive: 10_000,
      check: 10_000,
    });
    assert.equal(be.balance.algorithm, 'roundrobin');
    assert.equal(be.retries, 3);
    assert.equal(be.options.redispatch?.on, true);
    assert.deepEqual(
      be.servers.map((s) => [s.name, s.host, s.port, s.check, s.rise, s.fall, s.inter, s.weight]),
      [
        ['k8s-master1', '192.168.217.19', 6443, true, 2, 3, 2000, 1],
        ['k8s-master2', '192.168.217.20', 6443, true, 2, 3, 2000, 1],
        ['k8s-master3', '192.168.217.21', 6443, true, 2, 3, 2000, 1],
      ],
    );
    assert.equal(stats.kind, 'listen');
    assert.equal(stats.mode, 'http');
    // `log global` from defaults stays; the section's own `log` line adds a second target.
    assert.deepEqual(
      stats.logs.map((l) => [l.facility, l.level]),
      [
        ['local2', undefined],
        ['local0', 'err'],
      ],
    );
    assert.equal(stats.stats?.realm, 'welcome');
    assert.equal(stats.stats?.uri, '/haproxy-status');
    assert.equal(stats.stats?.refresh, 30_000);
    assert.equal(stats.stats?.hideVersion, true);
    assert.deepEqual(
      stats.stats?.auth.map((a) => [a.user, a.password]),
      [['admin', 'admin123']],
    );
    assert.deepEqual(stats.stats?.admin?.terms, [[{ name: 'TRUE', negate: false }]]);
    assert.equal(stats.forwardfor?.except, '127.0.0.0/8');
  });

  it('is fixed by mode tcp and timeout tunnel in the backend', () => {
    const fixed = text.replace(
      '    balance     roundrobin',
      '    mode tcp\n    timeout tunnel 1h\n    balance     roundrobin',
    );
    const r = parseHaproxy([{ path: 'fixed.cfg', text: fixed }]);
    const codes = r.diagnostics.list.map((d) => d.code);
    assert.ok(!codes.includes('HALO_MODE_TRAP'));
    assert.ok(!codes.includes('HALO_TUNNEL_TIMEOUT'));
    assert.equal(r.config?.proxies[1]?.mode, 'tcp');
  });
});
