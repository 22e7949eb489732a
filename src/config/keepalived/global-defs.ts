// The `global_defs` keyword table: router_id, VRRP version, script security, gratuitous
// ARP timing, multicast groups and the notification e-mail settings.

import { isIPv4, isIPv6 } from './address.js';
import { arg, type KeywordSpec, readInt, readMicros, readUnsigned } from './block.js';
import type { GlobalDefsDraft } from './drafts.js';

const UINT_MAX = 4294967295;
const SECONDS_MAX = Math.floor(UINT_MAX / 1e6);

/** The draft's numeric fields, which a keyword can set directly. */
type NumberField = {
  [K in keyof GlobalDefsDraft]-?: number extends GlobalDefsDraft[K] ? K : never;
}[keyof GlobalDefsDraft];

/** A keyword with one unsigned value up to `max` (UINT_MAX), stored in `field`. */
function unsignedKeyword(
  name: string,
  field: NumberField,
  opts: { max?: number; invalid: string; zeroFix?: boolean },
): KeywordSpec<GlobalDefsDraft> {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    parse: (g, s, env) => {
      let v = readUnsigned(s.args[0], 0, opts.max ?? UINT_MAX);
      if (v === undefined) {
        env.diags.error(
          s.pos,
          'KA_GLOBAL_INVALID',
          opts.invalid.replace('%s', arg(s, 0)),
          'keepalived',
        );
        return;
      }
      if (v === 0 && opts.zeroFix) {
        const msg = `${name} must be greater than 0, setting to 1`;
        env.diags.error(s.pos, 'KA_GLOBAL_INVALID', msg, 'keepalived');
        v = 1;
      }
      g[field] = v;
    },
  };
}

function mcastGroup(name: string, family: 4 | 6): KeywordSpec<GlobalDefsDraft> {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    parse: (g, s, env) => {
      const v = arg(s, 0);
      const ok = family === 4 ? isIPv4(v) : isIPv6(v);
      const other = family === 4 ? isIPv6(v) : isIPv4(v);
      const multicast = family === 4 ? isMulticast4(v) : /^ff/i.test(v);
      let problem: string | undefined;
      if (!ok && !other) problem = `Can't parse ${name} [${v}]. Skipping`;
      else if (!ok) problem = `${name} [${v}] is not IPv${family}. Skipping`;
      else if (!multicast) problem = `${name} [${v}] is not multicast. Skipping`;
      if (problem) {
        env.diags.error(s.pos, 'KA_GLOBAL_INVALID', problem, 'keepalived');
        return;
      }
      if (family === 4) g.vrrpMcastGroup4 = v;
      else g.vrrpMcastGroup6 = v;
    },
  };
}

function isMulticast4(v: string): boolean {
  const first = Number(v.split('.')[0]);
  return first >= 224 && first <= 239;
}

export const GLOBAL_DEFS_KEYWORDS: readonly KeywordSpec<GlobalDefsDraft>[] = [
  {
    name: 'router_id',
    maxArgs: 1,
    parse: (g, s, env) => {
      if (s.args.length === 0) {
        env.diags.error(
          s.pos,
          'KA_GLOBAL_INVALID',
          'routerid name missing - ignoring',
          'keepalived',
        );
      } else {
        g.routerId = arg(s, 0);
        g.routerIdPos = s.pos;
      }
    },
  },
  {
    name: 'vrrp_version',
    minArgs: 1,
    maxArgs: 1,
    parse: (g, s, env) => {
      const v = readInt(s.args[0], 2, 3);
      if (v === 2 || v === 3) g.vrrpVersion = v;
      else {
        const msg = 'VRRP Error: Version must be either 2 or 3';
        env.diags.error(s.pos, 'KA_VERSION_INVALID', msg, 'keepalived');
      }
    },
  },
  {
    name: 'script_user',
    maxArgs: 2,
    parse: (g, s, env) => {
      if (s.args.length === 0) {
        env.diags.error(s.pos, 'KA_SCRIPT_USER', 'No script username specified', 'keepalived');
        return;
      }
      const group = s.args[1]?.text;
      g.scriptUser = { user: arg(s, 0), pos: s.pos, ...(group ? { group } : {}) };
    },
  },
  {
    name: 'enable_script_security',
    maxArgs: 0,
    parse: (g) => {
      g.enableScriptSecurity = true;
    },
  },
  unsignedKeyword('vrrp_garp_master_delay', 'garpMasterDelay', {
    max: SECONDS_MAX,
    invalid: "vrrp_garp_master_delay '%s' invalid - ignoring",
  }),
  unsignedKeyword('vrrp_garp_master_repeat', 'garpMasterRepeat', {
    invalid: "vrrp_garp_master_repeat '%s' invalid - ignoring",
    zeroFix: true,
  }),
  unsignedKeyword('vrrp_garp_master_refresh', 'garpMasterRefresh', {
    invalid: "Invalid vrrp_garp_master_refresh '%s' - ignoring",
  }),
  unsignedKeyword('vrrp_garp_master_refresh_repeat', 'garpMasterRefreshRepeat', {
    invalid: "vrrp_garp_master_refresh_repeat '%s' invalid - ignoring",
    zeroFix: true,
  }),
  {
    name: 'vrrp_garp_interval',
    minArgs: 1,
    maxArgs: 1,
    parse: (g, s, env) => {
      const us = readMicros(s.args[0], 1, UINT_MAX);
      if (us === undefined) {
        const msg = `vrrp_garp_interval '${arg(s, 0)}' is invalid`;
        env.diags.error(s.pos, 'KA_GLOBAL_INVALID', msg, 'keepalived');
      } else g.garpInterval = us / 1000;
    },
  },
  mcastGroup('vrrp_mcast_group4', 4),
  mcastGroup('vrrp_mcast_group6', 6),
  {
    name: 'notification_email',
    block: true,
    parse: (g, s) => {
      g.notificationEmail = (s.block ?? []).flatMap((e) =>
        [e.keyword, ...e.args].map((t) => t.text),
      );
    },
  },
  {
    name: 'notification_email_from',
    maxArgs: 1,
    parse: (g, s, env) => {
      if (s.args.length === 0) {
        env.diags.error(s.pos, 'KA_GLOBAL_INVALID', 'emailfrom missing - ignoring', 'keepalived');
      } else g.notificationEmailFrom = arg(s, 0);
    },
  },
  {
    name: 'smtp_server',
    minArgs: 1,
    maxArgs: 2,
    parse: (g, s) => {
      g.smtpServer = arg(s, 0);
    },
  },
  unsignedKeyword('smtp_connect_timeout', 'smtpConnectTimeout', {
    max: SECONDS_MAX,
    invalid: "smtp_connect_timeout '%s' invalid - ignoring",
  }),
  { name: 'smtp_helo_name', minArgs: 1, maxArgs: 1, parse: () => {} },
  { name: 'smtp_alert', maxArgs: 1, parse: () => {} },
];
