// LinkMonitor over rtnetlink: an RTM_GETLINK dump for the current links, and the
// RTNLGRP_LINK notifications for changes (no polling), plus interfaceExists() for
// `halo check`, which must open no socket.

import { existsSync } from 'node:fs';
import { type NetlinkMessage, RTM, RTMGRP } from './netlink-codec.js';
import { NetlinkError, NetlinkSocket } from './netlink-socket.js';
import type { LinkEvent, LinkInfo, LinkMonitor } from './ports.js';
import { dumpRequest, linkByNameRequest, parseLink } from './rtnetlink.js';

/** Whether a network interface of that name exists in this process's network namespace. */
export function interfaceExists(name: string): boolean {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.length > 15) {
    return false;
  }
  return existsSync(`/sys/class/net/${name}`);
}

/** One link by name over an open rtnetlink socket; undefined when there is none. */
export async function linkByName(
  netlink: NetlinkSocket,
  name: string,
): Promise<LinkInfo | undefined> {
  try {
    const replies = await netlink.request(linkByNameRequest(name, 0), `RTM_GETLINK ${name}`);
    const m = replies.find((r) => r.type === RTM.NEWLINK);
    return m && parseLink(m);
  } catch (e) {
    if (e instanceof NetlinkError && e.code === 'ENODEV') return undefined;
    throw e;
  }
}

export class NetlinkLinkMonitor implements LinkMonitor {
  private readonly requests = new NetlinkSocket();
  // Subscribed from the start, so notifications come from the namespace the monitor was
  // created in, and no change is missed between list() and onLink().
  private readonly events = new NetlinkSocket({ groups: RTMGRP.LINK });
  private readonly listeners = new Set<(e: LinkEvent) => void>();

  constructor() {
    this.events.onNotification((m) => this.notify(m));
    this.events.ref(false);
  }

  async list(): Promise<LinkInfo[]> {
    const replies = await this.requests.request(dumpRequest('link', 0), 'RTM_GETLINK');
    return replies.filter((m) => m.type === RTM.NEWLINK).map(parseLink);
  }

  async get(name: string): Promise<LinkInfo | undefined> {
    return linkByName(this.requests, name);
  }

  onLink(listener: (event: LinkEvent) => void): () => void {
    this.listeners.add(listener);
    this.events.ref(true);
    return () => {
      this.listeners.delete(listener);
      this.events.ref(this.listeners.size > 0);
    };
  }

  close(): void {
    this.listeners.clear();
    this.events.close();
    this.requests.close();
  }

  private notify(m: NetlinkMessage): void {
    if (m.type !== RTM.NEWLINK && m.type !== RTM.DELLINK) return;
    let link: LinkInfo;
    try {
      link = parseLink(m);
    } catch {
      return; // a message we cannot read is not a link change we can act on
    }
    const event: LinkEvent =
      m.type === RTM.NEWLINK ? { type: 'changed', link } : { type: 'removed', link };
    for (const l of this.listeners) l(event);
  }
}
