// The receive checks of one VRRP instance, in Keepalived 2.2.7's order (vrrp_get_header and
// vrrp_check_packet in keepalived/vrrp/vrrp.c), each with its reason, its counter and
// Keepalived's log line. Pure: the runner hands in the datagram and what the socket told it
// (TTL/hop limit, source, destination); the state machine gets a checked advert or a drop.

import { formatIpv4, isMulticast, parseIp } from '../net/ip-address.js';
import { internetChecksum, pseudoHeaderSum } from './checksum.js';
import {
  decodeVrrp,
  VRRP_AUTH,
  VRRP_AUTH_DATA_LENGTH,
  VRRP_HEADER_LENGTH,
  type VrrpAdvert,
  vrrpPacketLength,
} from './codec.js';
import { VRRP_TTL } from './ipv4.js';

/** What the checks need to know about the receiving instance. */
export interface ReceiveCheckConfig {
  readonly name: string;
  readonly version: 2 | 3;
  readonly family: 4 | 6;
  readonly vrid: number;
  readonly authType: number;
  /** The 8 bytes of the configured password (PASS), zero padded. */
  readonly authData: Uint8Array;
  readonly advertIntMs: number;
  readonly vips: readonly string[];
  readonly unicast: boolean;
  readonly unicastPeers: readonly string[];
  /** `check_unicast_src` (instance or global): drop unicast adverts from non-peers. */
  readonly checkUnicastSrc: boolean;
}

/** A datagram as read from the raw socket. */
export interface ReceivedDatagram {
  /** IPv4: the whole IP datagram (the socket hands the header over). IPv6: the VRRP payload. */
  readonly bytes: Uint8Array;
  /** IPv6 only (ancillary data); IPv4 reads them from the header. */
  readonly src?: string;
  readonly dst?: string;
  readonly hopLimit?: number;
}

export type DropReason =
  | 'too-short'
  | 'vrid'
  | 'length'
  | 'ttl'
  | 'version'
  | 'auth-type'
  | 'auth-type-mismatch'
  | 'auth-failure'
  | 'advert-interval'
  | 'type'
  | 'address-count'
  | 'ip-total-length'
  | 'checksum'
  | 'cast-mismatch'
  | 'address-list'
  | 'unicast-source';

export const DROP_REASONS: readonly DropReason[] = [
  'too-short',
  'vrid',
  'length',
  'ttl',
  'version',
  'auth-type',
  'auth-type-mismatch',
  'auth-failure',
  'advert-interval',
  'type',
  'address-count',
  'ip-total-length',
  'checksum',
  'cast-mismatch',
  'address-list',
  'unicast-source',
];

export type ReceiveCheckResult =
  | {
      readonly ok: true;
      readonly advert: VrrpAdvert;
      readonly src: string;
      readonly ttl: number | undefined;
    }
  | {
      readonly ok: false;
      readonly reason: DropReason;
      /** Keepalived's log line for this drop; undefined where Keepalived stays silent. */
      readonly log: string | undefined;
      /** True when Keepalived counts the packet as an advert received before dropping it. */
      readonly countedAsAdvert: boolean;
    };

const drop = (reason: DropReason, log: string | undefined, countedAsAdvert = false) =>
  ({ ok: false, reason, log, countedAsAdvert }) as const;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Runs every check; never throws. */
export function checkAdvert(cfg: ReceiveCheckConfig, dg: ReceivedDatagram): ReceiveCheckResult {
  const n = `(${cfg.name})`;
  const buf = dg.bytes;
  let ihl = 0;
  if (cfg.family === 4) {
    ihl = buf.length > 0 ? (buf[0]! & 0x0f) * 4 : 0;
    if (buf.length < 20 || buf.length < ihl + VRRP_HEADER_LENGTH) {
      return drop('too-short', `IPv4 VRRP packet too short - ${buf.length} bytes`);
    }
  } else if (buf.length < VRRP_HEADER_LENGTH) {
    return drop('too-short', `IPv6 VRRP packet too short - ${buf.length} bytes`);
  }
  const hd = buf.subarray(ihl);
  // Keepalived routes by VRID before any check; an unknown one is ignored without a word.
  if (hd[1] !== cfg.vrid) return drop('vrid', undefined);

  const version = hd[0]! >> 4;
  const count = hd[3]!;
  const expected = ihl + vrrpPacketLength(version === 2 ? 2 : 3, cfg.family, count);
  if (buf.length !== expected) {
    const how = buf.length > expected ? 'long' : 'short';
    return drop(
      'length',
      `${n} vrrp packet too ${how}, length ${buf.length} and expect ${expected}`,
    );
  }
  const ttl = cfg.family === 4 ? buf[8]! : dg.hopLimit;
  if (!cfg.unicast && ttl !== undefined && ttl !== VRRP_TTL) {
    return drop('ttl', `${n} invalid TTL/HL. Received ${ttl} and expect ${VRRP_TTL}`);
  }
  if (version !== cfg.version) {
    return drop('version', `${n} wrong version. Received ${version} and expect ${cfg.version}`);
  }
  if (version === 2) {
    const authType = hd[4]!;
    if (authType > VRRP_AUTH.ah) return drop('auth-type', `${n} Invalid auth type: ${authType}`);
    if (authType !== cfg.authType) {
      return drop(
        'auth-type-mismatch',
        `${n} received a ${authType} auth, expecting ${cfg.authType}!`,
      );
    }
    if (cfg.authType === VRRP_AUTH.pass) {
      const pw = buf.subarray(buf.length - VRRP_AUTH_DATA_LENGTH);
      if (!bytesEqual(pw, cfg.authData)) {
        return drop('auth-failure', `${n} received an invalid passwd!`);
      }
    }
    const rcvd = hd[5]!;
    if (rcvd * 1000 !== cfg.advertIntMs) {
      const mine = Math.floor(cfg.advertIntMs / 1000);
      return drop(
        'advert-interval',
        `${n} advertisement interval mismatch mine=${mine} sec rcv'd=${rcvd} sec`,
      );
    }
  }
  const type = hd[0]! & 0x0f;
  if (type !== 1) return drop('type', `${n} Invalid packet type. ${type} and expect 1`);
  if (count !== cfg.vips.length) {
    return drop(
      'address-count',
      `${n} received an unexpected ip number count ${count}, expected ${cfg.vips.length}!`,
    );
  }
  let src = dg.src ?? '';
  let dst = dg.dst ?? '';
  if (cfg.family === 4) {
    const totLen = (buf[2]! << 8) | buf[3]!;
    if (totLen !== buf.length) {
      return drop(
        'ip-total-length',
        `${n} ip_tot_len mismatch against received length. ${totLen} and received ${buf.length}`,
      );
    }
    src = formatIpv4(buf, 12);
    dst = formatIpv4(buf, 16);
    // The kernel verifies IPv6 checksums (IPV6_CHECKSUM); IPv4 ones are ours to check.
    const vlen = buf.length - ihl;
    const seed = version === 3 ? (pseudoHeaderSum(src, dst, vlen) ?? 0) : 0;
    if (internetChecksum(hd, 0, vlen, seed) !== 0) {
      return drop('checksum', `${n} Invalid VRRPv${version} checksum`);
    }
  }
  // IPv6 without the destination from IPV6_PKTINFO cannot be told apart; let it through.
  if (dst !== '' && isMulticast(parseIp(dst)?.bytes ?? new Uint8Array(4)) === cfg.unicast) {
    const [want, got] = cfg.unicast ? ['un', 'mult'] : ['mult', 'un'];
    return drop(
      'cast-mismatch',
      `${n} Expected ${want}icast packet but received ${got}icast packet`,
    );
  }
  const decoded = decodeVrrp(hd, { family: cfg.family, verifyChecksum: false });
  if (!decoded.ok) return drop('length', `${n} ${decoded.detail}`);
  const advert = decoded.advert;
  const have = new Set(advert.addresses.map(canonical));
  for (const vip of cfg.vips) {
    if (!have.has(canonical(vip))) {
      return drop(
        'address-list',
        `${n} ip address associated with VRID ${cfg.vrid} not present in MASTER advert: ${vip}`,
        true,
      );
    }
  }
  if (cfg.unicast && cfg.checkUnicastSrc) {
    const peers = new Set(cfg.unicastPeers.map(canonical));
    if (!peers.has(canonical(src))) {
      return drop('unicast-source', `${n} unicast source address ${src} not a unicast peer`, true);
    }
  }
  return { ok: true, advert, src, ttl };
}

function canonical(addr: string): string {
  const p = parseIp(addr);
  return p ? `${p.family}:${Array.from(p.bytes).join('.')}` : addr;
}
