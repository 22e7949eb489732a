// rtnetlink message codec (pure): struct nlmsghdr, struct rtattr, struct ifaddrmsg,
// struct ifinfomsg and NLMSG_ERROR, as in <linux/netlink.h> / <linux/rtnetlink.h>.
// Host-order fields are little-endian (see linux-abi.ts). Decoding never throws on
// malformed input except a NetlinkDecodeError, so a bad kernel message cannot crash halo.

import { HaloError } from '../config/diagnostics.js';

export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;
export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
} as const;
export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  ECHO: 0x8,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
} as const;
export const RTMGRP = { LINK: 0x1, IPV4_IFADDR: 0x10, IPV6_IFADDR: 0x100 } as const;
export const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, BROADCAST: 4, FLAGS: 8 } as const;
export const IFA_F = { SECONDARY: 0x01, NODAD: 0x02, TENTATIVE: 0x40, PERMANENT: 0x80 } as const;
export const IFLA = { ADDRESS: 1, BROADCAST: 2, IFNAME: 3, MTU: 4, OPERSTATE: 16 } as const;
export const IFF = {
  UP: 0x1,
  BROADCAST: 0x2,
  LOOPBACK: 0x8,
  RUNNING: 0x40,
  LOWER_UP: 0x10000,
} as const;
export const RT_SCOPE = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;

export const NLMSG_HDRLEN = 16;
const IFADDRMSG_LEN = 8;
const IFINFOMSG_LEN = 16;

export class NetlinkDecodeError extends HaloError {
  constructor(message: string) {
    super('HALO_NETLINK_DECODE', message);
  }
}

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly payload: Uint8Array;
}

export interface RtAttr {
  readonly type: number;
  readonly value: Uint8Array;
}

export interface IfAddrMsg {
  readonly family: number;
  readonly prefixlen: number;
  readonly flags: number;
  readonly scope: number;
  readonly index: number;
  readonly attrs: RtAttr[];
}

export interface IfInfoMsg {
  readonly family: number;
  readonly type: number;
  readonly index: number;
  readonly flags: number;
  readonly change: number;
  readonly attrs: RtAttr[];
}

export const align4 = (n: number): number => (n + 3) & ~3;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function encodeMessage(m: NetlinkMessage): Uint8Array {
  const len = NLMSG_HDRLEN + m.payload.length;
  const out = new Uint8Array(align4(len));
  const v = view(out);
  v.setUint32(0, len, true);
  v.setUint16(4, m.type, true);
  v.setUint16(6, m.flags, true);
  v.setUint32(8, m.seq, true);
  v.setUint32(12, m.pid, true);
  out.set(m.payload, NLMSG_HDRLEN);
  return out;
}

/** Splits one datagram into its messages (a dump reply carries several). */
export function decodeMessages(buf: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const v = view(buf);
  let off = 0;
  while (buf.length - off >= NLMSG_HDRLEN) {
    const len = v.getUint32(off, true);
    if (len < NLMSG_HDRLEN || len > buf.length - off) {
      throw new NetlinkDecodeError(`bad nlmsg_len ${len} at offset ${off} of ${buf.length}`);
    }
    out.push({
      type: v.getUint16(off + 4, true),
      flags: v.getUint16(off + 6, true),
      seq: v.getUint32(off + 8, true),
      pid: v.getUint32(off + 12, true),
      payload: buf.slice(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  if (off < buf.length) {
    throw new NetlinkDecodeError(`${buf.length - off} trailing bytes after the last message`);
  }
  return out;
}

export function encodeAttrs(attrs: readonly RtAttr[]): Uint8Array {
  return concat(
    attrs.map((a) => {
      const len = 4 + a.value.length;
      const out = new Uint8Array(align4(len));
      const v = view(out);
      v.setUint16(0, len, true);
      v.setUint16(2, a.type, true);
      out.set(a.value, 4);
      return out;
    }),
  );
}

export function decodeAttrs(buf: Uint8Array): RtAttr[] {
  const out: RtAttr[] = [];
  const v = view(buf);
  let off = 0;
  while (buf.length - off >= 4) {
    const len = v.getUint16(off, true);
    if (len < 4 || len > buf.length - off) {
      throw new NetlinkDecodeError(`bad rta_len ${len} at offset ${off} of ${buf.length}`);
    }
    out.push({ type: v.getUint16(off + 2, true), value: buf.slice(off + 4, off + len) });
    off += align4(len);
  }
  return out;
}

export function encodeIfAddrMsg(m: IfAddrMsg): Uint8Array {
  const head = new Uint8Array(IFADDRMSG_LEN);
  const v = view(head);
  v.setUint8(0, m.family);
  v.setUint8(1, m.prefixlen);
  v.setUint8(2, m.flags);
  v.setUint8(3, m.scope);
  v.setUint32(4, m.index, true);
  return concat([head, encodeAttrs(m.attrs)]);
}

export function decodeIfAddrMsg(payload: Uint8Array): IfAddrMsg {
  if (payload.length < IFADDRMSG_LEN) {
    throw new NetlinkDecodeError(`ifaddrmsg needs ${IFADDRMSG_LEN} bytes, got ${payload.length}`);
  }
  const v = view(payload);
  return {
    family: v.getUint8(0),
    prefixlen: v.getUint8(1),
    flags: v.getUint8(2),
    scope: v.getUint8(3),
    index: v.getUint32(4, true),
    attrs: decodeAttrs(payload.subarray(IFADDRMSG_LEN)),
  };
}

export function encodeIfInfoMsg(m: IfInfoMsg): Uint8Array {
  const head = new Uint8Array(IFINFOMSG_LEN);
  const v = view(head);
  v.setUint8(0, m.family);
  v.setUint16(2, m.type, true);
  v.setInt32(4, m.index, true);
  v.setUint32(8, m.flags, true);
  v.setUint32(12, m.change, true);
  return concat([head, encodeAttrs(m.attrs)]);
}

export function decodeIfInfoMsg(payload: Uint8Array): IfInfoMsg {
  if (payload.length < IFINFOMSG_LEN) {
    throw new NetlinkDecodeError(`ifinfomsg needs ${IFINFOMSG_LEN} bytes, got ${payload.length}`);
  }
  const v = view(payload);
  return {
    family: v.getUint8(0),
    type: v.getUint16(2, true),
    index: v.getInt32(4, true),
    flags: v.getUint32(8, true),
    change: v.getUint32(12, true),
    attrs: decodeAttrs(payload.subarray(IFINFOMSG_LEN)),
  };
}

/** NLMSG_ERROR payload: 0 is an ACK, otherwise a negative errno. */
export function decodeError(payload: Uint8Array): { errno: number; seq?: number } {
  if (payload.length < 4) throw new NetlinkDecodeError('truncated NLMSG_ERROR');
  const v = view(payload);
  const errno = v.getInt32(0, true);
  return payload.length >= 4 + NLMSG_HDRLEN ? { errno, seq: v.getUint32(12, true) } : { errno };
}

export function encodeError(errno: number, request: NetlinkMessage): Uint8Array {
  const out = new Uint8Array(4 + NLMSG_HDRLEN);
  view(out).setInt32(0, errno, true);
  out.set(encodeMessage({ ...request, payload: new Uint8Array(0) }).subarray(0, NLMSG_HDRLEN), 4);
  return out;
}

export function attr(attrs: readonly RtAttr[], type: number): Uint8Array | undefined {
  return attrs.find((a) => a.type === type)?.value;
}

/** A NUL-terminated string attribute (IFLA_IFNAME, IFA_LABEL). */
export function stringAttr(type: number, s: string): RtAttr {
  const value = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) value[i] = s.charCodeAt(i) & 0xff;
  return { type, value };
}

export function readString(value: Uint8Array | undefined): string | undefined {
  if (!value) return undefined;
  const end = value.indexOf(0);
  return String.fromCharCode(...value.subarray(0, end < 0 ? value.length : end));
}

export function u32Attr(type: number, n: number): RtAttr {
  const value = new Uint8Array(4);
  view(value).setUint32(0, n >>> 0, true);
  return { type, value };
}

export function readU32(value: Uint8Array | undefined): number | undefined {
  return value && value.length >= 4 ? view(value).getUint32(0, true) : undefined;
}

/** A scope name as `ip` and keepalived accept it, or a number 0..255. */
export function parseScope(scope: string | number | undefined): number | undefined {
  if (scope === undefined) return RT_SCOPE.global;
  if (typeof scope === 'number') return scope >= 0 && scope <= 255 ? scope : undefined;
  if (scope in RT_SCOPE) return RT_SCOPE[scope as keyof typeof RT_SCOPE];
  const n = /^\d+$/.test(scope) ? Number(scope) : Number.NaN;
  return n >= 0 && n <= 255 ? n : undefined;
}
