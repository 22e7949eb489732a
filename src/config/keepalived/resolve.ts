// Turns the drafts into the readonly model: scripts, track files, instances (via
// resolve-instance.ts), sync groups, and the checks that need the whole file: track_script
// names, sync group members and script security.

import type { Diagnostics } from '../diagnostics.js';
import { didYouMean } from './block.js';
import type { ConfigDraft, ScriptDraft } from './drafts.js';
import type { KeepalivedConfig, VrrpInstance, VrrpScript, VrrpSyncGroup } from './model.js';
import { resolveInstance } from './resolve-instance.js';

export function resolveConfig(cfg: ConfigDraft, files: string[], d: Diagnostics): KeepalivedConfig {
  const g = cfg.global;
  reportMissingScripts(cfg, d);
  const instances = cfg.instances
    .map((i) => resolveInstance(i, g, d))
    .filter((i): i is VrrpInstance => i !== undefined);
  scriptSecurity(cfg, d);
  return {
    files,
    globalDefs: {
      ...(g.routerId !== undefined ? { routerId: g.routerId } : {}),
      ...(g.routerIdPos ? { routerIdPos: g.routerIdPos } : {}),
      vrrpVersion: g.vrrpVersion,
      ...(g.scriptUser ? { scriptUser: g.scriptUser } : {}),
      enableScriptSecurity: g.enableScriptSecurity,
      garpMasterDelay: g.garpMasterDelay,
      garpMasterRepeat: g.garpMasterRepeat,
      garpMasterRefresh: g.garpMasterRefresh,
      garpMasterRefreshRepeat: g.garpMasterRefreshRepeat,
      garpInterval: g.garpInterval,
      vrrpMcastGroup4: g.vrrpMcastGroup4,
      vrrpMcastGroup6: g.vrrpMcastGroup6,
      ...(g.notificationEmail ? { notificationEmail: g.notificationEmail } : {}),
      ...(g.notificationEmailFrom ? { notificationEmailFrom: g.notificationEmailFrom } : {}),
      ...(g.smtpServer ? { smtpServer: g.smtpServer } : {}),
      ...(g.smtpConnectTimeout !== undefined ? { smtpConnectTimeout: g.smtpConnectTimeout } : {}),
    },
    scripts: cfg.scripts.map(toScript),
    trackFiles: cfg.trackFiles.map((t) => ({
      pos: t.pos,
      name: t.name,
      file: t.file ?? '',
      weight: t.weight,
      ...(t.weightReverse ? { weightReverse: true } : {}),
      ...(t.initFile !== undefined ? { initFile: t.initFile } : {}),
      ...(t.initFileOverwrite ? { initFileOverwrite: true } : {}),
    })),
    instances,
    syncGroups: resolveSyncGroups(cfg, instances, d),
  };
}

function toScript(s: ScriptDraft): VrrpScript {
  return {
    pos: s.pos,
    name: s.name,
    script: s.script ?? '',
    argv: s.argv,
    interval: s.intervalUs / 1000,
    timeout: (s.timeoutUs ?? s.intervalUs) / 1000,
    weight: s.weight,
    ...(s.weightPos ? { weightPos: s.weightPos } : {}),
    weightReverse: s.weightReverse,
    rise: s.rise,
    fall: s.fall,
    ...(s.user ? { user: s.user } : {}),
    initFail: s.initFail,
  };
}

function reportMissingScripts(cfg: ConfigDraft, d: Diagnostics): void {
  const names = cfg.scripts.map((s) => s.name);
  for (const inst of cfg.instances) {
    for (const m of inst.missingScripts) {
      const later = cfg.scripts.find((s) => s.name === m.name);
      const hint = later
        ? `vrrp_script ${m.name} is defined at ${later.pos.file}:${later.pos.line}, after this instance; Keepalived only finds scripts defined before the instance that tracks them: move it up`
        : didYouMean(m.name, names);
      const msg = `(${inst.name}) track script ${m.name} not found, ignoring...`;
      d.error(m.pos, 'KA_TRACK_SCRIPT_NOT_FOUND', msg, 'keepalived', hint);
    }
  }
}

function scriptSecurity(cfg: ConfigDraft, d: Diagnostics): void {
  if (cfg.global.enableScriptSecurity) return;
  const first = cfg.scripts[0]?.pos ?? cfg.notifyScripts[0];
  if (!first) return;
  d.warning(
    first,
    'KA_SCRIPT_SECURITY',
    'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
    'keepalived',
    'keepalived -t exits 6 and the scripts run as root; add `enable_script_security` and `script_user <user>` to global_defs',
  );
}

function resolveSyncGroups(
  cfg: ConfigDraft,
  instances: readonly VrrpInstance[],
  d: Diagnostics,
): VrrpSyncGroup[] {
  const taken = new Set<string>();
  const out: VrrpSyncGroup[] = [];
  for (const g of cfg.syncGroups) {
    const at = g.groupPos ?? g.pos;
    const members: string[] = [];
    for (const name of g.group) {
      if (!instances.some((i) => i.name === name)) {
        const msg = `Virtual router ${name} specified in sync group ${g.name} doesn't exist - ignoring`;
        d.error(at, 'KA_SYNC_GROUP', msg, 'keepalived');
      } else if (taken.has(name)) {
        const msg = `Virtual router ${name} cannot exist in more than one sync group; ignoring ${g.name}`;
        d.error(at, 'KA_SYNC_GROUP', msg, 'keepalived');
      } else members.push(name);
    }
    if (members.length === 0) {
      const msg = `Sync group ${g.name}, no matching virtual router found in group declaration - removing`;
      d.error(at, 'KA_SYNC_GROUP', msg, 'keepalived');
      continue;
    }
    if (members.length === 1) {
      const msg = `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`;
      d.error(at, 'KA_SYNC_GROUP', msg, 'keepalived');
    }
    for (const m of members) taken.add(m);
    out.push({ pos: g.pos, name: g.name, group: members });
  }
  return out;
}
