// Items of `track_script`, `track_interface` and `track_file` blocks inside a
// vrrp_instance: `NAME [weight N [reverse|noreverse]]`, with Keepalived 2.2.7's messages.

import { type ParseEnv, readInt } from './block.js';
import type { ConfigDraft, InstanceDraft } from './drafts.js';
import type { TrackItem } from './model.js';
import type { Stmt } from './tree.js';

export type TrackKind = 'script' | 'interface' | 'file';

const OPTION_NAME: Record<TrackKind, string> = {
  script: 'track_script',
  interface: 'track_interface',
  file: 'track_file',
};

/** Parses one track item; returns undefined when Keepalived ignores the line. */
export function parseTrackItem(
  kind: TrackKind,
  inst: InstanceDraft,
  s: Stmt,
  env: ParseEnv,
): TrackItem | undefined {
  const d = env.diags;
  const name = s.keyword.text;
  const iname = inst.name;
  const words = s.args.map((t) => t.text);
  if (words.length === 0) return { pos: s.pos, name };
  if (words[0] !== 'weight') {
    const msg =
      kind === 'script'
        ? `(${iname}) unknown track script option ${words[0]} - ignoring`
        : `(${iname}) unknown ${OPTION_NAME[kind]} ${name} option ${words[0]} - ignoring`;
    d.error(s.pos, 'KA_TRACK_OPTION', msg, 'keepalived');
    return undefined;
  }
  if (words.length === 1) {
    const what = kind === 'script' ? `track script ${name}` : `${OPTION_NAME[kind]} ${name}`;
    const msg = `(${iname}) weight without value specified for ${what} - ignoring`;
    d.error(s.pos, 'KA_TRACK_WEIGHT', msg, 'keepalived');
    return undefined;
  }
  let weight = readInt(s.args[1], -254, 254);
  if (weight === undefined) {
    const msg =
      kind === 'script'
        ? `(${iname}) track script ${name}: weight must be between [-253..253] inclusive, ignoring...`
        : `(${iname}) weight ${words[1]} for ${name} must be between [-253..253] inclusive. Ignoring...`;
    d.error(s.pos, 'KA_TRACK_WEIGHT', msg, 'keepalived');
    if (kind !== 'script') weight = 0;
  } else if (weight === 254 || weight === -254) {
    const msg = `(${iname}) weight for ${name} cannot be +/-254. Setting to +/-253`;
    d.error(s.pos, 'KA_TRACK_WEIGHT', msg, 'keepalived');
    weight = weight > 0 ? 253 : -253;
  }
  let reverse: boolean | undefined;
  if (words.length >= 3) {
    if (words[2] === 'reverse') reverse = true;
    else if (words[2] === 'noreverse' && kind === 'script') reverse = false;
    else {
      const what = kind === 'interface' ? 'track_interace' : OPTION_NAME[kind];
      const msg = `(${iname}) unknown ${what} ${name} weight option ${words[2]} - ignoring`;
      d.error(s.pos, 'KA_TRACK_OPTION', msg, 'keepalived');
    }
  }
  return {
    pos: s.pos,
    name,
    ...(weight !== undefined ? { weight } : {}),
    ...(reverse !== undefined ? { reverse } : {}),
  };
}

/** Handles a whole track block for one instance. */
export function parseTrackBlock(
  kind: TrackKind,
  cfg: ConfigDraft,
  inst: InstanceDraft,
  s: Stmt,
  env: ParseEnv,
): void {
  const list =
    kind === 'script'
      ? inst.trackScript
      : kind === 'interface'
        ? inst.trackInterface
        : inst.trackFile;
  for (const item of s.block ?? []) {
    const name = item.keyword.text;
    if (kind === 'script' && !cfg.scripts.some((sc) => sc.name === name)) {
      inst.missingScripts.push({ name, pos: item.pos });
      continue;
    }
    if (kind === 'file' && !cfg.trackFiles.some((tf) => tf.name === name)) {
      const msg = `(${inst.name}) track file ${name} not found, ignoring...`;
      env.diags.error(item.pos, 'KA_TRACK_FILE_NOT_FOUND', msg, 'keepalived');
      continue;
    }
    if (kind === 'interface' && !interfaceOk(name, inst, item, env)) continue;
    if (list.some((t) => t.name === name)) {
      const what = kind === 'script' ? 'track_script' : OPTION_NAME[kind];
      const msg = `(${inst.name}) duplicate ${what} ${name} - ignoring`;
      env.diags.error(item.pos, 'KA_TRACK_DUPLICATE', msg, 'keepalived');
      continue;
    }
    const t = parseTrackItem(kind, inst, item, env);
    if (!t) continue;
    if (kind === 'script') inst.trackScript.push({ ...t, explicitWeight: t.weight !== undefined });
    else list.push(t);
  }
}

function interfaceOk(name: string, inst: InstanceDraft, s: Stmt, env: ParseEnv): boolean {
  if (env.offline || !env.interfaceExists || env.interfaceExists(name)) return true;
  const msg = `(${inst.name}) tracked interface ${name} doesn't exist`;
  env.diags.error(s.pos, 'KA_INTERFACE_NOT_FOUND', msg, 'keepalived');
  return false;
}
