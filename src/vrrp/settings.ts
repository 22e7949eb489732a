// Turns a resolved keepalived.conf vrrp_instance into the settings the state machine runs on,
// applying Keepalived 2.2.7's defaults and the corrections it makes at start (vrrp.c:
// vrrp_complete_instance): nopreempt/preempt_delay cleared with `state MASTER`, nopreempt
// cleared for the address owner, no authentication with VRRPv3.

import type {
  GlobalDefs,
  TrackFile,
  VrrpInstance as VrrpInstanceConfig,
  VrrpScript,
} from '../config/keepalived/model.js';
import { trackProxySource } from '../config/keepalived/track-proxy.js';
import { VRRP_AUTH, VRRP_PRIORITY_OWNER } from './codec.js';
import type { VrrpInstanceSettings } from './types.js';

export interface SettingsContext {
  readonly globalDefs: GlobalDefs;
  readonly scripts: readonly VrrpScript[];
  /** The track_file definitions in use (those Keepalived would drop left out). */
  readonly trackFiles?: readonly TrackFile[];
  /** Whether the instance is a member of a vrrp_sync_group (tracking weights are ignored). */
  readonly inSyncGroup?: boolean;
  /** The interface's primary address of the instance's family (or unicast_src_ip). */
  readonly primaryAddress: string;
}

export function instanceSettings(
  inst: VrrpInstanceConfig,
  ctx: SettingsContext,
): VrrpInstanceSettings {
  const family = inst.virtualIpaddress[0]?.family ?? 4;
  const version = family === 6 ? 3 : inst.version;
  const owner = inst.priority === VRRP_PRIORITY_OWNER;
  const master = inst.initialState === 'MASTER';
  const authType =
    version === 3 || !inst.auth
      ? VRRP_AUTH.none
      : inst.auth.type === 'PASS'
        ? VRRP_AUTH.pass
        : VRRP_AUTH.ah;
  const g = ctx.globalDefs;
  // vrrp_complete_instance: a sync group member (no sgroup_tracking_weight) or an address
  // owner ignores tracking weights. Weighted scripts are dropped; weighted interfaces get
  // weight 0 in a sync group and are dropped for an owner; a file with the default weight 1
  // gets weight 0, any other weight drops it.
  const sync = ctx.inSyncGroup === true;
  const noWeights = sync || owner;
  return {
    name: inst.name,
    interface: inst.interface,
    vrid: inst.virtualRouterId,
    version,
    family,
    priority: inst.priority,
    advertIntMs: inst.advertInt,
    initialState: inst.initialState,
    nopreempt: inst.nopreempt && !owner && !master,
    preemptDelayMs: master ? 0 : inst.preemptDelay,
    vips: inst.virtualIpaddress.filter((v) => v.family === family).map((v) => v.address),
    primaryAddress: inst.unicastSrcIp ?? ctx.primaryAddress,
    authType,
    authPass: authType === VRRP_AUTH.none ? undefined : inst.auth?.password,
    unicastPeers: inst.unicastPeer.map((p) => p.address),
    checkUnicastSrc: false,
    garpMasterDelayMs: inst.garpMasterDelay * 1000,
    garpMasterRepeat: inst.garpMasterRepeat,
    garpMasterRefreshMs: inst.garpMasterRefresh * 1000,
    garpMasterRefreshRepeat: g.garpMasterRefreshRepeat,
    // Keepalived defaults vrrp_garp_lower_prio_{delay,repeat} to garp_master_{delay,repeat}.
    garpLowerPrioDelayMs: g.garpMasterDelay * 1000,
    garpLowerPrioRepeat: g.garpMasterRepeat,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    downTimerAdverts: 3,
    dontTrackPrimary: inst.dontTrackPrimary,
    trackScripts: inst.trackScript.flatMap((t) => {
      const script = ctx.scripts.find((s) => s.name === t.name);
      if (!script) return [];
      if (noWeights && (t.weight ?? script.weight) !== 0) return [];
      return [
        {
          name: t.name,
          weight: t.weight ?? script.weight,
          reverse: t.reverse ?? script.weightReverse,
          initFail: script.initFail,
        },
      ];
    }),
    trackInterfaces: inst.trackInterface.flatMap((t) => {
      const weight = t.weight ?? 0;
      if (weight !== 0 && noWeights && !sync) return [];
      return [{ name: t.name, weight: noWeights ? 0 : weight, reverse: t.reverse ?? false }];
    }),
    // halo's built-in trackers follow the sync-group rule of scripts: weighted ones dropped.
    trackSources: (inst.trackProxy ?? [])
      .filter((t) => !noWeights || t.weight === 0)
      .map((t) => ({
        name: trackProxySource(t),
        weight: t.weight,
        ...(inst.trackProxyStableMs !== undefined ? { stableMs: inst.trackProxyStableMs } : {}),
      })),
    ...(inst.trackProxyPreemptDegraded ? { preemptDegraded: true } : {}),
    trackFiles: inst.trackFile.flatMap((t) => {
      const file = ctx.trackFiles?.find((f) => f.name === t.name);
      if (!file) return [];
      let weight = t.weight ?? file.weight;
      if (noWeights && weight === 1) weight = 0;
      else if (noWeights && weight !== 0) return [];
      return [
        {
          name: t.name,
          weight,
          reverse: t.reverse ?? file.weightReverse ?? false,
        },
      ];
    }),
  };
}

/**
 * Keepalived's messages for the tracking weights `instanceSettings` ignores in a sync group
 * or for an address owner (vrrp_complete_instance), in its order and words.
 */
export function ignoredWeightMessages(inst: VrrpInstanceConfig, ctx: SettingsContext): string[] {
  const sync = ctx.inSyncGroup === true;
  if (!sync && inst.priority !== VRRP_PRIORITY_OWNER) return [];
  const i = inst.name;
  const why = sync ? 'SYNC group' : 'address_owner';
  const out: string[] = [];
  for (const t of inst.trackInterface) {
    if (t.weight) {
      out.push(
        `(${i}) ignoring ${t.name} tracked interface ${sync ? 'weight ' : ''}due to ${sync ? 'SYNC group' : 'address owner'}`,
      );
    }
  }
  for (const t of inst.trackScript) {
    const script = ctx.scripts.find((s) => s.name === t.name);
    if (script && (t.weight ?? script.weight) !== 0) {
      out.push(`(${i}) ignoring tracked script ${t.name} with weights due to ${why}`);
    }
  }
  for (const t of inst.trackFile) {
    const file = ctx.trackFiles?.find((f) => f.name === t.name);
    if (!file) continue;
    const w = t.weight ?? file.weight;
    if (w === 1) {
      out.push(
        `(${i}) ignoring weight from tracked file ${t.name} due to ${why}. specify weight 0`,
      );
    } else if (w) {
      out.push(`(${i}) ignoring tracked file ${t.name} with weight ${w} due to ${why}`);
    }
  }
  return out;
}
