// AddressManager over rtnetlink: VIPs added and removed with RTM_NEWADDR / RTM_DELADDR,
// addresses listed with an RTM_GETADDR dump.

import { HaloError } from '../config/diagnostics.js';
import { linkByName } from './link-monitor.js';
import { RTM } from './netlink-codec.js';
import { NetlinkError, NetlinkSocket } from './netlink-socket.js';
import type { AddressManager, AddressSpec, InterfaceAddress } from './ports.js';
import { addressRequest, dumpRequest, parseAddress } from './rtnetlink.js';

export class NetlinkAddressManager implements AddressManager {
  private readonly netlink = new NetlinkSocket();

  async add(spec: AddressSpec): Promise<boolean> {
    return this.change('add', spec, 'EEXIST');
  }

  async remove(spec: AddressSpec): Promise<boolean> {
    return this.change('remove', spec, 'EADDRNOTAVAIL');
  }

  async list(interfaceName?: string): Promise<InterfaceAddress[]> {
    const index = interfaceName === undefined ? undefined : await this.ifindex(interfaceName);
    const replies = await this.netlink.request(dumpRequest('address', 0), 'RTM_GETADDR');
    const out: InterfaceAddress[] = [];
    for (const m of replies) {
      if (m.type !== RTM.NEWADDR) continue;
      const a = parseAddress(m);
      if (a && (index === undefined || a.ifindex === index)) out.push(a);
    }
    return out;
  }

  async primaryIpv4(interfaceName: string): Promise<string | undefined> {
    const addrs = await this.list(interfaceName);
    return addrs.find((a) => a.family === 4 && !a.secondary)?.address;
  }

  close(): void {
    this.netlink.close();
  }

  private async ifindex(name: string): Promise<number> {
    const link = await linkByName(this.netlink, name);
    if (!link) throw new HaloError('HALO_OS_NO_INTERFACE', `interface '${name}' does not exist`);
    return link.ifindex;
  }

  private async change(op: 'add' | 'remove', spec: AddressSpec, noop: string): Promise<boolean> {
    const msg = addressRequest(op, spec, await this.ifindex(spec.interface), 0);
    const what = `${op === 'add' ? 'RTM_NEWADDR' : 'RTM_DELADDR'} ${spec.address}/${spec.prefix} dev ${spec.interface}`;
    try {
      await this.netlink.request(msg, what);
      return true;
    } catch (e) {
      if (e instanceof NetlinkError && e.code === noop) return false;
      throw e;
    }
  }
}
