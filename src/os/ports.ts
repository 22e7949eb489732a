// The ports the VRRP engine uses to reach the host: small interfaces with domain types
// only. The Linux implementations live beside this file; fakes live in test/fakes.

import type { IpFamily } from '../net/ip-address.js';

export type { IpFamily };

// --- VRRP adverts on the wire -------------------------------------------------------------

export interface VrrpTransportOptions {
  /** The instance's `interface`. */
  readonly interface: string;
  readonly family: IpFamily;
  /**
   * Source address of sent adverts: `unicast_src_ip`, else the interface's primary IPv4
   * address (IPv6: its link-local address). Also the address the VRRPv3 checksum uses.
   */
  readonly sourceAddress: string;
  /** Join this group and send to it by default (224.0.0.18 / ff02::12); omit for unicast only. */
  readonly multicastGroup?: string;
}

/** One received IP datagram of protocol 112, the IP header already read. */
export interface ReceivedAdvert {
  readonly family: IpFamily;
  readonly source: string;
  /** Where it was sent: the multicast group or one of our addresses. */
  readonly destination: string;
  /** IPv4 TTL or IPv6 hop limit as received (RFC 5798 wants 255). */
  readonly ttl: number;
  /** Arrival interface. */
  readonly ifindex: number;
  /** The VRRP message (everything after the IP header, up to the IP total length). */
  readonly payload: Uint8Array;
  /** IPv4 only: the IP header's total length field (keepalived checks it against the packet). */
  readonly ipTotalLength?: number;
  /**
   * IPv4 only: the whole datagram as received, header included, for checks that read the
   * header themselves. Datagrams with an unreadable header are still delivered (empty
   * payload, TTL -1 when absent) so that they can be counted.
   */
  readonly ipDatagram?: Uint8Array;
}

export interface VrrpTransport {
  readonly interface: string;
  readonly ifindex: number;
  readonly family: IpFamily;
  readonly sourceAddress: string;
  /**
   * Sends one VRRP message to `destination`, by default the group. The kernel writes the
   * IP header as Keepalived does: TTL / hop limit 255, TOS 0xc0, DF clear, our source.
   */
  send(advert: Uint8Array, destination?: string): void;
  /** Registers a receive handler; returns a function that removes it. */
  onAdvert(listener: (advert: ReceivedAdvert) => void): () => void;
  /** Receive errors (never thrown from the event loop when a listener is registered). */
  onError(listener: (error: Error) => void): () => void;
  close(): void;
}

export type OpenVrrpTransport = (options: VrrpTransportOptions) => VrrpTransport;

// --- Addresses (virtual_ipaddress) ------------------------------------------------------

/** An address to add or remove, as a `virtual_ipaddress` line says it. */
export interface AddressSpec {
  readonly family: IpFamily;
  readonly address: string;
  readonly prefix: number;
  /** `dev`: the interface. */
  readonly interface: string;
  readonly label?: string;
  /** `brd`: an address, or `+` for the directed broadcast of address/prefix. */
  readonly broadcast?: string;
  /** `scope`: global, site, link, host, nowhere or a number. */
  readonly scope?: string | number;
  readonly noDad?: boolean;
}

export interface InterfaceAddress {
  readonly family: IpFamily;
  readonly address: string;
  readonly prefix: number;
  readonly ifindex: number;
  readonly label?: string;
  readonly broadcast?: string;
  readonly scope: number;
  readonly secondary: boolean;
  readonly tentative: boolean;
}

export interface AddressManager {
  /** Adds the address; false when it was already there. */
  add(spec: AddressSpec): Promise<boolean>;
  /** Removes the address; false when it was not there. */
  remove(spec: AddressSpec): Promise<boolean>;
  /** The addresses of one interface (by name), or of all interfaces. */
  list(interfaceName?: string): Promise<InterfaceAddress[]>;
  /** The interface's primary IPv4 address (first non-secondary), as VRRP's source address. */
  primaryIpv4(interfaceName: string): Promise<string | undefined>;
  close(): void;
}

// --- Links (interface, track_interface) -------------------------------------------------

export interface LinkInfo {
  readonly ifindex: number;
  readonly name: string;
  readonly mac: string;
  readonly mtu: number;
  /** IFF_UP: administratively up. */
  readonly adminUp: boolean;
  /** IFF_RUNNING: the kernel says it can pass traffic (carrier and operstate). */
  readonly running: boolean;
  /** Keepalived's test: IFF_UP and IFF_RUNNING. */
  readonly up: boolean;
}

export type LinkEvent =
  | { readonly type: 'changed'; readonly link: LinkInfo }
  | { readonly type: 'removed'; readonly link: LinkInfo };

export interface LinkMonitor {
  list(): Promise<LinkInfo[]>;
  get(name: string): Promise<LinkInfo | undefined>;
  /** Kernel link notifications (RTNLGRP_LINK), as they happen. */
  onLink(listener: (event: LinkEvent) => void): () => void;
  close(): void;
}

// --- Frames (gratuitous ARP, unsolicited neighbour advertisement) -----------------------

export interface FrameSender {
  /** ARP request, sender IP = target IP = address, from the interface's MAC to broadcast. */
  gratuitousArp(interfaceName: string, address: string): Promise<void>;
  /** ICMPv6 neighbour advertisement (override) for address, to all-nodes ff02::1. */
  unsolicitedNeighbourAdvert(interfaceName: string, address: string): Promise<void>;
  close(): void;
}
