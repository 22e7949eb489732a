// Builds the advert an instance sends, byte for byte as Keepalived 2.2.7 does (IPv4 header
// with TOS 0xc0, TTL 255, an ID counting from 1; VRRPv2 with the zero-padded PASS data;
// VRRPv3 with the pseudo-header checksum), for the runner to write to a raw socket.

import { encodeVrrp, passwordAuthData, VRRP_AUTH } from './codec.js';
import { buildIpv4Packet } from './ipv4.js';
import type { VrrpInstanceSettings } from './types.js';

export interface AdvertAddressing {
  readonly src: string;
  /** 224.0.0.18 / ff02::12, or one unicast peer. */
  readonly dst: string;
  /** IPv4 Identification; Keepalived counts 1, 2, ... per advert (skipping 0). */
  readonly ipId: number;
}

/** IPv4: the whole datagram (for IP_HDRINCL). IPv6: the VRRP packet (the kernel adds the header). */
export function buildAdvert(
  s: Pick<
    VrrpInstanceSettings,
    'version' | 'family' | 'vrid' | 'advertIntMs' | 'vips' | 'authType' | 'authPass'
  >,
  priority: number,
  addr: AdvertAddressing,
): Uint8Array {
  const v2 = s.version === 2;
  const vrrp = encodeVrrp(
    {
      version: s.version,
      family: s.family,
      vrid: s.vrid,
      priority,
      addresses: s.vips,
      adverInt: v2 ? Math.floor(s.advertIntMs / 1000) : Math.floor(s.advertIntMs / 10) & 0x0fff,
      authType: v2 ? s.authType : 0,
      authData:
        v2 && s.authType === VRRP_AUTH.pass ? passwordAuthData(s.authPass ?? '') : undefined,
    },
    { src: addr.src, dst: addr.dst },
  );
  if (s.family === 6) return vrrp;
  return buildIpv4Packet({ src: addr.src, dst: addr.dst, id: addr.ipId }, vrrp);
}
