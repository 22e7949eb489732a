// The PROXY protocol (versions 1 and 2), pure: encoders for the header halo writes first on
// a server connection (`send-proxy`, `send-proxy-v2`), and an incremental decoder for the
// header a client sends first on an `accept-proxy` bind. No socket, no clock: the caller
// feeds the bytes read so far and acts on the answer (read more, strip `length` bytes and
// use the addresses, or close the connection).
//
// Rules kept as HAProxy 2.6 keeps them (src/connection.c): a v1 line is at most 107 bytes
// with its CRLF, TCP4/TCP6 need both addresses and ports, UNKNOWN ignores the rest of the
// line; a v2 header needs version 2, command LOCAL or PROXY, and a length that holds the
// addresses of its family; TLVs are skipped but each must fit in the header. LOCAL (and
// v1 UNKNOWN) keep the connection's own addresses; a v2 PROXY command for another family
// than TCP over IPv4/IPv6 is refused, as HAProxy 2.6 refuses it (checked side by side).

import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../net/ip-address.js';

export interface ProxyEndpoint {
  readonly address: string;
  readonly port: number;
}

/** Why a header was refused, as HAProxy's connection error codes tell them apart. */
export type ProxyHeaderError =
  | 'not-header' // the bytes are not a PROXY header at all
  | 'bad-header' // a PROXY header, but malformed
  | 'bad-proto' // a v1 line of a protocol other than TCP4, TCP6 and UNKNOWN
  | 'truncated'; // a v1 line with no CRLF within its 107 bytes

export type ProxyDecodeResult =
  | { readonly kind: 'need-more' }
  | { readonly kind: 'invalid'; readonly error: ProxyHeaderError }
  | {
      readonly kind: 'header';
      /** Bytes of the header: the stream's own data starts after them. */
      readonly length: number;
      readonly version: 1 | 2;
      /** `local`: keep the connection's own addresses (v2 LOCAL, v1 UNKNOWN, other families). */
      readonly command: 'proxy' | 'local';
      readonly src?: ProxyEndpoint;
      readonly dst?: ProxyEndpoint;
    };

/** The v2 signature (spec section 2.2). */
export const V2_SIGNATURE: Uint8Array = Uint8Array.of(
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
);
/** A v1 line's longest form, CRLF included. */
export const V1_MAX = 107;
const V1_PREFIX = 'PROXY ';
const NEED_MORE: ProxyDecodeResult = { kind: 'need-more' };

function invalid(error: ProxyHeaderError): ProxyDecodeResult {
  return { kind: 'invalid', error };
}

/**
 * Decodes the header at the start of `buf` (the bytes received so far). Never throws, never
 * reads past `buf`. As HAProxy 2.6 does, bytes that do not start with `PROXY ` are judged
 * as a v2 header once 16 have arrived; before that, more are needed.
 */
export function decodeProxyHeader(buf: Uint8Array): ProxyDecodeResult {
  if (buf.length < V1_PREFIX.length) return NEED_MORE;
  if (startsWith(buf, V1_PREFIX)) return decodeV1(buf);
  if (buf.length < V2_HEADER) return NEED_MORE;
  if (!startsWith(buf, V2_SIGNATURE) || (buf[12] as number) >> 4 !== 2)
    return invalid('not-header');
  return decodeV2(buf);
}

function startsWith(buf: Uint8Array, prefix: Uint8Array | string): boolean {
  if (buf.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const want = typeof prefix === 'string' ? prefix.charCodeAt(i) : prefix[i];
    if (buf[i] !== want) return false;
  }
  return true;
}

function decodeV1(buf: Uint8Array): ProxyDecodeResult {
  const limit = Math.min(buf.length, V1_MAX);
  let lf = -1;
  for (let i = V1_PREFIX.length; i < limit; i++) {
    if (buf[i] === 0x0a) {
      lf = i;
      break;
    }
  }
  if (lf < 0) return buf.length >= V1_MAX ? invalid('truncated') : NEED_MORE;
  // A LF not preceded by CR is not a line end of this protocol.
  if (buf[lf - 1] !== 0x0d) return invalid('bad-header');
  let line = '';
  for (let i = V1_PREFIX.length; i < lf - 1; i++) line += String.fromCharCode(buf[i] as number);
  const length = lf + 1;
  // HAProxy 2.6 takes UNKNOWN only as the whole line (the spec lets a sender add fields).
  if (line === 'UNKNOWN') return { kind: 'header', length, version: 1, command: 'local' };
  const words = line.split(' ');
  const proto = words[0];
  if (proto !== 'TCP4' && proto !== 'TCP6') return invalid('bad-proto');
  if (words.length !== 5) return invalid('bad-header');
  const family = proto === 'TCP4' ? 4 : 6;
  const src = v1Endpoint(words[1] as string, words[3] as string, family);
  const dst = v1Endpoint(words[2] as string, words[4] as string, family);
  if (!src || !dst) return invalid('bad-header');
  return { kind: 'header', length, version: 1, command: 'proxy', src, dst };
}

function v1Endpoint(addr: string, port: string, family: 4 | 6): ProxyEndpoint | undefined {
  const p = v1Port(port);
  if (p === undefined) return undefined;
  if (family === 4) {
    const b = parseIpv4(addr);
    return b ? { address: formatIpv4(b), port: p } : undefined;
  }
  // inet_pton takes no zone index; neither does the protocol.
  if (addr.includes('%') || !addr.includes(':')) return undefined;
  const b = parseIpv6(addr);
  return b ? { address: formatV6(b, 0), port: p } : undefined;
}

/** A decimal port 0..65535 (HAProxy 2.6 takes larger ones and wraps them; halo refuses). */
function v1Port(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

const V2_HEADER = 16;
const INET_LEN = 12;
const INET6_LEN = 36;

// HAProxy 2.6: LOCAL skips the whole body (family, addresses and TLVs unread); PROXY must be
// TCP over IPv4 or IPv6, with TLVs that end exactly at the header's end.
function decodeV2(buf: Uint8Array): ProxyDecodeResult {
  const command = (buf[12] as number) & 0x0f;
  if (command > 1) return invalid('bad-header');
  const fam = buf[13] as number;
  const len = u16(buf, 14);
  const length = V2_HEADER + len;
  if (buf.length < length) return NEED_MORE;
  if (command === 0) return { kind: 'header', length, version: 2, command: 'local' };
  let src: ProxyEndpoint;
  let dst: ProxyEndpoint;
  let addrLen: number;
  if (fam === 0x11) {
    if (len < INET_LEN) return invalid('bad-header');
    addrLen = INET_LEN;
    src = { address: formatIpv4(buf, 16), port: u16(buf, 24) };
    dst = { address: formatIpv4(buf, 20), port: u16(buf, 26) };
  } else if (fam === 0x21) {
    if (len < INET6_LEN) return invalid('bad-header');
    addrLen = INET6_LEN;
    src = { address: formatV6(buf, 16), port: u16(buf, 48) };
    dst = { address: formatV6(buf, 32), port: u16(buf, 50) };
  } else return invalid('bad-header');
  if (!tlvsFit(buf, V2_HEADER + addrLen, length)) return invalid('bad-header');
  return { kind: 'header', length, version: 2, command: 'proxy', src, dst };
}

/** Each TLV (type, 16-bit length, value) of [from, end) must end within the header. */
function tlvsFit(buf: Uint8Array, from: number, end: number): boolean {
  let at = from;
  while (at < end) {
    if (end - at < 3) return false;
    at += 3 + u16(buf, at + 1);
    if (at > end) return false;
  }
  return true;
}

/** IPv6 text as inet_ntop writes it, so an IPv4-mapped address reads `::ffff:a.b.c.d`. */
function formatV6(buf: Uint8Array, at: number): string {
  for (let i = 0; i < 10; i++) if (buf[at + i] !== 0) return formatIpv6(buf, at);
  if (buf[at + 10] !== 0xff || buf[at + 11] !== 0xff) return formatIpv6(buf, at);
  return `::ffff:${formatIpv4(buf, at + 12)}`;
}

function u16(buf: Uint8Array, at: number): number {
  return ((buf[at] as number) << 8) | (buf[at + 1] as number);
}

/** Addresses of one connection as halo knows them; either may be missing (unix sockets). */
export interface ProxyAddresses {
  readonly src?: ProxyEndpoint;
  readonly dst?: ProxyEndpoint;
}

type Bytes = { family: 4 | 6; bytes: Uint8Array };

/**
 * Both ends in one family, as HAProxy writes them: IPv4 when both are IPv4, else IPv6 with
 * an IPv4 end mapped (`::ffff:a.b.c.d`). Undefined when an end is missing or not an IP.
 */
function sameFamily(a: ProxyAddresses): { src: Bytes; dst: Bytes } | undefined {
  const src = a.src ? ipOf(a.src.address) : undefined;
  const dst = a.dst ? ipOf(a.dst.address) : undefined;
  if (!src || !dst) return undefined;
  if (src.family === dst.family) return { src, dst };
  return { src: toV6(src), dst: toV6(dst) };
}

function ipOf(text: string): Bytes | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

function toV6(ip: Bytes): Bytes {
  if (ip.family === 6) return ip;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(ip.bytes, 12);
  return { family: 6, bytes: out };
}

function text(ip: Bytes): string {
  return ip.family === 4 ? formatIpv4(ip.bytes) : formatV6(ip.bytes, 0);
}

/** `PROXY TCP4 src dst sport dport\r\n`, or `PROXY UNKNOWN\r\n` without two IP ends. */
export function encodeProxyV1(a: ProxyAddresses): Uint8Array {
  const ips = sameFamily(a);
  const line = ips
    ? `PROXY TCP${ips.src.family} ${text(ips.src)} ${text(ips.dst)} ${a.src!.port} ${a.dst!.port}\r\n`
    : 'PROXY UNKNOWN\r\n';
  const out = new Uint8Array(line.length);
  for (let i = 0; i < line.length; i++) out[i] = line.charCodeAt(i);
  return out;
}

/**
 * A v2 header with no TLV: PROXY over TCP/IPv4 or TCP/IPv6, or LOCAL with no address when
 * there are not two IP ends (a health check, a unix client) or `local` is asked for.
 */
export function encodeProxyV2(a: ProxyAddresses, local = false): Uint8Array {
  const ips = local ? undefined : sameFamily(a);
  const addrLen = !ips ? 0 : ips.src.family === 4 ? INET_LEN : INET6_LEN;
  const out = new Uint8Array(V2_HEADER + addrLen);
  out.set(V2_SIGNATURE, 0);
  out[12] = ips ? 0x21 : 0x20;
  out[13] = !ips ? 0x00 : ips.src.family === 4 ? 0x11 : 0x21;
  out[14] = addrLen >> 8;
  out[15] = addrLen & 0xff;
  if (ips) {
    const n = ips.src.bytes.length;
    out.set(ips.src.bytes, 16);
    out.set(ips.dst.bytes, 16 + n);
    const ports = 16 + 2 * n;
    out[ports] = a.src!.port >> 8;
    out[ports + 1] = a.src!.port & 0xff;
    out[ports + 2] = a.dst!.port >> 8;
    out[ports + 3] = a.dst!.port & 0xff;
  }
  return out;
}

/** The header of `version` for the addresses of one connection. */
export function encodeProxyHeader(version: 'v1' | 'v2', a: ProxyAddresses): Uint8Array {
  return version === 'v1' ? encodeProxyV1(a) : encodeProxyV2(a);
}
