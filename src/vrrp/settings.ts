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
import { VRRP_AUTH, VRRP_PRIORITY_OWNER } from './codec.js';
import type { VrrpInstanceSettings } from './types.js';

export interface SettingsContext {
  readonly globalDefs: GlobalDefs;
  readonly scripts: readonly VrrpScript[];
  /** The track_file definitions in use (those Keepalived would drop left out). */
  readonly trackFiles?: readonly TrackFile[];
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
      return [
        {
          name: t.name,
          weight: t.weight ?? script.weight,
          reverse: t.reverse ?? script.weightReverse,
          initFail: script.initFail,
        },
      ];
    }),
    trackInterfaces: inst.trackInterface.map((t) => ({
      name: t.name,
      weight: t.weight ?? 0,
      reverse: t.reverse ?? false,
    })),
    trackFiles: inst.trackFile.flatMap((t) => {
      const file = ctx.trackFiles?.find((f) => f.name === t.name);
      if (!file) return [];
      return [
        {
          name: t.name,
          weight: t.weight ?? file.weight,
          reverse: t.reverse ?? file.weightReverse ?? false,
        },
      ];
    }),
  };
}
