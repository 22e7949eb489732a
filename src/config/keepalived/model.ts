// The resolved keepalived.conf model: what the VRRP engine runs. Keepalived 2.2's defaults
// and corrections are already applied (the parser reports each correction as a diagnostic).
// Intervals are in milliseconds.

import type { SourcePos } from '../diagnostics.js';

export interface GlobalDefs {
  readonly routerId?: string;
  readonly routerIdPos?: SourcePos;
  readonly vrrpVersion: 2 | 3; // default 2
  readonly scriptUser?: { user: string; group?: string; pos: SourcePos };
  readonly enableScriptSecurity: boolean;
  readonly garpMasterDelay: number; // seconds, default 5
  readonly garpMasterRepeat: number; // default 5
  readonly garpMasterRefresh: number; // seconds, 0 = off
  readonly garpMasterRefreshRepeat: number; // default 1
  readonly garpInterval: number; // ms between GARPs, default 0
  readonly vrrpMcastGroup4: string; // default 224.0.0.18
  readonly vrrpMcastGroup6: string; // default ff02::12
  readonly notificationEmail?: string[];
  readonly notificationEmailFrom?: string;
  readonly smtpServer?: string;
  readonly smtpConnectTimeout?: number; // seconds
}

export interface VrrpScript {
  readonly pos: SourcePos;
  readonly name: string;
  /** The command line as written (Keepalived splits it into argv itself, honouring quotes). */
  readonly script: string;
  readonly argv: string[];
  readonly interval: number; // ms, default 1000
  readonly timeout?: number; // ms, default = interval
  readonly weight: number; // default 0
  /** The `weight` line, when there is one. */
  readonly weightPos?: SourcePos;
  /** `weight N reverse` */
  readonly weightReverse: boolean;
  readonly rise: number; // default 1
  readonly fall: number; // default 1
  readonly user?: { user: string; group?: string };
  readonly initFail: boolean;
}

export interface VirtualAddress {
  readonly pos: SourcePos;
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefix: number; // default 32 / 128
  readonly brd?: string;
  readonly dev?: string;
  readonly scope?: string;
  readonly label?: string;
  readonly noDad?: boolean;
}

export interface TrackItem {
  readonly pos: SourcePos;
  readonly name: string;
  /** Per-item weight override; undefined = the script's own weight (interfaces: 0 = fault). */
  readonly weight?: number;
  readonly reverse?: boolean;
}

/** A built-in tracker of `halo run` (track_proxy): weight 0 = FAULT while bad. */
export interface TrackProxyItem {
  readonly pos: SourcePos;
  readonly kind: 'backend' | 'frontend' | 'worker';
  /** The backend's or frontend's name ('' for worker). */
  readonly name: string;
  /** backend: good while at least this many servers are UP. */
  readonly minUp: number;
  readonly weight: number;
}

export interface VrrpInstance {
  readonly pos: SourcePos;
  readonly name: string;
  readonly initialState: 'MASTER' | 'BACKUP';
  readonly interface: string;
  readonly interfacePos: SourcePos;
  readonly virtualRouterId: number;
  readonly priority: number; // default 100
  readonly advertInt: number; // ms, default 1000
  readonly version: 2 | 3;
  readonly auth?: { type: 'PASS' | 'AH'; password: string; pos: SourcePos };
  readonly virtualIpaddress: VirtualAddress[];
  readonly virtualIpaddressExcluded: VirtualAddress[];
  readonly trackScript: TrackItem[];
  readonly trackInterface: TrackItem[];
  readonly trackFile: TrackItem[];
  /** halo's built-in trackers (track_proxy); used by `halo run` only. */
  readonly trackProxy?: TrackProxyItem[];
  /** track_proxy's `stable`: ms a recovered tracker must stay good before it counts. */
  readonly trackProxyStableMs?: number;
  /** track_proxy's `preempt_degraded`: a degraded node preempts as Keepalived's would. */
  readonly trackProxyPreemptDegraded?: boolean;
  readonly nopreempt: boolean;
  readonly preemptDelay: number; // ms, default 0
  readonly unicastSrcIp?: string;
  readonly unicastPeer: { address: string; pos: SourcePos }[];
  readonly garpMasterDelay: number; // seconds
  readonly garpMasterRepeat: number;
  readonly garpMasterRefresh: number; // seconds, 0 = off
  readonly notify: {
    master?: string;
    backup?: string;
    fault?: string;
    stop?: string;
    any?: string;
  };
  readonly dontTrackPrimary: boolean;
  /** Address family of the VIPs (and unicast peers); 4 when there are none. */
  readonly family?: 4 | 6;
  /** Where the keywords a group of nodes must agree or differ on were written. */
  readonly keywordPos?: Readonly<Partial<Record<InstanceKeyword, SourcePos>>>;
}

export type InstanceKeyword =
  | 'state'
  | 'virtual_router_id'
  | 'priority'
  | 'advert_int'
  | 'version'
  | 'nopreempt'
  | 'preempt_delay'
  | 'unicast_src_ip';

export interface VrrpSyncGroup {
  readonly pos: SourcePos;
  readonly name: string;
  readonly group: string[];
}

export interface TrackFile {
  readonly pos: SourcePos;
  readonly name: string;
  readonly file: string;
  readonly weight: number;
  /** `weight N reverse` */
  readonly weightReverse?: boolean;
  /** `init_file [VALUE]`: the value written when the file is missing (default 0). */
  readonly initFile?: number;
  /** `init_file ... overwrite`: written even when the file exists. */
  readonly initFileOverwrite?: boolean;
}

export interface KeepalivedConfig {
  readonly files: string[];
  readonly globalDefs: GlobalDefs;
  readonly scripts: VrrpScript[];
  readonly trackFiles: TrackFile[];
  readonly instances: VrrpInstance[];
  readonly syncGroups: VrrpSyncGroup[];
}
