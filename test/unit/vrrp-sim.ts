// A fake clock and a fake LAN for VrrpInstance: nodes exchange the real advert bytes
// (buildAdvert -> PacketReceived), timers come from ArmTimer effects, vrrp_scripts run on
// their interval through VrrpScriptTracker. No sleeps; everything happens in virtual ms.
import { buildAdvert } from '../../src/vrrp/advert.js';
import type { ReceivedDatagram } from '../../src/vrrp/receive-check.js';
import { type ScriptOutcome, VrrpScriptTracker } from '../../src/vrrp/script-tracker.js';
import { VrrpInstance } from '../../src/vrrp/state-machine.js';
import type {
  TimerKind,
  VrrpEffect,
  VrrpEvent,
  VrrpInstanceSettings,
} from '../../src/vrrp/types.js';

export function settings(over: Partial<VrrpInstanceSettings> = {}): VrrpInstanceSettings {
  return {
    name: 'VI_1',
    interface: 'ens33',
    vrid: 50,
    version: 2,
    family: 4,
    priority: 100,
    advertIntMs: 1000,
    initialState: 'BACKUP',
    nopreempt: false,
    preemptDelayMs: 0,
    vips: ['198.51.100.100'],
    primaryAddress: '198.51.100.1',
    authType: 1,
    authPass: '123456',
    unicastPeers: [],
    checkUnicastSrc: false,
    garpMasterDelayMs: 5000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    garpMasterRefreshRepeat: 1,
    garpLowerPrioDelayMs: 5000,
    garpLowerPrioRepeat: 5,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    downTimerAdverts: 3,
    dontTrackPrimary: false,
    trackScripts: [],
    trackInterfaces: [],
    trackFiles: [],
    ...over,
  };
}

export interface SimScript {
  readonly name: string;
  readonly intervalMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly initFail?: boolean;
  /** The script's exit status at a given time. */
  readonly status: (now: number) => number;
}

export interface SimNode {
  readonly inst: VrrpInstance;
  readonly addr: string;
  readonly log: { at: number; text: string; detail: boolean }[];
  readonly effects: { at: number; effect: VrrpEffect }[];
  vipsSet: boolean;
  linkUp: boolean;
  ipId: number;
  readonly timers: Map<TimerKind, number>;
  readonly scripts: { tracker: VrrpScriptTracker; def: SimScript; next: number }[];
  started: boolean;
}

export class Sim {
  now = 0;
  readonly nodes: SimNode[] = [];
  /** Drop every advert between these node pairs (split brain). */
  cut = new Set<string>();
  private queue: { to: SimNode; datagram: ReceivedDatagram }[] = [];

  add(s: VrrpInstanceSettings, scripts: SimScript[] = []): SimNode {
    const node: SimNode = {
      inst: new VrrpInstance(s),
      addr: s.primaryAddress,
      log: [],
      effects: [],
      vipsSet: false,
      linkUp: true,
      ipId: 0,
      timers: new Map(),
      scripts: scripts.map((def) => ({
        def,
        next: Number.POSITIVE_INFINITY,
        tracker: new VrrpScriptTracker({
          name: def.name,
          rise: def.rise,
          fall: def.fall,
          initFail: def.initFail ?? false,
        }),
      })),
      started: false,
    };
    this.nodes.push(node);
    return node;
  }

  start(node: SimNode): void {
    node.started = true;
    // Keepalived runs each script for the first time right after start.
    for (const sc of node.scripts) sc.next = this.now;
    this.send(node, { type: 'Startup' });
  }

  send(node: SimNode, ev: VrrpEvent): VrrpEffect[] {
    const effects = node.inst.handle(ev, this.now);
    for (const e of effects) this.apply(node, e);
    this.flush();
    return effects;
  }

  private apply(node: SimNode, e: VrrpEffect): void {
    node.effects.push({ at: this.now, effect: e });
    switch (e.type) {
      case 'Log':
        node.log.push({ at: this.now, text: e.text, detail: e.detail });
        break;
      case 'ArmTimer':
        node.timers.set(e.kind, e.at);
        break;
      case 'CancelTimer':
        node.timers.delete(e.kind);
        break;
      case 'AddVips':
        node.vipsSet = true;
        break;
      case 'RemoveVips':
        node.vipsSet = false;
        break;
      case 'SendAdvert': {
        if (!node.linkUp) break;
        node.ipId = (node.ipId + 1) & 0xffff || 1;
        const v6 = node.inst.settings.family === 6;
        const dst = v6 ? 'ff02::12' : '224.0.0.18';
        const bytes = buildAdvert(node.inst.settings, e.priority, {
          src: node.addr,
          dst,
          ipId: node.ipId,
        });
        // IPv6: the kernel strips the header and reports addresses and hop limit aside.
        const datagram = v6 ? { bytes, src: node.addr, dst, hopLimit: 255 } : { bytes };
        for (const to of this.nodes) {
          if (to === node || !to.started || !to.linkUp) continue;
          if (this.cut.has(`${node.addr}|${to.addr}`) || this.cut.has(`${to.addr}|${node.addr}`))
            continue;
          this.queue.push({ to, datagram });
        }
        break;
      }
      default:
        break;
    }
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const { to, datagram } = this.queue.shift()!;
      const effects = to.inst.handle({ type: 'PacketReceived', datagram }, this.now);
      for (const e of effects) this.apply(to, e);
    }
  }

  /** Runs every timer and script due up to `until`, in time order. */
  runUntil(until: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      let best: { at: number; node: SimNode; kind?: TimerKind; script?: number } | undefined;
      for (const node of this.nodes) {
        if (!node.started) continue;
        for (const [kind, at] of node.timers) {
          if (!best || at < best.at) best = { at, node, kind };
        }
        node.scripts.forEach((sc, i) => {
          if (!best || sc.next < best.at) best = { at: sc.next, node, script: i };
        });
      }
      if (!best || best.at > until) break;
      this.now = Math.max(this.now, best.at);
      if (best.kind) {
        best.node.timers.delete(best.kind);
        this.send(best.node, { type: 'TimerFired', kind: best.kind });
      } else if (best.script !== undefined) {
        this.runScript(best.node, best.script);
      }
    }
    this.now = Math.max(this.now, until);
  }

  private runScript(node: SimNode, i: number): void {
    const sc = node.scripts[i]!;
    sc.next = this.now + sc.def.intervalMs;
    const outcome: ScriptOutcome = { kind: 'exit', status: sc.def.status(this.now) };
    const r = sc.tracker.record(outcome);
    for (const text of r.logs) node.log.push({ at: this.now, text, detail: false });
    if (r.changed !== undefined) {
      this.send(node, { type: 'ScriptResult', script: sc.def.name, ok: r.changed });
    }
  }

  /** Carrier change on a node's interface: it neither sends nor hears while down. */
  setLink(node: SimNode, up: boolean): void {
    node.linkUp = up;
    this.send(node, { type: 'LinkChanged', ifname: node.inst.settings.interface, up });
  }

  stop(node: SimNode): void {
    this.send(node, { type: 'Shutdown' });
    node.started = false;
    node.timers.clear();
  }

  masters(): string[] {
    return this.nodes
      .filter((n) => n.started && n.inst.snapshot().state === 'MASTER')
      .map((n) => n.addr);
  }

  vipHolders(): string[] {
    return this.nodes.filter((n) => n.vipsSet).map((n) => n.addr);
  }
}
