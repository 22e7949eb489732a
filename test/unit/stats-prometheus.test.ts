// `http-request use-service prometheus-exporter`: what the parser keeps and refuses, and
// the pure renderers on hand-made snapshots: HAProxy-style samples (label escaping, NaN for
// unset limits, one sample per state), the halo_vrrp_* metrics and the stats page's VRRP
// block. The whole text also goes through promtool's parser when it is installed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { renderHtml } from '../../src/proxy/stats/html.js';
import { renderVrrpHtml } from '../../src/proxy/stats/html-vrrp.js';
import { parsePrometheusQuery, renderPrometheus } from '../../src/proxy/stats/prometheus.js';
import type { ServerRow, StatsSnapshot, TrafficRow } from '../../src/proxy/stats/snapshot.js';
import type { VrrpStatus } from '../../src/run/show-vrrp.js';
import { newCounters } from '../../src/vrrp/counters.js';

const T = 'defaults\n  mode http\n  timeout client 1m\n  timeout server 1m\n  timeout connect 1s\n';
const parse = (body: string) => parseHaproxy([{ path: 't.cfg', text: `${T}${body}` }], { env: {} });
const errors = (r: ReturnType<typeof parse>) =>
  r.diagnostics.list.filter((d) => d.severity === 'error').map((d) => `${d.line}: ${d.message}`);

describe('http-request use-service in the config', () => {
  it('prometheus-exporter with a condition in a listen section is kept, with its condition', () => {
    const r = parse(
      'listen stats\n  bind :8404\n  stats enable\n  http-request use-service prometheus-exporter if { path /metrics }\n',
    );
    assert.deepEqual(errors(r), []);
    const px = r.config?.proxies.find((p) => p.name === 'stats');
    assert.equal(px?.services?.length, 1);
    assert.equal(px?.services?.[0]?.service, 'prometheus-exporter');
    assert.equal(px?.services?.[0]?.pos.line, 9);
    assert.deepEqual(px?.services?.[0]?.cond?.terms, [
      [{ name: '{ path /metrics }', negate: false }],
    ]);
    assert.ok(
      !r.diagnostics.list.some((d) => d.line === 9),
      'no warning on the rule: it is applied',
    );
  });

  it('without a condition (every request) in a frontend', () => {
    const r = parse(
      'frontend m\n  bind :8405\n  http-request use-service prometheus-exporter\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n',
    );
    assert.deepEqual(errors(r), []);
    const px = r.config?.proxies.find((p) => p.name === 'm');
    assert.equal(px?.services?.length, 1);
    assert.equal(px?.services?.[0]?.cond, undefined);
  });

  it('another service, or the rule in a backend, is still refused with file:line', () => {
    const other = parse(
      'listen s\n  bind :8404\n  http-request use-service lua.foo\n  server a 127.0.0.1:1\n',
    );
    assert.equal(errors(other).length, 1);
    assert.match(
      errors(other)[0]!,
      /^8: .*'http-request use-service'.*only the 'prometheus-exporter' service/,
    );
    const be = parse(
      'frontend f\n  bind :80\n  default_backend b\nbackend b\n  http-request use-service prometheus-exporter\n  server a 127.0.0.1:1\n',
    );
    assert.equal(errors(be).length, 1);
    assert.match(
      errors(be)[0]!,
      /^10: .*'http-request use-service'.*in frontend and listen sections/,
    );
  });

  it('a malformed condition is an error', () => {
    const r = parse(
      'listen s\n  bind :8404\n  http-request use-service prometheus-exporter when x\n',
    );
    assert.equal(errors(r).length, 1);
    assert.match(errors(r)[0]!, /^8: .*expects 'if' or 'unless'/);
  });
});

const traffic: TrafficRow = {
  qcur: 0,
  qmax: 1,
  scur: 2,
  smax: 3,
  slim: undefined,
  stot: 7,
  lbtot: 7,
  bin: 100,
  bout: 2000,
  econ: 1,
  eresp: 0,
  wretr: 2,
  wredis: 1,
  cliAbrt: 0,
  srvAbrt: 0,
  rate: 0,
  rateMax: 3,
  lastSess: 5,
  ctime: 1,
  ttime: 12,
  ctimeMax: 3,
  ttimeMax: 40,
  hrsp: [0, 6, 0, 1, 0, 0],
  lastChange: 65,
  downtime: 0,
  chkdown: 0,
};

function server(name: string, over: Partial<ServerRow>): ServerRow {
  return {
    ...traffic,
    name,
    sid: 1,
    backup: false,
    status: 'UP',
    up: true,
    maint: false,
    forcedMaint: false,
    rmaint: false,
    drain: false,
    weight: 1,
    uweight: 1,
    iweight: 1,
    qlimit: undefined,
    chkfail: 0,
    check: undefined,
    addr: '127.0.0.1',
    port: 6443,
    transitional: false,
    host: '127.0.0.1',
    cfgDisabled: false,
    healthDisabled: false,
    ssl: false,
    checkPort: undefined,
    ...over,
  };
}

const check = (status: 'L4OK' | 'L4CON') => ({
  status,
  code: undefined,
  durationMs: 2,
  info: '',
  desc: '',
  rise: 2,
  fall: 3,
  health: 4,
  disabled: false,
});

const snap: StatsSnapshot = {
  info: {
    name: 'HAProxy',
    version: '2.6-halo-test',
    releaseDate: '2026/01/02',
    hideVersion: false,
    pid: 4242,
    processNum: 1,
    nbproc: 1,
    nbthread: 1,
    uptimeSec: 3725,
    startTimeSec: 1700000000,
    ulimitN: 20000,
    maxconn: 9986,
    currConns: 2,
    cumConns: 9,
    connRate: 1,
    maxConnRate: 2,
    node: 'vm',
    listeners: 2,
    totalBytesOut: 20,
    stopping: false,
    memRssBytes: 50 << 20,
    faults: {
      uncaughtExceptions: 0,
      unhandledRejections: 0,
      droppedLogs: 3,
      droppedOutputBytes: 0,
    },
  },
  proxies: [
    {
      name: 'web "front"',
      iid: 2,
      mode: 'http',
      frontend: {
        scur: 2,
        smax: 3,
        slim: 9986,
        stot: 9,
        bin: 10,
        bout: 20,
        dreq: 0,
        dcon: 0,
        ereq: 1,
        eint: 0,
        open: true,
        rate: 1,
        rateMax: 2,
        reqTot: 7,
        hrsp: [0, 6, 0, 1, 0, 0],
      },
      servers: [],
      backend: undefined,
    },
    {
      name: 'api',
      iid: 3,
      mode: 'tcp',
      frontend: undefined,
      servers: [
        server('m1', { check: check('L4OK') }),
        server('m2', { up: false, status: 'DOWN', check: check('L4CON'), qlimit: 10 }),
        server('m3', { maint: true, status: 'MAINT' }),
      ],
      backend: { ...traffic, up: true, weight: 1, act: 1, bck: 0, algo: 'roundrobin' },
    },
  ],
};

const vrrp: VrrpStatus = {
  now: 10_000,
  wallNow: Date.UTC(2026, 11, 3, 12, 0, 0),
  instances: [
    {
      name: 'VI_1',
      vrid: 51,
      state: 'MASTER',
      basePriority: 100,
      effectivePriority: 90,
      masterAddress: '198.51.100.11',
      masterPriority: 90,
      masterAdverIntMs: 1000,
      vipsSet: true,
      lastTransitionAt: 4000,
      counters: { ...newCounters(), advertSent: 12, advertReceived: 3, becomeMaster: 1 },
      history: [
        { at: 1000, from: 'INIT', to: 'BACKUP', reason: 'init' },
        { at: 4000, from: 'BACKUP', to: 'MASTER', reason: 'master down: no advert for 3.6 s' },
      ],
      transitions: 2,
      masterChanges: 2,
      trackSources: [
        { name: 'backend api min_up 2', weight: -10, ok: false, part: -10 },
        { name: 'worker', weight: 0, ok: true, part: 0 },
      ],
      interface: 'eth0',
      vips: ['198.51.100.100'],
    },
  ],
};

const lines = (text: string, prefix: string) =>
  text.split('\n').filter((l) => l.startsWith(prefix));

describe('renderPrometheus', () => {
  const text = renderPrometheus(snap, vrrp);

  it('HELP and TYPE once per metric, before its samples', () => {
    const names = lines(text, '# TYPE ').map((l) => l.split(' ')[2]);
    assert.equal(new Set(names).size, names.length);
    const i = text.indexOf('# TYPE haproxy_server_status gauge');
    assert.ok(i > 0 && text.indexOf('haproxy_server_status{') > i);
    assert.ok(text.indexOf('# HELP haproxy_server_status ') < i);
  });

  it('one sample per state, 1 on the current one; NaN for limits not set', () => {
    assert.deepEqual(lines(text, 'haproxy_server_status{proxy="api",server="m2"'), [
      'haproxy_server_status{proxy="api",server="m2",state="DOWN"} 1',
      'haproxy_server_status{proxy="api",server="m2",state="UP"} 0',
      'haproxy_server_status{proxy="api",server="m2",state="MAINT"} 0',
      'haproxy_server_status{proxy="api",server="m2",state="DRAIN"} 0',
      'haproxy_server_status{proxy="api",server="m2",state="NOLB"} 0',
    ]);
    assert.deepEqual(lines(text, 'haproxy_server_queue_limit{'), [
      'haproxy_server_queue_limit{proxy="api",server="m1"} NaN',
      'haproxy_server_queue_limit{proxy="api",server="m2"} 10',
      'haproxy_server_queue_limit{proxy="api",server="m3"} NaN',
    ]);
    assert.deepEqual(lines(text, 'haproxy_backend_agg_server_status{'), [
      'haproxy_backend_agg_server_status{proxy="api",state="DOWN"} 1',
      'haproxy_backend_agg_server_status{proxy="api",state="UP"} 1',
      'haproxy_backend_agg_server_status{proxy="api",state="MAINT"} 1',
      'haproxy_backend_agg_server_status{proxy="api",state="DRAIN"} 0',
      'haproxy_backend_agg_server_status{proxy="api",state="NOLB"} 0',
    ]);
  });

  it('check metrics only for checked servers; HTTP ones only for http proxies', () => {
    assert.equal(lines(text, 'haproxy_server_check_status{proxy="api",server="m3"').length, 0);
    assert.ok(
      lines(text, 'haproxy_server_check_status{proxy="api",server="m2",state="L4CON"} 1').length ===
        1,
    );
    assert.equal(lines(text, 'haproxy_server_http_responses_total').length, 0);
    assert.deepEqual(lines(text, 'haproxy_frontend_http_responses_total{'), [
      'haproxy_frontend_http_responses_total{proxy="web \\"front\\"",code="1xx"} 0',
      'haproxy_frontend_http_responses_total{proxy="web \\"front\\"",code="2xx"} 6',
      'haproxy_frontend_http_responses_total{proxy="web \\"front\\"",code="3xx"} 0',
      'haproxy_frontend_http_responses_total{proxy="web \\"front\\"",code="4xx"} 1',
      'haproxy_frontend_http_responses_total{proxy="web \\"front\\"",code="5xx"} 0',
      'haproxy_frontend_http_responses_total{proxy="web \\"front\\"",code="other"} 0',
    ]);
    assert.deepEqual(lines(text, 'haproxy_process_requests_total '), [
      'haproxy_process_requests_total 7',
    ]);
    assert.deepEqual(lines(text, 'haproxy_process_dropped_logs_total '), [
      'haproxy_process_dropped_logs_total 3',
    ]);
  });

  it('halo_vrrp_*: state, priorities, each tracker, counters', () => {
    const id = 'vrrp_instance="VI_1",vrid="51",interface="eth0"';
    assert.deepEqual(lines(text, 'halo_vrrp_state{'), [
      `halo_vrrp_state{${id},state="INIT"} 0`,
      `halo_vrrp_state{${id},state="BACKUP"} 0`,
      `halo_vrrp_state{${id},state="MASTER"} 1`,
      `halo_vrrp_state{${id},state="FAULT"} 0`,
      `halo_vrrp_state{${id},state="STOP"} 0`,
    ]);
    for (const [name, v] of [
      ['effective_priority', 90],
      ['base_priority', 100],
      ['transitions_total', 2],
      ['master_changes_total', 2],
      ['become_master_total', 1],
      ['adverts_sent_total', 12],
      ['adverts_received_total', 3],
      ['vips_set', 1],
    ] as const)
      assert.deepEqual(lines(text, `halo_vrrp_${name}{`), [`halo_vrrp_${name}{${id}} ${v}`]);
    assert.deepEqual(lines(text, 'halo_vrrp_tracker_priority_part{'), [
      'halo_vrrp_tracker_priority_part{vrrp_instance="VI_1",tracker="backend api min_up 2"} -10',
      'halo_vrrp_tracker_priority_part{vrrp_instance="VI_1",tracker="worker"} 0',
    ]);
    assert.deepEqual(lines(text, 'halo_vrrp_tracker_up{'), [
      'halo_vrrp_tracker_up{vrrp_instance="VI_1",tracker="backend api min_up 2"} 0',
      'halo_vrrp_tracker_up{vrrp_instance="VI_1",tracker="worker"} 1',
    ]);
  });

  it('?scope= picks families, ?no-maint drops servers in maintenance', () => {
    const q = parsePrometheusQuery('/metrics?scope=server&scope=vrrp&no-maint');
    assert.ok(q);
    const t = renderPrometheus(snap, vrrp, q);
    assert.equal(lines(t, 'haproxy_process_').length, 0);
    assert.equal(lines(t, 'haproxy_backend_').length, 0);
    assert.ok(lines(t, 'halo_vrrp_state{').length > 0);
    assert.ok(lines(t, 'haproxy_server_weight{proxy="api",server="m1"}').length === 1);
    assert.equal(lines(t, 'haproxy_server_weight{proxy="api",server="m3"}').length, 0);
    assert.equal(renderPrometheus(snap, vrrp, parsePrometheusQuery('/metrics?scope=')), '');
    assert.equal(parsePrometheusQuery('/metrics?scope=nope'), undefined);
    assert.equal(renderPrometheus(snap, vrrp, parsePrometheusQuery('/metrics?scope=*')), text);
    assert.equal(renderPrometheus(snap, vrrp, parsePrometheusQuery('/metrics')), text);
  });

  it('promtool parses it and finds nothing to lint', {
    skip: !existsSync('/usr/bin/promtool'),
  }, () => {
    const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
    });
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '');
    assert.equal(r.status, 0);
  });
});

describe('the stats page under halo run', () => {
  it('shows the VRRP block above the proxies: instances, trackers, transitions (newest first)', () => {
    const page = renderHtml(snap, {
      uri: '/stats',
      admin: false,
      upOnly: false,
      norefresh: false,
      vrrp,
    });
    const v = page.indexOf('id="vrrp"');
    assert.ok(v > 0 && v < page.indexOf('web &#34;front&#34;'), 'VRRP before the first proxy');
    const block = renderVrrpHtml(vrrp);
    assert.match(
      block,
      /<tr class="active_up"><td class="ac">VI_1<\/td><td class="ac">MASTER<\/td><td class="ac">51<\/td><td class="ac">eth0<\/td><td class="ac">100<\/td><td class="ac">90<\/td><td class="ac">198\.51\.100\.11<\/td>/,
    );
    assert.match(
      block,
      /backend api min_up 2<\/td><td class="ac">bad<\/td><td class="ac">-10<\/td><td class="ac">-10</,
    );
    const t1 = block.indexOf('2026-12-03T11:59:54.000Z');
    const t0 = block.indexOf('2026-12-03T11:59:51.000Z');
    assert.ok(t1 > 0 && t0 > t1, 'transitions at their wall-clock time, newest first');
    assert.match(block, /master down: no advert for 3\.6 s/);
  });

  it('without halo run there is no VRRP block', () => {
    const page = renderHtml(snap, { uri: '/stats', admin: false, upOnly: false, norefresh: false });
    assert.ok(!page.includes('id="vrrp"'));
  });
});
