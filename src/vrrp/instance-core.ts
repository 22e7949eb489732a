// The variables and transitions of one VRRP instance, as Keepalived 2.2.7's vrrp_t and
// vrrp.c keep them (vrrp_state_goto_master, vrrp_state_master_tx, vrrp_state_leave_master,
// vrrp_state_leave_fault; the sands / ms_down_timer arithmetic), side by side so each rule can
// be read against its source. Pure: effects collect between `begin(now)` and `finish()`.
// Which event leads to which transition is VrrpInstance's part (state-machine.ts).

import { ArmedTimers } from './armed-timers.js';
import { VRRP_PRIORITY_OWNER } from './codec.js';
import { newCounters } from './counters.js';
import { kaLog } from './log-strings.js';
import { clampPriority, PriorityTracking } from './priority-tracking.js';
import type { VrrpSyncGroup } from './sync-group.js';
import { GARP_FOLLOW_UP_MS, skewTimeMs, VIP_RELEASE_DELAY_MS } from './timing.js';
import type {
  TimerKind,
  VrrpEffect,
  VrrpInstanceSettings,
  VrrpSnapshot,
  VrrpState,
  VrrpTransitionRecord,
} from './types.js';

const HISTORY_LIMIT = 50;

/** The priority a `halo handover` target advertises: above every non-owner (RFC 5798 keeps
 *  255 for the address owner), so the holder steps down on the first advert it hears. */
export const HANDOVER_PRIORITY = VRRP_PRIORITY_OWNER - 1;

/** How long a handover target announces the VIPs before its first advert (see
 *  takeOverAnnounced): a few GARP round trips on a LAN, far below any Master_Down_Interval. */
export const HANDOVER_ANNOUNCE_MS = 50;

export abstract class InstanceCore {
  readonly settings: VrrpInstanceSettings;
  protected state: VrrpState = 'INIT';
  protected wantState: VrrpState;
  protected basePriority: number;
  protected effectivePriority: number;
  protected readonly tracking: PriorityTracking;
  protected masterAdverInt: number;
  protected msDownTimer = 0;
  /** Keepalived's `sands`: next advert (MASTER) or master down (BACKUP) deadline. */
  protected sands: number | undefined;
  protected preemptTime = 0;
  protected numFault = 0;
  protected numInit = 0;
  protected vipsSet = false;
  private knownMaster: string | undefined;
  private lastMaster: string | undefined;
  private transitionCount = 0;
  private masterChangeCount = 0;
  protected get masterAddress(): string | undefined {
    return this.knownMaster;
  }
  protected set masterAddress(addr: string | undefined) {
    this.knownMaster = addr;
    this.noteMaster();
  }

  /** Counts a change of the master this instance knows (another address, or itself). */
  private noteMaster(): void {
    const m = this.state === 'MASTER' ? this.settings.primaryAddress : this.knownMaster;
    if (m === undefined || m === this.lastMaster) return;
    this.lastMaster = m;
    this.masterChangeCount++;
  }
  protected masterPriority: number | undefined;
  /** Who sent the priority-0 advert that cut the down timer to Skew_Time (the takeover's reason). */
  protected priorityZeroFrom: string | undefined;
  /** `halo handover` asked this instance to take the VIP and keep it. */
  protected handover = false;
  private lastTransitionAt: number | undefined;
  protected garpAt: number | undefined;
  protected garpLowerPrioAt: number | undefined;
  private garpRefreshAt: number | undefined;
  /** halo's early re-announcements still due (GARP_FOLLOW_UP_MS), earliest first. */
  private garpFollowUps: number[] = [];
  /**
   * In BACKUP, a lower-priority master is heard and ignored: the next takeover preempts a
   * live master, so it announces before its advert (see masterTx).
   */
  protected preempting = false;
  /** Stepped down for a higher-priority advert: the VIPs go at this time (VIP_RELEASE_DELAY_MS). */
  private vipReleaseAt: number | undefined;
  protected readonly timers = new ArmedTimers();
  private readonly history: VrrpTransitionRecord[] = [];
  protected readonly counters = newCounters();
  private out: VrrpEffect[] = [];
  protected now = 0;
  /** The vrrp_sync_group this instance is a member of (set by VrrpSyncGroup). */
  sync: VrrpSyncGroup | undefined;

  constructor(settings: VrrpInstanceSettings) {
    this.settings = settings;
    this.wantState = settings.initialState;
    this.basePriority = settings.priority;
    this.effectivePriority = settings.priority;
    this.tracking = new PriorityTracking(settings);
    this.masterAdverInt = settings.advertIntMs;
  }

  /** @internal Starts a step at `now`; effects collect until `finish`. */
  begin(now: number): void {
    this.now = now;
  }

  /** @internal Ends a step: timers brought in line, the collected effects handed over. */
  finish(): VrrpEffect[] {
    this.syncTimers();
    const out = this.out;
    this.out = [];
    return out;
  }

  snapshot(): VrrpSnapshot {
    return {
      name: this.settings.name,
      vrid: this.settings.vrid,
      state: this.state,
      basePriority: this.basePriority,
      effectivePriority: this.effectivePriority,
      masterAddress: this.state === 'MASTER' ? this.settings.primaryAddress : this.masterAddress,
      masterPriority: this.state === 'MASTER' ? this.effectivePriority : this.masterPriority,
      masterAdverIntMs: this.masterAdverInt,
      vipsSet: this.vipsSet,
      lastTransitionAt: this.lastTransitionAt,
      counters: { ...this.counters, dropped: { ...this.counters.dropped } },
      history: [...this.history],
      transitions: this.transitionCount,
      masterChanges: this.masterChangeCount,
      trackSources: this.tracking.sourceParts(),
      degraded: this.tracking.degraded(),
      handover: this.handover,
    };
  }

  // ---- helpers -------------------------------------------------------------------------

  /** The current state, unnarrowed (TypeScript narrows `this.state` across calls). */
  protected snapshotState(): VrrpState {
    return this.state;
  }

  protected get name(): string {
    return this.settings.name;
  }

  protected get owner(): boolean {
    return this.basePriority === VRRP_PRIORITY_OWNER;
  }

  protected emit(e: VrrpEffect): void {
    this.out.push(e);
    this.sync?.record(this.settings.name, e);
  }

  protected log(text: string, detail = false): void {
    this.emit({ type: 'Log', text, detail });
  }

  protected skew(): number {
    return skewTimeMs(this.settings.version, this.effectivePriority, this.masterAdverInt);
  }

  protected msDown(): number {
    return this.settings.downTimerAdverts * this.masterAdverInt + this.skew();
  }

  /** The tracker that is faulting the instance right now, for the transition's reason. */
  protected faultCause: string | undefined;

  private faultReason(): string {
    return this.faultCause ? `fault: ${this.faultCause} down` : 'fault';
  }

  protected setState(to: VrrpState, reason: string): void {
    const from = this.state;
    if (from === to) return;
    // Any state but BACKUP ends a stepped-down master's grace: MASTER takes the VIPs anew.
    if (to !== 'BACKUP') this.releaseVips();
    this.state = to;
    this.lastTransitionAt = this.now;
    this.transitionCount++;
    this.noteMaster();
    const rec = { at: this.now, from, to, reason };
    this.history.push(rec);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    this.emit({ type: 'Transition', from, to, reason });
  }

  protected notify(): void {
    if (this.state === 'MASTER' || this.state === 'BACKUP' || this.state === 'FAULT') {
      this.emit({ type: 'Notify', state: this.state });
    }
  }

  protected sendAdvert(priority: number): void {
    this.emit({ type: 'SendAdvert', priority });
    this.counters.advertSent++;
  }

  protected initSands(): void {
    if (this.state === 'MASTER') this.sands = this.now + this.settings.advertIntMs;
    else if (this.state === 'BACKUP') this.sands = this.now + this.msDownTimer;
    else this.sands = undefined;
  }

  protected syncTimers(): void {
    const want = new Map<TimerKind, number>();
    if (this.sands !== undefined) {
      want.set(this.state === 'MASTER' ? 'advert' : 'masterDown', this.sands);
    }
    if (this.garpAt !== undefined) want.set('garp', this.garpAt);
    if (this.garpLowerPrioAt !== undefined) want.set('garpLowerPrio', this.garpLowerPrioAt);
    const stable = this.state === 'STOP' ? undefined : this.tracking.nextStableAt();
    if (stable !== undefined) want.set('trackStable', stable);
    if (this.vipReleaseAt !== undefined) want.set('vipRelease', this.vipReleaseAt);
    const followUp = this.garpFollowUps[0];
    if (followUp !== undefined) want.set('garpFollowUp', followUp);
    for (const e of this.timers.reconcile(want)) this.emit(e);
  }

  protected sendLinkUpdate(repeat: number): void {
    if (!this.vipsSet || repeat <= 0) return;
    for (const vip of this.settings.vips) {
      this.log(
        kaLog.sendingGarps(this.name, this.settings.interface, vip, vip.includes(':')),
        true,
      );
    }
    this.emit({ type: 'SendGarp', addresses: this.settings.vips, repeat });
  }

  /** (Re)starts halo's early re-announcements from now, unless GARPs are turned off. */
  protected scheduleGarpFollowUps(): void {
    if (this.settings.garpMasterRepeat <= 0) return;
    this.garpFollowUps = GARP_FOLLOW_UP_MS.map((ms) => this.now + ms);
  }

  /** @internal A follow-up is due: one announcement per VIP, without Keepalived's log line. */
  garpFollowUpDue(): void {
    while (this.garpFollowUps.length > 0 && this.garpFollowUps[0]! <= this.now + 1e-6) {
      this.garpFollowUps.shift();
    }
    if (this.vipsSet) this.emit({ type: 'SendGarp', addresses: this.settings.vips, repeat: 1 });
  }

  /** @internal The grace after stepping down is over (or cut short): the VIPs go now. */
  releaseVips(): void {
    if (this.vipReleaseAt === undefined) return;
    this.vipReleaseAt = undefined;
    this.removeVips();
  }

  protected removeVips(): void {
    this.vipReleaseAt = undefined;
    this.garpAt = undefined;
    this.garpLowerPrioAt = undefined;
    this.garpFollowUps = [];
    if (this.vipsSet) {
      this.log(kaLog.removingVips(this.name), true);
      this.emit({ type: 'RemoveVips' });
      this.vipsSet = false;
    }
  }

  // ---- priority and tracking ------------------------------------------------------------

  /**
   * Sets the effective priority from a tracking total (by default the current one). A
   * handover override wins while the node is healthy; a failing tracker suspends it, so a
   * degraded target gives the VIP back as any node would.
   */
  protected setEffectivePriority(total = this.tracking.total): void {
    if (this.owner) return;
    const p = this.handover && !this.tracking.degraded() ? HANDOVER_PRIORITY : clampPriority(total);
    if (p === this.effectivePriority) return;
    this.log(kaLog.changingPriority(this.name, this.effectivePriority, p));
    const skewWait =
      this.state === 'BACKUP' && this.masterPriority === 0 && this.msDownTimer === this.skew();
    this.effectivePriority = p;
    const old = this.msDownTimer;
    // A backup waiting out Skew_Time after a priority-0 advert keeps waiting Skew_Time (of
    // its new priority). Keepalived recomputes the full Master_Down_Interval here and moves
    // the deadline by the difference, so a priority change that coincides with the
    // master's hand-over (its own backend recovering, say) delays the takeover by 3 advert
    // intervals: measured 3 s of no master in a halo run lab before this.
    this.msDownTimer = skewWait ? this.skew() : this.msDown();
    if (this.state === 'BACKUP' && this.sands !== undefined) {
      this.sands += this.msDownTimer - old;
    }
  }

  // ---- state transitions ------------------------------------------------------------------

  protected gotoMaster(reason: string): void {
    this.wantState = 'MASTER';
    // vrrp_state_goto_master: a sync group member waits until every member wants MASTER.
    if (!this.mayGoMaster()) return;
    this.setState('MASTER', reason);
    this.initSands();
    this.masterTx(this.preempting);
    this.preempting = false;
  }

  /**
   * A handover's takeover: MASTER with the VIPs set and announced (GARP/NA) first, the first
   * advert HANDOVER_ANNOUNCE_MS later. The holder keeps answering for the VIPs until that
   * advert makes it step down, so no SYN sent to its MAC before the clients took our GARP
   * is lost (advert first, as in a failover, lost one in about half the lab runs).
   */
  protected takeOverAnnounced(reason: string): void {
    this.wantState = 'MASTER';
    if (!this.mayGoMaster()) return;
    this.setState('MASTER', reason);
    this.announce(false);
    this.sands = this.now + HANDOVER_ANNOUNCE_MS;
  }

  /**
   * vrrp_state_master_tx: advert first (the old master must drop the VIPs), then the VIPs.
   * halo: when preempting a live lower-priority master, the VIPs and their announcement go
   * first and the advert after them (the runner keeps that order): the old master keeps
   * serving until clients have the new MAC, so a returning VIP fails no connection. After a
   * priority-0 advert or a master's silence the advert stays first, so that the other
   * backups, whose Skew_Time ends a moment later, hear it soonest.
   */
  protected masterTx(announceFirst = false): void {
    const taking = !this.vipsSet;
    if (!taking || !announceFirst) this.sendAdvert(this.effectivePriority);
    this.announce(taking && announceFirst);
  }

  /**
   * The VIPs set and announced on becoming MASTER (with `advertAfterFirstGarp`, the advert
   * goes out between the first GARP and the burst); the periodic GARP refresh after.
   */
  private announce(advertAfterFirstGarp: boolean): void {
    const s = this.settings;
    if (!this.vipsSet) {
      this.log(kaLog.enteringMaster(this.name));
      this.counters.becomeMaster++;
      this.masterAdverInt = s.advertIntMs;
      this.log(kaLog.settingVips(this.name), true);
      this.emit({ type: 'AddVips' });
      this.vipsSet = true;
      if (advertAfterFirstGarp && s.garpMasterRepeat > 0) {
        // One announcement ahead of the advert (the burst after it may be spaced out by
        // vrrp_garp_interval, which must not hold the advert back).
        this.emit({ type: 'SendGarp', addresses: s.vips, repeat: 1 });
      }
      if (advertAfterFirstGarp) this.sendAdvert(this.effectivePriority);
      this.sendLinkUpdate(s.garpMasterRepeat);
      this.scheduleGarpFollowUps();
      if (s.garpMasterRefreshMs > 0) this.garpRefreshAt = this.now + s.garpMasterRefreshMs;
      this.notify();
      if (s.garpMasterDelayMs > 0) this.garpAt = this.now + s.garpMasterDelayMs;
    } else if (this.garpRefreshAt !== undefined && this.now > this.garpRefreshAt) {
      this.sendLinkUpdate(s.garpMasterRefreshRepeat);
      this.garpRefreshAt = this.now + s.garpMasterRefreshMs;
    }
  }

  /**
   * vrrp_state_leave_master. `advert`: a better master's advert made us step down (the
   * transition's reason, naming its sender); then halo keeps the VIPs VIP_RELEASE_DELAY_MS
   * longer, announcing nothing, so handshakes under way finish. Without it, the instance
   * leaves for FAULT or follows its sync group.
   */
  protected leaveMaster(advF: boolean, advert?: string): void {
    const graceful = advert !== undefined;
    this.preempting = false;
    if (this.wantState === 'BACKUP') {
      this.log(kaLog.enteringBackup(this.name));
      this.preemptTime = 0;
    } else {
      this.log(kaLog.enteringFault(this.name));
      this.sendAdvert(0);
    }
    if (advF) {
      this.sendAdvert(0);
      this.counters.priorityZeroSent++;
      this.log(kaLog.sentZeroPriority(this.name), true);
    }
    if (graceful && this.wantState === 'BACKUP' && this.vipsSet) {
      this.garpAt = undefined;
      this.garpLowerPrioAt = undefined;
      this.garpFollowUps = [];
      this.vipReleaseAt = this.now + VIP_RELEASE_DELAY_MS;
    } else this.removeVips();
    this.garpRefreshAt = undefined;
    this.setState(
      this.wantState,
      this.wantState === 'FAULT' ? this.faultReason() : (advert ?? 'sync group'),
    );
    this.notify();
    this.msDownTimer = this.msDown();
    this.initSands();
    this.counters.releaseMaster++;
  }

  protected leaveFault(): void {
    this.preempting = false;
    if (this.wantState === 'MASTER') {
      this.gotoMaster('address owner back up');
    } else {
      if (this.state !== this.wantState) {
        this.log(
          this.wantState === 'BACKUP'
            ? kaLog.enteringBackup(this.name)
            : kaLog.enteringFault(this.name),
        );
      }
      this.setState(
        this.wantState,
        this.wantState === 'FAULT' ? this.faultReason() : 'fault cleared',
      );
      this.notify();
      if (this.state === 'BACKUP') this.preemptTime = 0;
    }
    this.masterAdverInt = this.settings.advertIntMs;
    this.msDownTimer = this.msDown();
    this.initSands();
  }

  /** Whether the sync group (if any) lets this instance become MASTER now. */
  protected abstract mayGoMaster(): boolean;
}
