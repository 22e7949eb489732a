// VRRP advertisement codec: VRRPv2 (RFC 3768, with Keepalived's `auth_type PASS`) and VRRPv3
// (RFC 5798) over IPv4 and IPv6. Pure: bytes in, fields or a typed rejection out; it never
// throws on any input, and encode(decode(x)) gives back x for every accepted x.

import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../net/ip-address.js';
import { internetChecksum, pseudoHeaderSum } from './checksum.js';

export const VRRP_PROTOCOL = 112;
export const VRRP_TYPE_ADVERTISEMENT = 1;
export const VRRP_HEADER_LENGTH = 8;
export const VRRP_AUTH_DATA_LENGTH = 8;
export const VRRP_PRIORITY_OWNER = 255;
export const VRRP_PRIORITY_STOP = 0;

export const VRRP_AUTH = { none: 0, pass: 1, ah: 2 } as const;

/** One advertisement, every field as on the wire. */
export interface VrrpAdvert {
  readonly version: 2 | 3;
  readonly type: number;
  readonly vrid: number;
  readonly priority: number;
  /** Address family of the IPvX addresses (v2 is IPv4 only). */
  readonly family: 4 | 6;
  /** The IPvX Address(es); the Count field is their number. */
  readonly addresses: readonly string[];
  /** v2: Adver Int in seconds (8 bits). v3: Max Adver Int in centiseconds (12 bits). */
  readonly adverInt: number;
  /** v2: Auth Type (0 none, 1 simple text password, 2 IP AH). v3: always 0. */
  readonly authType: number;
  /** v3: the 4 reserved bits in front of Max Adver Int (0 when sent). v2: always 0. */
  readonly reserved: number;
  /** v2: the 8 Authentication Data bytes (the password, zero padded). v3: empty. */
  readonly authData: Uint8Array;
  /** The checksum as found on the wire (decode) or as computed (encode). */
  readonly checksum: number;
}

export type VrrpAdvertFields = Omit<VrrpAdvert, 'checksum' | 'authData' | 'reserved' | 'type'> & {
  readonly type?: number;
  /** Used as is when the checksum cannot be computed (v3 without addresses). */
  readonly checksum?: number;
  readonly reserved?: number;
  readonly authData?: Uint8Array;
};

/** Source and destination of the enclosing IP packet: VRRPv3 sums them in (pseudo-header). */
export interface VrrpChecksumContext {
  readonly src?: string;
  readonly dst?: string;
}

export type VrrpRejectReason = 'length' | 'version' | 'auth-type' | 'type' | 'checksum';

export type VrrpDecodeResult =
  | { readonly ok: true; readonly advert: VrrpAdvert }
  | { readonly ok: false; readonly reason: VrrpRejectReason; readonly detail: string };

const reject = (reason: VrrpRejectReason, detail: string): VrrpDecodeResult => ({
  ok: false,
  reason,
  detail,
});

/** Keepalived's auth_data: the password truncated to 8 bytes, zero padded. */
export function passwordAuthData(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_AUTH_DATA_LENGTH);
  out.set(new TextEncoder().encode(password).subarray(0, VRRP_AUTH_DATA_LENGTH));
  return out;
}

/** Bytes the VRRP packet of this shape occupies. */
export function vrrpPacketLength(version: number, family: 4 | 6, count: number): number {
  return (
    VRRP_HEADER_LENGTH +
    count * (family === 4 ? 4 : 16) +
    (version === 2 && family === 4 ? VRRP_AUTH_DATA_LENGTH : 0)
  );
}

/** The advertisement interval the packet announces, in milliseconds. */
export function advertIntervalMs(advert: Pick<VrrpAdvert, 'version' | 'adverInt'>): number {
  return advert.version === 2 ? advert.adverInt * 1000 : advert.adverInt * 10;
}

/**
 * Checksum seed for the packet: 0 for v2 (RFC 3768 sums the VRRP message only), the
 * pseudo-header sum for v3. Undefined for v3 without usable addresses.
 */
function checksumSeed(
  version: number,
  length: number,
  ctx: VrrpChecksumContext | undefined,
): number | undefined {
  if (version === 2) return 0;
  if (!ctx?.src || !ctx.dst) return undefined;
  return pseudoHeaderSum(ctx.src, ctx.dst, length);
}

/**
 * Encodes an advertisement. For v3 the checksum needs `ctx.src`/`ctx.dst`; without them the
 * given `checksum` is written, or 0 (what Keepalived sends to an IPv6 socket: the kernel
 * fills it in).
 */
export function encodeVrrp(fields: VrrpAdvertFields, ctx?: VrrpChecksumContext): Uint8Array {
  const { version, family, addresses } = fields;
  const len = vrrpPacketLength(version, family, addresses.length);
  const out = new Uint8Array(len);
  out[0] = ((version & 0x0f) << 4) | ((fields.type ?? VRRP_TYPE_ADVERTISEMENT) & 0x0f);
  out[1] = fields.vrid & 0xff;
  out[2] = fields.priority & 0xff;
  out[3] = addresses.length & 0xff;
  if (version === 2) {
    out[4] = fields.authType & 0xff;
    out[5] = fields.adverInt & 0xff;
  } else {
    const word = (((fields.reserved ?? 0) & 0x0f) << 12) | (fields.adverInt & 0x0fff);
    out[4] = word >> 8;
    out[5] = word & 0xff;
  }
  let off = VRRP_HEADER_LENGTH;
  for (const a of addresses) {
    const b = family === 4 ? parseIpv4(a) : parseIpv6(a);
    if (b) out.set(b, off);
    off += family === 4 ? 4 : 16;
  }
  if (version === 2 && family === 4) {
    out.set((fields.authData ?? new Uint8Array(0)).subarray(0, VRRP_AUTH_DATA_LENGTH), off);
  }
  const seed = checksumSeed(version, len, ctx);
  const sum = seed === undefined ? (fields.checksum ?? 0) : internetChecksum(out, 0, len, seed);
  out[6] = (sum >> 8) & 0xff;
  out[7] = sum & 0xff;
  return out;
}

export interface VrrpDecodeOptions extends VrrpChecksumContext {
  readonly family: 4 | 6;
  /** Default true. For v3 the checksum is checked only when src and dst are given. */
  readonly verifyChecksum?: boolean;
}

/** Decodes one VRRP packet (the IP payload). Never throws. */
export function decodeVrrp(bytes: Uint8Array, opts: VrrpDecodeOptions): VrrpDecodeResult {
  const { family } = opts;
  if (bytes.length < VRRP_HEADER_LENGTH) {
    return reject('length', `packet too short - ${bytes.length} bytes`);
  }
  const b0 = bytes[0]!;
  const version = b0 >> 4;
  if (version !== 2 && version !== 3) return reject('version', `version ${version}`);
  if (version === 2 && family === 6) return reject('version', 'VRRPv2 over IPv6');
  const count = bytes[3]!;
  const expected = vrrpPacketLength(version, family, count);
  if (bytes.length !== expected) {
    return reject(
      'length',
      `too ${bytes.length > expected ? 'long' : 'short'}, length ${bytes.length} and expect ${expected}`,
    );
  }
  const authType = version === 2 ? bytes[4]! : 0;
  if (version === 2 && authType > VRRP_AUTH.ah) {
    return reject('auth-type', `Invalid auth type: ${authType}`);
  }
  const type = b0 & 0x0f;
  if (type !== VRRP_TYPE_ADVERTISEMENT) return reject('type', `packet type ${type}`);
  const checksum = (bytes[6]! << 8) | bytes[7]!;
  if (opts.verifyChecksum !== false) {
    const seed = checksumSeed(version, bytes.length, opts);
    if (seed !== undefined && internetChecksum(bytes, 0, bytes.length, seed) !== 0) {
      return reject('checksum', `Invalid VRRPv${version} checksum`);
    }
  }
  const addresses: string[] = [];
  const step = family === 4 ? 4 : 16;
  for (let i = 0; i < count; i++) {
    const off = VRRP_HEADER_LENGTH + i * step;
    addresses.push(family === 4 ? formatIpv4(bytes, off) : formatIpv6(bytes, off));
  }
  const word = (bytes[4]! << 8) | bytes[5]!;
  const authStart = VRRP_HEADER_LENGTH + count * step;
  return {
    ok: true,
    advert: {
      version,
      type,
      vrid: bytes[1]!,
      priority: bytes[2]!,
      family,
      addresses,
      adverInt: version === 2 ? bytes[5]! : word & 0x0fff,
      authType,
      reserved: version === 3 ? word >> 12 : 0,
      authData:
        version === 2
          ? bytes.slice(authStart, authStart + VRRP_AUTH_DATA_LENGTH)
          : new Uint8Array(0),
      checksum,
    },
  };
}
