// The Linux implementations of the VRRP ports, opened together for the daemon (the only
// place that wires real adapters). Everything opened here belongs to the network
// namespace the process is in when it is called.

import { NetlinkAddressManager } from './address-manager.js';
import { netCapabilities } from './capabilities.js';
import { PacketFrameSender } from './frame-sender.js';
import { NetlinkLinkMonitor } from './link-monitor.js';
import type { AddressManager, FrameSender, LinkMonitor, OpenVrrpTransport } from './ports.js';
import { openVrrpTransport } from './vrrp-transport.js';

export interface LinuxHost {
  readonly addresses: AddressManager;
  readonly links: LinkMonitor;
  readonly frames: FrameSender;
  readonly openTransport: OpenVrrpTransport;
  close(): void;
}

export function openLinuxHost(): LinuxHost {
  const links = new NetlinkLinkMonitor();
  let addresses: NetlinkAddressManager | undefined;
  try {
    addresses = new NetlinkAddressManager();
    const frames = new PacketFrameSender(links);
    const all = { addresses, links, frames };
    return {
      ...all,
      openTransport: openVrrpTransport,
      close() {
        frames.close();
        all.addresses.close();
        links.close();
      },
    };
  } catch (e) {
    addresses?.close();
    links.close();
    throw e;
  }
}

/** Why this process cannot run VRRP, in words for the operator; undefined when it can. */
export function missingCapabilities(): string | undefined {
  const caps = netCapabilities();
  if (caps.ok) return undefined;
  const missing = [!caps.netRaw && 'CAP_NET_RAW', !caps.netAdmin && 'CAP_NET_ADMIN'].filter(
    Boolean,
  );
  return `needs root or ${missing.join(' and ')} (raw VRRP sockets, adding virtual addresses)`;
}
