// What an operator may change on a running server, from the stats page's admin form or the
// runtime API: the admin state (READY / DRAIN / MAINT), the weight, health checks on/off,
// and killing its sessions. The state changes log HAProxy 2.6's lines word for word
// ("is going DOWN for maintenance", "enters drain state", "leaving forced maintenance").

import type { BackendRuntime } from '../backend-runtime.js';
import { LogLevel, noServerMessage } from '../log/messages.js';
import type { ServerRuntime } from '../server-runtime.js';
import { markStateChange } from './counters.js';

export type AdminState = 'ready' | 'drain' | 'maint';

function say(be: BackendRuntime, level: number, msg: string): void {
  be.ctx.log.send(be.cfg.logs, level, msg);
  be.ctx.notify('WARNING', msg);
}

/** `set server B/S state ...`, the admin form's READY/DRAIN/MAINT, `enable/disable server`. */
export function setServerState(be: BackendRuntime, s: ServerRuntime, state: AdminState): void {
  applyServerState(be, s, state);
  // halo run's backend trackers count UP servers: a runtime-API maint/drain changes them too.
  be.ctx.serverStateChanged?.();
}

function applyServerState(be: BackendRuntime, s: ServerRuntime, state: AdminState): void {
  if (state === 'maint') {
    enterMaint(be, s);
    return;
  }
  if (s.maint) leaveMaint(be, s);
  if (state === 'drain' && !s.drain) {
    s.drain = true;
    be.setWeight(s, 0);
    const farm = be.farm();
    say(
      be,
      LogLevel.notice,
      `Server ${be.name}/${s.name} enters drain state. ${farm.active} active and ${farm.backup} ` +
        `backup servers online. 0 sessions requeued, ${be.queue.length} total in queue.`,
    );
  } else if (state === 'ready' && s.drain) {
    s.drain = false;
    be.setWeight(s, s.uweight);
    say(be, LogLevel.notice, `Server ${be.name}/${s.name} is UP (leaving forced drain).`);
  }
}

function enterMaint(be: BackendRuntime, s: ServerRuntime): void {
  if (s.maint) return;
  s.maint = true;
  s.checker?.stop();
  if (!s.up) {
    say(be, LogLevel.notice, `Server ${be.name}/${s.name} was DOWN and now enters maintenance.`);
    return;
  }
  s.up = false;
  be.balancer.serverDown(s);
  markStateChange(s.counters, true, Date.now());
  const requeued = s.queue.drain();
  for (const p of requeued) be.queue.push(p);
  const farm = be.farm();
  say(
    be,
    LogLevel.alert,
    `Server ${be.name}/${s.name} is going DOWN for maintenance. ${farm.active} active and ` +
      `${farm.backup} backup servers left. ${s.conns} sessions active, ${requeued.length} ` +
      `requeued, ${s.queue.length} remaining in queue.`,
  );
  if (farm.active + farm.backup === 0) say(be, LogLevel.emerg, noServerMessage(be.name));
  be.dispatchQueued(undefined);
}

/**
 * Leaving maintenance, a checked server starts UP with the lowest UP health ("UP 1/3"), as
 * HAProxy does, and is checked at once: one failed check takes it DOWN again.
 */
function leaveMaint(be: BackendRuntime, s: ServerRuntime): void {
  s.maint = false;
  if (s.rmaint) return; // still without an address: only resolution ends that
  const checker = s.checker;
  if (checker && !s.healthDisabled) {
    checker.counter.health = s.cfg.rise;
    checker.counter.up = true;
    checker.start(0);
  }
  s.up = true;
  be.balancer.serverUp(s);
  markStateChange(s.counters, false, Date.now());
  say(
    be,
    LogLevel.notice,
    `Server ${be.name}/${s.name} is UP/${s.drain ? 'DRAIN' : 'READY'} (leaving forced maintenance).`,
  );
  be.dispatchQueued(s);
}

/** `set weight` / `set server ... weight`: the user weight; a drained server keeps 0. */
export function setServerWeight(be: BackendRuntime, s: ServerRuntime, weight: number): void {
  s.uweight = weight;
  if (!s.drain) be.setWeight(s, weight);
}

/**
 * Parses a weight as HAProxy's server_parse_weight_change_request: `N` (0..256) or `N%` of
 * the initial weight. Returns the weight or HAProxy's error text (some without a newline,
 * as HAProxy prints them).
 */
export function parseWeight(text: string, initial: number): number | string {
  const m = /^(\d+)(%?)$/.exec(text);
  if (!m) return 'Empty weight string empty or preceded by garbage';
  const n = Number(m[1]);
  if (m[2] === '%') {
    if (n > 100) return 'Relative weight must be positive.\n';
    return Math.floor((initial * n) / 100);
  }
  if (n > 256) return 'Absolute weight can only be between 0 and 256 inclusive.\n';
  return n;
}

/** `disable health` / `enable health`: pauses or resumes the server's checks. */
export function setHealthChecks(s: ServerRuntime, on: boolean): void {
  if (on === !s.healthDisabled) return;
  s.healthDisabled = !on;
  if (!on) s.checker?.stop();
  else if (!s.maintenance) s.checker?.start(0);
}

/** `shutdown sessions server B/S` and the admin form's "Kill Sessions". */
export function shutdownServerSessions(be: BackendRuntime, s: ServerRuntime): number {
  return be.ctx.shutdownSessions((t) => t === s, 'K'); // HAProxy: SF_ERR_KILLED
}
