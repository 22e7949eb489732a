// A tcp frontend whose connections end in an http backend: HAProxy upgrades them to HTTP
// (the article's mode trap: kubectl's TLS then gets a plain-text 400). Told from the config
// alone, so that the engine can warn when it starts and `halo run`'s supervisor can warn
// once for all its workers instead of once per worker and reload.

import type { Condition, HaproxyConfig, Proxy as ProxyConfig } from '../config/haproxy/model.js';

/** `if TRUE`: a rule that always applies (the engine ends its use_backend list there). */
export function isAlwaysTrue(cond: Condition): boolean {
  const t = cond.terms;
  const truth =
    t.length === 1 && t[0]!.length === 1 && t[0]![0]!.name === 'TRUE' && !t[0]![0]!.negate;
  return cond.negate ? false : truth;
}

/** Where a frontend's connections go when no conditional use_backend rule matches. */
function fallbackBackend(fe: ProxyConfig): string | undefined {
  for (const u of fe.useBackends) if (!u.cond || isAlwaysTrue(u.cond)) return u.backend;
  return fe.defaultBackend?.name;
}

/** One warning per tcp frontend (or listen) whose fallback backend is in mode http. */
export function httpUpgradeWarnings(config: HaproxyConfig): string[] {
  const active = config.proxies.filter((p) => !p.disabled);
  const out: string[] = [];
  for (const fe of active) {
    if (fe.kind === 'backend' || fe.binds.length === 0 || fe.mode !== 'tcp') continue;
    const name = fallbackBackend(fe);
    const be = active.find((p) => p.kind !== 'frontend' && p.name === name);
    if (be?.mode !== 'http') continue;
    out.push(
      `tcp frontend '${fe.name}' uses backend '${be.name}' which is in mode http: as ` +
        `HAProxy does, halo upgrades its connections to HTTP, so clients that do not speak ` +
        `HTTP (TLS, e.g. kubectl) get '400 Bad request' and HTTP clients get the backend's ` +
        `HTTP processing (X-Forwarded-For, connection close). ` +
        `Fix: add 'mode tcp' to backend '${be.name}'.`,
    );
  }
  return out;
}
