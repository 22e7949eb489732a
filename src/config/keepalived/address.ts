// IP address syntax (inet_pton rules) and the virtual_ipaddress item grammar:
// `<IPADDR>[/<MASK>] [brd <IPADDR>] [dev <STRING>] [scope <SCOPE>] [label <LABEL>] [-nodad] ...`
// with Keepalived 2.2.7's messages. Pure.

import type { ParseEnv } from './block.js';
import type { VirtualAddress } from './model.js';
import type { Stmt } from './tree.js';

/** Dotted quad as inet_pton accepts it: four decimal octets, no leading zeros. */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** RFC 4291 text form, including `::` and a trailing dotted quad. */
export function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return false;
  let groups = 8;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    text = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const parse = (h: string): string[] | undefined => {
    if (h === '') return [];
    const g = h.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : undefined;
  };
  const head = parse(halves[0] ?? '');
  if (!head) return false;
  if (halves.length === 1) return head.length === groups;
  const tail = parse(halves[1] ?? '');
  if (!tail) return false;
  groups -= 1;
  return head.length + tail.length <= groups;
}

export function familyOf(s: string): 4 | 6 | undefined {
  if (s.includes(':')) return isIPv6(s) ? 6 : undefined;
  return isIPv4(s) ? 4 : undefined;
}

const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere']);
const FLAGS = new Set(['home', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'no_track', 'use_vmac']);
const WITH_VALUE = new Set(['dev', 'scope', 'broadcast', 'brd', 'label', 'peer', 'preferred_lft']);

type AddressParts = { -readonly [K in keyof VirtualAddress]: VirtualAddress[K] };

/** Parses one virtual_ipaddress line; returns undefined when Keepalived skips the address. */
export function parseVirtualAddress(s: Stmt, env: ParseEnv): VirtualAddress | undefined {
  const words = [s.keyword, ...s.args].map((t) => t.text);
  const first = words[0] ?? '';
  const d = env.diags;
  const slash = first.indexOf('/');
  const ip = slash < 0 ? first : first.slice(0, slash);
  const family: 4 | 6 = first.includes(':') ? 6 : 4;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const len = first.slice(slash + 1);
    if (/^\d+$/.test(len) && Number(len) <= max) prefix = Number(len);
    else {
      const msg = `Invalid address prefix len ${len} for address ${first} - using ${max}`;
      d.error(s.pos, 'KA_VIP_PREFIX', msg, 'keepalived');
    }
  }
  if ((family === 4 && !isIPv4(ip)) || (family === 6 && !isIPv6(ip))) {
    const msg = `VRRP parsed invalid IP ${first}. skipping IP...`;
    d.error(s.pos, 'KA_VIP_INVALID', msg, 'keepalived');
    return undefined;
  }
  const a: AddressParts = { pos: s.pos, family, address: ip, prefix };
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? '';
    if (WITH_VALUE.has(w)) {
      const v = words[i + 1];
      if (v === undefined) {
        d.error(
          s.pos,
          'KA_VIP_PARAM_MISSING',
          `No ${w} parameter specified for ${first}`,
          'keepalived',
        );
        return undefined;
      }
      i++;
      if (!applyOption(a, w, v, first, s, env)) return undefined;
    } else if (w === '-nodad') a.noDad = true;
    else if (!FLAGS.has(w)) {
      const hint = w === 'no_dad' || w === 'nodad' ? "did you mean '-nodad'?" : undefined;
      const msg = `Unknown configuration entry '${w}' for ip address - ignoring`;
      d.error(s.pos, 'KA_VIP_UNKNOWN_OPTION', msg, 'keepalived', hint);
    }
  }
  if (family === 6 && a.scope !== undefined) {
    const msg = `Cannot specify scope for IPv6 addresses (${first}) - ignoring scope`;
    d.error(s.pos, 'KA_VIP_SCOPE_V6', msg, 'keepalived');
    a.scope = undefined;
  }
  if (family === 6 && a.label !== undefined) {
    const msg = `Cannot specify label for IPv6 addresses (${first}) - ignoring label`;
    d.error(s.pos, 'KA_VIP_LABEL_V6', msg, 'keepalived');
    a.label = undefined;
  }
  return stripUndefined(a);
}

function applyOption(
  a: AddressParts,
  key: string,
  v: string,
  first: string,
  s: Stmt,
  env: ParseEnv,
): boolean {
  const d = env.diags;
  switch (key) {
    case 'dev':
      if (!env.offline && env.interfaceExists && !env.interfaceExists(v)) {
        const msg = `interface ${v} for ip address ${first} doesn't exist`;
        d.error(s.pos, 'KA_INTERFACE_NOT_FOUND', msg, 'keepalived');
        return false;
      }
      a.dev = v;
      return true;
    case 'scope':
      if (SCOPES.has(v) || /^\d+$/.test(v)) a.scope = v;
      else {
        const msg = `Invalid scope '${v}' specified for ${first} - ignoring`;
        d.error(s.pos, 'KA_VIP_SCOPE', msg, 'keepalived');
      }
      return true;
    case 'brd':
    case 'broadcast':
      if (a.family === 6) {
        const msg = `VRRP is trying to assign a broadcast ${key} to the IPv6 address ${first} !!?? WTF... skipping VIP...`;
        d.error(s.pos, 'KA_VIP_BROADCAST_V6', msg, 'keepalived');
        return false;
      }
      if (v !== '+' && v !== '-' && !isIPv4(v)) {
        const msg = `VRRP is trying to assign invalid broadcast ${v}. skipping VIP...`;
        d.error(s.pos, 'KA_VIP_BROADCAST', msg, 'keepalived');
        return false;
      }
      a.brd = v;
      return true;
    case 'label':
      if (v.length >= 16) {
        const msg = `Address label ${v} is longer than maximum length 15 - removing address`;
        d.error(s.pos, 'KA_VIP_LABEL', msg, 'keepalived');
        return false;
      }
      a.label = v;
      return true;
    default:
      return true; // peer, preferred_lft: accepted, not modelled
  }
}

function stripUndefined(a: AddressParts): VirtualAddress {
  return Object.fromEntries(
    Object.entries(a).filter(([, v]) => v !== undefined),
  ) as unknown as VirtualAddress;
}
