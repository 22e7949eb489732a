// The log line of one HTTP exchange: httplog on an http frontend, tcplog on a tcp frontend
// whose stream HAProxy upgraded to HTTP (one line per request there too, measured on
// 2.6.12). Response sizes are counted as HAProxy counts them (htxResponseSize), from the
// head Node wrote.

import type { LogRecord } from '../log/custom-log.js';
import { logHostname, renderLogFormat } from '../log/custom-log.js';
import type { HttpLogFields } from '../log/httplog.js';
import { formatHttpLog, htxResponseSize } from '../log/httplog.js';
import { formatTcpLog } from '../log/tcplog.js';
import { processFacts } from '../sample/process-facts.js';
import type { HttpExchange } from './http-exchange.js';
import type { HttpClientConn, HttpFrontend } from './http-frontend.js';
import { evalSample, layer4Scope } from './samples.js';

/** HAProxy's response size from the head Node sent (its own `connection` line excluded). */
export function sizeFromHead(
  head: string | undefined,
  bodyBytes: number,
  chunked: boolean,
): number {
  if (!head) return 0;
  const lines = head.split('\r\n');
  const m = /^(\S+) (\d+) ?(.*)$/.exec(lines[0] ?? '');
  if (!m) return 0;
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i <= 0) continue;
    const name = l.slice(0, i).toLowerCase();
    if (name === 'connection' || name === 'keep-alive') continue;
    headers.push([name, l.slice(i + 1).trim()]);
  }
  return htxResponseSize({
    version: m[1]!,
    status: Number(m[2]),
    reason: m[3] ?? '',
    headers,
    bodyBytes,
    chunked,
  });
}

/**
 * `%U`'s head: the request as HAProxy holds it (HTX), counted as responses are: 20 bytes,
 * method, target and version, each header's name and value (a `connection: close` or
 * `keep-alive` line is consumed by the h1 layer), one for the end of headers.
 */
function requestSize(method: string, url: string, raw: readonly string[]): number {
  let n = 20 + method.length + url.length + 'HTTP/1.1'.length + 1;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (/^connection$/i.test(name) && /^\s*(close|keep-alive)\s*$/i.test(value)) continue;
    n += name.length + value.length;
  }
  return n;
}

/** The response bytes the log counts: the head sent, or the server's before response rules. */
function loggedBytes(x: HttpExchange, head: string | undefined): number {
  const h = x.loggedHead;
  if (!h) return sizeFromHead(head, x.bodyBytes, x.chunked) + x.logExtra;
  return htxResponseSize({
    version: 'HTTP/1.1',
    status: h.status,
    reason: h.reason,
    headers: h.headers,
    bodyBytes: x.bodyBytes,
    chunked: x.chunked,
  });
}

function requestLine(x: HttpExchange): string {
  return `${x.req.method} ${x.req.url} HTTP/${x.req.httpVersion}`;
}

export function exchangeLogLine(x: HttpExchange, now: number): string {
  const h = x.http;
  const host = h.host;
  const be = x.be;
  const ta = Math.round(now - x.tReq) + x.tR;
  const head = (x.res as unknown as { _header?: string | null })._header ?? undefined;
  const srv = x.lastServer;
  const fields = {
    clientIp: x.addr.clientIp,
    clientPort: x.addr.clientPort,
    // `%ft`: HAProxy marks a frontend connection that came in over TLS with `~`.
    frontend: x.conn.tls ? `${host.name}~` : host.name,
    backend: be?.name ?? host.name,
    server: x.appletName ?? srv?.name ?? '<NOSRV>',
    actconn: h.ctx.counters.actconn,
    feconn: host.conns,
    beconn: be?.conns ?? 0,
    srvconn: srv?.conns ?? 0,
    retries: x.retries,
    redispatched: x.redispatched,
    srvQueue: x.srvQueuePos,
    beQueue: x.beQueuePos,
    bytes: loggedBytes(x, head),
  };
  const cause = x.cause === '-' ? '-' : x.cause;
  const phase = x.cause === '-' ? '-' : x.termPhase;
  const custom = host.cfg.logFormatCustom;
  if (custom) {
    const req = x.req;
    const record: LogRecord = {
      ...fields,
      clientPort: x.addr.clientPort,
      frontend: host.name,
      frontendTls: x.conn.tls !== undefined,
      frontendIp: x.addr.localIp,
      frontendPort: x.addr.localPort,
      ...(srv?.address !== undefined ? { serverIp: srv.address } : {}),
      ...(srv?.port !== undefined ? { serverPort: srv.port } : {}),
      accepted: x.received - x.tR,
      received: x.received,
      tw: x.tw,
      tc: x.tc,
      tt: ta,
      tR: x.tarpitted ? -1 : x.tR,
      tr: x.tr,
      ta,
      bytesIn: requestSize(x.req.method ?? 'GET', x.req.url ?? '/', x.req.rawHeaders) + x.bytesIn,
      status: x.rawStatus ?? x.res.statusCode,
      termination: `${cause}${phase}`,
      requestLine: x.badRequestLine ? undefined : requestLine(x),
      method: req.method ?? 'GET',
      uri: req.url ?? '/',
      version: req.httpVersion,
      pid: process.pid,
      hostname: logHostname(),
      ...(x.captures ? { captures: x.captures } : {}),
    };
    return renderLogFormat(custom.format, record, (e) => x.logSample(e));
  }
  if (!h.httplog) {
    return formatTcpLog({
      ...fields,
      accepted: x.received,
      tw: x.tw,
      tc: x.tc,
      tt: ta,
      termination: `${cause}${phase}`,
    });
  }
  const f: HttpLogFields = {
    ...fields,
    received: x.received,
    // HAProxy logs a tarpitted request with TR -1 and the tarpit's wait as Tw.
    tR: x.tarpitted ? -1 : x.tR,
    tw: x.tw,
    tc: x.tc,
    tr: x.tr,
    ta,
    status: x.rawStatus ?? x.res.statusCode,
    termination: `${cause}${phase}--`,
    requestLine: x.badRequestLine ? undefined : requestLine(x),
  };
  const reqCaps = x.captures?.braced('request');
  const resCaps = x.captures?.braced('response');
  return formatHttpLog({
    ...f,
    ...(reqCaps !== undefined ? { requestCaptures: reqCaps } : {}),
    ...(resCaps !== undefined ? { responseCaptures: resCaps } : {}),
  });
}

/** A request refused before it could be parsed (400 `PR`) or completed (408 `cR`). */
export function rejectedLogLine(
  h: HttpFrontend,
  conn: HttpClientConn,
  status: number,
  term: string,
  now: number,
): string {
  const host = h.host;
  const t = Math.round(now - conn.accepted);
  const common = {
    clientIp: conn.clientIp,
    clientPort: conn.clientPort,
    frontend: conn.tls ? `${host.name}~` : host.name,
    backend: host.name,
    server: '<NOSRV>',
    bytes: 0,
    actconn: h.ctx.counters.actconn,
    feconn: host.conns,
    beconn: 0,
    srvconn: 0,
    retries: 0,
    redispatched: false,
    srvQueue: 0,
    beQueue: 0,
  };
  const custom = host.cfg.logFormatCustom;
  if (custom) {
    return renderLogFormat(
      custom.format,
      {
        ...common,
        frontendTls: conn.tls !== undefined,
        frontend: host.name,
        frontendIp: conn.localIp,
        frontendPort: conn.localPort,
        accepted: conn.acceptedAt,
        received: conn.acceptedAt,
        tw: -1,
        tc: -1,
        tt: t,
        tR: -1,
        tr: -1,
        ta: t,
        bytesIn: 0,
        status,
        termination: term,
        requestLine: undefined,
        pid: process.pid,
        hostname: logHostname(),
      },
      (e) => evalSample(e, layer4Scope(conn, host.name, host.name, processFacts())),
    );
  }
  if (!h.httplog) {
    return formatTcpLog({
      ...common,
      accepted: conn.acceptedAt,
      tw: -1,
      tc: -1,
      tt: t,
      termination: term,
    });
  }
  return formatHttpLog({
    ...common,
    received: conn.acceptedAt,
    tR: -1,
    tw: -1,
    tc: -1,
    tr: -1,
    ta: t,
    status,
    termination: `${term}--`,
    requestLine: undefined,
  });
}
