// The runtime API's `show vrrp` under `halo run`, rendered from the instances' snapshots.
// Pure (the time comes in). Three tables, each after a `# ` header naming its columns, as
// HAProxy's `show servers state` does; the last column of a row may contain spaces. A
// fourth table (last, so readers of the first three are unaffected) shows each instance's
// `halo handover` override and whether it is degraded (holding back from preempting).

import type { VrrpSnapshot } from '../vrrp/types.js';

export type ShownInstance = VrrpSnapshot & {
  readonly interface: string;
  readonly vips: readonly string[];
  /** This node's own address in the instance (how `halo handover --to ADDRESS` finds it). */
  readonly address?: string;
};

/**
 * What the supervisor sends the workers on every change: the instances, and the clocks at
 * the moment of the snapshot (`now` the instances' monotonic clock, `wallNow` epoch ms).
 */
export interface VrrpStatus {
  readonly instances: readonly ShownInstance[];
  readonly now: number;
  readonly wallNow: number;
}

/** How many transitions of each instance are shown (the newest). */
export const SHOWN_TRANSITIONS = 5;

const sec = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * An instance's columns as `show vrrp` and the stats page both show them (state, VRID,
 * interface, base and effective priority, master's address and priority, VIPs joined by
 * `vipSep`), so the two never disagree on what a column holds.
 */
export function instanceCells(i: ShownInstance, vipSep: string): (string | number)[] {
  return [
    i.name,
    i.state,
    i.vrid,
    i.interface,
    i.basePriority,
    i.effectivePriority,
    i.masterAddress ?? '-',
    i.masterPriority ?? '-',
    i.vips.join(vipSep) || '-',
  ];
}

/**
 * `now` is the instances' (monotonic) clock, `wallNow` the epoch milliseconds at the same
 * moment: transitions are shown at their wall-clock time, so the text stays right however
 * long after rendering it is read.
 */
export function renderShowVrrp(
  instances: readonly ShownInstance[],
  now: number,
  wallNow: number,
): string {
  const out: string[] = [
    '# instance state vrid interface base_prio effective_prio master_addr master_prio vips',
  ];
  for (const i of instances) out.push(instanceCells(i, ',').join(' '));
  out.push('', '# instance state weight part tracker');
  for (const i of instances) {
    for (const t of i.trackSources ?? []) {
      // `recovering`: good again, not yet counted (flap damping's stability window).
      const state =
        t.stableAt !== undefined ? 'recovering' : t.ok ? 'good' : t.weight === 0 ? 'FAULT' : 'bad';
      out.push(`${i.name} ${state} ${t.weight} ${t.part} ${t.name}`);
    }
  }
  out.push('', '# instance unix_time from to reason');
  for (const i of instances) {
    for (const h of i.history.slice(-SHOWN_TRANSITIONS)) {
      out.push(`${i.name} ${sec(wallNow - (now - h.at))} ${h.from} ${h.to} ${h.reason}`);
    }
  }
  out.push('', '# instance handover degraded address');
  for (const i of instances) {
    out.push(
      `${i.name} ${i.handover ? 'on' : 'off'} ${i.degraded ? 'yes' : 'no'} ${i.address ?? '-'}`,
    );
  }
  return `${out.join('\n')}\n`;
}
