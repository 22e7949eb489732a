// VrrpTransport over raw IP sockets (protocol 112), shaped like Keepalived's: one socket
// bound to the interface that joins the group and receives, and one send-only socket bound
// to the source address that sends with TTL / hop limit 255 and no multicast loopback.

import { HaloError } from '../config/diagnostics.js';
import { formatIp, ipBytes, isMulticast } from '../net/ip-address.js';
import {
  AF,
  IP,
  IP_PMTUDISC_DONT,
  IPPROTO,
  IPTOS_INTERNETCONTROL,
  IPV6,
  ifName,
  ipMreqn,
  ipv6Mreq,
  SO,
  SOCK,
  SOL,
  sockaddrAddress,
  sockaddrIn,
  sockaddrIn6,
} from './linux-abi.js';
import type { ReceivedMessage } from './native.js';
import { addon } from './native.js';
import type { ReceivedAdvert, VrrpTransport, VrrpTransportOptions } from './ports.js';
import { RawSocket } from './raw-socket.js';

export const VRRP_GROUP_IPV4 = '224.0.0.18';
export const VRRP_GROUP_IPV6 = 'ff02::12';

/**
 * Reads an IPv4 datagram as a raw socket returns it (header included). `from` and `to` are
 * what the kernel reported (sender sockaddr, IP_PKTINFO); a datagram whose header cannot
 * be read still comes out, with an empty payload, so the receive checks can count it.
 */
export function parseIpv4Datagram(
  data: Uint8Array,
  ifindex: number,
  from?: Uint8Array,
  to?: Uint8Array,
): Omit<ReceivedAdvert, 'family'> {
  const ihl = data.length > 0 ? ((data[0] as number) & 0x0f) * 4 : 0;
  const readable =
    data.length >= 20 && (data[0] as number) >> 4 === 4 && ihl >= 20 && ihl <= data.length;
  const total = data.length >= 4 ? ((data[2] as number) << 8) | (data[3] as number) : 0;
  const source = from ?? (data.length >= 16 ? data.subarray(12, 16) : undefined);
  const destination = to ?? (data.length >= 20 ? data.subarray(16, 20) : undefined);
  return {
    source: source ? formatIp(source) : '0.0.0.0',
    destination: destination ? formatIp(destination) : '0.0.0.0',
    ttl: data.length > 8 ? (data[8] as number) : -1,
    ifindex,
    payload: readable
      ? data.slice(ihl, Math.max(ihl, Math.min(total, data.length)))
      : new Uint8Array(0),
    ipTotalLength: total,
    ipDatagram: data,
  };
}

class RawVrrpTransport implements VrrpTransport {
  readonly family: 4 | 6;
  readonly interface: string;
  readonly sourceAddress: string;
  readonly ifindex: number;
  private readonly receiver: RawSocket;
  private readonly sender: RawSocket;
  private readonly defaultDestination: Uint8Array | undefined;

  constructor(o: VrrpTransportOptions) {
    this.family = o.family;
    this.interface = o.interface;
    this.sourceAddress = o.sourceAddress;
    this.ifindex = addon().ifNameToIndex(o.interface);
    if (this.ifindex === 0) {
      throw new HaloError('HALO_OS_NO_INTERFACE', `interface '${o.interface}' does not exist`);
    }
    const source = ipBytes(o.sourceAddress, o.family);
    const group = o.multicastGroup === undefined ? undefined : ipBytes(o.multicastGroup, o.family);
    if (group && !isMulticast(group)) {
      throw new HaloError('HALO_OS_ADDRESS', `${o.multicastGroup} is not a multicast group`);
    }
    this.defaultDestination = group;
    const domain = o.family === 4 ? AF.INET : AF.INET6;
    this.receiver = new RawSocket(domain, SOCK.RAW, IPPROTO.VRRP);
    try {
      this.sender = new RawSocket(domain, SOCK.RAW, IPPROTO.VRRP);
    } catch (e) {
      this.receiver.close();
      throw e;
    }
    try {
      // Room for a burst of adverts (or a flood) while the event loop is busy: what does not
      // fit is dropped by the kernel before halo can count it.
      // RCVBUFFORCE (root) passes net.core.rmem_max, which caps RCVBUF at about 208 KB.
      try {
        this.receiver.setOption(SOL.SOCKET, SO.RCVBUFFORCE, 1 << 20);
      } catch {
        this.receiver.setOption(SOL.SOCKET, SO.RCVBUF, 1 << 20);
      }
      if (o.family === 4) this.setUpIpv4(source, group);
      else this.setUpIpv6(source, group);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  send(advert: Uint8Array, destination?: string): void {
    const to =
      destination === undefined ? this.defaultDestination : ipBytes(destination, this.family);
    if (!to)
      throw new HaloError('HALO_OS_ADDRESS', 'no destination: no multicast group and no peer');
    const sa = this.family === 4 ? sockaddrIn(to) : sockaddrIn6(to, this.ifindex);
    this.sender.send(advert, sa);
  }

  onAdvert(listener: (advert: ReceivedAdvert) => void): () => void {
    return this.receiver.onMessage((m) => {
      const advert = this.family === 4 ? this.readIpv4(m) : this.readIpv6(m);
      if (advert) listener(advert);
    });
  }

  onError(listener: (error: Error) => void): () => void {
    return this.receiver.onError(listener);
  }

  close(): void {
    this.receiver.close();
    this.sender.close();
  }

  private setUpIpv4(source: Uint8Array, group: Uint8Array | undefined): void {
    const dev = ifName(this.interface);
    this.receiver.setOption(SOL.SOCKET, SO.BINDTODEVICE, dev).setOption(SOL.IP, IP.PKTINFO, 1);
    if (group) this.receiver.setOption(SOL.IP, IP.ADD_MEMBERSHIP, ipMreqn(group, this.ifindex));
    this.sender
      .sendOnly()
      .setOption(SOL.SOCKET, SO.BINDTODEVICE, dev)
      .setOption(SOL.IP, IP.MULTICAST_IF, ipMreqn(new Uint8Array(4), this.ifindex))
      .setOption(SOL.IP, IP.MULTICAST_TTL, 255)
      .setOption(SOL.IP, IP.TTL, 255)
      .setOption(SOL.IP, IP.MULTICAST_LOOP, 0)
      .setOption(SOL.IP, IP.TOS, IPTOS_INTERNETCONTROL)
      .setOption(SOL.IP, IP.MTU_DISCOVER, IP_PMTUDISC_DONT)
      .bind(sockaddrIn(source));
  }

  private setUpIpv6(source: Uint8Array, group: Uint8Array | undefined): void {
    const dev = ifName(this.interface);
    this.receiver
      .setOption(SOL.SOCKET, SO.BINDTODEVICE, dev)
      .setOption(SOL.IPV6, IPV6.RECVPKTINFO, 1)
      .setOption(SOL.IPV6, IPV6.RECVHOPLIMIT, 1);
    if (group) this.receiver.setOption(SOL.IPV6, IPV6.JOIN_GROUP, ipv6Mreq(group, this.ifindex));
    const linkLocal = source[0] === 0xfe && ((source[1] as number) & 0xc0) === 0x80;
    this.sender
      .sendOnly()
      .setOption(SOL.SOCKET, SO.BINDTODEVICE, dev)
      .setOption(SOL.IPV6, IPV6.MULTICAST_IF, this.ifindex)
      .setOption(SOL.IPV6, IPV6.MULTICAST_HOPS, 255)
      .setOption(SOL.IPV6, IPV6.UNICAST_HOPS, 255)
      .setOption(SOL.IPV6, IPV6.MULTICAST_LOOP, 0)
      .bind(sockaddrIn6(source, linkLocal ? this.ifindex : 0));
  }

  private readIpv4(m: ReceivedMessage): ReceivedAdvert {
    const from = sockaddrAddress(m.address);
    const d = parseIpv4Datagram(m.data, m.ifindex ?? this.ifindex, from, m.destination);
    return { family: 4, ...d };
  }

  private readIpv6(m: ReceivedMessage): ReceivedAdvert | undefined {
    const from = sockaddrAddress(m.address);
    if (from?.length !== 16) return undefined;
    return {
      family: 6,
      source: formatIp(from),
      destination: m.destination ? formatIp(m.destination) : '::',
      ttl: m.hopLimit ?? -1,
      ifindex: m.ifindex ?? this.ifindex,
      payload: m.data,
    };
  }
}

/** Opens the raw sockets for one VRRP instance's interface. Needs CAP_NET_RAW. */
export function openVrrpTransport(options: VrrpTransportOptions): VrrpTransport {
  return new RawVrrpTransport(options);
}
