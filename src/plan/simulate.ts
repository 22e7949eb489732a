// A group of VRRP instances on an in-memory LAN and a fake clock, for `halo plan`: the
// engine's own VrrpInstance (election, preemption, tracking weights through its
// PriorityTracking) exchanges the advert bytes it would put on the wire (buildAdvert ->
// PacketReceived, so its receive checks drop what a mismatched VRID, version, password or
// address list would), with a small delivery delay, so two backups whose timers expire
// together both claim the VIP and the engine's IP tie-break decides, as on a real segment.
// The receive checks only look at the bytes, so once a sender's advert at one priority has
// passed or failed them at a receiver, later ones go in as AdvertReceived or are dropped
// (checking every copy was most of the run time of an 8-node matrix). Pure: no clock, no socket; time only moves in `runFor`.

import { buildAdvert } from '../vrrp/advert.js';
import { kaLog } from '../vrrp/log-strings.js';
import type { ReceivedDatagram } from '../vrrp/receive-check.js';
import { VrrpInstance } from '../vrrp/state-machine.js';
import type { TimerKind, VrrpEffect, VrrpInstanceSettings, VrrpState } from '../vrrp/types.js';

/** One way in which a node departs from healthy. */
export type NodeChange = 'failed' | 'stopped';

/** When the set of nodes holding the VIP changed, and to what. */
export interface HolderChange {
  readonly at: number;
  readonly holders: readonly number[];
}

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly to: number;
  readonly from: number;
  readonly priority: number;
}

/** Events one run may handle before it gives up (a loop in the engine must not hang `plan`). */
const EVENT_BUDGET = 200_000;

export class GroupSim {
  now = 0;
  readonly holderLog: HolderChange[] = [];
  /** Times at which a MASTER yielded to an equal priority from a higher address. */
  readonly ipTieBreaks: number[] = [];
  /** True when a run stopped on the event budget instead of at its end. */
  exhausted = false;
  private readonly insts: VrrpInstance[];
  private readonly timers: Map<TimerKind, number>[];
  private readonly running: boolean[];
  private readonly vips: boolean[];
  private readonly ipIds: number[];
  /** Whether the receive checks passed a sender's advert at a priority, per receiver. */
  private readonly accepted = new Map<string, boolean>();
  private inflight: InFlight[] = [];
  private seq = 0;

  constructor(
    private readonly settings: readonly VrrpInstanceSettings[],
    private readonly latencyMs = 0.5,
  ) {
    this.insts = settings.map((s) => new VrrpInstance(s));
    this.timers = settings.map(() => new Map());
    this.running = settings.map(() => false);
    this.vips = settings.map(() => false);
    this.ipIds = settings.map(() => 0);
  }

  /** Starts every node now; their trackers report success at once. */
  startAll(): void {
    for (let i = 0; i < this.insts.length; i++) {
      this.running[i] = true;
      this.handle(i, { type: 'Startup' });
      this.track(i, true);
    }
    this.noteHolders();
  }

  /**
   * Node `i`'s trackers start failing: its tracked scripts (after their `fall`, which plan
   * adds aside) and halo run's built-in trackers (track_proxy), all of them: its proxy
   * cannot serve.
   */
  fail(i: number): void {
    if (!this.running[i]) return;
    this.track(i, false);
    this.noteHolders();
  }

  private track(i: number, ok: boolean): void {
    for (const t of this.settings[i]!.trackScripts) {
      this.handle(i, { type: 'ScriptResult', script: t.name, ok });
    }
    for (const t of this.settings[i]!.trackSources ?? []) {
      this.handle(i, { type: 'TrackSourceChanged', source: t.name, ok });
    }
  }

  /** Node `i` goes away without a word (power loss, crash): no advert, no priority 0. */
  stop(i: number): void {
    this.running[i] = false;
    this.timers[i]!.clear();
    this.vips[i] = false;
    this.inflight = this.inflight.filter((m) => m.to !== i);
    this.noteHolders();
  }

  apply(i: number, change: NodeChange): void {
    if (change === 'failed') this.fail(i);
    else this.stop(i);
  }

  /** Runs every timer and delivery due in the next `ms`, in time order. */
  runFor(ms: number): void {
    const until = this.now + ms;
    for (let n = 0; ; n++) {
      if (n >= EVENT_BUDGET) {
        this.exhausted = true;
        break;
      }
      const next = this.nextEvent();
      if (!next || next.at > until) break;
      this.now = Math.max(this.now, next.at);
      if (next.msg) {
        this.inflight.splice(this.inflight.indexOf(next.msg), 1);
        if (this.running[next.msg.to]) this.deliver(next.msg);
      } else if (next.kind !== undefined) {
        this.timers[next.node]!.delete(next.kind);
        this.handle(next.node, { type: 'TimerFired', kind: next.kind });
      }
      this.noteHolders();
    }
    this.now = Math.max(this.now, until);
  }

  holders(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.vips.length; i++) if (this.vips[i] && this.running[i]) out.push(i);
    return out;
  }

  isRunning(i: number): boolean {
    return this.running[i] === true;
  }

  state(i: number): VrrpState {
    return this.insts[i]!.snapshot().state;
  }

  effectivePriority(i: number): number {
    return this.insts[i]!.snapshot().effectivePriority;
  }

  private nextEvent(): { at: number; msg?: InFlight; node: number; kind?: TimerKind } | undefined {
    let best: { at: number; msg?: InFlight; node: number; kind?: TimerKind } | undefined;
    for (const m of this.inflight) {
      if (!best || m.at < best.at) best = { at: m.at, msg: m, node: m.to };
    }
    for (let i = 0; i < this.timers.length; i++) {
      if (!this.running[i]) continue;
      for (const [kind, at] of this.timers[i]!) {
        // garp timers change nothing plan looks at; vipRelease removes a stepped-down
        // master's VIPs
        if (kind !== 'advert' && kind !== 'masterDown' && kind !== 'vipRelease') continue;
        if (!best || at < best.at) best = { at, node: i, kind };
      }
    }
    return best;
  }

  private handle(i: number, event: Parameters<VrrpInstance['handle']>[0]): void {
    for (const e of this.insts[i]!.handle(event, this.now)) this.effect(i, e);
  }

  private effect(i: number, e: VrrpEffect): void {
    switch (e.type) {
      case 'ArmTimer':
        this.timers[i]!.set(e.kind, e.at);
        break;
      case 'CancelTimer':
        this.timers[i]!.delete(e.kind);
        break;
      case 'AddVips':
        this.vips[i] = true;
        break;
      case 'RemoveVips':
        this.vips[i] = false;
        break;
      case 'SendAdvert':
        this.send(i, e.priority);
        break;
      case 'Log':
        if (isIpTieBreak(e.text)) this.ipTieBreaks.push(this.now);
        break;
      default:
        break;
    }
  }

  private send(from: number, priority: number): void {
    const s = this.settings[from]!;
    const peers = s.unicastPeers;
    for (let to = 0; to < this.insts.length; to++) {
      if (to === from || !this.running[to]) continue;
      const toAddr = this.settings[to]!.primaryAddress;
      // unicast_peer: only the peers listed hear us, each by its own address
      if (peers.length > 0 && !peers.includes(toAddr)) continue;
      this.inflight.push({ at: this.now + this.latencyMs, seq: this.seq++, to, from, priority });
    }
  }

  private deliver(m: InFlight): void {
    const s = this.settings[m.from]!;
    const key = `${m.from}>${m.to}:${m.priority}`;
    const passed = this.accepted.get(key);
    if (passed === false) return;
    if (passed === true) {
      const adverInt =
        s.version === 2
          ? Math.floor(s.advertIntMs / 1000)
          : Math.floor(s.advertIntMs / 10) & 0x0fff;
      this.handle(m.to, {
        type: 'AdvertReceived',
        from: s.primaryAddress,
        advert: { priority: m.priority, adverInt },
      });
      return;
    }
    const inst = this.insts[m.to]!;
    const before = inst.snapshot();
    // Outside BACKUP and MASTER the engine ignores a packet unchecked: nothing to learn.
    const learn = before.state === 'BACKUP' || before.state === 'MASTER';
    this.handle(m.to, { type: 'PacketReceived', datagram: this.datagram(m) });
    if (learn)
      this.accepted.set(
        key,
        inst.snapshot().counters.advertReceived > before.counters.advertReceived,
      );
  }

  private datagram(m: InFlight): ReceivedDatagram {
    const s = this.settings[m.from]!;
    const toAddr = this.settings[m.to]!.primaryAddress;
    const dst = s.unicastPeers.length > 0 ? toAddr : s.family === 6 ? 'ff02::12' : '224.0.0.18';
    this.ipIds[m.from] = ((this.ipIds[m.from] ?? 0) + 1) & 0xffff || 1;
    const bytes = buildAdvert(s, m.priority, {
      src: s.primaryAddress,
      dst,
      ipId: this.ipIds[m.from] ?? 1,
    });
    // IPv6: the kernel strips the header and hands the addresses over aside.
    return s.family === 6 ? { bytes, src: s.primaryAddress, dst, hopLimit: 255 } : { bytes };
  }

  private noteHolders(): void {
    const holders = this.holders();
    const last = this.holderLog[this.holderLog.length - 1];
    if (last && sameSet(last.holders, holders)) return;
    this.holderLog.push({ at: this.now, holders });
  }
}

/** The engine's log line for a MASTER yielding to an equal priority from a higher address. */
const TIE_LOG_TAIL = kaLog.masterSamePriorityHigherIp('', '', 0).split(' 0 ')[1] ?? '';

function isIpTieBreak(text: string): boolean {
  return TIE_LOG_TAIL !== '' && text.includes('with same priority') && text.endsWith(TIE_LOG_TAIL);
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
