// The stats page's admin form, applied as HAProxy 2.6 reads it: the fields are walked from
// the last to the first (the form puts `b` and `action` at the end), the first `b` and
// `action` met count (unknown ones answer ERRP at once), `s` fields met before both are
// known are gone over again once they are, and a field that does not url-decode ends the
// walk. `b` names the backend (`#<iid>` as HAProxy's form sends, or its name). Result codes:
// NONE (no server counted), ERRP (none altered), DONE (all), PART (some). A server an
// action does not apply to (health actions without `check`, agent actions: halo has no
// agent-check) is not counted, as in HAProxy.

import type { BackendRuntime } from '../backend-runtime.js';
import type { ProxyEngine } from '../engine.js';
import type { ServerRuntime } from '../server-runtime.js';
import { proxyIidBase } from './build-snapshot.js';
import type { AdminState } from './server-admin.js';
import { setHealthChecks, setServerState, shutdownServerSessions } from './server-admin.js';

type Action = (be: BackendRuntime, s: ServerRuntime) => boolean;

const done =
  (f: (be: BackendRuntime, s: ServerRuntime) => void): Action =>
  (be, s) => {
    f(be, s);
    return true;
  };

function changes(applies: (s: ServerRuntime) => boolean, to: AdminState): Action {
  return (be, s) => {
    if (!applies(s)) return false;
    setServerState(be, s, to);
    return true;
  };
}

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
  hrunn: done((be, s) => {
    const ck = s.checker;
    if (ck) {
      ck.counter.health = s.cfg.rise + s.cfg.fall - 1;
      ck.counter.up = true;
    }
    be.setServerUp(s, undefined);
  }),
  hdown: done((be, s) => {
    const ck = s.checker;
    if (ck) {
      ck.counter.health = 0;
      ck.counter.up = false;
    }
    be.setServerDown(s, undefined);
  }),
  shutdown: done((be, s) => {
    shutdownServerSessions(be, s);
  }),
  // Agent checks are not implemented: no server has one, so the action alters none.
  dagent: () => false,
  eagent: () => false,
  arunn: () => false,
  adown: () => false,
  // The form's older names: each counts only a server whose state it changes.
  disable: changes((s) => !s.maintenance, 'maint'),
  enable: changes((s) => s.maintenance, 'ready'),
  stop: changes((s) => !s.drain, 'drain'),
  start: changes((s) => s.drain, 'ready'),
};

/** Longest `key=value` field HAProxy's form parser copies (its LINESIZE, with the NUL). */
const FIELD_MAX = 2047;

/** A proxy with a backend side but no servers (a stats `listen`): found, alters nothing. */
const NO_SERVERS = { servers: [] as ServerRuntime[] } as unknown as BackendRuntime;

export function findBackend(engine: ProxyEngine, ref: string): BackendRuntime | undefined {
  const base = proxyIidBase(engine.config);
  // A frontend and a backend may share a name; only proxies with a backend side count.
  const p = engine.config.proxies.find(
    (x, i) =>
      x.kind !== 'frontend' &&
      (ref.startsWith('#') ? i + base === leadingInt(ref.slice(1)) : x.name === ref),
  );
  if (!p) return undefined;
  return engine.backends.get(p.name) ?? NO_SERVERS;
}

/** C's atoi: the leading decimal digits (after an optional sign), 0 without any. */
function leadingInt(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** application/x-www-form-urlencoded decoding; undefined on a bad `%` escape. */
function formDecode(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '+') out += ' ';
    else if (c !== '%') out += c;
    else {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 2;
    }
  }
  // HAProxy compares C strings: a decoded NUL ends the value.
  const nul = out.indexOf('\0');
  return nul < 0 ? out : out.slice(0, nul);
}

/** Splits the body into fields as HAProxy's backward walk sees them. */
function formFields(body: string): string[] {
  const fields = body.split('&');
  // The walk stops at the first byte: a leading `&` stays part of the first field.
  if (body.startsWith('&') && fields.length > 1) {
    fields.shift();
    fields[0] = `&${fields[0]}`;
  }
  return fields;
}

/** Applies the admin form's POST body (latin1 text); returns HAProxy's `;st=` code. */
export function applyAdminAction(engine: ProxyEngine, body: string): string {
  const fields = formFields(body);
  let be: BackendRuntime | undefined;
  let action: Action | undefined;
  let deferred = -1;
  let total = 0;
  let altered = 0;
  for (let i = fields.length - 1; i >= 0; i--) {
    const f = fields[i]!;
    if (f.length > FIELD_MAX) return 'ERRP';
    const eq = f.indexOf('=');
    const key = formDecode(eq < 0 ? f : f.slice(0, eq));
    const value = formDecode(eq < 0 ? '' : f.slice(eq + 1));
    if (key === undefined || value === undefined) break;
    if (!be && key === 'b') {
      be = findBackend(engine, value);
      if (!be) return 'ERRP';
    } else if (!action && key === 'action') {
      action = Object.hasOwn(ACTIONS, value) ? ACTIONS[value] : undefined;
      if (!action) return 'ERRP';
    } else if (key === 's') {
      if (!be || !action) {
        if (deferred < 0) deferred = i;
      } else {
        const s = be.servers.find((x) => x.name === value);
        if (!s) total++;
        else if (action(be, s)) {
          altered++;
          total++;
        }
      }
    }
    if (deferred >= 0 && be && action) {
      i = deferred + 1; // the loop steps back onto the first deferred `s`
      deferred = -1;
    }
  }
  if (total === 0) return 'NONE';
  if (altered === 0) return 'ERRP';
  return altered === total ? 'DONE' : 'PART';
}
