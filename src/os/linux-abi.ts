// Linux socket ABI numbers and `struct sockaddr_*` layouts (pure). The numbers are the
// kernel's stable userspace ABI (same on x86_64 and arm64); multi-byte host-order fields
// are little-endian, which every platform halo targets is (the adapters check it).

export const AF = { UNIX: 1, INET: 2, INET6: 10, NETLINK: 16, PACKET: 17 } as const;
export const SOCK = { DGRAM: 2, RAW: 3 } as const;
export const SOL = { SOCKET: 1, IP: 0, IPV6: 41, PACKET: 263 } as const;
export const IPPROTO = { VRRP: 112, ICMPV6: 58 } as const;
export const NETLINK_ROUTE = 0;
export const ETH_P = { ARP: 0x0806, IPV6: 0x86dd } as const;

export const SO = { RCVBUF: 8, BINDTODEVICE: 25, RCVBUFFORCE: 33 } as const;
export const IP = {
  TOS: 1,
  TTL: 2,
  MTU_DISCOVER: 10,
  PKTINFO: 8,
  RECVTTL: 12,
  MULTICAST_IF: 32,
  MULTICAST_TTL: 33,
  MULTICAST_LOOP: 34,
  ADD_MEMBERSHIP: 35,
  DROP_MEMBERSHIP: 36,
} as const;
export const IPV6 = {
  UNICAST_HOPS: 16,
  MULTICAST_IF: 17,
  MULTICAST_HOPS: 18,
  MULTICAST_LOOP: 19,
  JOIN_GROUP: 20,
  LEAVE_GROUP: 21,
  RECVPKTINFO: 49,
  RECVHOPLIMIT: 51,
} as const;

/** IP_MTU_DISCOVER value: never set DF (Keepalived's adverts go out with DF clear). */
export const IP_PMTUDISC_DONT = 0;
/** IPTOS_PREC_INTERNETCONTROL, the TOS Keepalived gives its adverts. */
export const IPTOS_INTERNETCONTROL = 0xc0;

/** A classic BPF program of one instruction, `ret #0`: the socket queues nothing. */
export const BPF_DROP_ALL = Uint8Array.of(0x06, 0x00, 0, 0, 0, 0, 0, 0);

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** struct sockaddr_in (16 bytes). */
export function sockaddrIn(address: Uint8Array, port = 0): Uint8Array {
  const out = new Uint8Array(16);
  const v = view(out);
  v.setUint16(0, AF.INET, true);
  v.setUint16(2, port, false);
  out.set(address.subarray(0, 4), 4);
  return out;
}

/** struct sockaddr_in6 (28 bytes); scopeId is the ifindex for link-local addresses. */
export function sockaddrIn6(address: Uint8Array, scopeId = 0, port = 0): Uint8Array {
  const out = new Uint8Array(28);
  const v = view(out);
  v.setUint16(0, AF.INET6, true);
  v.setUint16(2, port, false);
  out.set(address.subarray(0, 16), 8);
  v.setUint32(24, scopeId, true);
  return out;
}

/** struct sockaddr_un for a path (at most 107 bytes: sun_path ends with a NUL). */
export function sockaddrUn(path: string): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length > 107) throw new RangeError(`unix socket path too long: ${path}`);
  const out = new Uint8Array(2 + bytes.length + 1);
  view(out).setUint16(0, AF.UNIX, true);
  out.set(bytes, 2);
  return out;
}

/**
 * The sockaddr_un of a `$NOTIFY_SOCKET`: a path, or `@name` for the abstract namespace
 * (sun_path starts with a NUL and the name is not NUL-terminated: its length is the
 * address length).
 */
export function sockaddrUnNotify(socket: string): Uint8Array {
  if (!socket.startsWith('@')) return sockaddrUn(socket);
  const bytes = new TextEncoder().encode(socket.slice(1));
  if (bytes.length > 107) throw new RangeError(`unix socket name too long: ${socket}`);
  const out = new Uint8Array(3 + bytes.length);
  view(out).setUint16(0, AF.UNIX, true);
  out.set(bytes, 3);
  return out;
}

/** struct sockaddr_nl (12 bytes): pid 0 is the kernel; groups is the RTMGRP_* bit mask. */
export function sockaddrNl(groups = 0, pid = 0): Uint8Array {
  const out = new Uint8Array(12);
  const v = view(out);
  v.setUint16(0, AF.NETLINK, true);
  v.setUint32(4, pid, true);
  v.setUint32(8, groups, true);
  return out;
}

/** struct sockaddr_ll (20 bytes) addressing a frame to `mac` on interface `ifindex`. */
export function sockaddrLl(ifindex: number, protocol: number, mac: Uint8Array): Uint8Array {
  const out = new Uint8Array(20);
  const v = view(out);
  v.setUint16(0, AF.PACKET, true);
  v.setUint16(2, protocol, false);
  v.setInt32(4, ifindex, true);
  out[11] = mac.length;
  out.set(mac.subarray(0, 8), 12);
  return out;
}

/** The address bytes inside a sockaddr_in / sockaddr_in6, or undefined for other families. */
export function sockaddrAddress(sa: Uint8Array): Uint8Array | undefined {
  if (sa.length < 2) return undefined;
  const family = view(sa).getUint16(0, true);
  if (family === AF.INET && sa.length >= 8) return sa.slice(4, 8);
  if (family === AF.INET6 && sa.length >= 24) return sa.slice(8, 24);
  return undefined;
}

/** struct ip_mreqn: group, local address (any), ifindex. */
export function ipMreqn(group: Uint8Array, ifindex: number): Uint8Array {
  const out = new Uint8Array(12);
  out.set(group.subarray(0, 4), 0);
  view(out).setInt32(8, ifindex, true);
  return out;
}

/** struct ipv6_mreq: group, ifindex. */
export function ipv6Mreq(group: Uint8Array, ifindex: number): Uint8Array {
  const out = new Uint8Array(20);
  out.set(group.subarray(0, 16), 0);
  view(out).setInt32(16, ifindex, true);
  return out;
}

/** A NUL-terminated interface name, for SO_BINDTODEVICE. */
export function ifName(name: string): Uint8Array {
  const out = new Uint8Array(name.length + 1);
  for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i) & 0xff;
  return out;
}
