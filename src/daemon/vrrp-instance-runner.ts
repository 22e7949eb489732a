// Runs one VrrpInstance against the host: carries out its effects (adverts through the
// transport, VIPs through netlink, gratuitous ARPs / NAs, timers, notify scripts, log
// lines) and feeds it received packets, timer expiries, script results and link changes.
// Host changes that take time (netlink, frames) run in order on one chain, so "advert,
// then VIPs, then gratuitous ARPs" holds on the wire as Keepalived does it.

import type {
  VirtualAddress,
  VrrpInstance as VrrpInstanceConfig,
} from '../config/keepalived/model.js';
import type { AddressManager, AddressSpec, FrameSender, VrrpTransport } from '../os/ports.js';
import {
  buildAdvert,
  type TimerKind,
  type VrrpEffect,
  type VrrpEvent,
  VrrpInstance,
  type VrrpInstanceSettings,
  type VrrpSnapshot,
} from '../vrrp/index.js';
import { kaLog } from '../vrrp/log-strings.js';
import type { VrrpLog } from './vrrp-log.js';

/** setTimeout/clearTimeout, injectable for tests. */
export interface TimerPort {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: TimerPort = {
  set: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface InstanceRunnerDeps {
  readonly transport: VrrpTransport;
  readonly addresses: AddressManager;
  readonly frames: FrameSender;
  readonly log: VrrpLog;
  /** Monotonic milliseconds. */
  readonly clock: () => number;
  readonly timers: TimerPort;
  /** notify_* scripts: the state entered and the priority to pass to `notify`. */
  readonly notify: (state: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP', priority: number) => void;
  /** Milliseconds between gratuitous ARPs (global vrrp_garp_interval). */
  readonly garpIntervalMs: number;
  /** Where adverts go without unicast peers (vrrp_mcast_group4/6). */
  readonly multicastGroup: string;
  /** Adverts for VRIDs another instance on this interface owns are not ours to count. */
  readonly foreignVrid?: (vrid: number) => boolean;
  /** Every state change with its reason (halo run logs it and updates `show vrrp`). */
  readonly onTransition?: (e: Extract<VrrpEffect, { type: 'Transition' }>) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function addressSpec(v: VirtualAddress, defaultInterface: string): AddressSpec {
  return {
    family: v.family,
    address: v.address,
    prefix: v.prefix,
    interface: v.dev ?? defaultInterface,
    ...(v.label === undefined ? {} : { label: v.label }),
    ...(v.brd === undefined ? {} : { broadcast: v.brd }),
    ...(v.scope === undefined ? {} : { scope: v.scope }),
    ...(v.noDad ? { noDad: true } : {}),
  };
}

export class InstanceRunner {
  readonly instance: VrrpInstance;
  private readonly timers = new Map<TimerKind, unknown>();
  private chain: Promise<void> = Promise.resolve();
  private readonly offAdvert: () => void;
  private readonly offError: () => void;
  private stopped = false;
  /**
   * Set for a vrrp_sync_group member: events go through the group, which hands each member
   * its effects (applyEffect).
   */
  router: ((event: VrrpEvent) => void) | undefined;

  constructor(
    readonly settings: VrrpInstanceSettings,
    readonly config: VrrpInstanceConfig,
    private readonly deps: InstanceRunnerDeps,
  ) {
    this.instance = new VrrpInstance(settings);
    this.offAdvert = deps.transport.onAdvert((r) => {
      const vrid = r.payload[1];
      if (vrid !== undefined && vrid !== settings.vrid && deps.foreignVrid?.(vrid)) return;
      const datagram =
        r.family === 4
          ? { bytes: r.ipDatagram ?? r.payload }
          : { bytes: r.payload, src: r.source, dst: r.destination, hopLimit: r.ttl };
      this.handle({ type: 'PacketReceived', datagram });
    });
    this.offError = deps.transport.onError((e) =>
      deps.log.info(`(${settings.name}) receive error: ${e.message}`),
    );
  }

  get name(): string {
    return this.settings.name;
  }

  snapshot(): VrrpSnapshot {
    return this.instance.snapshot();
  }

  start(
    links: Readonly<Record<string, boolean>>,
    files: Readonly<Record<string, number>> = {},
    sources: Readonly<Record<string, boolean>> = {},
  ): void {
    this.handle({ type: 'Startup', links, files, sources });
  }

  handle(event: VrrpEvent): void {
    if (this.stopped) return;
    if (this.router) {
      this.router(event);
      return;
    }
    const effects = this.instance.handle(event, this.deps.clock());
    this.hostWorkQueued = false;
    for (const e of effects) this.apply(e);
    this.hostWorkQueued = false;
  }

  /**
   * VIP or frame work was queued earlier in this step: an advert the machine put after it
   * (a preempting master announces first) waits for it instead of overtaking it.
   */
  private hostWorkQueued = false;

  /** Carries out one effect of this instance (from its sync group). */
  applyEffect(e: VrrpEffect): void {
    if (!this.stopped) this.apply(e);
  }

  /** Shutdown: priority-0 advert when MASTER, VIPs removed, notify STOP; then sockets closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.handle({ type: 'Shutdown' });
    this.stopped = true;
    for (const h of this.timers.values()) this.deps.timers.clear(h);
    this.timers.clear();
    await this.chain;
    this.offAdvert();
    this.offError();
    this.deps.transport.close();
  }

  /** Waits for the host changes queued so far (VIPs, frames). */
  settled(): Promise<void> {
    return this.chain;
  }

  private enqueue(what: string, job: () => Promise<void>): void {
    this.chain = this.chain.then(job).catch((e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      this.deps.log.info(`(${this.name}) ${what} failed: ${msg}`);
    });
  }

  private apply(e: VrrpEffect): void {
    switch (e.type) {
      case 'Log':
        if (e.detail) this.deps.log.detail(e.text);
        else this.deps.log.info(e.text);
        break;
      case 'SendAdvert':
        if (this.hostWorkQueued) this.enqueue('advert', async () => this.sendAdvert(e.priority));
        else this.sendAdvert(e.priority);
        break;
      case 'AddVips':
        this.hostWorkQueued = true;
        this.enqueue('setting VIPs', () => this.changeVips('add'));
        break;
      case 'RemoveVips':
        this.enqueue('removing VIPs', () => this.changeVips('remove'));
        break;
      case 'SendGarp':
        this.hostWorkQueued = true;
        this.enqueue('gratuitous ARP', () => this.sendGarps(e.addresses, e.repeat));
        break;
      case 'ArmTimer':
        this.armTimer(e.kind, e.at);
        break;
      case 'CancelTimer': {
        const h = this.timers.get(e.kind);
        if (h !== undefined) this.deps.timers.clear(h);
        this.timers.delete(e.kind);
        break;
      }
      case 'Transition':
        this.deps.onTransition?.(e);
        break;
      case 'Notify': {
        const prio = this.instance.snapshot().effectivePriority;
        this.enqueue('notify', async () => this.deps.notify(e.state, prio));
        break;
      }
      default:
        break;
    }
  }

  private armTimer(kind: TimerKind, at: number): void {
    const old = this.timers.get(kind);
    if (old !== undefined) this.deps.timers.clear(old);
    const h = this.deps.timers.set(() => {
      this.timers.delete(kind);
      this.handle({ type: 'TimerFired', kind });
    }, at - this.deps.clock());
    this.timers.set(kind, h);
  }

  private ipId = 0;

  private sendAdvert(priority: number): void {
    const s = this.settings;
    const t = this.deps.transport;
    const peers = s.unicastPeers.length > 0 ? s.unicastPeers : [undefined];
    const group = this.deps.multicastGroup;
    for (const peer of peers) {
      this.ipId = (this.ipId + 1) & 0xffff || 1;
      const packet = buildAdvert(s, priority, {
        src: t.sourceAddress,
        dst: peer ?? group,
        ipId: this.ipId,
      });
      // The kernel writes the IPv4 header itself (TTL 255, TOS 0xc0): send the VRRP part.
      const vrrp = s.family === 4 ? packet.subarray(((packet[0] ?? 0x45) & 0x0f) * 4) : packet;
      try {
        t.send(vrrp, peer);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        this.deps.log.info(`(${this.name}) sending advert failed: ${msg}`);
      }
    }
  }

  private async changeVips(op: 'add' | 'remove'): Promise<void> {
    for (const v of this.config.virtualIpaddress) {
      const spec = addressSpec(v, this.settings.interface);
      if (op === 'add') await this.deps.addresses.add(spec);
      else await this.deps.addresses.remove(spec);
    }
  }

  private async sendGarps(addresses: readonly string[], repeat: number): Promise<void> {
    const ifname = this.settings.interface;
    for (let r = 0; r < repeat; r++) {
      for (const addr of addresses) {
        const now = this.instance.snapshot();
        if (!now.vipsSet || now.state !== 'MASTER') return; // left MASTER meanwhile
        if (addr.includes(':')) {
          this.deps.log.detail(kaLog.sendingNaFrame(ifname, addr));
          await this.deps.frames.unsolicitedNeighbourAdvert(ifname, addr);
        } else {
          this.deps.log.detail(kaLog.sendingGarpFrame(ifname, addr));
          await this.deps.frames.gratuitousArp(ifname, addr);
        }
        if (this.deps.garpIntervalMs > 0) await sleep(this.deps.garpIntervalMs);
      }
    }
  }
}
