// vrrp_sync_group as Keepalived 2.2.7 runs it (keepalived/vrrp/vrrp_sync.c, the sync parts of
// vrrp_scheduler.c: vrrp_init_state, try_up_instance, VRRP_TSM; vrrp_track.c: down_instance,
// initialise_tracking_priorities). The members change state together: one going to FAULT
// takes the others to FAULT; one leaving MASTER for BACKUP takes the others to BACKUP; one
// becoming MASTER takes the others to MASTER, but a member only becomes MASTER once every
// other member wants to (it waits in BACKUP otherwise). Pure: the group drives its members'
// state machines and hands back each member's effects.

import { kaLog } from './log-strings.js';
import type { VrrpInstance } from './state-machine.js';
import type { VrrpEffect, VrrpEvent, VrrpState } from './types.js';

/** One effect of one member, in the order the group's members produced them. */
export interface SyncGroupEffect {
  readonly member: string;
  readonly effect: VrrpEffect;
}

/** The effects of one member, in order. */
export function effectsOf(list: readonly SyncGroupEffect[], member: string): VrrpEffect[] {
  return list.flatMap((e) => (e.member === member ? [e.effect] : []));
}

export class VrrpSyncGroup {
  /** The group's state: MASTER, BACKUP, FAULT, or INIT while a member waits for a script. */
  state: VrrpState = 'INIT';
  numMemberFault = 0;
  numMemberInit = 0;
  private readonly byName = new Map<string, VrrpInstance>();
  private journal: SyncGroupEffect[] = [];

  constructor(
    readonly name: string,
    readonly members: readonly VrrpInstance[],
  ) {
    // vrrp_sync_set_group: MASTER only while every member is an address owner wanting it.
    for (const m of members) {
      m.sync = this;
      this.byName.set(m.settings.name, m);
      if (this.state !== 'BACKUP') {
        const owner = m.wanted === 'MASTER' && m.settings.priority === 255;
        this.state = owner ? 'MASTER' : 'BACKUP';
      }
    }
  }

  /**
   * Starts every member (Startup for each): their trackers first, then the group's counts,
   * then each member's first state. Returns every member's effects in order.
   */
  start(
    now: number,
    startup: Readonly<Record<string, Extract<VrrpEvent, { type: 'Startup' }>>> = {},
  ): SyncGroupEffect[] {
    this.journal = [];
    for (const m of this.members) m.begin(now);
    for (const m of this.members) {
      const ev = startup[m.settings.name];
      m.startTracking(ev?.links ?? {}, ev?.files ?? {}, ev?.sources ?? {});
    }
    for (const m of this.members) {
      const c = m.startCounts();
      if (c.fault) {
        if (this.state !== 'FAULT') {
          this.state = 'FAULT';
          this.log(m, kaLog.syncGroupMemberFault(this.name, m.settings.name));
        }
        this.numMemberFault++;
      }
      if (c.init) {
        this.numMemberInit++;
        if (this.state !== 'FAULT') this.state = 'INIT';
      }
    }
    for (const m of this.members) m.startState();
    return this.collect();
  }

  /** One event for one member; the effects of every member it moved, in order. */
  handle(member: string, event: VrrpEvent, now: number): SyncGroupEffect[] {
    const target = this.byName.get(member);
    if (!target) return [];
    this.journal = [];
    for (const m of this.members) if (m !== target) m.begin(now);
    target.handle(event, now);
    return this.collect();
  }

  /** @internal A member's effect, as it happens. */
  record(member: string, effect: VrrpEffect): void {
    this.journal.push({ member, effect });
  }

  /** vrrp_sync_can_goto_master: only when the group is MASTER or every other member wants it. */
  canGotoMaster(vi: VrrpInstance): boolean {
    if (this.state === 'MASTER') return true;
    for (const m of this.members) {
      if (m !== vi && m.wanted !== 'MASTER') {
        vi.restartDownTimer();
        return false;
      }
    }
    return true;
  }

  syncBackup(vi: VrrpInstance): void {
    if (this.state === 'BACKUP') return;
    this.log(vi, kaLog.syncGroupTo(this.name, 'BACKUP'));
    for (const m of this.members) {
      if (m === vi || m.current === 'BACKUP') continue;
      m.syncToBackup();
    }
    this.state = 'BACKUP';
  }

  syncMaster(vi: VrrpInstance): void {
    if (this.state === 'MASTER') return;
    if (!this.canGotoMaster(vi)) return;
    this.log(vi, kaLog.syncGroupTo(this.name, 'MASTER'));
    for (const m of this.members) {
      if (m !== vi && m.current !== 'MASTER') m.syncToMaster();
    }
    this.state = 'MASTER';
  }

  syncFault(vi: VrrpInstance): void {
    if (this.state === 'FAULT') return;
    this.log(vi, kaLog.syncGroupTo(this.name, 'FAULT'));
    for (const m of this.members) {
      if (m !== vi && m.current !== 'FAULT') m.syncToFault();
    }
    this.state = 'FAULT';
  }

  /** Group lines go out with the member that caused them. */
  private log(vi: VrrpInstance, text: string): void {
    this.record(vi.settings.name, { type: 'Log', text, detail: false });
  }

  /** Every member's remaining effects (timers) added; the journal handed over. */
  private collect(): SyncGroupEffect[] {
    for (const m of this.members) m.finish();
    const out = this.journal;
    this.journal = [];
    return out;
  }
}
