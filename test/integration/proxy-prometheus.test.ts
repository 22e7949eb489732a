// `http-request use-service prometheus-exporter if { path /metrics }` beside the real
// HAProxy 2.6 (built with USE_PROMEX): the same config and the same requests to both, then
// both scrapes go through promtool's parser (`promtool check metrics`, Debian's
// `prometheus` package), and halo's set of metric names, types and label sets must be
// HAProxy's less a fixed list of metrics halo does not measure (each named below, so a
// metric lost or added on either side fails the test). Counters that the requests move
// must read the same on both.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyDaemon } from '../../src/daemon/proxy-daemon.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import type { HaproxyChild } from './haproxy-child.js';
import { hasHaproxy, startHaproxy } from './haproxy-child.js';
import { freePort, parse, sleep } from './proxy-harness.js';

const PROMTOOL = '/usr/bin/promtool';
const skip = !hasHaproxy
  ? 'no /usr/sbin/haproxy'
  : !existsSync(PROMTOOL)
    ? `${PROMTOOL} is not installed (apt-get install prometheus)`
    : undefined;

/** HAProxy 2.6 metrics halo leaves out: what it does not measure (see prometheus-metrics.ts). */
const NOT_IN_HALO = [
  'haproxy_process_pool_failures_total',
  'haproxy_process_pool_allocated_bytes',
  'haproxy_process_pool_used_bytes',
  'haproxy_process_current_tasks',
  'haproxy_process_current_run_queue',
  'haproxy_process_idle_time_percent',
  'haproxy_process_failed_resolutions',
  'haproxy_process_bytes_out_rate',
  'haproxy_frontend_http_requests_rate_max',
  'haproxy_frontend_intercepted_requests_total',
  'haproxy_backend_http_requests_total',
  'haproxy_backend_internal_errors_total',
  'haproxy_backend_connection_attempts_total',
  'haproxy_backend_connection_reuses_total',
  'haproxy_backend_queue_time_average_seconds',
  'haproxy_backend_response_time_average_seconds',
  'haproxy_backend_max_queue_time_seconds',
  'haproxy_backend_max_response_time_seconds',
  'haproxy_server_internal_errors_total',
  'haproxy_server_connection_attempts_total',
  'haproxy_server_connection_reuses_total',
  'haproxy_server_queue_time_average_seconds',
  'haproxy_server_response_time_average_seconds',
  'haproxy_server_max_queue_time_seconds',
  'haproxy_server_max_response_time_seconds',
  'haproxy_server_idle_connections_current',
  'haproxy_server_idle_connections_limit',
  'haproxy_server_unsafe_idle_connections_current',
  'haproxy_server_safe_idle_connections_current',
  'haproxy_server_used_connections_current',
  'haproxy_server_need_connections_current',
].sort();

function config(sock: string, fe: number, stats: number, up: number, dead: number): string {
  return `
global
    stats socket ${sock}
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${fe}
    default_backend be
backend be
    server s1 127.0.0.1:${up} check inter 200
    server s2 127.0.0.1:${dead} check inter 200
listen stats
    bind 127.0.0.1:${stats}
    stats enable
    stats uri /
    http-request use-service prometheus-exporter if { path /metrics }
`;
}

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
        );
      })
      .on('error', reject);
  });
}

function showInfo(sock: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const c = net.connect(sock, () => c.end('show info\n'));
    c.on('data', (d) => {
      out += d;
    });
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

function promtool(text: string): { status: number | null; out: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

interface Parsed {
  /** `name{label,label=value}`: label names, with the values of `state` and `code`. */
  readonly keys: Set<string>;
  readonly types: Map<string, string>;
  readonly help: Set<string>;
  readonly values: Map<string, number>;
}

/** Reads the samples promtool accepted: one `name{labels} value` per line. */
function read(text: string): Parsed {
  const keys = new Set<string>();
  const types = new Map<string, string>();
  const help = new Set<string>();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1]!, t[2]!);
    const h = /^# HELP (\S+) \S/.exec(line);
    if (h) help.add(h[1]!);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)];
    const ident = labels.map(([, k, v]) => (k === 'state' || k === 'code' ? `${k}=${v}` : k));
    keys.add(`${m[1]}{${ident.join(',')}}`);
    values.set(`${m[1]}{${labels.map(([, k, v]) => `${k}=${v}`).join(',')}}`, Number(m[3]));
  }
  return { keys, types, help, values };
}

describe('prometheus-exporter beside HAProxy 2.6', { skip }, () => {
  let hap: HaproxyChild;
  let daemon: ProxyDaemon;
  let web: http.Server;
  const ports = { hFe: 0, hStats: 0, fe: 0, stats: 0 };
  let real: Parsed;
  let halo: Parsed;
  let realText = '';
  let haloText = '';
  let dir = '';

  before(async () => {
    web = http.createServer((_req, res) => res.end('ok\n'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const up = (web.address() as AddressInfo).port;
    const dead = await freePort();
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'halo-promex-'));
    hap = await startHaproxy(
      config(`${dir}/h.sock`, ports.hFe, ports.hStats, up, dead),
      ports.hStats,
    );
    daemon = new ProxyDaemon({ files: [], env: {}, log: new MemoryLog(), notify: () => {} });
    await daemon.start(parse(config(`${dir}/halo.sock`, ports.fe, ports.stats, up, dead)));
    await sleep(700); // both ran checks: s2 DOWN
    for (const fe of [ports.hFe, ports.fe])
      for (let i = 0; i < 3; i++) assert.equal((await get(fe, '/')).status, 200);
    const scrape = async (port: number) => {
      const r = await get(port, '/metrics');
      assert.equal(r.status, 200);
      assert.equal(r.type, 'text/plain; version=0.0.4');
      return r.body;
    };
    realText = await scrape(ports.hStats);
    haloText = await scrape(ports.stats);
    real = read(realText);
    halo = read(haloText);
  });

  after(async () => {
    hap?.stop();
    await daemon?.hardStop();
    await new Promise((r) => web?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('show info: no maxconn in the config, the same derived Maxconn as HAProxy', async () => {
    const field = (text: string, name: string) =>
      new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1];
    const h = await showInfo(`${dir}/h.sock`);
    const o = await showInfo(`${dir}/halo.sock`);
    // Ulimit-n and Maxsock differ by one at times: HAProxy sets its descriptor limit to what
    // it will use (2 x maxconn + reserve); halo reports the process's limit.
    for (const name of ['Maxconn', 'Hard_maxconn']) {
      assert.ok(Number(field(h, name)) > 0, `HAProxy ${name}`);
      assert.equal(field(o, name), field(h, name), name);
    }
    for (const key of [
      'haproxy_process_max_connections{}',
      'haproxy_frontend_limit_sessions{proxy=fe}',
      'haproxy_backend_limit_sessions{proxy=be}',
    ])
      assert.equal(halo.values.get(key), real.values.get(key), key);
  });

  it('promtool parses both; halo passes its lint, HAProxy fails only on one counter name', () => {
    assert.deepEqual(promtool(haloText), { status: 0, out: '' });
    const r = promtool(realText);
    assert.equal(
      r.out,
      'haproxy_process_failed_resolutions counter metrics should have "_total" suffix',
    );
  });

  it("halo's metric names, label sets and types are HAProxy's less the listed ones", () => {
    const onlyHalo = [...halo.keys].filter((k) => !real.keys.has(k));
    assert.deepEqual(onlyHalo, []);
    const missing = [...real.keys].filter((k) => !halo.keys.has(k)).map((k) => k.split('{')[0]!);
    assert.deepEqual([...new Set(missing)].sort(), NOT_IN_HALO);
    for (const [name, type] of halo.types) assert.equal(type, real.types.get(name), name);
    for (const name of halo.types.keys()) assert.ok(halo.help.has(name), `HELP for ${name}`);
  });

  it('the requests and the checks read the same on both', () => {
    for (const key of [
      'haproxy_frontend_http_requests_total{proxy=fe}',
      'haproxy_frontend_http_responses_total{proxy=fe,code=2xx}',
      'haproxy_frontend_sessions_total{proxy=fe}',
      'haproxy_backend_active_servers{proxy=be}',
      'haproxy_backend_agg_server_status{proxy=be,state=DOWN}',
      'haproxy_server_loadbalanced_total{proxy=be,server=s1}',
      'haproxy_server_http_responses_total{proxy=be,server=s1,code=2xx}',
      'haproxy_server_status{proxy=be,server=s1,state=UP}',
      'haproxy_server_status{proxy=be,server=s2,state=DOWN}',
      'haproxy_server_check_status{proxy=be,server=s2,state=L4CON}',
    ]) {
      assert.ok(real.values.has(key), `HAProxy has ${key}`);
      assert.equal(halo.values.get(key), real.values.get(key), key);
    }
    assert.equal(halo.values.get('haproxy_frontend_http_requests_total{proxy=fe}'), 3);
  });

  it('?scope= and ?no-maint select what HAProxy selects; an unknown scope is a 400', async () => {
    const families = (text: string) =>
      [...new Set([...read(text).keys].map((k) => k.split('_')[1]))].sort().join(',');
    for (const q of [
      '?scope=server',
      '?scope=frontend&scope=backend',
      '?scope=global',
      '?scope=',
      '?scope=*',
      '?scope=listener',
      '?no-maint',
      '?scope=server&no-maint',
    ]) {
      const h = await get(ports.hStats, `/metrics${q}`);
      const o = await get(ports.stats, `/metrics${q}`);
      assert.equal(o.status, 200, q);
      assert.equal(families(o.body), families(h.body), q);
    }
    const h = await get(ports.hStats, '/metrics?scope=vrrp-or-anything');
    const o = await get(ports.stats, '/metrics?scope=vrrp-or-anything');
    assert.equal(h.status, 400);
    assert.deepEqual([o.status, o.type, o.body], [h.status, h.type, h.body]);
  });

  it('outside `halo run` there are no halo_vrrp_* metrics', () => {
    assert.ok(![...halo.keys].some((k) => k.startsWith('halo_vrrp_')));
  });

  it('the stats page still answers beside the service, and the service only on its path', async () => {
    const page = await get(ports.stats, '/');
    assert.equal(page.status, 200);
    assert.match(page.type, /text\/html/);
    assert.match(page.body, /Statistics Report/);
  });
});
