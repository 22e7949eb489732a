// The runtime API's text answers that are not CSV: `show info`, `show servers state`,
// `show backend`, in HAProxy 2.6's layout (key order, header lines, numeric state codes),
// and halo's own `show halo`. Pure: snapshot in, string out. Keys halo has no counterpart
// for read 0.

import type { CheckStatus } from '../health/result.js';
import type { ServerRow, StatsSnapshot } from './snapshot.js';

export function renderShowInfo(snap: StatsSnapshot): string {
  const i = snap.info;
  const d = Math.floor(i.uptimeSec / 86400);
  const h = Math.floor((i.uptimeSec % 86400) / 3600);
  const m = String(Math.floor((i.uptimeSec % 3600) / 60)).padStart(2, '0');
  const s = String(i.uptimeSec % 60).padStart(2, '0');
  const rows: [string, string | number][] = [
    ['Name', i.name],
    ['Version', i.version],
    ['Release_date', i.releaseDate],
    ['Nbthread', i.nbthread],
    ['Nbproc', i.nbproc],
    ['Process_num', i.processNum],
    ['Pid', i.pid],
    ['Uptime', `${d}d ${h}h${m}m${s}s`],
    ['Uptime_sec', i.uptimeSec],
    ['Memmax_MB', 0],
    ['PoolAlloc_MB', 0],
    ['PoolUsed_MB', 0],
    ['PoolFailed', 0],
    ['Ulimit-n', i.ulimitN],
    ['Maxsock', i.ulimitN],
    ['Maxconn', i.maxconn],
    ['Hard_maxconn', i.maxconn],
    ['CurrConns', i.currConns],
    ['CumConns', i.cumConns],
    ['CumReq', 0],
    ['MaxSslConns', 0],
    ['CurrSslConns', 0],
    ['CumSslConns', 0],
    ['Maxpipes', 0],
    ['PipesUsed', 0],
    ['PipesFree', 0],
    ['ConnRate', i.connRate],
    ['ConnRateLimit', 0],
    ['MaxConnRate', i.maxConnRate],
    ['SessRate', i.connRate],
    ['SessRateLimit', 0],
    ['MaxSessRate', i.maxConnRate],
    ['SslRate', 0],
    ['SslRateLimit', 0],
    ['MaxSslRate', 0],
    ['SslFrontendKeyRate', 0],
    ['SslFrontendMaxKeyRate', 0],
    ['SslFrontendSessionReuse_pct', 0],
    ['SslBackendKeyRate', 0],
    ['SslBackendMaxKeyRate', 0],
    ['SslCacheLookups', 0],
    ['SslCacheMisses', 0],
    ['CompressBpsIn', 0],
    ['CompressBpsOut', 0],
    ['CompressBpsRateLim', 0],
    ['Tasks', 0],
    ['Run_queue', 0],
    ['Idle_pct', 100],
    ['node', i.node],
    ['Stopping', i.stopping ? 1 : 0],
    ['Jobs', i.currConns + i.listeners],
    ['Unstoppable Jobs', 0],
    ['Listeners', i.listeners],
    ['ActivePeers', 0],
    ['ConnectedPeers', 0],
    ['DroppedLogs', i.faults.droppedLogs],
    ['BusyPolling', 0],
    ['FailedResolutions', 0],
    ['TotalBytesOut', i.totalBytesOut],
    ['TotalSplicdedBytesOut', 0],
    ['BytesOutRate', 0],
    ['DebugCommandsIssued', 0],
    ['CumRecvLogs', 0],
    ['Build info', i.version],
    ['Memmax_bytes', 0],
    ['PoolAlloc_bytes', i.memRssBytes],
    ['PoolUsed_bytes', i.memRssBytes],
    ['Start_time_sec', i.startTimeSec],
    ['Tainted', 0],
  ];
  return `${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

/**
 * `show halo`: what this process survived, which HAProxy's `show info` has no field for
 * (HAProxy would have exited): errors that reached the last-resort handler and output
 * dropped because its reader was slow or gone. `key: value` lines like `show info`.
 */
export function renderShowHalo(snap: StatsSnapshot): string {
  const f = snap.info.faults;
  const rows: [string, number][] = [
    ['Uncaught_exceptions', f.uncaughtExceptions],
    ['Unhandled_rejections', f.unhandledRejections],
    ['DroppedLogs', f.droppedLogs],
    ['Dropped_output_bytes', f.droppedOutputBytes],
  ];
  return `${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

/** HAProxy's `enum healthcheck_status` values, as `show servers state` prints them. */
const CHECK_STATUS_CODE: Record<CheckStatus | 'INI', number> = {
  INI: 1,
  HANA: 4,
  SOCKERR: 5,
  L4OK: 6,
  L4TOUT: 7,
  L4CON: 8,
  L6OK: 9,
  L6TOUT: 10,
  L6RSP: 11,
  L7TOUT: 12,
  L7RSP: 13,
  L7OK: 15,
  L7OKC: 16,
  L7STS: 17,
};

const SERVERS_STATE_HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight ' +
  'srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health ' +
  'srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord ' +
  'srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';

function serverStateLine(beId: number, be: string, s: ServerRow): string {
  const c = s.check;
  // srv_admin_state: FMAINT 0x1 (runtime), CMAINT 0x4 (config `disabled`), FDRAIN 0x8,
  // RMAINT 0x20 (no address: init-addr none).
  const admin =
    (s.forcedMaint ? (s.cfgDisabled ? 0x4 : 0x1) : 0) | (s.drain ? 0x8 : 0) | (s.rmaint ? 0x20 : 0);
  // srv_check_state: CONFIGURED 0x2, ENABLED 0x4, PAUSED 0x8.
  const checkState = c ? 0x2 | (s.healthDisabled ? 0 : 0x4) | (s.maint ? 0x8 : 0) : 0;
  const checkResult = !c || c.status === 'INI' ? 0 : s.up ? 3 : 2;
  const fqdn = /^[\d.]+$|:/.test(s.host) ? '-' : s.host;
  return [
    beId,
    be,
    s.sid,
    s.name,
    s.addr || '-',
    s.up ? 2 : 0,
    admin,
    s.drain ? 0 : s.uweight,
    s.iweight,
    s.lastChange,
    c ? CHECK_STATUS_CODE[c.status] : 0,
    checkResult,
    c?.health ?? 0,
    checkState,
    0,
    0,
    0,
    fqdn,
    s.port ?? 0,
    '-',
    s.ssl ? 1 : 0,
    s.checkPort ?? 0,
    '-',
    '-',
    0,
  ].join(' ');
}

/** `show servers state [<backend>]`; undefined when the backend does not exist. */
export function renderServersState(snap: StatsSnapshot, backend?: string): string | undefined {
  const proxies = snap.proxies.filter((p) => p.backend && (!backend || p.name === backend));
  if (backend && proxies.length === 0) return undefined;
  let out = `1\n${SERVERS_STATE_HEADER}\n`;
  for (const p of proxies)
    for (const s of p.servers) out += `${serverStateLine(p.iid, p.name, s)}\n`;
  return out;
}

export function renderShowBackend(snap: StatsSnapshot): string {
  return `# name\n${snap.proxies
    .filter((p) => p.backend)
    .map((p) => `${p.name}\n`)
    .join('')}`;
}
