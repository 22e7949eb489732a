// FrameSender over AF_PACKET: puts gratuitous ARPs and unsolicited neighbour
// advertisements on the wire. The interface's MAC is read from the kernel each time,
// so a MAC change is honoured; the socket (protocol 0) receives nothing.

import { HaloError } from '../config/diagnostics.js';
import { ipBytes, parseMac } from '../net/ip-address.js';
import { ALL_NODES_MAC, BROADCAST_MAC, gratuitousArpFrame, unsolicitedNaFrame } from './frames.js';
import type { NetlinkLinkMonitor } from './link-monitor.js';
import { AF, ETH_P, SOCK, sockaddrLl } from './linux-abi.js';
import type { FrameSender, LinkInfo } from './ports.js';
import { RawSocket } from './raw-socket.js';

export class PacketFrameSender implements FrameSender {
  private readonly socket = new RawSocket(AF.PACKET, SOCK.RAW, 0);

  constructor(private readonly links: Pick<NetlinkLinkMonitor, 'get'>) {}

  async gratuitousArp(interfaceName: string, address: string): Promise<void> {
    const { link, mac } = await this.link(interfaceName);
    const frame = gratuitousArpFrame(mac, ipBytes(address, 4));
    this.socket.send(frame, sockaddrLl(link.ifindex, ETH_P.ARP, BROADCAST_MAC));
  }

  async unsolicitedNeighbourAdvert(interfaceName: string, address: string): Promise<void> {
    const { link, mac } = await this.link(interfaceName);
    const frame = unsolicitedNaFrame(mac, ipBytes(address, 6));
    this.socket.send(frame, sockaddrLl(link.ifindex, ETH_P.IPV6, ALL_NODES_MAC));
  }

  close(): void {
    this.socket.close();
  }

  private async link(name: string): Promise<{ link: LinkInfo; mac: Uint8Array }> {
    const link = await this.links.get(name);
    if (!link) throw new HaloError('HALO_OS_NO_INTERFACE', `interface '${name}' does not exist`);
    const mac = parseMac(link.mac);
    if (!mac) {
      throw new HaloError('HALO_OS_NO_MAC', `interface '${name}' has no Ethernet address`);
    }
    return { link, mac };
  }
}
