// HAProxy 2.6's stats CSV (`;csv` on the page, `show stat` on the socket): the same header,
// the same fields filled or left empty per row type, so scripts and exporters written for
// HAProxy read halo's output. The header and each row end with a comma, as HAProxy's do.
// Fields halo does not measure (HTTP response codes, compression, SSL, H2) read 0 where
// HAProxy prints 0 for an idle proxy, and stay empty where HAProxy leaves them empty.

import type { BackendRow, FrontendRow, ProxyStats, ServerRow, StatsSnapshot } from './snapshot.js';

// biome-ignore format: HAProxy 2.6 header order, kept compact
export const CSV_FIELDS = [
  'pxname', 'svname', 'qcur', 'qmax', 'scur', 'smax', 'slim', 'stot', 'bin', 'bout', 'dreq',
  'dresp', 'ereq', 'econ', 'eresp', 'wretr', 'wredis', 'status', 'weight', 'act', 'bck',
  'chkfail', 'chkdown', 'lastchg', 'downtime', 'qlimit', 'pid', 'iid', 'sid', 'throttle',
  'lbtot', 'tracked', 'type', 'rate', 'rate_lim', 'rate_max', 'check_status', 'check_code',
  'check_duration', 'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other',
  'hanafail', 'req_rate', 'req_rate_max', 'req_tot', 'cli_abrt', 'srv_abrt', 'comp_in',
  'comp_out', 'comp_byp', 'comp_rsp', 'lastsess', 'last_chk', 'last_agt', 'qtime', 'ctime',
  'rtime', 'ttime', 'agent_status', 'agent_code', 'agent_duration', 'check_desc', 'agent_desc',
  'check_rise', 'check_fall', 'check_health', 'agent_rise', 'agent_fall', 'agent_health',
  'addr', 'cookie', 'mode', 'algo', 'conn_rate', 'conn_rate_max', 'conn_tot', 'intercepted',
  'dcon', 'dses', 'wrew', 'connect', 'reuse', 'cache_lookups', 'cache_hits', 'srv_icur',
  'src_ilim', 'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max', 'eint', 'idle_conn_cur',
  'safe_conn_cur', 'used_conn_cur', 'need_conn_est', 'uweight', 'agg_server_status',
  'agg_server_check_status', 'agg_check_status', '-', 'ssl_sess', 'ssl_reused_sess',
  'ssl_failed_handshake', 'h2_headers_rcvd', 'h2_data_rcvd', 'h2_settings_rcvd',
  'h2_rst_stream_rcvd', 'h2_goaway_rcvd', 'h2_detected_conn_protocol_errors',
  'h2_detected_strm_protocol_errors', 'h2_rst_stream_resp', 'h2_goaway_resp',
  'h2_open_connections', 'h2_backend_open_streams', 'h2_total_connections',
  'h2_backend_total_streams', 'h1_open_connections', 'h1_open_streams', 'h1_total_connections',
  'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out', 'h1_spliced_bytes_in',
  'h1_spliced_bytes_out',
] as const;

export type CsvField = (typeof CSV_FIELDS)[number];
export type Row = Partial<Record<CsvField, string | number>>;

/** The SSL/H2/H1 module fields (after `-`). */
const MODULE_FIELDS = CSV_FIELDS.slice(CSV_FIELDS.indexOf('-') + 1);
const SSL_FIELDS = MODULE_FIELDS.slice(0, 3);

export interface CsvOptions {
  /** Operator-level readers (socket, `stats show-legends`) also see `addr` and `algo`. */
  readonly legends: boolean;
  /** Only servers that are UP (`;up`, `show stat up`); `no-maint` hides MAINT ones. */
  readonly upOnly?: boolean;
  readonly noMaint?: boolean;
  /** `show stat <iid> <type> <sid>`: proxy id (-1 all), types bitmask (1 FE, 2 BE, 4 SV), server id. */
  readonly iid?: number;
  readonly types?: number;
  readonly sid?: number;
}

export function csvHeader(): string {
  return `# ${CSV_FIELDS.join(',')},\n`;
}

/** HAProxy's csv_enc: a value with a comma, quote or line break is quoted, quotes doubled. */
export function csvValue(v: string | number | undefined): string {
  const t = v === undefined ? '' : String(v);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

function line(r: Row): string {
  let s = '';
  for (const f of CSV_FIELDS) s += `${f === '-' ? '-' : csvValue(r[f])},`;
  return `${s}\n`;
}

const HRSP = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'] as const;

function responses(r: Row, hrsp: readonly number[]): void {
  HRSP.forEach((f, i) => {
    r[f] = hrsp[i] ?? 0;
  });
}

function zeros(fields: readonly CsvField[], r: Row): void {
  for (const f of fields) r[f] = 0;
}

function frontendRecord(p: ProxyStats, f: FrontendRow, pid: number): Row {
  const r: Row = {
    pxname: p.name,
    svname: 'FRONTEND',
    scur: f.scur,
    smax: f.smax,
    slim: f.slim,
    stot: f.stot,
    bin: f.bin,
    bout: f.bout,
    dreq: f.dreq,
    dresp: 0,
    ereq: f.ereq,
    status: f.open ? 'OPEN' : 'STOP',
    pid,
    iid: p.iid,
    sid: 0,
    type: 0,
    rate: f.rate,
    rate_lim: 0,
    rate_max: f.rateMax,
    req_rate: 0,
    req_rate_max: 0,
    req_tot: f.reqTot ?? 0,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    mode: p.mode,
    conn_rate: f.rate,
    conn_rate_max: f.rateMax,
    conn_tot: f.stot,
    dcon: f.dcon,
    dses: 0,
    wrew: 0,
    eint: f.eint,
  };
  if (p.mode === 'http') {
    responses(r, f.hrsp);
    zeros(['cache_lookups', 'cache_hits'], r);
    r.intercepted = f.reqTot ?? 0;
  }
  zeros(MODULE_FIELDS, r);
  return r;
}

function timing(r: Row, t: ServerRow | BackendRow): void {
  r.qtime = 0;
  r.ctime = t.ctime;
  r.rtime = 0;
  r.ttime = t.ttime;
  r.qtime_max = 0;
  r.ctime_max = t.ctimeMax;
  r.rtime_max = 0;
  r.ttime_max = t.ttimeMax;
}

function serverRecord(p: ProxyStats, s: ServerRow, pid: number, o: CsvOptions): Row {
  const r: Row = {
    pxname: p.name,
    svname: s.name,
    qcur: s.qcur,
    qmax: s.qmax,
    scur: s.scur,
    smax: s.smax,
    slim: s.slim,
    stot: s.stot,
    bin: s.bin,
    bout: s.bout,
    dresp: 0,
    econ: s.econ,
    eresp: s.eresp,
    wretr: s.wretr,
    wredis: s.wredis,
    status: s.status,
    weight: s.drain ? s.uweight : s.weight,
    act: s.backup ? 0 : 1,
    bck: s.backup ? 1 : 0,
    lastchg: s.lastChange,
    qlimit: s.qlimit,
    pid,
    iid: p.iid,
    sid: s.sid,
    lbtot: s.lbtot,
    type: 2,
    rate: s.rate,
    rate_max: s.rateMax,
    cli_abrt: s.cliAbrt,
    srv_abrt: s.srvAbrt,
    lastsess: s.lastSess,
    mode: p.mode,
    wrew: 0,
    connect: 0,
    reuse: 0,
    srv_icur: 0,
    eint: 0,
    idle_conn_cur: 0,
    safe_conn_cur: 0,
    used_conn_cur: 0,
    need_conn_est: s.scur,
    uweight: s.uweight,
  };
  timing(r, s);
  const ck = s.check;
  if (ck && !(ck.disabled && !s.maint)) {
    r.chkfail = s.chkfail;
    r.chkdown = s.chkdown;
    r.downtime = s.downtime;
  }
  if (ck && !ck.disabled) {
    r.check_status = ck.status;
    if (ck.code !== undefined) r.check_code = ck.code;
    r.check_duration = ck.durationMs ?? '';
    r.last_chk = ck.info;
    r.check_desc = ck.desc;
    r.check_rise = ck.rise;
    r.check_fall = ck.fall;
    r.check_health = ck.health;
  }
  if (o.legends) r.addr = s.port === undefined ? s.addr : `${s.addr}:${s.port}`;
  if (p.mode === 'http') {
    responses(r, s.hrsp);
    r.req_tot = s.stot;
  }
  zeros(SSL_FIELDS, r);
  return r;
}

function backendRecord(p: ProxyStats, b: BackendRow, pid: number, o: CsvOptions): Row {
  const r: Row = {
    pxname: p.name,
    svname: 'BACKEND',
    qcur: b.qcur,
    qmax: b.qmax,
    scur: b.scur,
    smax: b.smax,
    slim: b.slim,
    stot: b.stot,
    bin: b.bin,
    bout: b.bout,
    dreq: 0,
    dresp: 0,
    econ: b.econ,
    eresp: b.eresp,
    wretr: b.wretr,
    wredis: b.wredis,
    status: b.up ? 'UP' : 'DOWN',
    weight: b.weight,
    act: b.act,
    bck: b.bck,
    chkdown: b.chkdown,
    lastchg: b.lastChange,
    pid,
    iid: p.iid,
    sid: 0,
    lbtot: b.lbtot,
    type: 1,
    rate: b.rate,
    rate_max: b.rateMax,
    cli_abrt: b.cliAbrt,
    srv_abrt: b.srvAbrt,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    lastsess: b.lastSess,
    mode: p.mode,
    wrew: 0,
    connect: 0,
    reuse: 0,
    eint: 0,
    uweight: b.weight,
    agg_server_status: 0,
    agg_server_check_status: 0,
    agg_check_status: 0,
  };
  if (p.servers.length > 0) r.downtime = b.downtime;
  timing(r, b);
  if (o.legends) r.algo = b.algo;
  if (p.mode === 'http') {
    responses(r, b.hrsp);
    zeros(['cache_lookups', 'cache_hits'], r);
    r.req_tot = b.stot;
  }
  zeros(MODULE_FIELDS, r);
  return r;
}

/** Per proxy its FRONTEND, servers and BACKEND rows, as field -> value. */
export function csvRecords(snap: StatsSnapshot, o: CsvOptions): Row[] {
  const pid = snap.info.processNum;
  const types = o.types ?? 7;
  const out: Row[] = [];
  for (const p of snap.proxies) {
    if (o.iid !== undefined && o.iid !== -1 && o.iid !== p.iid) continue;
    if (p.frontend && types & 1) out.push(frontendRecord(p, p.frontend, pid));
    if (types & 4) {
      for (const s of p.servers) {
        if (o.sid !== undefined && o.sid !== -1 && o.sid !== s.sid) continue;
        if (o.upOnly && !s.up) continue;
        if (o.noMaint && s.maint) continue;
        out.push(serverRecord(p, s, pid, o));
      }
    }
    if (p.backend && types & 2) out.push(backendRecord(p, p.backend, pid, o));
  }
  return out;
}

/** The CSV body: the header, then the rows. */
export function renderCsv(snap: StatsSnapshot, o: CsvOptions): string {
  return csvHeader() + csvRecords(snap, o).map(line).join('');
}
