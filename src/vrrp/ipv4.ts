// The IPv4 header around a VRRP packet read from (or written to) a raw IP socket with
// IP_HDRINCL: parse/validate on receive (the TTL is needed for RFC 5798's TTL 255 check),
// and build the header Keepalived builds (TOS 0xc0, TTL 255, protocol 112, DF clear).

import { formatIpv4, parseIpv4 } from '../net/ip-address.js';
import { internetChecksum } from './checksum.js';
import { VRRP_PROTOCOL } from './codec.js';

export const VRRP_TTL = 255;
export const VRRP_TOS = 0xc0; // Internetwork Control, as Keepalived sets it

export interface Ipv4Header {
  /** Header length in bytes (IHL x 4). */
  readonly headerLength: number;
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  /** Flags and fragment offset, the raw 16-bit field. */
  readonly fragment: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly src: string;
  readonly dst: string;
}

export type Ipv4RejectReason =
  | 'ip-length'
  | 'ip-version'
  | 'ip-header-length'
  | 'ip-protocol'
  | 'ip-total-length';

export type Ipv4ParseResult =
  | { readonly ok: true; readonly header: Ipv4Header; readonly payload: Uint8Array }
  | { readonly ok: false; readonly reason: Ipv4RejectReason; readonly detail: string };

/**
 * Splits a received IPv4 datagram into header and payload. Checks the version, the header
 * length, protocol 112 and that Total Length matches what was received (Keepalived:
 * "ip_tot_len mismatch against received length"). The TTL is left to the caller: unicast
 * peers may legitimately arrive with a lower one.
 */
export function parseIpv4Packet(bytes: Uint8Array): Ipv4ParseResult {
  if (bytes.length < 20) {
    return {
      ok: false,
      reason: 'ip-length',
      detail: `IPv4 VRRP packet too short - ${bytes.length} bytes`,
    };
  }
  const version = bytes[0]! >> 4;
  if (version !== 4) return { ok: false, reason: 'ip-version', detail: `IP version ${version}` };
  const headerLength = (bytes[0]! & 0x0f) * 4;
  if (headerLength < 20 || headerLength > bytes.length) {
    return {
      ok: false,
      reason: 'ip-header-length',
      detail: `IP header length ${headerLength} with ${bytes.length} bytes received`,
    };
  }
  const totalLength = (bytes[2]! << 8) | bytes[3]!;
  const protocol = bytes[9]!;
  if (protocol !== VRRP_PROTOCOL) {
    return { ok: false, reason: 'ip-protocol', detail: `IP protocol ${protocol}` };
  }
  if (totalLength !== bytes.length) {
    return {
      ok: false,
      reason: 'ip-total-length',
      detail: `ip_tot_len mismatch against received length. ${totalLength} and received ${bytes.length}`,
    };
  }
  return {
    ok: true,
    header: {
      headerLength,
      tos: bytes[1]!,
      totalLength,
      id: (bytes[4]! << 8) | bytes[5]!,
      fragment: (bytes[6]! << 8) | bytes[7]!,
      ttl: bytes[8]!,
      protocol,
      checksum: (bytes[10]! << 8) | bytes[11]!,
      src: formatIpv4(bytes, 12),
      dst: formatIpv4(bytes, 16),
    },
    payload: bytes.subarray(headerLength),
  };
}

export interface Ipv4BuildOptions {
  readonly src: string;
  readonly dst: string;
  readonly id: number;
  readonly ttl?: number;
  readonly tos?: number;
}

/** A 20-byte IPv4 header plus payload, header checksum filled in (the kernel would too). */
export function buildIpv4Packet(opts: Ipv4BuildOptions, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  out[0] = 0x45;
  out[1] = opts.tos ?? VRRP_TOS;
  out[2] = out.length >> 8;
  out[3] = out.length & 0xff;
  out[4] = (opts.id >> 8) & 0xff;
  out[5] = opts.id & 0xff;
  out[8] = opts.ttl ?? VRRP_TTL;
  out[9] = VRRP_PROTOCOL;
  out.set(parseIpv4(opts.src) ?? new Uint8Array(4), 12);
  out.set(parseIpv4(opts.dst) ?? new Uint8Array(4), 16);
  const sum = internetChecksum(out, 0, 20);
  out[10] = sum >> 8;
  out[11] = sum & 0xff;
  out.set(payload, 20);
  return out;
}
