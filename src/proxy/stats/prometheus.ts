// `http-request use-service prometheus-exporter`: the proxy's metrics under HAProxy's names
// (prometheus-metrics.ts) and, under `halo run`, the VRRP instances' (prometheus-vrrp.ts).
// Pure: a snapshot in, the exposition text out.

import type { VrrpStatus } from '../../run/show-vrrp.js';
import { renderFamily } from './prometheus-format.js';
import type { BackendItem, ServerItem } from './prometheus-metrics.js';
import {
  BACKEND_METRICS,
  FRONTEND_METRICS,
  PROCESS_METRICS,
  SERVER_METRICS,
} from './prometheus-metrics.js';
import { renderVrrpMetrics } from './prometheus-vrrp.js';
import type { FrontendRow, ProxyStats, StatsSnapshot } from './snapshot.js';

/** The content type HAProxy's exporter answers with. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4';

/**
 * HAProxy's `?scope=` names (`listener` and `sticktable` have nothing in halo), plus
 * halo's `vrrp`; `*` is all of them.
 */
export const PROMETHEUS_SCOPES = [
  'global',
  'frontend',
  'backend',
  'server',
  'listener',
  'sticktable',
  'vrrp',
] as const;
export type PrometheusScope = (typeof PROMETHEUS_SCOPES)[number];

export interface PrometheusQuery {
  readonly scopes: ReadonlySet<PrometheusScope>;
  /** `no-maint`: servers in maintenance are left out. */
  readonly noMaint: boolean;
}

const ALL: PrometheusQuery = { scopes: new Set(PROMETHEUS_SCOPES), noMaint: false };

/**
 * `?scope=NAME` (repeatable; none = all, an empty one = nothing) and `?no-maint`, as
 * HAProxy's exporter reads them; undefined for an unknown scope (HAProxy answers 400).
 */
export function parsePrometheusQuery(url: string): PrometheusQuery | undefined {
  const q = url.indexOf('?');
  if (q < 0) return ALL;
  const params = new URLSearchParams(url.slice(q + 1));
  const asked = params.getAll('scope');
  const scopes = new Set<PrometheusScope>();
  for (const s of asked) {
    if (s === '*') for (const a of PROMETHEUS_SCOPES) scopes.add(a);
    else if ((PROMETHEUS_SCOPES as readonly string[]).includes(s)) scopes.add(s as PrometheusScope);
    else if (s !== '') return undefined;
  }
  return { scopes: asked.length === 0 ? ALL.scopes : scopes, noMaint: params.has('no-maint') };
}

export function renderPrometheus(
  snap: StatsSnapshot,
  vrrp?: VrrpStatus,
  query: PrometheusQuery = ALL,
): string {
  const on = (s: PrometheusScope) => query.scopes.has(s);
  const fes = snap.proxies.filter((p): p is ProxyStats & { frontend: FrontendRow } =>
    Boolean(p.frontend),
  );
  const bes: BackendItem[] = snap.proxies.flatMap((p) =>
    p.backend ? [{ proxy: p, row: p.backend, mode: p.mode }] : [],
  );
  const srvs: ServerItem[] = snap.proxies.flatMap((p) =>
    p.servers.flatMap((row) =>
      query.noMaint && row.maint ? [] : [{ proxy: p, row, mode: p.mode }],
    ),
  );
  const requests = fes.reduce((n, p) => n + (p.frontend.reqTot ?? 0), 0);
  return [
    on('global') ? renderFamily(PROCESS_METRICS, [{ ...snap.info, requests }], () => ({})) : '',
    on('frontend') ? renderFamily(FRONTEND_METRICS, fes, (p) => ({ proxy: p.name })) : '',
    on('backend') ? renderFamily(BACKEND_METRICS, bes, (b) => ({ proxy: b.proxy.name })) : '',
    on('server')
      ? renderFamily(SERVER_METRICS, srvs, (s) => ({ proxy: s.proxy.name, server: s.row.name }))
      : '',
    vrrp && on('vrrp') ? renderVrrpMetrics(vrrp) : '',
  ].join('');
}
