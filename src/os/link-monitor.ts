// LinkMonitor over rtnetlink: an RTM_GETLINK dump for the current links, and the
// RTNLGRP_LINK notifications for changes (no polling), plus interfaceExists() for
// `halo check`, which must open no socket.

import { existsSync } from 'node:fs';
import { RTM, RTMGRP } from './netlink-codec.js';
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
  private events: NetlinkSocket | undefined;
  private readonly listeners = new Set<(e: LinkEvent) => void>();

  async list(): Promise<LinkInfo[]> {
    const replies = await this.requests.request(dumpRequest('link', 0), 'RTM_GETLINK');
    return replies.filter((m) => m.type === RTM.NEWLINK).map(parseLink);
  }

  async get(name: string): Promise<LinkInfo | undefined> {
    return linkByName(this.requests, name);
  }

  onLink(listener: (event: LinkEvent) => void): () => void {
    if (!this.events) {
      this.events = new NetlinkSocket({ groups: RTMGRP.LINK });
      this.events.onNotification((m) => {
        if (m.type !== RTM.NEWLINK && m.type !== RTM.DELLINK) return;
        let link: LinkInfo;
        try {
          link = parseLink(m);
        } catch {
          return;
        }
        const event: LinkEvent =
          m.type === RTM.NEWLINK ? { type: 'changed', link } : { type: 'removed', link };
        for (const l of this.listeners) l(event);
      });
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.events?.close();
        this.events = undefined;
      }
    };
  }

  close(): void {
    this.listeners.clear();
    this.events?.close();
    this.events = undefined;
    this.requests.close();
  }
}
