// Events into and effects out of the VRRP instance state machine, the instance settings it
// runs on, and its counters. The runner turns effects into sockets, netlink and timers.

import type { VrrpAdvert } from './codec.js';
import type { DropReason, ReceivedDatagram } from './receive-check.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/** What the state machine reads from an advert (the whole VrrpAdvert fits). */
export type VrrpAdvertLike = Pick<VrrpAdvert, 'priority' | 'adverInt'>;

/** `trackStable`: the earliest moment a recovered built-in tracker has been good long enough
 *  to count (flap damping, priority-tracking.ts). */
export type TimerKind =
  | 'advert'
  | 'masterDown'
  | 'garp'
  | 'garpLowerPrio'
  | 'garpFollowUp'
  | 'vipRelease'
  | 'trackStable';

export interface TrackedScript {
  readonly name: string;
  /** The weight in force for this instance (track_script override or the script's own). */
  readonly weight: number;
  readonly reverse: boolean;
  readonly initFail: boolean;
}

export interface TrackedInterface {
  readonly name: string;
  /** 0: the instance goes to FAULT while it is down. */
  readonly weight: number;
  readonly reverse: boolean;
}

export interface TrackedFile {
  readonly name: string;
  /** The weight in force for this instance (track_file item override or the file's own). */
  readonly weight: number;
  readonly reverse: boolean;
}

/**
 * A tracker whose state another part of halo reports (the proxy under `halo run`): one
 * generic source instead of an event type per kind. `name` is the source's key, e.g.
 * `backend kubernetes-apiserver`.
 */
export interface TrackedSource {
  readonly name: string;
  /** 0: the instance goes to FAULT while the source is bad (as track_script without weight). */
  readonly weight: number;
  /** Flap damping: bad counts at once, good only after staying good this long (ms; 0: at
   *  once). Default DEFAULT_TRACK_STABLE_MS (track_proxy's `stable`). */
  readonly stableMs?: number;
}

/** One vrrp_instance, resolved (times in milliseconds). */
export interface VrrpInstanceSettings {
  readonly name: string;
  readonly interface: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly family: 4 | 6;
  readonly priority: number;
  readonly advertIntMs: number;
  readonly initialState: 'MASTER' | 'BACKUP';
  readonly nopreempt: boolean;
  readonly preemptDelayMs: number;
  readonly vips: readonly string[];
  /** Our primary address on the interface (or unicast_src_ip): ties are broken against it. */
  readonly primaryAddress: string;
  readonly authType: number;
  readonly authPass?: string;
  readonly unicastPeers: readonly string[];
  readonly checkUnicastSrc: boolean;
  readonly garpMasterDelayMs: number;
  readonly garpMasterRepeat: number;
  readonly garpMasterRefreshMs: number;
  readonly garpMasterRefreshRepeat: number;
  readonly garpLowerPrioDelayMs: number;
  readonly garpLowerPrioRepeat: number;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly downTimerAdverts: number;
  readonly dontTrackPrimary: boolean;
  readonly trackScripts: readonly TrackedScript[];
  readonly trackInterfaces: readonly TrackedInterface[];
  readonly trackFiles: readonly TrackedFile[];
  /** Built-in trackers (`track_proxy`); absent or empty outside `halo run`. */
  readonly trackSources?: readonly TrackedSource[];
  /** While a weighted built-in tracker is bad (the node is degraded) the instance does not
   *  preempt a master, as with nopreempt; `true` (track_proxy's `preempt_degraded`) restores
   *  Keepalived's plain priority comparison. */
  readonly preemptDegraded?: boolean;
}

export type VrrpEvent =
  | {
      readonly type: 'Startup';
      /** Link state of the instance's interface and of each tracked interface (default up). */
      readonly links?: Readonly<Record<string, boolean>>;
      /** The value read from each tracked file at start (missing: 0). */
      readonly files?: Readonly<Record<string, number>>;
      /** Whether each tracked source is good at start (missing: good). */
      readonly sources?: Readonly<Record<string, boolean>>;
    }
  | { readonly type: 'PacketReceived'; readonly datagram: ReceivedDatagram }
  | {
      readonly type: 'AdvertReceived';
      readonly from: string;
      readonly advert: VrrpAdvertLike;
    }
  | { readonly type: 'TimerFired'; readonly kind: TimerKind }
  | { readonly type: 'ScriptResult'; readonly script: string; readonly ok: boolean }
  | { readonly type: 'LinkChanged'; readonly ifname: string; readonly up: boolean }
  /** A tracked file now holds `value` (0 when it was deleted or cannot be read). */
  | { readonly type: 'TrackFileChanged'; readonly file: string; readonly value: number }
  /** A tracked source (TrackedSource) turned good or bad; `why` goes to the log and history. */
  | {
      readonly type: 'TrackSourceChanged';
      readonly source: string;
      readonly ok: boolean;
      readonly why?: string;
    }
  /** `halo handover`: take the VIP and keep it (on) until cancelled (off). */
  | { readonly type: 'Handover'; readonly on: boolean }
  | { readonly type: 'Shutdown' };

export type VrrpEffect =
  | { readonly type: 'SendAdvert'; readonly priority: number }
  | { readonly type: 'AddVips' }
  | { readonly type: 'RemoveVips' }
  | { readonly type: 'SendGarp'; readonly addresses: readonly string[]; readonly repeat: number }
  | { readonly type: 'ArmTimer'; readonly kind: TimerKind; readonly at: number }
  | { readonly type: 'CancelTimer'; readonly kind: TimerKind }
  | {
      readonly type: 'Transition';
      readonly from: VrrpState;
      readonly to: VrrpState;
      readonly reason: string;
    }
  | { readonly type: 'Notify'; readonly state: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' }
  | { readonly type: 'NotifyMasterRxLowerPriority' }
  | { readonly type: 'Log'; readonly text: string; readonly detail: boolean };

/** Keepalived's per-instance statistics, plus halo's drops by reason. */
export interface VrrpCounters {
  advertReceived: number;
  advertSent: number;
  becomeMaster: number;
  releaseMaster: number;
  packetLengthErrors: number;
  ipTtlErrors: number;
  invalidTypeReceived: number;
  addressListErrors: number;
  invalidAuthType: number;
  authTypeMismatch: number;
  authFailure: number;
  priorityZeroReceived: number;
  priorityZeroSent: number;
  dropped: Partial<Record<DropReason, number>>;
}

export interface VrrpTransitionRecord {
  readonly at: number;
  readonly from: VrrpState;
  readonly to: VrrpState;
  readonly reason: string;
}

export interface VrrpSnapshot {
  readonly name: string;
  readonly vrid: number;
  readonly state: VrrpState;
  readonly basePriority: number;
  readonly effectivePriority: number;
  readonly masterAddress: string | undefined;
  readonly masterPriority: number | undefined;
  readonly masterAdverIntMs: number;
  readonly vipsSet: boolean;
  readonly lastTransitionAt: number | undefined;
  readonly counters: VrrpCounters;
  readonly history: readonly VrrpTransitionRecord[];
  /** State transitions since start (`history` keeps only the newest). */
  readonly transitions: number;
  /** Times the master this instance knows changed: another address, or itself. */
  readonly masterChanges: number;
  /** Each built-in tracker: its weight, state and part in the effective priority now. */
  readonly trackSources?: readonly {
    name: string;
    weight: number;
    ok: boolean;
    part: number;
    /** Good again but not yet counted: when it will be (flap damping). */
    stableAt?: number;
  }[];
  /** A weighted built-in tracker is bad: this node does not preempt (see preemptDegraded). */
  readonly degraded?: boolean;
  /** A `halo handover` override is in force (the advertised priority is HANDOVER_PRIORITY). */
  readonly handover?: boolean;
}
