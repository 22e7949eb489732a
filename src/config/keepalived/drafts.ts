// Mutable drafts filled by the keyword tables, then turned into the readonly model by
// resolve.ts once Keepalived's defaults and corrections are applied.

import type { SourcePos } from '../diagnostics.js';
import type { TrackItem, TrackProxyItem, VirtualAddress } from './model.js';
import type { Stmt } from './tree.js';

export interface GlobalDefsDraft {
  routerId?: string;
  routerIdPos?: SourcePos;
  vrrpVersion: 2 | 3;
  scriptUser?: { user: string; group?: string; pos: SourcePos };
  enableScriptSecurity: boolean;
  garpMasterDelay: number;
  garpMasterRepeat: number;
  garpMasterRefresh: number;
  garpMasterRefreshRepeat: number;
  garpInterval: number;
  vrrpMcastGroup4: string;
  vrrpMcastGroup6: string;
  notificationEmail?: string[];
  notificationEmailFrom?: string;
  smtpServer?: string;
  smtpConnectTimeout?: number;
}

export interface ScriptDraft {
  pos: SourcePos;
  name: string;
  script?: string;
  scriptPos?: SourcePos;
  argv: string[];
  intervalUs: number;
  intervalPos?: SourcePos;
  timeoutUs?: number;
  weight: number;
  weightPos?: SourcePos;
  weightReverse: boolean;
  rise: number;
  fall: number;
  user?: { user: string; group?: string };
  initFail: boolean;
}

export interface TrackFileDraft {
  pos: SourcePos;
  name: string;
  file?: string;
  weight: number;
  weightSet: boolean;
  weightReverse?: boolean;
  initFile?: number;
  initFileOverwrite?: boolean;
}

export interface InstanceDraft {
  pos: SourcePos;
  name: string;
  state?: 'MASTER' | 'BACKUP';
  statePos?: SourcePos;
  iface?: string;
  ifacePos?: SourcePos;
  vrid?: number;
  vridPos?: SourcePos;
  priority?: number;
  priorityPos?: SourcePos;
  advertIntUs?: number;
  advertPos?: SourcePos;
  version?: 2 | 3;
  versionPos?: SourcePos;
  authType?: 'PASS' | 'AH';
  authPass?: string;
  authPos?: SourcePos;
  /** The `authentication` statement, for findings about the whole block. */
  authStmt?: Stmt;
  authOneLine?: boolean;
  family?: 4 | 6;
  vips: VirtualAddress[];
  evips: VirtualAddress[];
  trackScript: (TrackItem & { explicitWeight: boolean })[];
  trackInterface: TrackItem[];
  trackFile: TrackItem[];
  trackProxy: TrackProxyItem[];
  /** track_proxy's `stable` (ms) and `preempt_degraded`. */
  trackProxyStableMs?: number;
  trackProxyPreemptDegraded?: boolean;
  /** track_script names with no vrrp_script defined before them. */
  missingScripts: { name: string; pos: SourcePos }[];
  nopreempt: boolean;
  nopreemptPos?: SourcePos;
  preemptDelayUs: number;
  preemptDelayPos?: SourcePos;
  unicastSrcIp?: string;
  unicastSrcPos?: SourcePos;
  unicastPeer: { address: string; pos: SourcePos }[];
  garpMasterDelay?: number;
  garpMasterRepeat?: number;
  garpMasterRefresh?: number;
  notify: { master?: string; backup?: string; fault?: string; stop?: string; any?: string };
  dontTrackPrimary: boolean;
}

export interface SyncGroupDraft {
  pos: SourcePos;
  name: string;
  group: string[];
  groupPos?: SourcePos;
}

export interface ConfigDraft {
  global: GlobalDefsDraft;
  scripts: ScriptDraft[];
  trackFiles: TrackFileDraft[];
  instances: InstanceDraft[];
  syncGroups: SyncGroupDraft[];
  /** Notify scripts seen anywhere (they count for script security). */
  notifyScripts: SourcePos[];
}

/** Keepalived 2.2.7's global_defs values when the file sets none. */
export const GLOBAL_DEFS_DEFAULTS = {
  vrrpVersion: 2,
  enableScriptSecurity: false,
  garpMasterDelay: 5,
  garpMasterRepeat: 5,
  garpMasterRefresh: 0,
  garpMasterRefreshRepeat: 1,
  garpInterval: 0,
  vrrpMcastGroup4: '224.0.0.18',
  vrrpMcastGroup6: 'ff02::12',
} as const satisfies GlobalDefsDraft;

export function newConfigDraft(): ConfigDraft {
  return {
    global: { ...GLOBAL_DEFS_DEFAULTS },
    scripts: [],
    trackFiles: [],
    instances: [],
    syncGroups: [],
    notifyScripts: [],
  };
}
