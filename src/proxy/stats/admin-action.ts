// The stats page's admin form, applied: `b` names the backend (`#<iid>` as HAProxy's form
// sends, or its name), `s` the checked servers, `action` what to do. The result code is
// HAProxy's: NONE (no server checked), ERRP (bad backend/action or no server found),
// DONE (every server), PART (some).

import type { BackendRuntime } from '../backend-runtime.js';
import type { ProxyEngine } from '../engine.js';
import type { ServerRuntime } from '../server-runtime.js';
import { proxyIidBase } from './build-snapshot.js';
import { setHealthChecks, setServerState, shutdownServerSessions } from './server-admin.js';

type Action = (be: BackendRuntime, s: ServerRuntime) => boolean;

const done =
  (f: (be: BackendRuntime, s: ServerRuntime) => void): Action =>
  (be, s) => {
    f(be, s);
    return true;
  };

const health =
  (on: boolean): Action =>
  (_be, s) => {
    if (!s.checker) return false;
    setHealthChecks(s, on);
    return true;
  };

const ACTIONS: Record<string, Action> = {
  ready: done((be, s) => setServerState(be, s, 'ready')),
  drain: done((be, s) => setServerState(be, s, 'drain')),
  maint: done((be, s) => setServerState(be, s, 'maint')),
  dhlth: health(false),
  ehlth: health(true),
  hrunn: (be, s) => {
    const ck = s.checker;
    if (!ck) return false;
    ck.counter.health = s.cfg.rise + s.cfg.fall - 1;
    ck.counter.up = true;
    be.setServerUp(s, undefined);
    return true;
  },
  hdown: (be, s) => {
    const ck = s.checker;
    if (!ck) return false;
    ck.counter.health = 0;
    ck.counter.up = false;
    be.setServerDown(s, undefined);
    return true;
  },
  shutdown: done((be, s) => {
    shutdownServerSessions(be, s);
  }),
};

export function findBackend(engine: ProxyEngine, ref: string): BackendRuntime | undefined {
  if (ref.startsWith('#')) {
    const p = engine.config.proxies[Number(ref.slice(1)) - proxyIidBase(engine.config)];
    return p && p.kind !== 'frontend' ? engine.backends.get(p.name) : undefined;
  }
  return engine.backends.get(ref);
}

export function applyAdminAction(engine: ProxyEngine, form: URLSearchParams): string {
  const names = form.getAll('s');
  if (names.length === 0) return 'NONE';
  const be = findBackend(engine, form.get('b') ?? '');
  const action = ACTIONS[form.get('action') ?? ''];
  if (!be || !action) return 'ERRP';
  let altered = 0;
  for (const name of names) {
    const s = be.servers.find((x) => x.name === name);
    if (s && action(be, s)) altered++;
  }
  if (altered === 0) return 'ERRP';
  return altered === names.length ? 'DONE' : 'PART';
}
