// Ethernet frames a new VRRP master sends so neighbours move the VIP to its MAC (pure):
// the gratuitous ARP request (RFC 5227 announcement form, as Keepalived sends it) and the
// IPv6 unsolicited neighbour advertisement (RFC 4861 section 7.2.6).

import { ETH_P } from './linux-abi.js';

export const BROADCAST_MAC = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
/** 33:33:00:00:00:01, the Ethernet address of ff02::1 (all nodes). */
export const ALL_NODES_MAC = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);
export const ALL_NODES_IPV6 = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
/** Ethernet frames shorter than this (without FCS) are padded. */
const MIN_FRAME = 60;

function ethernet(dst: Uint8Array, src: Uint8Array, type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.max(MIN_FRAME, 14 + body.length));
  out.set(dst, 0);
  out.set(src, 6);
  out[12] = type >> 8;
  out[13] = type & 0xff;
  out.set(body, 14);
  return out;
}

/** ARP request: sender = target = address, from mac, to broadcast. */
export function gratuitousArpFrame(mac: Uint8Array, address: Uint8Array): Uint8Array {
  const arp = new Uint8Array(28);
  arp.set([0, 1, 0x08, 0x00, 6, 4, 0, 1], 0); // Ethernet, IPv4, hlen 6, plen 4, request
  arp.set(mac, 8);
  arp.set(address, 14);
  arp.set(BROADCAST_MAC, 18);
  arp.set(address, 24);
  return ethernet(BROADCAST_MAC, mac, ETH_P.ARP, arp);
}

/** The Internet checksum (RFC 1071) of the concatenated parts. */
export function internetChecksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    for (const b of p) {
      if (odd === undefined) odd = b;
      else {
        sum += (odd << 8) | b;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** ICMPv6 neighbour advertisement for address (override flag, target link-layer option). */
export function unsolicitedNaFrame(
  mac: Uint8Array,
  address: Uint8Array,
  router = false,
): Uint8Array {
  const icmp = new Uint8Array(32);
  icmp[0] = 136; // neighbour advertisement
  icmp[4] = 0x20 | (router ? 0x80 : 0); // O (and R)
  icmp.set(address, 8);
  icmp[24] = 2; // target link-layer address option
  icmp[25] = 1; // length in units of 8 bytes
  icmp.set(mac, 26);
  const pseudo = new Uint8Array(40);
  pseudo.set(address, 0);
  pseudo.set(ALL_NODES_IPV6, 16);
  pseudo[35] = icmp.length;
  pseudo[39] = 58;
  const sum = internetChecksum([pseudo, icmp]);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  const ip6 = new Uint8Array(40);
  ip6[0] = 0x60;
  ip6[5] = icmp.length;
  ip6[6] = 58; // next header ICMPv6
  ip6[7] = 255; // hop limit, required for ND
  ip6.set(address, 8);
  ip6.set(ALL_NODES_IPV6, 24);
  const body = new Uint8Array(72);
  body.set(ip6, 0);
  body.set(icmp, 40);
  return ethernet(ALL_NODES_MAC, mac, ETH_P.IPV6, body);
}
