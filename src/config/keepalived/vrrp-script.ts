// Keyword tables of `vrrp_script`, `track_file` (alias `vrrp_track_file`) and
// `vrrp_sync_group`, with Keepalived 2.2.7's range checks and messages.

import { arg, type KeywordSpec, readInt, readUnsigned } from './block.js';
import type { ScriptDraft, SyncGroupDraft, TrackFileDraft } from './drafts.js';
import { splitQuotedEscaped } from './lexer.js';

const SECONDS_MAX = Math.floor(4294967295 / 1e6);
const INT_MAX = 2147483647;

export const VRRP_SCRIPT_KEYWORDS: readonly KeywordSpec<ScriptDraft>[] = [
  {
    name: 'script',
    maxArgs: 1,
    parse: (sc, s) => {
      // Keepalived splits the line with quote/escape rules, then splits the script word again.
      const first = splitQuotedEscaped(s.rawArgs)?.[0];
      const argv = first === undefined ? undefined : splitQuotedEscaped(first);
      if (first === undefined || !argv || argv.length === 0) return;
      sc.script = first;
      sc.scriptPos = s.pos;
      sc.argv = argv;
    },
  },
  {
    name: 'interval',
    minArgs: 1,
    maxArgs: 1,
    parse: (sc, s, env) => {
      let v = readUnsigned(s.args[0], 0, SECONDS_MAX);
      if (v === undefined) {
        const msg = `(${sc.name}): vrrp script interval '${arg(s, 0)}' must be between 1 and ${SECONDS_MAX} - ignoring`;
        env.diags.error(s.pos, 'KA_SCRIPT_INTERVAL', msg, 'keepalived');
        return;
      }
      if (v === 0) {
        const msg = `(${sc.name}): vrrp script interval must be greater than 0, setting to 1`;
        env.diags.error(s.pos, 'KA_SCRIPT_INTERVAL', msg, 'keepalived');
        v = 1;
      }
      sc.intervalUs = v * 1e6;
      sc.intervalPos = s.pos;
    },
  },
  {
    name: 'timeout',
    minArgs: 1,
    maxArgs: 1,
    parse: (sc, s, env) => {
      let v = readUnsigned(s.args[0], 0, SECONDS_MAX);
      if (v === undefined) {
        const msg = `(${sc.name}): vrrp script timeout '${arg(s, 0)}' invalid - ignoring`;
        env.diags.error(s.pos, 'KA_SCRIPT_TIMEOUT', msg, 'keepalived');
        return;
      }
      if (v === 0) {
        const msg = `(${sc.name}): vrrp script timeout must be greater than 0, setting to 1`;
        env.diags.error(s.pos, 'KA_SCRIPT_TIMEOUT', msg, 'keepalived');
        v = 1;
      }
      sc.timeoutUs = v * 1e6;
    },
  },
  {
    name: 'weight',
    minArgs: 1,
    maxArgs: 2,
    parse: (sc, s, env) => {
      const v = readInt(s.args[0], -253, 253);
      if (v === undefined) {
        const msg = `vrrp_script ${sc.name} weight ${arg(s, 0)} must be in [-253, 253]`;
        env.diags.error(s.pos, 'KA_SCRIPT_WEIGHT', msg, 'keepalived');
      } else {
        sc.weight = v;
        sc.weightPos = s.pos;
      }
      if (s.args.length >= 2) {
        if (arg(s, 1) === 'reverse') sc.weightReverse = true;
        else {
          const msg = `vrrp_script ${sc.name} unknown weight option ${arg(s, 1)}`;
          env.diags.error(s.pos, 'KA_SCRIPT_WEIGHT', msg, 'keepalived');
        }
      }
    },
  },
  riseFall('rise'),
  riseFall('fall'),
  {
    name: 'user',
    minArgs: 1,
    maxArgs: 2,
    parse: (sc, s) => {
      const group = s.args[1]?.text;
      sc.user = { user: arg(s, 0), ...(group ? { group } : {}) };
    },
  },
  {
    name: 'init_fail',
    maxArgs: 0,
    parse: (sc) => {
      sc.initFail = true;
    },
  },
];

function riseFall(name: 'rise' | 'fall'): KeywordSpec<ScriptDraft> {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    parse: (sc, s, env) => {
      const v = readUnsigned(s.args[0], 1, INT_MAX);
      if (v === undefined) {
        const msg = `(${sc.name}): vrrp script ${name} value '${arg(s, 0)}' invalid, defaulting to 1`;
        env.diags.error(s.pos, 'KA_SCRIPT_RISE_FALL', msg, 'keepalived');
      }
      sc[name] = v ?? 1;
    },
  };
}

export const TRACK_FILE_KEYWORDS: readonly KeywordSpec<TrackFileDraft>[] = [
  {
    name: 'file',
    maxArgs: 1,
    parse: (tf, s, env) => {
      if (s.args.length === 0) {
        env.diags.error(s.pos, 'KA_TRACK_FILE', 'track file file name missing', 'keepalived');
      } else if (tf.file !== undefined) {
        const msg = `File already set for track file ${tf.name} - ignoring ${arg(s, 0)}`;
        env.diags.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
      } else tf.file = arg(s, 0);
    },
  },
  {
    name: 'weight',
    maxArgs: 2,
    parse: (tf, s, env) => {
      const d = env.diags;
      if (s.args.length === 0) {
        const msg = `No weight specified for track file ${tf.name} - ignoring`;
        d.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
        return;
      }
      if (tf.weightSet) {
        const msg = `Weight already set for track file ${tf.name} - ignoring ${arg(s, 0)}`;
        d.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
        return;
      }
      const v = readInt(s.args[0], -254, 254);
      if (v === undefined) {
        const msg = `Weight (${arg(s, 0)}) for track_file ${tf.name} must be between [-254..254] inclusive. Ignoring...`;
        d.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
      }
      tf.weight = v ?? 1;
      tf.weightSet = v !== undefined && v !== 1;
      if (s.args.length >= 2 && arg(s, 1) === 'reverse') tf.weightReverse = true;
      else if (s.args.length >= 2) {
        const msg = `track_file ${tf.name} unknown weight option ${arg(s, 1)}`;
        d.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
      }
    },
  },
  {
    name: 'init_file',
    parse: (tf, s, env) => {
      tf.initFile = 0;
      for (const t of s.args) {
        if (/^-?\d/.test(t.text)) {
          const v = readInt(t, -2147483648, 2147483647);
          if (v === undefined) {
            const msg = `Track file ${tf.name} init value ${t.text} is invalid`;
            env.diags.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
          }
          tf.initFile = v ?? 0;
        } else if (t.text === 'overwrite') {
          tf.initFileOverwrite = true;
        } else {
          const msg = `Unknown track file init option ${t.text}`;
          env.diags.error(s.pos, 'KA_TRACK_FILE', msg, 'keepalived');
        }
      }
    },
  },
];

export const SYNC_GROUP_KEYWORDS: readonly KeywordSpec<SyncGroupDraft>[] = [
  {
    name: 'group',
    block: true,
    parse: (g, s, env) => {
      if (g.groupPos) {
        const msg = `Group list already specified for sync group ${g.name}`;
        env.diags.error(s.pos, 'KA_SYNC_GROUP', msg, 'keepalived');
        return;
      }
      g.groupPos = s.pos;
      g.group = (s.block ?? []).flatMap((e) => [e.keyword, ...e.args].map((t) => t.text));
      if (g.group.length === 0) {
        const msg = `Warning - sync group ${g.name} has empty group block`;
        env.diags.error(s.pos, 'KA_SYNC_GROUP', msg, 'keepalived');
      }
    },
  },
];
