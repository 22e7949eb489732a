// The stats page as an HTTP applet (HAProxy's `<STATS>`): requests whose path starts with
// `stats uri` get the HTML page, `;csv` or `;json`, behind `stats auth` basic auth, with
// `Refresh` from `stats refresh` (dropped by `;norefresh`), `;up` to hide DOWN servers, and
// the admin form's POST when `stats admin` allows it, answered with HAProxy's 303 to
// `<uri>;st=DONE|PART|NONE|ERRP|EXCD|DENY`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Proxy as ProxyConfig, StatsConfig } from '../../config/haproxy/model.js';
import type { ConnectionFacts } from '../acl.js';
import { compileCondition } from '../acl.js';
import type { ProxyEngine } from '../engine.js';
import type { HttpApplet } from '../http/applet.js';
import { errorPage } from '../http/errors.js';
import { applyAdminAction } from './admin-action.js';
import type { StatsEnvironment } from './build-snapshot.js';
import { buildSnapshot } from './build-snapshot.js';
import { renderCsv } from './csv.js';
import { appletCountersFor, statsEnvironment } from './environment.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { createPrometheusApplet } from './prometheus-applet.js';

/** HAProxy's realm when `stats realm` is not set. */
export const DEFAULT_STATS_REALM = 'HAProxy Statistics';
const MAX_POST = 16384;

const UNAUTHORIZED = errorPage(
  401,
  'Unauthorized',
  'You need a valid user and password to access this content.',
);

export interface StatsRequest {
  readonly csv: boolean;
  readonly json: boolean;
  readonly upOnly: boolean;
  readonly norefresh: boolean;
  readonly status: string | undefined;
}

/** The `;option` flags after the stats URI (HAProxy looks for them anywhere after it). */
export function parseStatsUri(url: string, prefix: string): StatsRequest {
  const rest = url.slice(prefix.length);
  const opts = rest.split(/[;?&]/);
  const st = /;st=([A-Z]{4})/.exec(rest)?.[1];
  return {
    csv: opts.includes('csv'),
    json: opts.includes('json'),
    upOnly: opts.includes('up'),
    norefresh: opts.includes('norefresh'),
    status: st,
  };
}

/** Checks an `Authorization: Basic` header against `stats auth` users. */
export function authorized(header: string | undefined, users: StatsConfig['auth']): boolean {
  if (users.length === 0) return true;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return false;
  const user = text.slice(0, i);
  const pass = text.slice(i + 1);
  return users.some((u) => u.user === user && u.password === pass);
}

function socketFacts(req: IncomingMessage, engine: ProxyEngine): ConnectionFacts {
  const s = req.socket;
  return {
    src: () => (s.remoteAddress ?? '').replace(/^::ffff:/, ''),
    srcPort: () => s.remotePort ?? 0,
    dst: () => (s.localAddress ?? '').replace(/^::ffff:/, ''),
    dstPort: () => s.localPort ?? 0,
    nbsrv: (b) => engine.backends.get(b)?.usableServers() ?? -1,
  };
}

export function createStatsApplet(
  proxy: ProxyConfig,
  engine: ProxyEngine,
  env: StatsEnvironment = statsEnvironment(engine),
): HttpApplet {
  const stats = proxy.stats;
  const uri = stats?.uri ?? '/haproxy?stats';
  const admin = stats?.admin ? compileCondition(stats.admin, proxy.acls) : undefined;
  // The config check refuses such a condition; should one get here, it grants nothing.
  const adminTest = admin && admin.unsupported.length === 0 ? admin.test : undefined;
  const counters = appletCountersFor(engine, proxy.name);

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string,
  ) => {
    const bytes = Buffer.byteLength(body);
    counters.bytesOut += bytes;
    res.writeHead(status, { 'cache-control': 'no-cache', ...headers, 'content-length': bytes });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  // `stats scope`: the proxies named (`.` is this one), compared as HAProxy compares them;
  // the admin form still acts on any backend, as HAProxy's does.
  const scope = stats?.scope;
  const inScope = (name: string) =>
    scope?.some((s) => s === name || (s === '.' && name === proxy.name));
  const page = (req: IncomingMessage, res: ServerResponse, r: StatsRequest, admin: boolean) => {
    const all = buildSnapshot(engine, env);
    const snap = scope ? { ...all, proxies: all.proxies.filter((p) => inScope(p.name)) } : all;
    const headers: Record<string, string> = {};
    if (stats?.refresh && !r.norefresh) headers.refresh = String(Math.round(stats.refresh / 1000));
    if (r.csv) {
      headers['content-type'] = 'text/plain';
      send(
        req,
        res,
        200,
        headers,
        renderCsv(snap, { legends: stats?.showLegends === true, upOnly: r.upOnly }),
      );
    } else if (r.json) {
      headers['content-type'] = 'application/json';
      send(req, res, 200, headers, renderJson(snap));
    } else {
      headers['content-type'] = 'text/html';
      const refreshSec = stats?.refresh ? Math.round(stats.refresh / 1000) : undefined;
      send(
        req,
        res,
        200,
        headers,
        renderHtml(snap, {
          vrrp: env.vrrp?.(),
          uri,
          admin,
          upOnly: r.upOnly,
          norefresh: r.norefresh,
          status: r.status,
          refreshSec,
        }),
      );
    }
  };

  const post = (req: IncomingMessage, res: ServerResponse, r: StatsRequest, admin: boolean) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_POST) chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      counters.bytesIn += size;
      const code = !admin
        ? 'DENY'
        : size > MAX_POST
          ? 'EXCD'
          : applyAdminAction(engine, Buffer.concat(chunks).toString('latin1'));
      const keep = `${r.upOnly ? ';up' : ''}${r.norefresh ? ';norefresh' : ''}`;
      send(
        req,
        res,
        303,
        { 'content-type': 'text/plain', location: `${uri};st=${code}${keep}` },
        '',
      );
    });
  };

  return {
    logName: '<STATS>',
    matches(req) {
      // HAProxy's stats applet takes GET, HEAD and POST; other methods go to the backend.
      const m = req.method;
      if (m !== 'GET' && m !== 'HEAD' && m !== 'POST') return false;
      return stats?.enabled === true && (req.url ?? '').startsWith(uri);
    },
    serve(req, res) {
      counters.stot++;
      counters.rate.hit(env.now());
      try {
        if (!authorized(req.headers.authorization, stats?.auth ?? [])) {
          const realm = stats?.realm ?? DEFAULT_STATS_REALM;
          req.resume();
          send(
            req,
            res,
            401,
            { 'content-type': 'text/html', 'www-authenticate': `Basic realm="${realm}"` },
            UNAUTHORIZED,
          );
          return;
        }
        const r = parseStatsUri(req.url ?? '', uri);
        const admin = adminTest ? adminTest(socketFacts(req, engine)) : false;
        if (req.method === 'POST') post(req, res, r, admin);
        else page(req, res, r, admin);
      } catch (err) {
        counters.errors++;
        if (!res.headersSent)
          send(req, res, 500, { 'content-type': 'text/plain' }, `${(err as Error).message}\n`);
        else res.destroy();
      }
    },
  };
}

/**
 * The applets of an http proxy: its `http-request use-service` rules first (HAProxy runs
 * them before it looks at `stats uri`), then its stats page when `stats enable` is set.
 */
export function statsApplets(proxy: ProxyConfig, engine: ProxyEngine): HttpApplet[] {
  const env = statsEnvironment(engine);
  return [
    ...(proxy.services ?? []).map((s) => createPrometheusApplet(proxy, s, engine, env)),
    ...(proxy.stats?.enabled ? [createStatsApplet(proxy, engine, env)] : []),
  ];
}
