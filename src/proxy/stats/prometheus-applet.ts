// `http-request use-service prometheus-exporter [if|unless COND]`: the applet that answers
// a scrape with the proxy's metrics (and, under `halo run`, the VRRP instances'). Without a
// condition it takes every request, as HAProxy's rule does.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Proxy as ProxyConfig, UseService } from '../../config/haproxy/model.js';
import { compileCondition } from '../acl.js';
import type { ProxyEngine } from '../engine.js';
import type { HttpApplet } from '../http/applet.js';
import { errorPage } from '../http/errors.js';
import type { StatsEnvironment } from './build-snapshot.js';
import { buildSnapshot } from './build-snapshot.js';
import { appletCountersFor } from './environment.js';
import { PROMETHEUS_CONTENT_TYPE, parsePrometheusQuery, renderPrometheus } from './prometheus.js';

const BAD_SCOPE = errorPage(400, 'Bad request', 'Your browser sent an invalid request.');

export function createPrometheusApplet(
  proxy: ProxyConfig,
  rule: UseService,
  engine: ProxyEngine,
  env: StatsEnvironment,
): HttpApplet {
  const cond = rule.cond ? compileCondition(rule.cond, proxy.acls) : undefined;
  const counters = appletCountersFor(engine, proxy.name);
  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: string) => {
    const bytes = Buffer.byteLength(body);
    counters.bytesOut += bytes;
    res.writeHead(status, {
      'content-type':
        status === 200 ? PROMETHEUS_CONTENT_TYPE : status === 400 ? 'text/html' : 'text/plain',
      'cache-control': 'no-cache',
      'content-length': bytes,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  return {
    logName: '<PROMEX>',
    matches: (_req, facts) => (cond ? cond.test(facts()) : true),
    serve(req, res) {
      counters.stot++;
      counters.rate.hit(env.now());
      req.resume();
      try {
        const query = parsePrometheusQuery(req.url ?? '');
        if (!query) send(req, res, 400, BAD_SCOPE);
        else send(req, res, 200, renderPrometheus(buildSnapshot(engine, env), env.vrrp?.(), query));
      } catch (err) {
        counters.errors++;
        if (!res.headersSent) send(req, res, 500, `${(err as Error).message}\n`);
        else res.destroy();
      }
    },
  };
}
