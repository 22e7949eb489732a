// The Internet checksum (RFC 1071) and the VRRPv3 pseudo-headers (RFC 5798 section 5.2.8).

import { parseIp } from '../net/ip-address.js';

/** One's-complement sum of 16-bit big-endian words, folded to 16 bits (not complemented). */
export function onesSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The checksum to store: the complement of the one's-complement sum. */
export function internetChecksum(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  initial = 0,
): number {
  return ~onesSum(bytes, start, end, initial) & 0xffff;
}

/**
 * The folded sum of the IPv4 or IPv6 pseudo-header for protocol 112 and a VRRP packet
 * of `length` bytes, to seed the checksum with. Undefined when an address does not parse.
 */
export function pseudoHeaderSum(src: string, dst: string, length: number): number | undefined {
  const s = parseIp(src);
  const d = parseIp(dst);
  if (!s || !d || s.family !== d.family) return undefined;
  const ph = new Uint8Array(s.family === 4 ? 12 : 40);
  ph.set(s.bytes, 0);
  ph.set(d.bytes, s.bytes.length);
  if (s.family === 4) {
    ph[9] = 112;
    ph[10] = length >> 8;
    ph[11] = length & 0xff;
  } else {
    ph[34] = length >> 8;
    ph[35] = length & 0xff;
    ph[39] = 112;
  }
  return onesSum(ph);
}
