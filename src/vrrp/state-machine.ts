// One VRRP instance: RFC 5798 section 6 with Keepalived 2.2.7's extensions and quirks
// (FAULT, nopreempt, preempt_delay, a master answering lower-priority adverts, `state MASTER`
// only as a start preference). Pure: `handle(event, now)` returns effects and reads no clock;
// times are milliseconds from any epoch. The protocol engine keeps Keepalived's variables
// (state, wantstate, sands, ms_down_timer) side by side so each rule can be read against its
// source (vrrp.c: vrrp_state_backup, vrrp_state_master_rx/tx, leave_master/leave_fault;
// vrrp_scheduler.c: vrrp_init_state; vrrp_track.c: down_instance, try_up_instance).
// Tracking weights live in priority-tracking.ts, the timing formulas in timing.ts, the
// statistics in counters.ts, the runner's timers in armed-timers.ts.

import { compareIp } from '../net/ip-address.js';
import { ArmedTimers } from './armed-timers.js';
import { passwordAuthData, VRRP_PRIORITY_OWNER } from './codec.js';
import { countDrop, newCounters } from './counters.js';
import { kaLog } from './log-strings.js';
import { clampPriority, PriorityTracking, type TrackStep } from './priority-tracking.js';
import type { ReceivedDatagram } from './receive-check.js';
import { checkAdvert, type ReceiveCheckConfig } from './receive-check.js';
import type { VrrpSyncGroup } from './sync-group.js';
import { skewTimeMs } from './timing.js';
import type {
  TimerKind,
  VrrpAdvertLike,
  VrrpEffect,
  VrrpEvent,
  VrrpInstanceSettings,
  VrrpSnapshot,
  VrrpState,
  VrrpTransitionRecord,
} from './types.js';

export { masterDownIntervalMs, skewTimeMs } from './timing.js';

const HISTORY_LIMIT = 50;

export class VrrpInstance {
  readonly settings: VrrpInstanceSettings;
  private state: VrrpState = 'INIT';
  private wantState: VrrpState;
  private basePriority: number;
  private effectivePriority: number;
  private readonly tracking: PriorityTracking;
  private masterAdverInt: number;
  private msDownTimer = 0;
  /** Keepalived's `sands`: next advert (MASTER) or master down (BACKUP) deadline. */
  private sands: number | undefined;
  private preemptTime = 0;
  private numFault = 0;
  private numInit = 0;
  private vipsSet = false;
  private masterAddress: string | undefined;
  private masterPriority: number | undefined;
  private lastTransitionAt: number | undefined;
  private garpAt: number | undefined;
  private garpLowerPrioAt: number | undefined;
  private garpRefreshAt: number | undefined;
  private readonly timers = new ArmedTimers();
  private readonly history: VrrpTransitionRecord[] = [];
  private readonly counters = newCounters();
  private readonly rxConfig: ReceiveCheckConfig;
  private out: VrrpEffect[] = [];
  private now = 0;
  /** The vrrp_sync_group this instance is a member of (set by VrrpSyncGroup). */
  sync: VrrpSyncGroup | undefined;

  constructor(settings: VrrpInstanceSettings) {
    this.settings = settings;
    this.wantState = settings.initialState;
    this.basePriority = settings.priority;
    this.effectivePriority = settings.priority;
    this.tracking = new PriorityTracking(settings);
    this.masterAdverInt = settings.advertIntMs;
    this.rxConfig = {
      name: settings.name,
      version: settings.version,
      family: settings.family,
      vrid: settings.vrid,
      authType: settings.authType,
      authData: passwordAuthData(settings.authPass ?? ''),
      advertIntMs: settings.advertIntMs,
      vips: settings.vips,
      unicast: settings.unicastPeers.length > 0,
      unicastPeers: settings.unicastPeers,
      checkUnicastSrc: settings.checkUnicastSrc,
    };
  }

  handle(event: VrrpEvent, now: number): VrrpEffect[] {
    this.begin(now);
    const prev = this.state;
    switch (event.type) {
      case 'Startup':
        this.startup(event.links ?? {}, event.files ?? {});
        break;
      case 'PacketReceived':
        this.packetReceived(event.datagram);
        break;
      case 'AdvertReceived':
        this.advertReceived(event.from, event.advert);
        break;
      case 'TimerFired':
        this.timerFired(event.kind);
        break;
      case 'ScriptResult':
        this.track(
          this.tracking.scriptResult(event.script, event.ok, this.owner, this.state === 'STOP'),
        );
        break;
      case 'LinkChanged':
        this.track(
          this.tracking.linkChanged(event.ifname, event.up, this.owner, this.state === 'STOP'),
        );
        break;
      case 'TrackFileChanged':
        this.track(this.tracking.fileChanged(event.file, event.value, this.state === 'STOP'));
        break;
      case 'Shutdown':
        this.shutdown();
        break;
    }
    // Keepalived's VRRP_TSM_HANDLE, after a timer or a packet: B->M, M->M, F->M sync the
    // group to MASTER, M->B to BACKUP.
    const tsm =
      event.type === 'TimerFired' ||
      event.type === 'PacketReceived' ||
      event.type === 'AdvertReceived';
    if (this.sync && tsm) {
      const to = this.snapshotState();
      if (to === 'MASTER' && prev !== 'INIT' && prev !== 'STOP') this.sync.syncMaster(this);
      else if (prev === 'MASTER' && to === 'BACKUP') this.sync.syncBackup(this);
    }
    return this.finish();
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
    };
  }

  // ---- what a sync group does to its members (vrrp_sync.c) -------------------------------

  /** @internal The state this instance would be in disregarding its sync group. */
  get wanted(): VrrpState {
    return this.wantState;
  }

  /** @internal */
  get current(): VrrpState {
    return this.state;
  }

  /** @internal vrrp_sync_can_goto_master's side effect: wait a full down interval again. */
  restartDownTimer(): void {
    this.msDownTimer = this.msDown();
    this.initSands();
  }

  /** @internal vrrp_sync_backup on another member. */
  syncToBackup(): void {
    this.wantState = 'BACKUP';
    if (this.state === 'FAULT' || this.state === 'INIT') this.leaveFault();
    else this.leaveMaster(false);
  }

  /** @internal vrrp_sync_master on another member. */
  syncToMaster(): void {
    this.wantState = 'MASTER';
    this.gotoMaster('sync group');
  }

  /** @internal vrrp_sync_fault on another member. */
  syncToFault(): void {
    this.wantState = 'FAULT';
    if (this.state === 'MASTER') this.leaveMaster(false);
    else if (this.state === 'BACKUP' || this.state === 'INIT') {
      this.setState('FAULT', 'sync group'); // Keepalived: "a bit of a bodge"
      this.leaveFault();
    }
  }

  // ---- helpers -------------------------------------------------------------------------

  /** The current state, unnarrowed (TypeScript narrows `this.state` across calls). */
  private snapshotState(): VrrpState {
    return this.state;
  }

  private get name(): string {
    return this.settings.name;
  }

  private get owner(): boolean {
    return this.basePriority === VRRP_PRIORITY_OWNER;
  }

  private emit(e: VrrpEffect): void {
    this.out.push(e);
    this.sync?.record(this.settings.name, e);
  }

  private log(text: string, detail = false): void {
    this.emit({ type: 'Log', text, detail });
  }

  private skew(): number {
    return skewTimeMs(this.settings.version, this.effectivePriority, this.masterAdverInt);
  }

  private msDown(): number {
    return this.settings.downTimerAdverts * this.masterAdverInt + this.skew();
  }

  private setState(to: VrrpState, reason: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.lastTransitionAt = this.now;
    const rec = { at: this.now, from, to, reason };
    this.history.push(rec);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    this.emit({ type: 'Transition', from, to, reason });
  }

  private notify(): void {
    if (this.state === 'MASTER' || this.state === 'BACKUP' || this.state === 'FAULT') {
      this.emit({ type: 'Notify', state: this.state });
    }
  }

  private sendAdvert(priority: number): void {
    this.emit({ type: 'SendAdvert', priority });
    this.counters.advertSent++;
  }

  private initSands(): void {
    if (this.state === 'MASTER') this.sands = this.now + this.settings.advertIntMs;
    else if (this.state === 'BACKUP') this.sands = this.now + this.msDownTimer;
    else this.sands = undefined;
  }

  private syncTimers(): void {
    const want = new Map<TimerKind, number>();
    if (this.sands !== undefined) {
      want.set(this.state === 'MASTER' ? 'advert' : 'masterDown', this.sands);
    }
    if (this.garpAt !== undefined) want.set('garp', this.garpAt);
    if (this.garpLowerPrioAt !== undefined) want.set('garpLowerPrio', this.garpLowerPrioAt);
    for (const e of this.timers.reconcile(want)) this.emit(e);
  }

  private sendLinkUpdate(repeat: number): void {
    if (!this.vipsSet || repeat <= 0) return;
    for (const vip of this.settings.vips) {
      this.log(
        kaLog.sendingGarps(this.name, this.settings.interface, vip, vip.includes(':')),
        true,
      );
    }
    this.emit({ type: 'SendGarp', addresses: this.settings.vips, repeat });
  }

  private removeVips(): void {
    this.garpAt = undefined;
    this.garpLowerPrioAt = undefined;
    if (this.vipsSet) {
      this.log(kaLog.removingVips(this.name), true);
      this.emit({ type: 'RemoveVips' });
      this.vipsSet = false;
    }
  }

  // ---- priority and tracking ------------------------------------------------------------

  private setEffectivePriority(): void {
    if (this.owner) return;
    const p = clampPriority(this.tracking.total);
    if (p === this.effectivePriority) return;
    this.log(kaLog.changingPriority(this.name, this.effectivePriority, p));
    this.effectivePriority = p;
    const old = this.msDownTimer;
    this.msDownTimer = this.msDown();
    if (this.state === 'BACKUP' && this.sands !== undefined) {
      this.sands += this.msDownTimer - old;
    }
  }

  private downInstance(): void {
    if (this.numFault++ === 0 || this.state === 'INIT') {
      this.wantState = 'FAULT';
      if (this.state === 'MASTER') this.leaveMaster(true);
      else this.leaveFault();
      if (this.sync && this.sync.numMemberFault++ === 0) this.sync.syncFault(this);
    }
  }

  private tryUpInstance(leavingInit: boolean): void {
    const sync = this.sync;
    if (leavingInit) {
      if (this.numFault) return;
    } else if (--this.numFault || this.numInit) {
      if (!this.numFault) {
        if (sync) {
          sync.numMemberFault--;
          sync.state = 'INIT';
        }
        this.wantState = 'BACKUP';
      }
      return;
    }
    if (!(this.wantState === 'MASTER' && this.owner)) this.wantState = 'BACKUP';
    this.masterAdverInt = this.settings.advertIntMs;
    if (sync) {
      if (leavingInit) {
        if (sync.numMemberFault) return;
      } else if (--sync.numMemberFault || sync.numMemberInit) return;
    }
    // If the sync group cannot go to MASTER, we come up as BACKUP.
    const want = this.wantState;
    if (sync && want === 'MASTER' && !sync.canGotoMaster(this)) this.wantState = 'BACKUP';
    this.leaveFault();
    this.wantState = want;
    if (sync) {
      if (this.snapshotState() === 'MASTER') sync.syncMaster(this);
      else sync.syncBackup(this);
    }
  }

  /** Carries out what tracking asks, in order. */
  private track(steps: readonly TrackStep[]): void {
    for (const step of steps) {
      switch (step.type) {
        case 'log':
          this.log(step.text, step.detail);
          break;
        case 'reweigh':
          this.setEffectivePriority();
          break;
        case 'setPriority':
          this.effectivePriority = clampPriority(this.tracking.total);
          break;
        case 'down':
          this.downInstance();
          break;
        case 'up':
          this.tryUpInstance(false);
          break;
        case 'script':
          this.weightZeroScript(step.first, step.good);
          break;
      }
    }
  }

  /** A weight-0 script's result: the last one out of init may bring the instance up. */
  private weightZeroScript(first: boolean, good: boolean): void {
    let leftInit = false;
    if (first && --this.numInit === 0) {
      leftInit = true;
      if (this.sync) this.sync.numMemberInit--;
    }
    if (!good) this.downInstance();
    else if (this.numInit === 0 && !this.sync?.numMemberInit) this.tryUpInstance(leftInit);
  }

  // ---- startup and shutdown ---------------------------------------------------------------

  private startup(
    links: Readonly<Record<string, boolean>>,
    files: Readonly<Record<string, number>>,
  ): void {
    if (this.state !== 'INIT') return;
    this.startTracking(links, files);
    this.startState();
  }

  /** @internal initialise_tracking_priorities for this instance: faults and weights at start. */
  startTracking(
    links: Readonly<Record<string, boolean>>,
    files: Readonly<Record<string, number>>,
  ): void {
    const found = this.tracking.start(links, files, this.owner);
    for (const text of found.logs) this.log(text);
    this.numFault += found.faults;
    this.numInit += found.scriptsInInit;
    this.setEffectivePriority();
  }

  /** @internal The start-up counts a sync group keeps from this member (faults, scripts in init). */
  startCounts(): { fault: boolean; init: boolean } {
    return { fault: this.numFault > 0, init: this.numInit > 0 };
  }

  /** @internal vrrp_init_state: the first state, from our wantstate or the sync group's state. */
  startState(): void {
    const up = this.numFault === 0;
    const sync = this.sync;
    const newState = sync ? sync.state : this.wantState;
    const groupInit = (sync?.numMemberInit ?? 0) > 0;
    if (
      up &&
      newState === 'MASTER' &&
      this.numInit === 0 &&
      !groupInit &&
      this.wantState === 'MASTER' &&
      this.basePriority === 255
    ) {
      // Keepalived: "the simplest way to become master is to timeout from the backup state
      // very quickly (1usec)".
      this.setState('BACKUP', 'init');
      this.msDownTimer = 0.001;
    } else {
      // A member held in BACKUP by its group allows one advert interval for another master.
      this.msDownTimer =
        sync && newState === 'BACKUP' && this.wantState === 'MASTER'
          ? this.masterAdverInt + skewTimeMs(this.settings.version, 255, this.masterAdverInt)
          : this.msDown();
      this.log(kaLog.removingVips(this.name), true);
      this.emit({ type: 'RemoveVips' });
      // vrrp_complete_init: an instance down at start (or whose group is) says so and
      // notifies; one only waiting for its scripts is FAULT silently.
      const fault = !up || newState === 'FAULT';
      if (up && newState !== 'FAULT' && this.numInit === 0 && !groupInit) {
        this.log(kaLog.enteringBackupInit(this.name));
        this.setState('BACKUP', 'init');
      } else {
        if (fault) this.log(kaLog.enteringFaultAtStart(this.name));
        this.setState(
          'FAULT',
          !up ? 'tracking fault at start' : fault ? 'sync group' : 'tracked script not yet run',
        );
      }
      if (this.snapshotState() !== 'FAULT' || fault) this.notify();
    }
    this.initSands();
  }

  private shutdown(): void {
    if (this.state === 'MASTER') {
      this.sendAdvert(0);
      this.counters.priorityZeroSent++;
      this.log(kaLog.sentZeroPriority(this.name), true);
      this.removeVips();
    }
    this.setState('STOP', 'shutdown');
    this.emit({ type: 'Notify', state: 'STOP' });
    this.sands = undefined;
    this.garpAt = undefined;
    this.garpLowerPrioAt = undefined;
  }

  // ---- state transitions ------------------------------------------------------------------

  private gotoMaster(reason: string): void {
    this.wantState = 'MASTER';
    // vrrp_state_goto_master: a sync group member waits until every member wants MASTER.
    if (this.sync && !this.sync.canGotoMaster(this)) return;
    this.setState('MASTER', reason);
    this.initSands();
    this.masterTx();
  }

  /** vrrp_state_master_tx: advert first (the old master must drop the VIPs), then the VIPs. */
  private masterTx(): void {
    this.sendAdvert(this.effectivePriority);
    const s = this.settings;
    if (!this.vipsSet) {
      this.log(kaLog.enteringMaster(this.name));
      this.counters.becomeMaster++;
      this.masterAdverInt = s.advertIntMs;
      this.log(kaLog.settingVips(this.name), true);
      this.emit({ type: 'AddVips' });
      this.vipsSet = true;
      this.sendLinkUpdate(s.garpMasterRepeat);
      if (s.garpMasterRefreshMs > 0) this.garpRefreshAt = this.now + s.garpMasterRefreshMs;
      this.notify();
      if (s.garpMasterDelayMs > 0) this.garpAt = this.now + s.garpMasterDelayMs;
    } else if (this.garpRefreshAt !== undefined && this.now > this.garpRefreshAt) {
      this.sendLinkUpdate(s.garpMasterRefreshRepeat);
      this.garpRefreshAt = this.now + s.garpMasterRefreshMs;
    }
  }

  private leaveMaster(advF: boolean): void {
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
    this.removeVips();
    this.garpRefreshAt = undefined;
    this.setState(this.wantState, this.wantState === 'FAULT' ? 'fault' : 'higher priority advert');
    this.notify();
    this.msDownTimer = this.msDown();
    this.initSands();
    this.counters.releaseMaster++;
  }

  private leaveFault(): void {
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
      this.setState(this.wantState, this.wantState === 'FAULT' ? 'fault' : 'fault cleared');
      this.notify();
      if (this.state === 'BACKUP') this.preemptTime = 0;
    }
    this.masterAdverInt = this.settings.advertIntMs;
    this.msDownTimer = this.msDown();
    this.initSands();
  }

  private timerFired(kind: TimerKind): void {
    const at = this.timers.take(kind); // fired: syncTimers re-arms whatever is still wanted
    if (at === undefined || this.now + 1e-6 < at) return; // stale or early
    if (kind === 'garp') {
      this.garpAt = undefined;
      this.sendLinkUpdate(this.settings.garpMasterRepeat);
      return;
    }
    if (kind === 'garpLowerPrio') {
      this.garpLowerPrioAt = undefined;
      this.sendLinkUpdate(this.settings.garpLowerPrioRepeat);
      return;
    }
    if (this.state === 'BACKUP') {
      this.log(kaLog.receiveTimeout(this.name), true);
      this.gotoMaster(this.masterPriority === 0 ? 'priority 0 advert' : 'master down timer');
    } else if (this.state === 'MASTER') {
      this.masterTx();
    }
    this.initSands();
  }

  // ---- adverts ----------------------------------------------------------------------------

  private packetReceived(datagram: ReceivedDatagram): void {
    if (this.state !== 'BACKUP' && this.state !== 'MASTER') return;
    const r = checkAdvert(this.rxConfig, datagram);
    if (r.ok) {
      this.advertReceived(r.src, r.advert);
      return;
    }
    countDrop(this.counters, r);
    if (r.log) this.log(r.log);
    // A dropped packet leaves the BACKUP master-down deadline where it was (Keepalived keeps
    // the rest in ms_down_timer, which a later priority change then shifts). A MASTER keeps
    // its advert schedule: Keepalived restarts it on every packet with our VRID, so a flood
    // of bad packets would silence it; halo does not copy that.
    if (this.state === 'BACKUP')
      this.msDownTimer = Math.max(0, (this.sands ?? this.now) - this.now);
  }

  private advertReceived(from: string, advert: VrrpAdvertLike): void {
    if (this.state !== 'BACKUP' && this.state !== 'MASTER') return;
    this.counters.advertReceived++;
    if (advert.priority === 0) this.counters.priorityZeroReceived++;
    if (this.state === 'BACKUP') this.backupRx(from, advert);
    else this.masterRx(from, advert);
  }

  private updateMasterAdverInt(advert: VrrpAdvertLike): void {
    if (this.settings.version === 3) this.masterAdverInt = (advert.adverInt & 0x0fff) * 10;
  }

  private backupRx(from: string, advert: VrrpAdvertLike): void {
    const s = this.settings;
    const prio = advert.priority;
    if (prio === 0) {
      this.log(kaLog.backupPriorityZero(this.name), true);
      this.msDownTimer = this.skew();
      this.masterPriority = 0;
    } else if (
      s.nopreempt ||
      prio >= this.effectivePriority ||
      (s.preemptDelayMs > 0 && (!this.preemptTime || this.preemptTime > this.now))
    ) {
      this.updateMasterAdverInt(advert);
      this.msDownTimer = this.msDown();
      this.masterAddress = from;
      this.masterPriority = prio;
      if (s.preemptDelayMs > 0) {
        if (prio >= this.effectivePriority) {
          if (this.preemptTime) {
            this.log(kaLog.stopPreemptDelay(this.name), true);
            this.preemptTime = 0;
          }
        } else if (!this.preemptTime) {
          this.log(kaLog.startPreemptDelay(this.name, s.preemptDelayMs), true);
          this.preemptTime = this.now + s.preemptDelayMs;
        }
      }
      this.wantState = 'BACKUP';
    } else {
      this.log(kaLog.backupDiscardLower(this.name, prio, from));
      this.masterAddress = from;
      // Ignored: the master-down deadline stays where it was.
      this.msDownTimer = Math.max(0, (this.sands ?? this.now) - this.now);
    }
    this.initSands();
  }

  private masterRx(from: string, advert: VrrpAdvertLike): void {
    const s = this.settings;
    const prio = advert.priority;
    const cmp = compareIp(from, s.primaryAddress);
    let sent = false;
    if (
      prio === 0 ||
      (s.higherPrioSendAdvert &&
        (prio > this.effectivePriority || (prio === this.effectivePriority && cmp > 0)))
    ) {
      this.sendAdvert(this.effectivePriority);
      sent = true;
      if (prio === 0) {
        this.log(kaLog.masterPriorityZero(this.name), true);
        this.initSands();
        return;
      }
    }
    if (prio === this.effectivePriority) {
      if (cmp === 0) this.log(kaLog.equalPriorityOurAddress(this.name));
      else if (this.effectivePriority === VRRP_PRIORITY_OWNER) {
        this.log(kaLog.bothOwners(this.name));
        this.effectivePriority = VRRP_PRIORITY_OWNER - 1;
        this.basePriority = VRRP_PRIORITY_OWNER - 1;
      }
    }
    if (prio < this.effectivePriority || (prio === this.effectivePriority && cmp < 0)) {
      this.log(
        kaLog.masterLowerPriority(
          this.name,
          from,
          prio,
          this.effectivePriority,
          !s.lowerPrioNoAdvert,
        ),
      );
      if (!s.lowerPrioNoAdvert) {
        this.sendAdvert(this.effectivePriority);
        sent = true;
      }
      if (s.garpLowerPrioRepeat > 0) {
        this.sendLinkUpdate(s.garpLowerPrioRepeat);
        if (s.garpLowerPrioDelayMs > 0) this.garpLowerPrioAt = this.now + s.garpLowerPrioDelayMs;
      }
      this.emit({ type: 'NotifyMasterRxLowerPriority' });
    } else if (prio > this.effectivePriority || (prio === this.effectivePriority && cmp > 0)) {
      this.log(
        prio > this.effectivePriority
          ? kaLog.masterHigherPriority(this.name, from, prio, this.effectivePriority)
          : kaLog.masterSamePriorityHigherIp(this.name, from, prio),
      );
      this.updateMasterAdverInt(advert);
      this.msDownTimer = this.msDown();
      this.masterAddress = from;
      this.masterPriority = prio;
      this.wantState = 'BACKUP';
      this.leaveMaster(false);
      return;
    }
    if (sent) this.initSands();
  }
}
