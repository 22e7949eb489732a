// What `halo plan` flags in one simulated outcome: the VIP left on a node whose tracker
// failed while a healthy node runs (and why: a weight too small for the priority gap,
// nopreempt, a tie), no holder, two holders, a tie decided by the addresses, a hand-over
// held back (preempt_delay), a group that never settles. Each flag names the lines to change.

import type { SourcePos } from '../config/diagnostics.js';
import type { PlanMember } from './group.js';
import type { Condition, Flag } from './matrix.js';
import type { GroupSim } from './simulate.js';

interface Seen {
  readonly holders: readonly number[];
  readonly priority: number | undefined;
  readonly degradedHoldMs: number;
  readonly ipTieBreak: boolean;
  readonly stable: boolean;
}

const secs = (ms: number): string => `${Number((ms / 1000).toFixed(2))} s`;

function priorityAt(m: PlanMember): SourcePos {
  return m.inst.keywordPos?.priority ?? m.inst.pos;
}

/** The lines that set how far a failed tracker lowers this node: its weights. */
function weightAt(m: PlanMember): SourcePos[] {
  const out: SourcePos[] = [];
  for (const t of m.inst.trackScript) {
    const script = m.cfg.scripts.find((s) => s.name === t.name);
    if (t.weight !== undefined) out.push(t.pos);
    else if (script) out.push(script.weightPos ?? script.pos);
  }
  for (const t of m.inst.trackProxy ?? []) out.push(t.pos);
  return out.length > 0 ? out : [m.inst.pos];
}

function weightText(m: PlanMember): string {
  const w = [...m.settings.trackScripts, ...(m.settings.trackSources ?? [])].map((t) => t.weight);
  if (w.length === 0) return 'no track_script';
  return `weight ${w.join(', ')}`;
}

export function flagsOf(
  members: readonly PlanMember[],
  conditions: readonly Condition[],
  o: Seen,
  sim: GroupSim,
  boundMs: number,
): Flag[] {
  const healthy = conditions.flatMap((c, i) => (c === 'ok' ? [i] : []));
  const flags = holderCountFlags(members, o, healthy);
  const h = o.holders.length === 1 ? o.holders[0] : undefined;
  if (h === undefined) return flags;
  const prio = o.priority ?? members[h]!.inst.priority;
  if (conditions[h] === 'failed' && healthy.length > 0) {
    flags.push(degradedHolds(members, h, prio, healthy, sim));
  }
  const tie = tieFlag(members, h, prio, o.ipTieBreak, sim);
  if (tie) flags.push(tie);
  if (conditions[h] === 'ok' && o.degradedHoldMs > boundMs) {
    flags.push(slowHandover(members, h, o.degradedHoldMs));
  }
  return flags;
}

/** A group that never settles, two holders, or none while a healthy node runs. */
function holderCountFlags(
  members: readonly PlanMember[],
  o: Seen,
  healthy: readonly number[],
): Flag[] {
  const label = (i: number) => members[i]!.label;
  const flags: Flag[] = [];
  if (!o.stable) {
    flags.push({
      code: 'unstable',
      message: 'the VIP still moves at the end of the run: the group does not settle',
      at: members.map((m) => m.inst.pos),
    });
  }
  if (o.holders.length > 1) {
    flags.push({
      code: 'split-brain',
      message: `the VIP is on ${o.holders.map(label).join(' and ')} at once`,
      at: o.holders.map((i) => members[i]!.inst.pos),
    });
  }
  if (o.holders.length === 0 && healthy.length > 0) {
    flags.push({
      code: 'no-holder',
      message: `no node holds the VIP though ${healthy.map(label).join(', ')} ${healthy.length > 1 ? 'are' : 'is'} healthy`,
      at: healthy.map((i) => members[i]!.inst.pos),
    });
  }
  return flags;
}

/** The holder's effective priority equals a live rival's: the addresses or incumbency decide. */
function tieFlag(
  members: readonly PlanMember[],
  h: number,
  prio: number,
  ipTieBreak: boolean,
  sim: GroupSim,
): Flag | undefined {
  const label = (i: number) => members[i]!.label;
  const rivals = members.flatMap((_, i) =>
    i !== h && sim.isRunning(i) && sim.state(i) !== 'FAULT' && sim.effectivePriority(i) === prio
      ? [i]
      : [],
  );
  if (rivals.length === 0 && !ipTieBreak) return undefined;
  const names = rivals.map(label).join(', ');
  const standIn = [h, ...rivals].some((i) => members[i]!.addressFrom === 'unknown');
  const byIp = standIn
    ? 'decided by the addresses alone (stand-ins here: set unicast_src_ip to see which wins)'
    : 'decided by the higher IP address alone';
  const how = ipTieBreak ? byIp : `${label(h)} keeps the VIP only because it was master first`;
  return {
    code: 'tie',
    message: `tie at priority ${prio} between ${label(h)} and ${names || 'another node'}: ${how}`,
    at: [priorityAt(members[h]!), ...rivals.map((i) => priorityAt(members[i]!))],
  };
}

/** The VIP reached a healthy node, but only after sitting on a failed one (preempt_delay). */
function slowHandover(members: readonly PlanMember[], h: number, heldMs: number): Flag {
  const delayed = members.filter((m) => m.settings.preemptDelayMs > 0);
  const why =
    delayed.length > 0
      ? ` (preempt_delay ${delayed.map((m) => `${secs(m.settings.preemptDelayMs)} on ${m.label}`).join(', ')})`
      : '';
  return {
    code: 'slow-handover',
    message: `the VIP stays on a node whose tracker failed for ${secs(heldMs)} before ${members[h]!.label} takes it${why}`,
    at: delayed.map((m) => m.inst.keywordPos?.preempt_delay ?? m.inst.pos),
  };
}

function degradedHolds(
  members: readonly PlanMember[],
  h: number,
  prio: number,
  healthy: readonly number[],
  sim: GroupSim,
): Flag {
  const hm = members[h]!;
  const best = [...healthy].sort((a, b) => sim.effectivePriority(b) - sim.effectivePriority(a))[0]!;
  const bm = members[best]!;
  const bp = sim.effectivePriority(best);
  let why: string;
  if (hm.settings.trackScripts.length === 0 && hm.inst.trackScript.length > 0) {
    why = `Keepalived ignores the weights of ${hm.label}'s track_script (a vrrp_sync_group member or the address owner, priority 255), so a failed check changes nothing`;
  } else if (hm.settings.trackScripts.length === 0 && !hm.settings.trackSources?.length) {
    why = `${hm.label} tracks no script, so VRRP never learns that its proxy failed`;
  } else if (bp < prio) {
    why = `${weightText(hm)} takes ${hm.label} from ${hm.inst.priority} only to ${prio}, still above ${bm.label}'s ${bp}: the weight must exceed the priority gap`;
  } else if (bp === prio) {
    why = `${hm.label} drops to ${prio}, equal to ${bm.label}'s priority, and a backup never takes the VIP from an equal master`;
  } else if (bm.settings.nopreempt) {
    why = `${bm.label} has nopreempt, so it never takes the VIP from a lower-priority master`;
  } else {
    why = `${bm.label} (${bp}) does not take over`;
  }
  const at: SourcePos[] = [...weightAt(hm), priorityAt(hm), priorityAt(bm)];
  if (bm.settings.nopreempt && bp > prio) at.push(bm.inst.keywordPos?.nopreempt ?? bm.inst.pos);
  return {
    code: 'degraded-holds',
    message: `${hm.label} keeps the VIP at priority ${prio} with its tracker failed while ${bm.label} is healthy at ${bp}: ${why}`,
    at,
  };
}
