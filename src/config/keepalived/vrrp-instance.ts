// The `vrrp_instance` keyword table (and its `authentication` sub-table). Values are
// checked as Keepalived 2.2.7 checks them while reading; the corrections that need the
// whole instance (defaults, nopreempt, advert_int rounding) live in resolve-instance.ts.

import { familyOf, parseVirtualAddress } from './address.js';
import { arg, type KeywordSpec, readMicros, readUnsigned, runBlock } from './block.js';
import type { ConfigDraft, InstanceDraft } from './drafts.js';
import { splitQuotedEscaped } from './lexer.js';
import { parseTrackBlock } from './track.js';
import { parseTrackProxyBlock } from './track-proxy.js';
import type { Stmt } from './tree.js';

export interface InstanceCtx {
  readonly cfg: ConfigDraft;
  readonly inst: InstanceDraft;
}

type Spec = KeywordSpec<InstanceCtx>;
const SECONDS_MAX = Math.floor(4294967295 / 1e6);
const IFNAMSIZ = 16;

export const AUTHENTICATION_KEYWORDS: readonly Spec[] = [
  {
    name: 'auth_type',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = arg(s, 0);
      if (v === 'PASS' || v === 'AH') {
        inst.authType = v;
        inst.authPos = s.pos;
      } else {
        const msg = `(${inst.name}) unknown authentication type '${v}'`;
        env.diags.error(s.pos, 'KA_AUTH_TYPE', msg, 'keepalived');
      }
    },
  },
  {
    name: 'auth_pass',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      let v = arg(s, 0);
      if (v.length > 8) {
        env.diags.error(
          s.pos,
          'KA_AUTH_PASS_TRUNCATED',
          'Truncating auth_pass to 8 characters',
          'keepalived',
        );
        v = v.slice(0, 8);
      }
      inst.authPass = v;
    },
  },
];

function notifyKeyword(name: string, key: keyof InstanceDraft['notify']): Spec {
  return {
    name,
    minArgs: 1,
    parse: ({ cfg, inst }, s, env) => {
      if (inst.notify[key] !== undefined) {
        const what = name === 'notify' ? 'notify script' : `${name} script`;
        const msg = `(${inst.name}) ${what} already specified - ignoring ${arg(s, 0)}`;
        env.diags.error(s.pos, 'KA_NOTIFY_DUPLICATE', msg, 'keepalived');
        return;
      }
      inst.notify[key] = splitQuotedEscaped(s.rawArgs)?.[0] ?? arg(s, 0);
      cfg.notifyScripts.push(s.pos);
    },
  };
}

type NumberField = {
  [K in keyof InstanceDraft]-?: number extends InstanceDraft[K] ? K : never;
}[keyof InstanceDraft];

/** A gratuitous ARP setting: one unsigned value up to `max`, stored in `field` (null: checked,
 *  then not kept). */
function garpKeyword(
  name: string,
  field: NumberField | null,
  opts: { max: number; invalid: string; zeroFix?: boolean },
): Spec {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      let v = readUnsigned(s.args[0], 0, opts.max);
      if (v === undefined) {
        const msg = `(${inst.name}): ${opts.invalid.replace('%s', arg(s, 0))}`;
        env.diags.error(s.pos, 'KA_GARP_INVALID', msg, 'keepalived');
        return;
      }
      if (v === 0 && opts.zeroFix) {
        const msg = `(${inst.name}): ${name} must be greater than 0, setting to 1`;
        env.diags.error(s.pos, 'KA_GARP_INVALID', msg, 'keepalived');
        v = 1;
      }
      if (field) inst[field] = v;
    },
  };
}

function addressBlock(name: string, excluded: boolean): Spec {
  return {
    name,
    block: true,
    parse: ({ inst }, s, env) => {
      for (const item of s.block ?? []) {
        const a = parseVirtualAddress(item, env);
        if (!a) continue;
        if (excluded) {
          inst.evips.push(a);
          continue;
        }
        if (inst.family === undefined) inst.family = a.family;
        else if (inst.family !== a.family) {
          const msg = `(${inst.name}): address family must match VRRP instance [${item.keyword.text}] - ignoring`;
          env.diags.error(item.pos, 'KA_VIP_FAMILY', msg, 'keepalived');
          continue;
        }
        inst.vips.push(a);
      }
    },
  };
}

function unicastPeer(ctx: InstanceCtx, item: Stmt, env: Parameters<Spec['parse']>[2]): void {
  const { inst } = ctx;
  const address = item.keyword.text;
  const fam = familyOf(address);
  if (!fam) {
    const msg = `Configuration error: VRRP instance[${inst.name}] malformed unicast peer address[${address}]. Skipping...`;
    env.diags.error(item.pos, 'KA_UNICAST_PEER', msg, 'keepalived');
    return;
  }
  if (inst.family === undefined) inst.family = fam;
  else if (inst.family !== fam) {
    const msg = `Configuration error: VRRP instance[${inst.name}] and unicast peer address[${address}] MUST be of the same family !!! Skipping...`;
    env.diags.error(item.pos, 'KA_UNICAST_PEER', msg, 'keepalived');
    return;
  }
  inst.unicastPeer.push({ address, pos: item.pos });
}

export const VRRP_INSTANCE_KEYWORDS: readonly Spec[] = [
  {
    name: 'state',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = arg(s, 0);
      if (v === 'MASTER') inst.state = 'MASTER';
      else if (v === 'BACKUP') {
        if (inst.state === 'MASTER') {
          const msg = `(${inst.name}) state previously set as MASTER - ignoring BACKUP`;
          env.diags.error(s.pos, 'KA_STATE', msg, 'keepalived');
          return;
        }
        inst.state = 'BACKUP';
      } else {
        const msg = `(${inst.name}) unknown state '${v}', defaulting to BACKUP`;
        env.diags.error(s.pos, 'KA_STATE', msg, 'keepalived');
        inst.state = 'BACKUP';
      }
      inst.statePos = s.pos;
    },
  },
  {
    name: 'interface',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = arg(s, 0);
      const d = env.diags;
      if (v.length >= IFNAMSIZ) {
        d.error(
          s.pos,
          'KA_INTERFACE_NAME',
          `Interface name '${v}' too long - ignoring`,
          'keepalived',
        );
        return;
      }
      if (v === 'lo') {
        const msg = `(${inst.name}) cannot use a loopback interface (lo) for vrrp - ignoring`;
        d.error(s.pos, 'KA_INTERFACE_LOOPBACK', msg, 'keepalived');
        return;
      }
      if (!env.offline && env.interfaceExists && !env.interfaceExists(v)) {
        const msg = `interface ${v} for vrrp_instance ${inst.name} doesn't exist`;
        const hint =
          'keepalived -t then fails with "Non-existent interface specified in configuration"; use an interface of this host (`ip link`), or check offline with --offline';
        d.error(s.pos, 'KA_INTERFACE_NOT_FOUND', msg, 'keepalived', hint);
      }
      inst.iface = v;
      inst.ifacePos = s.pos;
    },
  },
  {
    name: 'virtual_router_id',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = readUnsigned(s.args[0], 1, 255);
      if (v === undefined) {
        const msg = `(${inst.name}): VRID '${arg(s, 0)}' not valid - must be between 1 & 255`;
        env.diags.error(s.pos, 'KA_VRID_RANGE', msg, 'keepalived');
      } else {
        inst.vrid = v;
        inst.vridPos = s.pos;
      }
    },
  },
  {
    name: 'priority',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = readUnsigned(s.args[0], 1, 255);
      if (v === undefined) {
        const msg = `(${inst.name}) Priority not valid! must be between 1 & 255. Using default 100`;
        env.diags.error(s.pos, 'KA_PRIORITY_RANGE', msg, 'keepalived');
      }
      inst.priority = v ?? 100;
      inst.priorityPos = s.pos;
    },
  },
  {
    name: 'advert_int',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = readMicros(s.args[0], 10_000, 255_000_000);
      if (v === undefined) {
        const msg = `(${inst.name}) Advert interval (${arg(s, 0)}) not valid! Must be > 0 - ignoring`;
        env.diags.error(s.pos, 'KA_ADVERT_INT', msg, 'keepalived');
        return;
      }
      inst.advertIntUs = v;
      inst.advertPos = s.pos;
    },
  },
  {
    name: 'version',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = readUnsigned(s.args[0], 2, 3);
      if (v === 2 || v === 3) {
        inst.version = v;
        inst.versionPos = s.pos;
      } else {
        const msg = `(${inst.name}): Version must be either 2 or 3`;
        env.diags.error(s.pos, 'KA_VERSION_INVALID', msg, 'keepalived');
      }
    },
  },
  {
    name: 'authentication',
    block: true,
    parse: (ctx, s, env) => {
      ctx.inst.authStmt = s;
      const markOneLine = (): void => {
        ctx.inst.authOneLine = true;
      };
      const opts = s.oneLine ? { oneLineOwner: s, onOneLineSplit: markOneLine } : {};
      runBlock(s.block ?? [], AUTHENTICATION_KEYWORDS, ctx, env, opts);
    },
  },
  addressBlock('virtual_ipaddress', false),
  addressBlock('virtual_ipaddress_excluded', true),
  {
    name: 'track_script',
    block: true,
    parse: ({ cfg, inst }, s, env) => parseTrackBlock('script', cfg, inst, s, env),
  },
  {
    name: 'track_interface',
    block: true,
    parse: ({ cfg, inst }, s, env) => parseTrackBlock('interface', cfg, inst, s, env),
  },
  {
    name: 'track_file',
    block: true,
    parse: ({ cfg, inst }, s, env) => parseTrackBlock('file', cfg, inst, s, env),
  },
  {
    name: 'track_proxy',
    block: true,
    parse: ({ inst }, s, env) => parseTrackProxyBlock(inst, s, env),
  },
  {
    name: 'nopreempt',
    maxArgs: 0,
    parse: ({ inst }, s) => {
      inst.nopreempt = true;
      inst.nopreemptPos = s.pos;
    },
  },
  {
    name: 'preempt',
    maxArgs: 0,
    parse: ({ inst }) => {
      inst.nopreempt = false;
    },
  },
  {
    name: 'preempt_delay',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = readMicros(s.args[0], 0, 1000 * 1e6);
      if (v === undefined) {
        const msg = `(${inst.name}) Preempt_delay not valid! must be between 0-1000`;
        env.diags.error(s.pos, 'KA_PREEMPT_DELAY', msg, 'keepalived');
      }
      inst.preemptDelayUs = v ?? 0;
      inst.preemptDelayPos = s.pos;
    },
  },
  {
    name: 'unicast_src_ip',
    minArgs: 1,
    maxArgs: 1,
    parse: ({ inst }, s, env) => {
      const v = arg(s, 0);
      const fam = familyOf(v);
      let problem: string | undefined;
      if (!fam)
        problem = `Configuration error: VRRP instance[${inst.name}] malformed src address[${v}]. Skipping...`;
      else if (inst.family !== undefined && inst.family !== fam) {
        problem = `Configuration error: VRRP instance[${inst.name}] and src address[${v}] MUST be of the same family !!! Skipping...`;
      }
      if (problem) {
        env.diags.error(s.pos, 'KA_UNICAST_SRC', problem, 'keepalived');
        return;
      }
      inst.family ??= fam;
      inst.unicastSrcIp = v;
      inst.unicastSrcPos = s.pos;
    },
  },
  {
    name: 'unicast_peer',
    block: true,
    parse: (ctx, s, env) => {
      for (const item of s.block ?? []) unicastPeer(ctx, item, env);
    },
  },
  garpKeyword('garp_master_delay', 'garpMasterDelay', {
    max: SECONDS_MAX,
    invalid: "garp_master_delay '%s' invalid - ignoring",
  }),
  garpKeyword('garp_master_repeat', 'garpMasterRepeat', {
    max: 4294967295,
    invalid: "garp_master_repeat '%s' invalid - ignoring",
    zeroFix: true,
  }),
  garpKeyword('garp_master_refresh', 'garpMasterRefresh', {
    max: SECONDS_MAX,
    invalid: "Invalid garp_master_refresh '%s' - ignoring",
  }),
  garpKeyword('garp_master_refresh_repeat', null, {
    max: 4294967295,
    invalid: "garp_master_refresh_repeat '%s' invalid - ignoring",
    zeroFix: true,
  }),
  notifyKeyword('notify_master', 'master'),
  notifyKeyword('notify_backup', 'backup'),
  notifyKeyword('notify_fault', 'fault'),
  notifyKeyword('notify_stop', 'stop'),
  notifyKeyword('notify', 'any'),
  {
    name: 'dont_track_primary',
    maxArgs: 0,
    parse: ({ inst }) => {
      inst.dontTrackPrimary = true;
    },
  },
];
