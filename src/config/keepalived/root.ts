// The top-level keyword table of keepalived.conf: global_defs, vrrp_script, track_file
// (and its old name vrrp_track_file), vrrp_instance and vrrp_sync_group.

import { type KeywordSpec, oneLineOptions, type ParseEnv, runBlock } from './block.js';
import type { ConfigDraft, InstanceDraft, ScriptDraft } from './drafts.js';
import { GLOBAL_DEFS_KEYWORDS } from './global-defs.js';
import {
  UNSUPPORTED_GLOBAL_DEFS,
  UNSUPPORTED_SYNC_GROUP,
  UNSUPPORTED_VRRP_INSTANCE,
} from './known-keywords.js';
import { trackProxyPlacement } from './track-proxy.js';
import type { Stmt } from './tree.js';
import { VRRP_INSTANCE_KEYWORDS } from './vrrp-instance.js';
import { SYNC_GROUP_KEYWORDS, TRACK_FILE_KEYWORDS, VRRP_SCRIPT_KEYWORDS } from './vrrp-script.js';

type Spec = KeywordSpec<ConfigDraft>;

function named(kind: string, s: Stmt, env: ParseEnv): string | undefined {
  const name = s.args[0]?.text;
  if (name) return name;
  env.diags.error(s.pos, 'KA_NO_NAME', `${kind} must have a name`, 'keepalived');
  return undefined;
}

function vrrpScript(cfg: ConfigDraft, s: Stmt, env: ParseEnv): void {
  const name = named('vrrp_script', s, env);
  if (!name) return;
  const sc: ScriptDraft = {
    pos: s.pos,
    name,
    argv: [],
    intervalUs: 1_000_000,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
  };
  runBlock(s.block ?? [], VRRP_SCRIPT_KEYWORDS, sc, env, oneLineOptions(s, env));
  if (sc.script === undefined) {
    const msg = `No script set for vrrp_script ${name} - removing`;
    env.diags.error(s.pos, 'KA_SCRIPT_MISSING', msg, 'keepalived');
    return;
  }
  cfg.scripts.push(sc);
}

function trackFile(cfg: ConfigDraft, s: Stmt, env: ParseEnv): void {
  const name = named(s.keyword.text, s, env);
  if (!name) return;
  const tf = { pos: s.pos, name, weight: 1, weightSet: false } as ConfigDraft['trackFiles'][number];
  runBlock(s.block ?? [], TRACK_FILE_KEYWORDS, tf, env, oneLineOptions(s, env));
  if (tf.file === undefined) {
    const msg = `No file set for track_file ${name} - ignoring`;
    env.diags.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
    return;
  }
  cfg.trackFiles.push(tf);
}

function vrrpInstance(cfg: ConfigDraft, s: Stmt, env: ParseEnv): void {
  const name = named('vrrp_instance', s, env);
  if (!name) return;
  if (cfg.instances.some((i) => i.name === name)) {
    const msg = `vrrp instance ${name} already defined`;
    env.diags.error(s.pos, 'KA_INSTANCE_DUPLICATE', msg, 'keepalived');
    return;
  }
  const inst: InstanceDraft = {
    pos: s.pos,
    name,
    vips: [],
    evips: [],
    trackScript: [],
    trackInterface: [],
    trackFile: [],
    trackProxy: [],
    missingScripts: [],
    nopreempt: false,
    preemptDelayUs: 0,
    unicastPeer: [],
    notify: {},
    dontTrackPrimary: false,
  };
  cfg.instances.push(inst);
  runBlock(s.block ?? [], VRRP_INSTANCE_KEYWORDS, { cfg, inst }, env, {
    unsupported: UNSUPPORTED_VRRP_INSTANCE,
    ...oneLineOptions(s, env),
  });
  trackProxyPlacement(inst, s.block ?? [], env);
}

function syncGroup(cfg: ConfigDraft, s: Stmt, env: ParseEnv): void {
  const name = named('vrrp_sync_group', s, env);
  if (!name) return;
  if (cfg.syncGroups.some((g) => g.name === name)) {
    const msg = `vrrp sync group ${name} already defined`;
    env.diags.error(s.pos, 'KA_SYNC_GROUP', msg, 'keepalived');
    return;
  }
  const g = { pos: s.pos, name, group: [] };
  runBlock(s.block ?? [], SYNC_GROUP_KEYWORDS, g, env, {
    unsupported: UNSUPPORTED_SYNC_GROUP,
    ...oneLineOptions(s, env),
  });
  cfg.syncGroups.push(g);
}

export const ROOT_KEYWORDS: readonly Spec[] = [
  {
    name: 'global_defs',
    block: true,
    parse: (cfg, s, env) =>
      runBlock(s.block ?? [], GLOBAL_DEFS_KEYWORDS, cfg.global, env, {
        unsupported: UNSUPPORTED_GLOBAL_DEFS,
        ...oneLineOptions(s, env),
      }),
  },
  { name: 'vrrp_script', minArgs: 1, block: true, parse: vrrpScript },
  { name: 'track_file', block: true, parse: trackFile },
  { name: 'vrrp_track_file', block: true, parse: trackFile },
  { name: 'vrrp_instance', block: true, parse: vrrpInstance },
  { name: 'vrrp_sync_group', block: true, parse: syncGroup },
];
