// Completes one vrrp_instance the way Keepalived 2.2.7 does after reading it: minimum
// configuration, version, default priority/state, authentication, preemption and
// advert_int corrections, each with Keepalived's message. Returns the model, or
// undefined when Keepalived drops the instance.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { GlobalDefsDraft, InstanceDraft } from './drafts.js';
import type { InstanceKeyword, VrrpInstance } from './model.js';

const SECOND = 1_000_000;
const CENTI = 10_000;

export function resolveInstance(
  inst: InstanceDraft,
  g: GlobalDefsDraft,
  d: Diagnostics,
): VrrpInstance | undefined {
  const at = inst.pos;
  const n = inst.name;
  if (inst.vrid === undefined) {
    d.error(at, 'KA_VRID_MISSING', `(${n}) the virtual router id must be set`, 'keepalived');
    return undefined;
  }
  if (inst.iface === undefined && inst.unicastPeer.length === 0) {
    d.error(at, 'KA_NO_INTERFACE', `(${n}) Unknown interface!`, 'keepalived');
    return undefined;
  }
  const family = inst.family ?? 4;
  const version = inst.version ?? (family === 6 ? 3 : g.vrrpVersion);
  if (inst.vips.length === 0) {
    if (version === 3) {
      const msg = `(${n}) No VIP specified; at least one is required`;
      d.error(at, 'KA_NO_VIP', msg, 'keepalived');
      return undefined;
    }
    d.error(at, 'KA_NO_VIP', `(${n}) No VIP specified; at least one is sensible`, 'keepalived');
  }
  const priority = inst.priority ?? (inst.state === 'MASTER' ? 255 : 100);
  let state = inst.state ?? (priority === 255 ? 'MASTER' : 'BACKUP');
  const auth = resolveAuth(inst, version, family, d);
  if (auth?.type === 'AH' && state === 'MASTER' && priority !== 255) {
    const msg = `(${n}) Initial state master is incompatible with AH authentication - clearing`;
    d.error(auth.pos, 'KA_AUTH_AH_MASTER', msg, 'keepalived');
    state = 'BACKUP';
  }
  const preempt = resolvePreempt(inst, priority, state, d);
  return {
    pos: inst.pos,
    name: n,
    initialState: state,
    interface: inst.iface ?? '',
    interfacePos: inst.ifacePos ?? inst.pos,
    virtualRouterId: inst.vrid,
    priority,
    advertInt: resolveAdvertInt(inst, version, d),
    version,
    ...(auth ? { auth } : {}),
    virtualIpaddress: inst.vips,
    virtualIpaddressExcluded: inst.evips,
    trackScript: inst.trackScript.map(({ explicitWeight: _, ...t }) => t),
    trackInterface: ownInterfaceDropped(inst, d),
    trackFile: inst.trackFile,
    ...(inst.trackProxy.length > 0 ? { trackProxy: inst.trackProxy } : {}),
    ...(inst.trackProxyStableMs !== undefined
      ? { trackProxyStableMs: inst.trackProxyStableMs }
      : {}),
    ...(inst.trackProxyPreemptDegraded !== undefined
      ? { trackProxyPreemptDegraded: inst.trackProxyPreemptDegraded }
      : {}),
    nopreempt: preempt.nopreempt,
    preemptDelay: preempt.delayUs / 1000,
    ...(inst.unicastSrcIp ? { unicastSrcIp: inst.unicastSrcIp } : {}),
    unicastPeer: inst.unicastPeer,
    garpMasterDelay: inst.garpMasterDelay ?? g.garpMasterDelay,
    garpMasterRepeat: inst.garpMasterRepeat ?? g.garpMasterRepeat,
    garpMasterRefresh: inst.garpMasterRefresh ?? g.garpMasterRefresh,
    notify: inst.notify,
    dontTrackPrimary: inst.dontTrackPrimary,
    family,
    keywordPos: keywordPositions(inst),
  };
}

function keywordPositions(inst: InstanceDraft): Partial<Record<InstanceKeyword, SourcePos>> {
  const all: [InstanceKeyword, SourcePos | undefined][] = [
    ['state', inst.statePos],
    ['virtual_router_id', inst.vridPos],
    ['priority', inst.priorityPos],
    ['advert_int', inst.advertPos],
    ['version', inst.versionPos],
    ['nopreempt', inst.nopreemptPos],
    ['preempt_delay', inst.preemptDelayPos],
    ['unicast_src_ip', inst.unicastSrcPos],
  ];
  return Object.fromEntries(all.filter((e) => e[1] !== undefined));
}

function resolveAuth(
  inst: InstanceDraft,
  version: 2 | 3,
  family: 4 | 6,
  d: Diagnostics,
): VrrpInstance['auth'] {
  if (!inst.authType) return undefined;
  const n = inst.name;
  const pos = inst.authPos ?? inst.authStmt?.pos ?? inst.pos;
  let problem: string | undefined;
  if (version === 3) problem = `(${n}) VRRP version 3 does not support authentication. Ignoring.`;
  else if (!inst.authPass)
    problem = `(${n}) Authentication specified but no password given. Ignoring`;
  else if (family === 6 && inst.authType === 'AH') {
    problem = `(${n}) Cannot use AH authentication with IPv6. ignoring`;
  }
  if (problem) {
    d.error(pos, 'KA_AUTH_IGNORED', problem, 'keepalived');
    return undefined;
  }
  return { type: inst.authType, password: inst.authPass ?? '', pos };
}

function resolvePreempt(
  inst: InstanceDraft,
  priority: number,
  state: 'MASTER' | 'BACKUP',
  d: Diagnostics,
): { nopreempt: boolean; delayUs: number } {
  const n = inst.name;
  let nopreempt = inst.nopreempt;
  let delayUs = inst.preemptDelayUs;
  const npPos = inst.nopreemptPos ?? inst.pos;
  const pdPos = inst.preemptDelayPos ?? inst.pos;
  if (priority === 255 && nopreempt) {
    const msg = `(${n}) nopreempt is incompatible with priority 255. resetting nopreempt`;
    d.error(npPos, 'KA_NOPREEMPT_OWNER', msg, 'keepalived');
    nopreempt = false;
  }
  if (state === 'MASTER') {
    if (nopreempt) {
      const msg = `(${n}) Warning - nopreempt will not work with initial state MASTER - clearing`;
      d.error(npPos, 'KA_NOPREEMPT_MASTER', msg, 'keepalived');
      nopreempt = false;
    }
    if (delayUs) {
      const msg = `(${n}) Warning - preempt delay will not work with initial state MASTER - clearing`;
      d.error(pdPos, 'KA_PREEMPT_DELAY_MASTER', msg, 'keepalived');
      delayUs = 0;
    }
  }
  if (delayUs && nopreempt) {
    const msg = `(${n}) preempt_delay is incompatible with nopreempt mode - resetting`;
    d.error(pdPos, 'KA_PREEMPT_DELAY_NOPREEMPT', msg, 'keepalived');
    delayUs = 0;
  }
  return { nopreempt, delayUs };
}

/** advert_int in ms after Keepalived's range check and rounding (v2: seconds, v3: 10 ms). */
function resolveAdvertInt(inst: InstanceDraft, version: 2 | 3, d: Diagnostics): number {
  let us = inst.advertIntUs ?? SECOND;
  const pos = inst.advertPos ?? inst.pos;
  const n = inst.name;
  const secs = (v: number): string => (v / SECOND).toFixed(6);
  if (version === 2 && us % SECOND) {
    const msg = `(${n}) VRRPv2 advertisement interval ${secs(us)}s must be an integer. rounding`;
    d.error(pos, 'KA_ADVERT_INT_ROUNDED', msg, 'keepalived');
    us = Math.max(SECOND, Math.floor((us + SECOND / 2) / SECOND) * SECOND);
  } else if (version === 3 && us >= 4096 * CENTI) {
    const msg = `(${n}) VRRPv3 advertisement interval ${(us / SECOND).toFixed(2)}s is out of range. Must be less than 40.96s. Setting to 40.95s`;
    d.error(pos, 'KA_ADVERT_INT_RANGE', msg, 'keepalived');
    us = 4095 * CENTI;
  } else if (version === 3 && us % CENTI) {
    const msg = `(${n}) VRRPv3 advertisement interval ${secs(us)}s must be in units of 10ms - rounding`;
    d.error(pos, 'KA_ADVERT_INT_ROUNDED', msg, 'keepalived');
    us = Math.max(CENTI, Math.floor((us + CENTI / 2) / CENTI) * CENTI);
  }
  return us / 1000;
}

function ownInterfaceDropped(inst: InstanceDraft, d: Diagnostics): VrrpInstance['trackInterface'] {
  return inst.trackInterface.filter((t) => {
    if (t.name !== inst.iface) return true;
    const msg = `(${inst.name}) Ignoring track_interface ${t.name} since own interface`;
    d.error(t.pos, 'KA_TRACK_OWN_INTERFACE', msg, 'keepalived');
    return false;
  });
}
