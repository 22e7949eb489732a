// Typed samples as HAProxy 2.6 carries them between a fetch and its converters: a
// boolean or 64-bit integer, an IPv4 or IPv6 address, a string or binary block (JS
// strings of bytes, one char per byte, as node's latin1), or an HTTP method; and the casts
// HAProxy applies before each converter (sample.c's sample_casts table): `str` to an
// integer reads the leading digits, `bin` to `str` stops at a NUL byte, an address to
// `bin` is its network bytes. Pure.

import type { SampleType } from '../../config/haproxy/keywords/sample-signatures.js';
import { castable } from '../../config/haproxy/keywords/sample-signatures.js';
import { readInt64 } from '../../config/haproxy/sample-args.js';
import { bufToIpv4, bufToIpv6, inetNtop4, inetNtop6 } from '../../net/inet-text.js';

export type Sample =
  | { readonly type: 'bool' | 'sint'; readonly n: bigint }
  | { readonly type: 'ipv4' | 'ipv6'; readonly ip: Uint8Array }
  | { readonly type: 'str' | 'bin' | 'meth'; readonly s: string };

export const INT64_MAX = (1n << 63n) - 1n;
export const INT64_MIN = -(1n << 63n);

export const sint = (n: bigint): Sample => ({ type: 'sint', n: BigInt.asIntN(64, n) });
export const bool = (b: boolean): Sample => ({ type: 'bool', n: b ? 1n : 0n });
export const str = (s: string): Sample => ({ type: 'str', s });
export const bin = (s: string): Sample => ({ type: 'bin', s });

/** c_str2addr(): an IPv4 prefix (buf2ip), else a whole IPv6 address. */
function strToAddr(s: string): Sample | undefined {
  const v4 = bufToIpv4(s);
  if (v4) return { type: 'ipv4', ip: v4.bytes };
  const v6 = bufToIpv6(s);
  return v6 ? { type: 'ipv6', ip: v6 } : undefined;
}

/** v6tov4(): an IPv4-mapped address (`::ffff:a.b.c.d`, RFC 4291) gives its IPv4 one. */
export function v6ToV4(ip: Uint8Array): Uint8Array | undefined {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return undefined;
  return ip[10] === 0xff && ip[11] === 0xff ? ip.slice(12) : undefined;
}

/** v4tov6(): the IPv4-mapped form `::ffff:a.b.c.d`. */
export function v4ToV6(ip: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(ip, 12);
  return out;
}

function intToIpv4(n: bigint): Uint8Array {
  const v = Number(BigInt.asUintN(32, n));
  return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

const bytesToStr = (b: Uint8Array) => String.fromCharCode(...b);

/** 8 bytes, big-endian (my_htonll). */
export function int64Bytes(n: bigint): string {
  let out = '';
  const u = BigInt.asUintN(64, n);
  for (let i = 7; i >= 0; i--) out += String.fromCharCode(Number((u >> BigInt(i * 8)) & 255n));
  return out;
}

const METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT'];

/**
 * The sample as type `to` (a converter's input type), or undefined when HAProxy's cast
 * fails or does not exist.
 */
export function cast(s: Sample, to: SampleType): Sample | undefined {
  if (to === 'any' || to === s.type) return s;
  if (!castable(s.type, to)) return undefined;
  switch (s.type) {
    case 'bool':
      if (to === 'sint') return { type: 'sint', n: s.n };
      if (to === 'str') return str(String(s.n));
      return bin(int64Bytes(s.n === 0n ? 0n : 1n));
    case 'sint':
      if (to === 'bool') return { type: 'bool', n: s.n };
      if (to === 'str') return str(String(s.n));
      if (to === 'bin') return bin(int64Bytes(s.n));
      if (to === 'ipv6') return { type: 'ipv6', ip: v4ToV6(intToIpv4(s.n)) };
      return { type: 'ipv4', ip: intToIpv4(s.n) };
    case 'ipv4':
      if (to === 'addr') return s;
      if (to === 'sint')
        return sint(
          BigInt((s.ip[0]! << 24) >>> 0) + BigInt((s.ip[1]! << 16) | (s.ip[2]! << 8) | s.ip[3]!),
        );
      if (to === 'ipv6') return { type: 'ipv6', ip: v4ToV6(s.ip) };
      if (to === 'str') return str(inetNtop4(s.ip));
      return bin(bytesToStr(s.ip));
    case 'ipv6': {
      if (to === 'addr') return s;
      if (to === 'ipv4') {
        const v4 = v6ToV4(s.ip);
        return v4 ? { type: 'ipv4', ip: v4 } : undefined;
      }
      if (to === 'str') return str(inetNtop6(s.ip));
      return bin(bytesToStr(s.ip));
    }
    case 'str':
      return castStr(s.s, to);
    case 'bin':
      if (to === 'str') {
        const nul = s.s.indexOf('\0');
        return str(nul < 0 ? s.s : s.s.slice(0, nul));
      }
      return { type: 'meth', s: s.s };
    case 'meth':
      return to === 'str' ? str(s.s) : to === 'bin' ? bin(s.s) : s;
  }
  return undefined;
}

function castStr(s: string, to: SampleType): Sample | undefined {
  switch (to) {
    case 'bool':
    case 'sint':
      // c_str2int: an empty string fails; otherwise whatever leading number there is.
      return s === '' ? undefined : { type: to, n: readInt64(s).value };
    case 'addr':
      return strToAddr(s);
    case 'ipv4': {
      const v4 = bufToIpv4(s);
      return v4 ? { type: 'ipv4', ip: v4.bytes } : undefined;
    }
    case 'ipv6': {
      const v6 = bufToIpv6(s);
      return v6 ? { type: 'ipv6', ip: v6 } : undefined;
    }
    case 'bin':
      return bin(s);
    case 'meth':
      return { type: 'meth', s };
    default:
      return undefined;
  }
}

/** The sample as text (the log-format and header value cast to `str`). */
export function sampleText(s: Sample | undefined): string | undefined {
  if (!s) return undefined;
  const t = cast(s, 'str');
  return t && t.type === 'str' ? t.s : undefined;
}

/** Whether `m` is one of the methods HAProxy knows by number (HTTP_METH_*). */
export const knownMethod = (m: string): boolean => METHODS.includes(m);

/**
 * A sample as the key of a stick table of `type` (HAProxy casts it to the table's type):
 * an address written as `show table` writes it, an integer, a string; undefined when the
 * cast fails.
 */
export function stickKey(
  s: Sample,
  type: 'ip' | 'ipv6' | 'integer' | 'string' | 'binary',
): string | undefined {
  const to =
    type === 'ip'
      ? 'ipv4'
      : type === 'integer'
        ? 'sint'
        : type === 'ipv6'
          ? 'ipv6'
          : type === 'binary'
            ? 'bin'
            : 'str';
  const c = cast(s, to);
  if (!c) return undefined;
  if (c.type === 'ipv4') return inetNtop4(c.ip);
  if (c.type === 'ipv6') return inetNtop6(c.ip);
  if (c.type === 'sint' || c.type === 'bool') return String(c.n);
  return 's' in c ? c.s : undefined;
}
