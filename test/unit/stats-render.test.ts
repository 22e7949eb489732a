// The pure stats renderers on hand-made snapshots: the CSV header as HAProxy 2.6 prints it,
// which fields each row type fills, filters (`;up`, `show stat <iid> <type> <sid>`), the
// HTML page's row colours, banners and admin form, and the runtime API's text layouts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CSV_FIELDS, csvHeader, renderCsv } from '../../src/proxy/stats/csv.js';
import { escapeHtml, humanTime, renderHtml, serverClass } from '../../src/proxy/stats/html.js';
import { renderJson } from '../../src/proxy/stats/json.js';
import {
  renderServersState,
  renderShowBackend,
  renderShowInfo,
} from '../../src/proxy/stats/runtime-text.js';
import type {
  BackendRow,
  ProxyStats,
  ServerRow,
  StatsSnapshot,
  TrafficRow,
} from '../../src/proxy/stats/snapshot.js';

// HAProxy 2.6.12's `show stat` header, as the real binary printed it (Debian 12 package).
const HAPROXY_26_HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,';

const traffic: TrafficRow = {
  qcur: 0,
  qmax: 0,
  scur: 0,
  smax: 2,
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
  hrsp: [0, 3, 0, 1, 0, 0],
  lastChange: 65,
  downtime: 0,
  chkdown: 0,
};

function server(over: Partial<ServerRow> = {}): ServerRow {
  return {
    ...traffic,
    name: 'k8s-master1',
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
    check: {
      status: 'L4OK',
      code: undefined,
      durationMs: 0,
      info: '',
      desc: 'Layer4 check passed',
      rise: 2,
      fall: 3,
      health: 4,
      disabled: false,
    },
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

const backend: BackendRow = { ...traffic, up: true, weight: 2, act: 2, bck: 0, algo: 'roundrobin' };

function snapshot(servers: ServerRow[]): StatsSnapshot {
  const api: ProxyStats = {
    name: 'apiserver',
    iid: 3,
    mode: 'tcp',
    frontend: undefined,
    servers,
    backend,
  };
  const fe: ProxyStats = {
    name: 'apiserver',
    iid: 2,
    mode: 'tcp',
    frontend: {
      scur: 1,
      smax: 3,
      slim: 3000,
      stot: 9,
      bin: 10,
      bout: 20,
      dreq: 0,
      dcon: 0,
      ereq: 0,
      eint: 0,
      open: true,
      rate: 1,
      rateMax: 2,
      reqTot: undefined,
      hrsp: [0, 0, 0, 0, 0, 0],
    },
    servers: [],
    backend: undefined,
  };
  return {
    info: {
      name: 'HAProxy',
      version: '2.6-halo-test',
      releaseDate: '2026/01/02',
      hideVersion: true,
      pid: 4242,
      processNum: 1,
      nbproc: 1,
      nbthread: 1,
      uptimeSec: 3725,
      startTimeSec: 1700000000,
      ulimitN: 20000,
      maxconn: 4000,
      currConns: 1,
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
        droppedLogs: 0,
        droppedOutputBytes: 0,
      },
    },
    proxies: [fe, api],
  };
}

function csvRows(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trimEnd().split('\n');
  assert.equal(head, HAPROXY_26_HEADER);
  return rows.map((r) => {
    const v = r.split(',');
    assert.equal(v.length, CSV_FIELDS.length + 1, 'every field plus the trailing comma');
    return Object.fromEntries(CSV_FIELDS.map((f, i) => [f, v[i]!]));
  });
}

describe('stats CSV', () => {
  it("has HAProxy 2.6's header", () => {
    assert.equal(csvHeader(), `${HAPROXY_26_HEADER}\n`);
  });

  it('fills each row type as HAProxy does', () => {
    const down = server({
      name: 'k8s-master3',
      sid: 3,
      status: 'DOWN',
      up: false,
      chkfail: 1,
      chkdown: 1,
      downtime: 30,
      check: {
        ...server().check!,
        status: 'L4CON',
        info: 'Connection refused',
        desc: 'Layer4 connection problem',
        health: 0,
      },
    });
    const [fe, up, dn, be] = csvRows(renderCsv(snapshot([server(), down]), { legends: true }));
    assert.deepEqual(
      [fe!.svname, fe!.type, fe!.status, fe!.slim, fe!.qcur, fe!.mode],
      ['FRONTEND', '0', 'OPEN', '3000', '', 'tcp'],
    );
    assert.deepEqual(
      [up!.status, up!.check_status, up!.check_desc, up!.check_health, up!.addr],
      ['UP', 'L4OK', 'Layer4 check passed', '4', '127.0.0.1:6443'],
    );
    assert.deepEqual(
      [up!.act, up!.bck, up!.sid, up!.iid, up!.type, up!.lastchg, up!.dreq],
      ['1', '0', '1', '3', '2', '65', ''],
    );
    assert.deepEqual(
      [dn!.status, dn!.last_chk, dn!.chkfail, dn!.chkdown, dn!.downtime],
      ['DOWN', 'Connection refused', '1', '1', '30'],
    );
    assert.deepEqual(
      [be!.svname, be!.type, be!.status, be!.weight, be!.act, be!.algo, be!.chkfail],
      ['BACKEND', '1', 'UP', '2', '2', 'roundrobin', ''],
    );
    // Module columns: zeros for frontends and backends, only the SSL ones for servers.
    assert.equal(fe!.h1_bytes_out, '0');
    assert.equal(up!.ssl_sess, '0');
    assert.equal(up!.h1_bytes_out, '');
  });

  it('leaves check fields empty in MAINT and under disable health', () => {
    const maint = server({
      status: 'MAINT',
      up: false,
      maint: true,
      check: { ...server().check!, disabled: true },
    });
    const nocheck = server({
      status: 'no check',
      healthDisabled: true,
      check: { ...server().check!, disabled: true },
    });
    const [, m, n] = csvRows(renderCsv(snapshot([maint, nocheck]), { legends: false }));
    assert.deepEqual(
      [m!.status, m!.check_status, m!.check_desc, m!.chkfail, m!.addr],
      ['MAINT', '', '', '0', ''],
    );
    assert.deepEqual(
      [n!.status, n!.check_status, n!.chkfail, n!.chkdown],
      ['no check', '', '', ''],
    );
  });

  it('filters: up only, no-maint, and <iid> <type> <sid>', () => {
    const snap = snapshot([
      server(),
      server({ name: 'b', sid: 2, up: false, status: 'DOWN' }),
      server({ name: 'c', sid: 3, up: false, maint: true, status: 'MAINT' }),
    ]);
    const names = (o: Parameters<typeof renderCsv>[1]) =>
      csvRows(renderCsv(snap, o)).map((r) => `${r.iid}/${r.svname}`);
    assert.deepEqual(names({ legends: false, upOnly: true }), [
      '2/FRONTEND',
      '3/k8s-master1',
      '3/BACKEND',
    ]);
    assert.deepEqual(names({ legends: false, noMaint: true }), [
      '2/FRONTEND',
      '3/k8s-master1',
      '3/b',
      '3/BACKEND',
    ]);
    assert.deepEqual(names({ legends: false, iid: 3, types: 4, sid: 2 }), ['3/b']);
    assert.deepEqual(names({ legends: false, iid: -1, types: 2, sid: -1 }), ['3/BACKEND']);
  });

  it('quotes values with commas or quotes as HAProxy does', () => {
    const odd = server({
      check: {
        ...server().check!,
        status: 'L7STS',
        info: 'Bad, "very" bad',
        desc: 'Layer7 wrong status',
      },
    });
    const text = renderCsv(snapshot([odd]), { legends: false });
    assert.match(text, /,"Bad, ""very"" bad",/);
    const json = JSON.parse(renderJson(snapshot([odd]))) as {
      field: { name: string };
      value: { value: unknown };
    }[][];
    assert.equal(json[1]!.find((f) => f.field.name === 'last_chk')?.value.value, 'Bad, "very" bad');
  });

  it('JSON carries the same values, typed', () => {
    const rows = JSON.parse(renderJson(snapshot([server()]))) as {
      field: { name: string };
      value: { type: string; value: unknown };
    }[][];
    assert.equal(rows.length, 3);
    const status = rows[1]!.find((f) => f.field.name === 'status');
    assert.deepEqual(status?.value, { type: 'str', value: 'UP' });
    const stot = rows[1]!.find((f) => f.field.name === 'stot');
    assert.deepEqual(stot?.value, { type: 'u64', value: 7 });
  });
});

describe('stats HTML', () => {
  it('colours server rows by state', () => {
    const ck = server().check!;
    const cases: [Partial<ServerRow>, string][] = [
      [{}, 'active_up'],
      [{ backup: true }, 'backup_up'],
      [{ transitional: true }, 'active_going_down'],
      [{ up: false, transitional: true }, 'active_going_up'],
      [{ up: false }, 'active_down'],
      [{ up: false, maint: true }, 'maintain'],
      [{ drain: true }, 'active_draining'],
      [{ check: undefined }, 'active_no_check'],
      [{ check: { ...ck, disabled: true } }, 'active_no_check'],
    ];
    for (const [over, cls] of cases)
      assert.equal(serverClass(server(over)), cls, JSON.stringify(over));
  });

  it('human times and escaping', () => {
    assert.deepEqual([0, 42, 187, 7500, 360000, -1].map(humanTime), [
      '0s',
      '42s',
      '3m07s',
      '2h05m',
      '4d04h',
      '?',
    ]);
    assert.equal(escapeHtml(`<a href="x">&'`), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });

  it('renders proxies, the banner and the admin form', () => {
    const snap = snapshot([
      server(),
      server({ name: 'k8s-master2', sid: 2, up: false, status: 'DOWN' }),
    ]);
    const page = renderHtml(snap, {
      uri: '/haproxy-status',
      admin: true,
      upOnly: false,
      norefresh: false,
      status: 'DONE',
      refreshSec: 30,
    });
    assert.match(page, /Statistics Report for pid 4242/);
    assert.doesNotMatch(page, /version 2\.6-halo-test/, 'hide-version');
    assert.match(page, /Action processed successfully\./);
    assert.match(page, /<form method="post" action="\/haproxy-status">/);
    assert.match(page, /<input class="apiserver-cb" type="checkbox" name="s" value="k8s-master2">/);
    assert.match(page, /<input type="hidden" name="b" value="#3">/);
    assert.match(page, /<option value="maint">Set state to MAINT<\/option>/);
    assert.match(page, /<tr class="active_down" data-server="k8s-master2">/);
    assert.match(page, /1m05s UP<\/td>/);
    const up = renderHtml(snap, { uri: '/s', admin: false, upOnly: true, norefresh: true });
    assert.doesNotMatch(up, /k8s-master2/);
    assert.doesNotMatch(up, /<form/);
    assert.match(up, /href="\/s;norefresh">Show all servers/);
  });
});

describe('runtime API texts', () => {
  it('show info: HAProxy keys in order', () => {
    const text = renderShowInfo(snapshot([]));
    const keys = text
      .trimEnd()
      .split('\n')
      .map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(keys.slice(0, 9), [
      'Name',
      'Version',
      'Release_date',
      'Nbthread',
      'Nbproc',
      'Process_num',
      'Pid',
      'Uptime',
      'Uptime_sec',
    ]);
    assert.match(text, /^Uptime: 0d 1h02m05s$/m);
    // hatop refuses a `show info` whose Release_date is empty.
    assert.match(text, /^Release_date: 2026\/01\/02$/m);
    assert.match(text, /^CurrConns: 1$/m);
    assert.equal(keys.at(-1), 'Tainted');
  });

  it('show servers state: header and state codes', () => {
    const snap = snapshot([
      server(),
      server({
        name: 'm',
        sid: 2,
        up: false,
        maint: true,
        forcedMaint: true,
        check: { ...server().check!, disabled: true },
      }),
      server({ name: 'd', sid: 3, drain: true, uweight: 5 }),
    ]);
    const lines = renderServersState(snap)!.trimEnd().split('\n');
    assert.equal(lines[0], '1');
    assert.match(
      lines[1]!,
      /^# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state /,
    );
    assert.equal(
      lines[2],
      '3 apiserver 1 k8s-master1 127.0.0.1 2 0 1 1 65 6 3 4 6 0 0 0 - 6443 - 0 0 - - 0',
    );
    assert.equal(
      lines[3],
      '3 apiserver 2 m 127.0.0.1 0 1 1 1 65 6 2 4 14 0 0 0 - 6443 - 0 0 - - 0',
    );
    assert.equal(lines[4], '3 apiserver 3 d 127.0.0.1 2 8 0 1 65 6 3 4 6 0 0 0 - 6443 - 0 0 - - 0');
    assert.equal(renderServersState(snap, 'nope'), undefined);
    assert.equal(renderShowBackend(snap), '# name\napiserver\n');
  });
});
