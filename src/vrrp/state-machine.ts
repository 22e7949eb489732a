// One VRRP instance: RFC 5798 section 6 with Keepalived 2.2.7's extensions and quirks
// (FAULT, nopreempt, preempt_delay, a master answering lower-priority adverts, `state MASTER`
// only as a start preference). Pure: `handle(event, now)` returns effects and reads no clock;
// times are milliseconds from any epoch. This file has which event leads where (vrrp.c:
// vrrp_state_backup, vrrp_state_master_rx; vrrp_scheduler.c: vrrp_init_state and the timer
// handling; vrrp_track.c: down_instance, try_up_instance; vrrp_sync.c on a member); the
// variables and the transitions themselves are in instance-core.ts, tracking weights in
// priority-tracking.ts, the timing formulas in timing.ts, the statistics in counters.ts.

import { compareIp } from '../net/ip-address.js';
import { passwordAuthData, VRRP_PRIORITY_OWNER } from './codec.js';
import { countDrop } from './counters.js';
import { InstanceCore } from './instance-core.js';
import { kaLog } from './log-strings.js';
import { clampPriority, type TrackStep } from './priority-tracking.js';
import type { ReceivedDatagram } from './receive-check.js';
import { checkAdvert, type ReceiveCheckConfig } from './receive-check.js';
import { skewTimeMs } from './timing.js';
import type {
  TimerKind,
  VrrpAdvertLike,
  VrrpEffect,
  VrrpEvent,
  VrrpInstanceSettings,
  VrrpState,
} from './types.js';

export { masterDownIntervalMs, skewTimeMs } from './timing.js';

export class VrrpInstance extends InstanceCore {
  private readonly rxConfig: ReceiveCheckConfig;

  constructor(settings: VrrpInstanceSettings) {
    super(settings);
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
        this.startup(event.links ?? {}, event.files ?? {}, event.sources ?? {});
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
      case 'TrackSourceChanged':
        if (event.why) this.log(`(${this.name}) ${event.why}`);
        this.track(
          this.tracking.sourceChanged(
            event.source,
            event.ok,
            this.owner,
            this.state === 'STOP',
            this.now,
          ),
        );
        break;
      case 'Handover':
        this.setHandover(event.on);
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
          this.setEffectivePriority(step.total);
          break;
        case 'setPriority':
          this.effectivePriority = clampPriority(step.total);
          break;
        case 'down':
          this.faultCause = step.reason;
          this.downInstance();
          this.faultCause = undefined;
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
    sources: Readonly<Record<string, boolean>>,
  ): void {
    if (this.state !== 'INIT') return;
    this.startTracking(links, files, sources);
    this.startState();
  }

  /** @internal initialise_tracking_priorities for this instance: faults and weights at start. */
  startTracking(
    links: Readonly<Record<string, boolean>>,
    files: Readonly<Record<string, number>>,
    sources: Readonly<Record<string, boolean>> = {},
  ): void {
    const found = this.tracking.start(links, files, this.owner, sources);
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

  /**
   * `halo handover --to` this node (on) or its cancel (off). On: the priority becomes
   * HANDOVER_PRIORITY and a BACKUP takes over now instead of after Master_Down_Interval
   * (as a preempting backup would, only sooner), VIPs announced before its first advert
   * (takeOverAnnounced); the holder steps down on that advert, by RFC 5798 6.4.3. Refused (logged) by the owner, in
   * FAULT or STOP, and while degraded, where the override would not hold.
   */
  private setHandover(on: boolean): void {
    if (on === this.handover) return;
    if (
      on &&
      (this.owner ||
        this.tracking.degraded() ||
        this.state === 'FAULT' ||
        this.state === 'STOP' ||
        this.state === 'INIT')
    ) {
      this.log(
        `(${this.name}) handover refused in state ${this.state}${this.tracking.degraded() ? ' (degraded)' : ''}${this.owner ? ' (address owner)' : ''}`,
      );
      return;
    }
    this.handover = on;
    this.log(`(${this.name}) handover ${on ? 'on: taking the VIP' : 'cancelled'}`);
    this.setEffectivePriority();
    if (this.state === 'MASTER') {
      this.sendAdvert(this.effectivePriority);
      this.initSands();
    } else if (
      on &&
      this.state === 'BACKUP' &&
      // Only the address owner outranks the override. masterPriority may be a stale 254:
      // the previous handover target's lower advert after its cancel was discarded.
      (this.masterPriority ?? 0) < VRRP_PRIORITY_OWNER &&
      !this.settings.nopreempt
    ) {
      this.takeOverAnnounced('handover');
    }
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

  private timerFired(kind: TimerKind): void {
    const at = this.timers.take(kind); // fired: syncTimers re-arms whatever is still wanted
    if (at === undefined || this.now + 1e-6 < at) return; // stale or early
    if (kind === 'garp') {
      this.garpAt = undefined;
      this.sendLinkUpdate(this.settings.garpMasterRepeat);
      return;
    }
    if (kind === 'trackStable') {
      this.track(this.tracking.stableDue(this.now, this.owner, this.state === 'STOP'));
      return;
    }
    if (kind === 'vipRelease') {
      this.releaseVips();
      return;
    }
    if (kind === 'garpFollowUp') {
      this.garpFollowUpDue();
      return;
    }
    if (kind === 'garpLowerPrio') {
      this.garpLowerPrioAt = undefined;
      this.sendLinkUpdate(this.settings.garpLowerPrioRepeat);
      return;
    }
    if (this.state === 'BACKUP') {
      this.log(kaLog.receiveTimeout(this.name), true);
      this.gotoMaster(
        this.masterPriority === 0
          ? `priority 0 advert from ${this.priorityZeroFrom}`
          : 'master down timer',
      );
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
      this.priorityZeroFrom = from;
      this.preempting = false;
    } else if (
      s.nopreempt ||
      prio >= this.effectivePriority ||
      this.holdsWhileDegraded() ||
      (s.preemptDelayMs > 0 && (!this.preemptTime || this.preemptTime > this.now))
    ) {
      this.updateMasterAdverInt(advert);
      this.msDownTimer = this.msDown();
      this.masterAddress = from;
      this.masterPriority = prio;
      if (s.preemptDelayMs > 0 && !this.holdsWhileDegraded()) {
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
      this.preempting = false;
    } else {
      this.log(kaLog.backupDiscardLower(this.name, prio, from));
      this.masterAddress = from;
      this.preempting = true;
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
      // Its sender may have claimed the VIP a moment ago, its GARPs still to come.
      this.scheduleGarpFollowUps();
      this.emit({ type: 'NotifyMasterRxLowerPriority' });
    } else if (prio > this.effectivePriority || (prio === this.effectivePriority && cmp > 0)) {
      const higher = prio > this.effectivePriority;
      this.log(
        higher
          ? kaLog.masterHigherPriority(this.name, from, prio, this.effectivePriority)
          : kaLog.masterSamePriorityHigherIp(this.name, from, prio),
      );
      // The transition's reason names the sender, as Keepalived's line above does.
      const reason = higher
        ? `higher priority advert from ${from} (priority ${prio}, ours ${this.effectivePriority})`
        : `same priority advert from ${from} (priority ${prio}, higher address than ours)`;
      this.updateMasterAdverInt(advert);
      this.msDownTimer = this.msDown();
      this.masterAddress = from;
      this.masterPriority = prio;
      this.wantState = 'BACKUP';
      this.leaveMaster(false, reason);
      return;
    }
    if (sent) this.initSands();
  }

  /**
   * A node whose own built-in trackers fail does not preempt a working master: when every
   * node is equally degraded (all apiservers down) the VIP stays where it is instead of
   * moving to whichever node has the highest degraded priority. It still takes over when
   * the master stops advertising or sends priority 0; on the wire nothing changes.
   */
  private holdsWhileDegraded(): boolean {
    return !this.settings.preemptDegraded && this.tracking.degraded();
  }

  protected mayGoMaster(): boolean {
    return !this.sync || this.sync.canGotoMaster(this);
  }
}
