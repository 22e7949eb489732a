// `monitor-uri`: a frontend answers one URI itself, 200, for whatever probes the load
// balancer's own health (a VRRP tracker, an upstream balancer). HAProxy 2.6 matches a URI
// that starts with '/' against the request's path (so an absolute-form target matches
// too) and any other URI against the whole request target; the query is part of both.
// Such requests are not logged. Pure.

import { type ErrorReply, errorPage } from './errors.js';

/** The request target's path: from the first '/' after an absolute form's authority. */
function targetPath(target: string): string {
  const scheme = target.indexOf('://');
  if (scheme < 0 || target.startsWith('/')) return target;
  const slash = target.indexOf('/', scheme + 3);
  return slash < 0 ? '' : target.slice(slash);
}

export function monitorUriMatches(uri: string, target: string): boolean {
  return uri.startsWith('/') ? targetPath(target) === uri : target === uri;
}

const body = errorPage(200, 'OK', 'Service ready.');

/** The answer, as HAProxy 2.6.12 writes it (captured from the real binary). */
export const MONITOR_OK: ErrorReply = {
  status: 200,
  reason: 'OK',
  headers: [
    ['content-length', String(body.length)], // ASCII
    ['cache-control', 'no-cache'],
    ['content-type', 'text/html'],
  ],
  body,
};
