// Fakes of the VRRP host ports for runner unit tests: a transport that records sent
// adverts and can deliver received ones, an address manager and frame sender that record
// calls in one shared journal (to check the order on the wire), a link monitor, and a
// manual clock with timers.

import type {
  AddressManager,
  AddressSpec,
  FrameSender,
  InterfaceAddress,
  LinkEvent,
  LinkInfo,
  LinkMonitor,
  ReceivedAdvert,
  VrrpTransport,
  VrrpTransportOptions,
} from '../../src/os/ports.js';

export type Journal = string[];

export class FakeTransport implements VrrpTransport {
  readonly interface: string;
  readonly ifindex = 2;
  readonly family: 4 | 6;
  readonly sourceAddress: string;
  readonly sent: { bytes: Uint8Array; to: string | undefined }[] = [];
  closed = false;
  private readonly listeners = new Set<(a: ReceivedAdvert) => void>();

  constructor(
    readonly options: VrrpTransportOptions,
    private readonly journal: Journal,
  ) {
    this.interface = options.interface;
    this.family = options.family;
    this.sourceAddress = options.sourceAddress;
  }

  send(advert: Uint8Array, destination?: string): void {
    this.sent.push({ bytes: advert, to: destination });
    this.journal.push(`advert prio=${advert[2]} to=${destination ?? 'group'}`);
  }

  onAdvert(listener: (advert: ReceivedAdvert) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(): () => void {
    return () => {};
  }

  deliver(a: ReceivedAdvert): void {
    for (const l of this.listeners) l(a);
  }

  close(): void {
    this.closed = true;
  }
}

export class FakeAddresses implements AddressManager {
  readonly present = new Set<string>();
  constructor(
    private readonly journal: Journal,
    private readonly own: InterfaceAddress[] = [],
  ) {}

  async add(spec: AddressSpec): Promise<boolean> {
    this.journal.push(`add ${spec.address}/${spec.prefix} dev ${spec.interface}`);
    const had = this.present.has(spec.address);
    this.present.add(spec.address);
    return !had;
  }

  async remove(spec: AddressSpec): Promise<boolean> {
    this.journal.push(`remove ${spec.address}`);
    return this.present.delete(spec.address);
  }

  async list(): Promise<InterfaceAddress[]> {
    return this.own;
  }

  async primaryIpv4(): Promise<string | undefined> {
    return this.own.find((a) => a.family === 4)?.address;
  }

  close(): void {}
}

export class FakeFrames implements FrameSender {
  constructor(private readonly journal: Journal) {}
  async gratuitousArp(ifname: string, address: string): Promise<void> {
    this.journal.push(`garp ${ifname} ${address}`);
  }
  async unsolicitedNeighbourAdvert(ifname: string, address: string): Promise<void> {
    this.journal.push(`na ${ifname} ${address}`);
  }
  close(): void {}
}

export class FakeLinks implements LinkMonitor {
  private readonly listeners = new Set<(e: LinkEvent) => void>();
  constructor(readonly links: Map<string, LinkInfo>) {}
  async list(): Promise<LinkInfo[]> {
    return [...this.links.values()];
  }
  async get(name: string): Promise<LinkInfo | undefined> {
    return this.links.get(name);
  }
  onLink(listener: (e: LinkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(name: string, up: boolean): void {
    const old = this.links.get(name);
    if (!old) return;
    const link = { ...old, up, running: up };
    this.links.set(name, link);
    for (const l of this.listeners) l({ type: 'changed', link });
  }
  close(): void {}
}

export function link(name: string, ifindex: number, up = true): LinkInfo {
  return { ifindex, name, mac: '02:00:00:00:00:01', mtu: 1500, adminUp: up, running: up, up };
}

/** A manual clock; timers fire in time order when advanced. */
export class ManualClock {
  now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  readonly timers = {
    set: (fn: () => void, ms: number): unknown => {
      const id = ++this.seq;
      this.pending.set(id, { at: this.now + Math.max(0, ms), fn });
      return id;
    },
    clear: (h: unknown): void => {
      this.pending.delete(h as number);
    },
  };

  readonly clock = (): number => this.now;

  /** Runs every timer due up to now + ms, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (!next || e[1].at < next[1].at) next = e;
      if (!next || next[1].at > until) break;
      this.pending.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
    }
    this.now = until;
  }
}
