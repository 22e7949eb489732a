// The proxy's metrics under HAProxy 2.6's prometheus-exporter names, types and labels
// (`haproxy_process_*`, `haproxy_frontend_*`, `haproxy_backend_*`, `haproxy_server_*`), so
// dashboards and alerts written for HAProxy read halo. The HELP texts are halo's own words.
// Features halo does not have (TLS termination, compression, cache, splicing, peers) are
// exported as the zeros they truly are; what halo does not measure (pools, tasks, idle time,
// queue/response times, connection reuse) is left out rather than invented.

import type { MetricDef, Sample } from './prometheus-format.js';
import { counts, oneOf } from './prometheus-format.js';
import type {
  BackendRow,
  FrontendRow,
  ProcessInfo,
  ProxyStats,
  ServerRow,
  TrafficRow,
} from './snapshot.js';

const g = <R>(name: string, help: string, sample: MetricDef<R>['sample']): MetricDef<R> => ({
  name,
  type: 'gauge',
  help,
  sample,
});
const c = <R>(name: string, help: string, sample: MetricDef<R>['sample']): MetricDef<R> => ({
  name,
  type: 'counter',
  help,
  sample,
});
const zero = () => 0;
const sec = (ms: number) => ms / 1000;

/** `show info`'s facts, and the HTTP requests of every frontend. */
export type ProcessRow = ProcessInfo & { readonly requests: number };

const P = 'haproxy_process_';
export const PROCESS_METRICS: readonly MetricDef<ProcessRow>[] = [
  g(`${P}nbthread`, 'Threads serving in this worker process', (i) => i.nbthread),
  g(`${P}nbproc`, 'Worker processes (always 1, as in HAProxy 2.6)', () => 1),
  g(`${P}relative_process_id`, 'This worker process number', (i) => i.processNum),
  g(`${P}uptime_seconds`, 'Seconds since this worker process started', (i) => i.uptimeSec),
  g(`${P}max_fds`, 'Limit on open file descriptors (ulimit -n)', (i) => i.ulimitN),
  g(`${P}max_sockets`, 'Limit on sockets of this process', (i) => i.ulimitN),
  g(`${P}max_connections`, 'Connection limit of this process (global maxconn)', (i) => i.maxconn),
  g(`${P}hard_max_connections`, 'Hard connection limit of this process', (i) => i.maxconn),
  g(`${P}current_connections`, 'Connections open now', (i) => i.currConns),
  c(`${P}connections_total`, 'Connections accepted since start', (i) => i.cumConns),
  c(`${P}requests_total`, 'HTTP requests since start', (i) => i.requests),
  g(`${P}max_ssl_connections`, 'TLS endpoint limit (halo terminates no TLS)', zero),
  g(`${P}current_ssl_connections`, 'TLS endpoints open now (halo terminates no TLS)', zero),
  c(`${P}ssl_connections_total`, 'TLS endpoints since start (halo terminates no TLS)', zero),
  g(`${P}max_pipes`, 'Pipe limit for splicing (halo does not splice)', zero),
  c(`${P}pipes_used_total`, 'Pipes in use (halo does not splice)', zero),
  c(`${P}pipes_free_total`, 'Pipes allocated and free (halo does not splice)', zero),
  g(`${P}current_connection_rate`, 'Connections accepted over the last second', (i) => i.connRate),
  g(`${P}limit_connection_rate`, 'Connection rate limit (not set)', zero),
  g(`${P}max_connection_rate`, 'Highest connection rate seen', (i) => i.maxConnRate),
  g(`${P}current_session_rate`, 'Sessions created over the last second', (i) => i.connRate),
  g(`${P}limit_session_rate`, 'Session rate limit (not set)', zero),
  g(`${P}max_session_rate`, 'Highest session rate seen', (i) => i.maxConnRate),
  g(`${P}current_ssl_rate`, 'TLS connections over the last second (none)', zero),
  g(`${P}limit_ssl_rate`, 'TLS connection rate limit (not set)', zero),
  g(`${P}max_ssl_rate`, 'Highest TLS connection rate seen (none)', zero),
  g(`${P}current_frontend_ssl_key_rate`, 'Frontend TLS keys over the last second', zero),
  g(`${P}max_frontend_ssl_key_rate`, 'Highest frontend TLS key rate seen', zero),
  g(`${P}frontend_ssl_reuse`, 'Percent of frontend TLS sessions resumed', zero),
  g(`${P}current_backend_ssl_key_rate`, 'Backend TLS keys over the last second', zero),
  g(`${P}max_backend_ssl_key_rate`, 'Highest backend TLS key rate seen', zero),
  c(`${P}ssl_cache_lookups_total`, 'TLS session cache lookups', zero),
  c(`${P}ssl_cache_misses_total`, 'TLS session cache misses', zero),
  c(
    `${P}http_comp_bytes_in_total`,
    'Bytes into the HTTP compressor (halo compresses nothing)',
    zero,
  ),
  c(
    `${P}http_comp_bytes_out_total`,
    'Bytes out of the HTTP compressor (halo compresses nothing)',
    zero,
  ),
  g(`${P}limit_http_comp`, 'Compression bandwidth limit (not set)', zero),
  g(`${P}current_zlib_memory`, 'Memory used by zlib (NaN: no zlib)', () => Number.NaN),
  g(`${P}max_zlib_memory`, 'zlib memory limit (NaN: no zlib)', () => Number.NaN),
  g(`${P}stopping`, '1 while this process stops, else 0', (i) => (i.stopping ? 1 : 0)),
  g(`${P}jobs`, 'Active jobs: connections and listeners', (i) => i.currConns + i.listeners),
  g(`${P}unstoppable_jobs`, 'Jobs a soft stop waits for', zero),
  g(`${P}listeners`, 'Listening sockets', (i) => i.listeners),
  g(`${P}active_peers`, 'Active peers connections (halo has no peers)', zero),
  g(`${P}connected_peers`, 'Connected peers (halo has no peers)', zero),
  c(
    `${P}dropped_logs_total`,
    'Log lines not sent (queue full, reader gone)',
    (i) => i.faults.droppedLogs,
  ),
  g(`${P}busy_polling_enabled`, '1 when busy polling is on (never in halo)', zero),
  c(`${P}bytes_out_total`, 'Bytes sent to clients since start', (i) => i.totalBytesOut),
  c(`${P}spliced_bytes_out_total`, 'Bytes sent through a kernel pipe (none)', zero),
  c(`${P}recv_logs_total`, 'Log messages received by log forwarders (none)', zero),
  g(`${P}build_info`, 'Version of the running program', (i) => [
    { labels: { version: i.version }, value: 1 },
  ]),
  g(`${P}max_memory_bytes`, 'Memory limit (not set)', zero),
  g(`${P}start_time_seconds`, 'Start time, seconds since the epoch', (i) => i.startTimeSec),
];

const CODES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;
const http = (hrsp: readonly number[]): Sample[] =>
  CODES.map((code, i) => ({ labels: { code }, value: hrsp[i] ?? 0 }));

type Fe = ProxyStats & { frontend: FrontendRow };
const F = 'haproxy_frontend_';
const ifHttp = (p: ProxyStats, v: () => readonly Sample[] | number) =>
  p.mode === 'http' ? v() : undefined;
export const FRONTEND_METRICS: readonly MetricDef<Fe>[] = [
  g(`${F}current_sessions`, 'Sessions open now', (p) => p.frontend.scur),
  g(`${F}max_sessions`, 'Most sessions open at once', (p) => p.frontend.smax),
  g(`${F}limit_sessions`, 'Session limit (maxconn)', (p) => p.frontend.slim),
  c(`${F}sessions_total`, 'Sessions since start', (p) => p.frontend.stot),
  c(`${F}bytes_in_total`, 'Request bytes since start', (p) => p.frontend.bin),
  c(`${F}bytes_out_total`, 'Response bytes since start', (p) => p.frontend.bout),
  c(`${F}requests_denied_total`, 'Requests denied', (p) => p.frontend.dreq),
  c(`${F}responses_denied_total`, 'Responses denied', zero),
  c(`${F}request_errors_total`, 'Invalid requests', (p) => p.frontend.ereq),
  g(`${F}status`, 'Frontend status, 1 on the current state', (p) =>
    oneOf('state', ['DOWN', 'UP'], p.frontend.open ? 'UP' : 'DOWN'),
  ),
  g(`${F}limit_session_rate`, 'Session rate limit (not set)', zero),
  g(`${F}max_session_rate`, 'Highest session rate seen', (p) => p.frontend.rateMax),
  c(`${F}http_responses_total`, 'HTTP responses by status class', (p) =>
    ifHttp(p, () => http(p.frontend.hrsp)),
  ),
  c(`${F}http_requests_total`, 'HTTP requests since start', (p) =>
    ifHttp(p, () => p.frontend.reqTot ?? 0),
  ),
  c(`${F}http_comp_bytes_in_total`, 'Bytes into the compressor', (p) => ifHttp(p, zero)),
  c(`${F}http_comp_bytes_out_total`, 'Bytes out of the compressor', (p) => ifHttp(p, zero)),
  c(`${F}http_comp_bytes_bypassed_total`, 'Bytes that skipped compression', (p) => ifHttp(p, zero)),
  c(`${F}http_comp_responses_total`, 'Compressed responses', (p) => ifHttp(p, zero)),
  g(`${F}connections_rate_max`, 'Highest connection rate seen', (p) => p.frontend.rateMax),
  c(`${F}connections_total`, 'Connections accepted since start', (p) => p.frontend.stot),
  c(`${F}denied_connections_total`, 'Connections denied by tcp-request connection rules', zero),
  c(`${F}denied_sessions_total`, 'Sessions denied by tcp-request session rules', zero),
  c(`${F}failed_header_rewriting_total`, 'Failed header rewrites', (p) => ifHttp(p, zero)),
  c(`${F}http_cache_lookups_total`, 'Cache lookups (halo has no cache)', (p) => ifHttp(p, zero)),
  c(`${F}http_cache_hits_total`, 'Cache hits (halo has no cache)', (p) => ifHttp(p, zero)),
  c(`${F}internal_errors_total`, 'Internal errors', (p) => p.frontend.eint),
];

/** Metrics backends and servers share (`haproxy_backend_X` and `haproxy_server_X`). */
function traffic<R extends { row: TrafficRow; mode: 'tcp' | 'http' }>(pre: string): MetricDef<R>[] {
  return [
    g(`${pre}current_queue`, 'Requests queued now', (r) => r.row.qcur),
    g(`${pre}max_queue`, 'Most requests queued at once', (r) => r.row.qmax),
    g(`${pre}current_sessions`, 'Sessions open now', (r) => r.row.scur),
    g(`${pre}max_sessions`, 'Most sessions open at once', (r) => r.row.smax),
    g(`${pre}limit_sessions`, 'Session limit (maxconn; fullconn for a backend)', (r) =>
      r.row.slim === undefined ? Number.NaN : r.row.slim,
    ),
    c(`${pre}sessions_total`, 'Sessions since start', (r) => r.row.stot),
    c(`${pre}bytes_in_total`, 'Request bytes since start', (r) => r.row.bin),
    c(`${pre}bytes_out_total`, 'Response bytes since start', (r) => r.row.bout),
    c(`${pre}connection_errors_total`, 'Failed connections to servers', (r) => r.row.econ),
    c(`${pre}response_errors_total`, 'Invalid or aborted responses', (r) => r.row.eresp),
    c(`${pre}retry_warnings_total`, 'Connection retries', (r) => r.row.wretr),
    c(`${pre}redispatch_warnings_total`, 'Redispatches to another server', (r) => r.row.wredis),
    c(`${pre}check_up_down_total`, 'UP to DOWN transitions', (r) => r.row.chkdown),
    g(`${pre}check_last_change_seconds`, 'Seconds since the last state change', (r) =>
      Math.max(0, r.row.lastChange),
    ),
    c(`${pre}downtime_seconds_total`, 'Seconds spent DOWN', (r) => r.row.downtime),
    c(`${pre}loadbalanced_total`, 'Times picked by load balancing', (r) => r.row.lbtot),
    g(`${pre}max_session_rate`, 'Highest session rate seen', (r) => r.row.rateMax),
    c(`${pre}http_responses_total`, 'HTTP responses by status class', (r) =>
      r.mode === 'http' ? http(r.row.hrsp) : undefined,
    ),
    c(`${pre}client_aborts_total`, 'Transfers aborted by the client', (r) => r.row.cliAbrt),
    c(`${pre}server_aborts_total`, 'Transfers aborted by the server', (r) => r.row.srvAbrt),
    g(
      `${pre}last_session_seconds`,
      'Seconds since the last session (-1: none)',
      (r) => r.row.lastSess,
    ),
    g(`${pre}connect_time_average_seconds`, 'Average connect time, recent sessions', (r) =>
      sec(r.row.ctime),
    ),
    g(`${pre}total_time_average_seconds`, 'Average session time, recent sessions', (r) =>
      sec(r.row.ttime),
    ),
    g(`${pre}max_connect_time_seconds`, 'Longest connect time seen', (r) => sec(r.row.ctimeMax)),
    g(`${pre}max_total_time_seconds`, 'Longest session time seen', (r) => sec(r.row.ttimeMax)),
    c(`${pre}failed_header_rewriting_total`, 'Failed header rewrites', (r) =>
      r.mode === 'http' ? 0 : undefined,
    ),
  ];
}

export interface BackendItem {
  readonly proxy: ProxyStats;
  readonly row: BackendRow;
  readonly mode: 'tcp' | 'http';
}

const SERVER_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const;
const CHECK_STATES = [
  'HANA',
  'SOCKERR',
  'L4OK',
  'L4TOUT',
  'L4CON',
  'L6OK',
  'L6TOUT',
  'L6RSP',
  'L7TOUT',
  'L7RSP',
  'L7OK',
  'L7OKC',
  'L7STS',
  'PROCERR',
  'PROCTOUT',
  'PROCOK',
] as const;

export function serverState(s: ServerRow): (typeof SERVER_STATES)[number] {
  if (s.maint) return 'MAINT';
  if (s.drain) return 'DRAIN';
  return s.up ? 'UP' : 'DOWN';
}

const B = 'haproxy_backend_';
const aggStatus = (b: BackendItem) =>
  b.proxy.servers.length === 0
    ? undefined
    : counts(
        'state',
        SERVER_STATES,
        (st) => b.proxy.servers.filter((s) => serverState(s) === st).length,
      );
export const BACKEND_METRICS: readonly MetricDef<BackendItem>[] = [
  ...traffic<BackendItem>(B),
  c(`${B}requests_denied_total`, 'Requests denied', zero),
  c(`${B}responses_denied_total`, 'Responses denied', zero),
  g(`${B}status`, 'Backend status, 1 on the current state', (b) =>
    oneOf('state', ['DOWN', 'UP'], b.row.up ? 'UP' : 'DOWN'),
  ),
  g(`${B}weight`, "Sum of the active servers' effective weights", (b) => b.row.weight),
  g(`${B}active_servers`, 'Active servers UP', (b) => b.row.act),
  g(`${B}backup_servers`, 'Backup servers UP', (b) => b.row.bck),
  c(`${B}http_comp_bytes_in_total`, 'Bytes into the compressor', (b) =>
    b.mode === 'http' ? 0 : undefined,
  ),
  c(`${B}http_comp_bytes_out_total`, 'Bytes out of the compressor', (b) =>
    b.mode === 'http' ? 0 : undefined,
  ),
  c(`${B}http_comp_bytes_bypassed_total`, 'Bytes that skipped compression', (b) =>
    b.mode === 'http' ? 0 : undefined,
  ),
  c(`${B}http_comp_responses_total`, 'Compressed responses', (b) =>
    b.mode === 'http' ? 0 : undefined,
  ),
  c(`${B}http_cache_lookups_total`, 'Cache lookups (halo has no cache)', (b) =>
    b.mode === 'http' ? 0 : undefined,
  ),
  c(`${B}http_cache_hits_total`, 'Cache hits (halo has no cache)', (b) =>
    b.mode === 'http' ? 0 : undefined,
  ),
  g(`${B}uweight`, "Sum of the active servers' user weights", (b) =>
    b.proxy.servers.filter((s) => !s.backup && s.up).reduce((n, s) => n + s.uweight, 0),
  ),
  g(`${B}agg_server_status`, 'Servers in each state', aggStatus),
  g(`${B}agg_server_check_status`, 'Servers in each state (older name)', aggStatus),
  g(`${B}agg_check_status`, 'Servers by their last check result', (b) =>
    b.proxy.servers.length === 0
      ? undefined
      : counts(
          'state',
          CHECK_STATES,
          (st) => b.proxy.servers.filter((s) => s.check?.status === st).length,
        ),
  ),
];

export interface ServerItem {
  readonly proxy: ProxyStats;
  readonly row: ServerRow;
  readonly mode: 'tcp' | 'http';
}

const S = 'haproxy_server_';
const checked = (s: ServerItem) => s.row.check !== undefined;
export const SERVER_METRICS: readonly MetricDef<ServerItem>[] = [
  ...traffic<ServerItem>(S),
  c(`${S}responses_denied_total`, 'Responses denied', zero),
  g(`${S}status`, 'Server status, 1 on the current state', (s) =>
    oneOf('state', SERVER_STATES, serverState(s.row)),
  ),
  g(`${S}weight`, 'Effective weight', (s) => s.row.weight),
  c(`${S}check_failures_total`, 'Failed health checks', (s) => s.row.chkfail),
  g(`${S}queue_limit`, 'Queue limit (maxqueue; NaN: none)', (s) => s.row.qlimit ?? Number.NaN),
  g(`${S}check_status`, 'Last health check result, 1 on the current one', (s) =>
    checked(s) ? oneOf('state', CHECK_STATES, s.row.check?.status ?? '') : undefined,
  ),
  g(`${S}check_code`, 'HTTP status of the last layer-7 check (0: none)', (s) =>
    checked(s) ? (s.row.check?.code ?? 0) : undefined,
  ),
  g(`${S}check_duration_seconds`, 'Duration of the last health check', (s) =>
    checked(s) ? sec(s.row.check?.durationMs ?? 0) : undefined,
  ),
  g(
    `${S}current_throttle`,
    'Slow-start throttle in percent (NaN: not throttled)',
    () => Number.NaN,
  ),
  g(`${S}uweight`, 'User weight', (s) => s.row.uweight),
];
