// rtnetlink requests and replies in halo's terms (pure): an AddressSpec becomes an
// RTM_NEWADDR/RTM_DELADDR message the way `ip addr add|del` builds it, and kernel
// RTM_NEWADDR/RTM_NEWLINK messages become InterfaceAddress / LinkInfo.

import { HaloError } from '../config/diagnostics.js';
import { broadcastOf, formatIp, formatMac, ipBytes } from '../net/ip-address.js';
import { AF } from './linux-abi.js';
import {
  attr,
  decodeIfAddrMsg,
  decodeIfInfoMsg,
  encodeIfAddrMsg,
  encodeIfInfoMsg,
  IFA,
  IFA_F,
  IFF,
  IFLA,
  type NetlinkMessage,
  NLM_F,
  parseScope,
  RTM,
  type RtAttr,
  readString,
  readU32,
  stringAttr,
} from './netlink-codec.js';
import type { AddressSpec, InterfaceAddress, IpFamily, LinkInfo } from './ports.js';

const familyOf = (f: IpFamily): number => (f === 4 ? AF.INET : AF.INET6);

/** RTM_NEWADDR (create, fail if present) or RTM_DELADDR for one address on ifindex. */
export function addressRequest(
  op: 'add' | 'remove',
  spec: AddressSpec,
  ifindex: number,
  seq: number,
): NetlinkMessage {
  const maxPrefix = spec.family === 4 ? 32 : 128;
  if (!Number.isInteger(spec.prefix) || spec.prefix < 0 || spec.prefix > maxPrefix) {
    throw new HaloError('HALO_OS_ADDRESS', `bad prefix length /${spec.prefix} for ${spec.address}`);
  }
  const scope = parseScope(spec.scope);
  if (scope === undefined) {
    throw new HaloError('HALO_OS_ADDRESS', `unknown scope '${spec.scope}' for ${spec.address}`);
  }
  const local = ipBytes(spec.address, spec.family);
  const attrs: RtAttr[] = [
    { type: IFA.LOCAL, value: local },
    { type: IFA.ADDRESS, value: local },
  ];
  if (spec.family === 4 && spec.broadcast !== undefined && spec.broadcast !== '-') {
    const brd =
      spec.broadcast === '+' ? broadcastOf(local, spec.prefix) : ipBytes(spec.broadcast, 4);
    attrs.push({ type: IFA.BROADCAST, value: brd });
  }
  if (spec.family === 4 && spec.label !== undefined) {
    if (spec.label.length > 15) {
      throw new HaloError('HALO_OS_ADDRESS', `label '${spec.label}' is longer than 15 characters`);
    }
    attrs.push(stringAttr(IFA.LABEL, spec.label));
  }
  const flags = spec.family === 6 && spec.noDad ? IFA_F.NODAD : 0;
  return {
    type: op === 'add' ? RTM.NEWADDR : RTM.DELADDR,
    flags: NLM_F.REQUEST | NLM_F.ACK | (op === 'add' ? NLM_F.CREATE | NLM_F.EXCL : 0),
    seq,
    pid: 0,
    payload: encodeIfAddrMsg({
      family: familyOf(spec.family),
      prefixlen: spec.prefix,
      flags,
      scope,
      index: ifindex,
      attrs,
    }),
  };
}

/** RTM_GETADDR / RTM_GETLINK dump of every address or link. */
export function dumpRequest(kind: 'address' | 'link', seq: number): NetlinkMessage {
  const payload =
    kind === 'address'
      ? encodeIfAddrMsg({ family: 0, prefixlen: 0, flags: 0, scope: 0, index: 0, attrs: [] })
      : encodeIfInfoMsg({ family: 0, type: 0, index: 0, flags: 0, change: 0, attrs: [] });
  return {
    type: kind === 'address' ? RTM.GETADDR : RTM.GETLINK,
    flags: NLM_F.REQUEST | NLM_F.DUMP,
    seq,
    pid: 0,
    payload,
  };
}

/** RTM_GETLINK for one interface by name (the kernel answers ENODEV when there is none). */
export function linkByNameRequest(name: string, seq: number): NetlinkMessage {
  if (name.length === 0 || name.length > 15) {
    throw new HaloError('HALO_OS_NO_INTERFACE', `'${name}' is not a valid interface name`);
  }
  return {
    type: RTM.GETLINK,
    flags: NLM_F.REQUEST,
    seq,
    pid: 0,
    payload: encodeIfInfoMsg({
      family: 0,
      type: 0,
      index: 0,
      flags: 0,
      change: 0,
      attrs: [stringAttr(IFLA.IFNAME, name)],
    }),
  };
}

/** An RTM_NEWADDR message as an InterfaceAddress; undefined for other families. */
export function parseAddress(m: NetlinkMessage): InterfaceAddress | undefined {
  const ifa = decodeIfAddrMsg(m.payload);
  const family: IpFamily | undefined =
    ifa.family === AF.INET ? 4 : ifa.family === AF.INET6 ? 6 : undefined;
  if (family === undefined) return undefined;
  const size = family === 4 ? 4 : 16;
  const bytes = attr(ifa.attrs, IFA.LOCAL) ?? attr(ifa.attrs, IFA.ADDRESS);
  if (!bytes || bytes.length !== size) return undefined;
  const flags = readU32(attr(ifa.attrs, IFA.FLAGS)) ?? ifa.flags;
  const brd = attr(ifa.attrs, IFA.BROADCAST);
  const label = readString(attr(ifa.attrs, IFA.LABEL));
  return {
    family,
    address: formatIp(bytes),
    prefix: ifa.prefixlen,
    ifindex: ifa.index,
    scope: ifa.scope,
    secondary: (flags & IFA_F.SECONDARY) !== 0,
    tentative: (flags & IFA_F.TENTATIVE) !== 0,
    ...(label !== undefined ? { label } : {}),
    ...(brd && brd.length === 4 ? { broadcast: formatIp(brd) } : {}),
  };
}

/** An RTM_NEWLINK / RTM_DELLINK message as a LinkInfo. */
export function parseLink(m: NetlinkMessage): LinkInfo {
  const ifi = decodeIfInfoMsg(m.payload);
  const mac = attr(ifi.attrs, IFLA.ADDRESS);
  const adminUp = (ifi.flags & IFF.UP) !== 0;
  const running = (ifi.flags & IFF.RUNNING) !== 0;
  return {
    ifindex: ifi.index,
    name: readString(attr(ifi.attrs, IFLA.IFNAME)) ?? `if${ifi.index}`,
    mac: mac ? formatMac(mac) : '',
    mtu: readU32(attr(ifi.attrs, IFLA.MTU)) ?? 0,
    adminUp,
    running,
    up: adminUp && running,
  };
}
