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

export function renderPrometheus(snap: StatsSnapshot, vrrp?: VrrpStatus): string {
  const fes = snap.proxies.filter((p): p is ProxyStats & { frontend: FrontendRow } =>
    Boolean(p.frontend),
  );
  const bes: BackendItem[] = snap.proxies.flatMap((p) =>
    p.backend ? [{ proxy: p, row: p.backend, mode: p.mode }] : [],
  );
  const srvs: ServerItem[] = snap.proxies.flatMap((p) =>
    p.servers.map((row) => ({ proxy: p, row, mode: p.mode })),
  );
  const requests = fes.reduce((n, p) => n + (p.frontend.reqTot ?? 0), 0);
  return [
    renderFamily(PROCESS_METRICS, [{ ...snap.info, requests }], () => ({})),
    renderFamily(FRONTEND_METRICS, fes, (p) => ({ proxy: p.name })),
    renderFamily(BACKEND_METRICS, bes, (b) => ({ proxy: b.proxy.name })),
    renderFamily(SERVER_METRICS, srvs, (s) => ({ proxy: s.proxy.name, server: s.row.name })),
    vrrp ? renderVrrpMetrics(vrrp) : '',
  ].join('');
}
