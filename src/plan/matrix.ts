// The failover matrix of one virtual router: every combination of failed trackers and
// stopped nodes, each run on the engine (GroupSim) in every order the failures can happen
// (all orders up to three failures, then first-to-last, last-to-first and all at once),
// and the flags `halo plan` raises on the outcomes.

import type { SourcePos } from '../config/diagnostics.js';
import { estimateFailoverMs } from '../config/keepalived/halo-checks.js';
import { masterDownIntervalMs } from '../vrrp/timing.js';
import { flagsOf } from './flags.js';
import type { PlanMember, VirtualRouter } from './group.js';
import { GroupSim, type NodeChange } from './simulate.js';

export type Condition = 'ok' | NodeChange;

export type FlagCode =
  | 'degraded-holds'
  | 'no-holder'
  | 'split-brain'
  | 'tie'
  | 'slow-handover'
  | 'unstable';

export interface Flag {
  readonly code: FlagCode;
  readonly message: string;
  readonly at: readonly SourcePos[];
}

/** Where the VIP ended after one order of the failures. */
export interface Outcome {
  readonly holders: readonly number[];
  /** The holder's effective priority (one holder only). */
  readonly priority: number | undefined;
  /** ms the VIP sat on a failed node while a healthy one ran, after the last failure. */
  readonly degradedHoldMs: number;
  readonly ipTieBreak: boolean;
  readonly stable: boolean;
  /** The failures in the order applied (member indices); `simultaneous` when all at once. */
  readonly order: readonly number[];
  readonly simultaneous: boolean;
  /** The longest the VIP was gone in this order's hand-overs, if it moved. */
  readonly failoverMs: number | undefined;
  readonly flags: readonly Flag[];
}

/** A flag with the first order of the failures that raised it. */
export interface RowFlag extends Flag {
  readonly order: readonly number[];
  readonly simultaneous: boolean;
}

export interface MatrixRow {
  readonly conditions: readonly Condition[];
  /** Distinct outcomes (by holders), each with the first order that led to it. */
  readonly outcomes: readonly Outcome[];
  readonly ordersRun: number;
  readonly allOrders: boolean;
  /** Worst time the VIP is gone over the orders, when a failure moves it (see stepFailover). */
  readonly failoverMs: number | undefined;
  readonly flags: readonly RowFlag[];
}

export interface Matrix {
  readonly router: string;
  readonly members: readonly PlanMember[];
  readonly rows: readonly MatrixRow[];
}

/** Groups larger than this get no matrix (3^N rows). */
export const MAX_MATRIX_NODES = 8;
/** Up to this many failures in one row, every order is simulated. */
const ALL_ORDERS_UP_TO = 3;

export function buildMatrix(r: VirtualRouter, maxChanges = Number.POSITIVE_INFINITY): Matrix {
  const rows: MatrixRow[] = [];
  const ctx = new RunContext(r.members);
  for (const conditions of combinations(r.members.length, maxChanges)) {
    rows.push(ctx.row(conditions));
  }
  return { router: r.name, members: r.members, rows };
}

/** Every assignment of ok/failed/stopped, fewest changes first. */
export function combinations(n: number, maxChanges = Number.POSITIVE_INFINITY): Condition[][] {
  const all: Condition[][] = [];
  const total = 3 ** n;
  for (let code = 0; code < total; code++) {
    const c: Condition[] = [];
    for (let i = 0, x = code; i < n; i++, x = Math.floor(x / 3))
      c.push((['ok', 'failed', 'stopped'] as const)[x % 3]!);
    if (changed(c).length <= maxChanges) all.push(c);
  }
  return all.sort((a, b) => changed(a).length - changed(b).length);
}

function changed(c: readonly Condition[]): number[] {
  return c.flatMap((x, i) => (x === 'ok' ? [] : [i]));
}

function permutations(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) =>
    permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
  );
}

/** The orders a row is run in: [order, simultaneous]. */
export function ordersOf(changes: readonly number[]): { order: number[]; simultaneous: boolean }[] {
  if (changes.length <= 1) return [{ order: [...changes], simultaneous: false }];
  const seq =
    changes.length <= ALL_ORDERS_UP_TO
      ? permutations(changes)
      : [[...changes], [...changes].reverse()];
  return [
    ...seq.map((order) => ({ order, simultaneous: false })),
    { order: [...changes], simultaneous: true },
  ];
}

class RunContext {
  private readonly settleMs: number;
  private readonly maxAdvertMs: number;

  constructor(private readonly members: readonly PlanMember[]) {
    this.maxAdvertMs = Math.max(...members.map((m) => m.settings.advertIntMs));
    const maxDelay = Math.max(...members.map((m) => m.settings.preemptDelayMs));
    // Long enough for a master-down timer, a preempt_delay and a few adverts after it.
    this.settleMs = maxDelay + 10 * this.maxAdvertMs;
  }

  private start(): GroupSim {
    const sim = new GroupSim(this.members.map((m) => m.settings));
    sim.startAll();
    sim.runFor(this.settleMs);
    return sim;
  }

  row(conditions: readonly Condition[]): MatrixRow {
    const changes = changed(conditions);
    const orders = ordersOf(changes);
    const outcomes: Outcome[] = [];
    const flags: RowFlag[] = [];
    let failoverMs: number | undefined;
    for (const o of orders) {
      const out = this.run(conditions, o.order, o.simultaneous);
      if (out.failoverMs !== undefined) failoverMs = Math.max(failoverMs ?? 0, out.failoverMs);
      if (!outcomes.some((x) => sameHolders(x.holders, out.holders))) outcomes.push(out);
      for (const f of out.flags) {
        if (flags.some((g) => g.message === f.message)) continue;
        flags.push({ ...f, order: o.order, simultaneous: o.simultaneous });
      }
    }
    return {
      conditions,
      outcomes,
      ordersRun: orders.length,
      allOrders: changes.length <= ALL_ORDERS_UP_TO,
      failoverMs,
      flags,
    };
  }

  private run(conditions: readonly Condition[], order: number[], simultaneous: boolean): Outcome {
    const sim = this.start();
    let failoverMs: number | undefined;
    let before = sim.holders();
    let stepAt = sim.now;
    const pending: number[] = [];
    for (const [k, i] of order.entries()) {
      const change = conditions[i];
      if (change === undefined || change === 'ok') continue;
      sim.apply(i, change);
      pending.push(i);
      if (simultaneous && k < order.length - 1) continue;
      sim.runFor(this.settleMs);
      const ms = this.stepFailover(sim, before, pending, conditions, stepAt);
      if (ms !== undefined) failoverMs = Math.max(failoverMs ?? 0, ms);
      before = sim.holders();
      stepAt = sim.now;
      pending.length = 0;
    }
    const last = this.settleStart(sim);
    const holders = sim.holders();
    const only = holders.length === 1 ? holders[0] : undefined;
    const lastChange = sim.holderLog[sim.holderLog.length - 1]?.at ?? 0;
    const partial = {
      holders,
      priority: only === undefined ? undefined : sim.effectivePriority(only),
      degradedHoldMs: this.degradedHold(sim, conditions, last),
      ipTieBreak: sim.ipTieBreaks.some((t) => t >= last),
      stable: !sim.exhausted && lastChange <= sim.now - 4 * this.maxAdvertMs,
      order,
      simultaneous,
      failoverMs,
    };
    return { ...partial, flags: flagsOf(this.members, conditions, partial, sim, this.bound()) };
  }

  /**
   * How long the VIP was gone when a step took it from its holder to another node: the
   * timers' estimate (`halo check`'s for a tracker, Master_Down_Interval for a stop) or the
   * simulated hand-over (plus the tracker's detection), whichever is longer.
   */
  private stepFailover(
    sim: GroupSim,
    before: readonly number[],
    changedNow: readonly number[],
    conditions: readonly Condition[],
    stepAt: number,
  ): number | undefined {
    const h = before.length === 1 ? before[0] : undefined;
    const after = sim.holders();
    if (h === undefined || !changedNow.includes(h)) return undefined;
    if (after.length === 0 || sameHolders(after, before)) return undefined;
    // Reached when the new holders have it, not when the old one let go: a master that
    // steps down for a higher priority keeps the VIP a moment longer (VIP_RELEASE_DELAY_MS).
    const reached = sim.holderLog.find(
      (e) => e.at >= stepAt && after.every((x) => e.holders.includes(x)),
    );
    const observed = reached ? reached.at - stepAt : 0;
    const m = this.members[h]!;
    if (conditions[h] !== 'stopped') return trackerFailoverMs(m, observed);
    const prio = after.length === 1 ? sim.effectivePriority(after[0]!) : 255;
    return Math.max(
      masterDownIntervalMs(m.settings.version, prio, m.settings.advertIntMs),
      observed,
    );
  }

  /** When the last failure was applied: the settle window is the run's tail. */
  private settleStart(sim: GroupSim): number {
    return sim.now - this.settleMs;
  }

  /** A normal hand-over takes one master-down interval; more than that is worth a flag. */
  private bound(): number {
    return masterDownIntervalMs(2, 1, this.maxAdvertMs) + this.maxAdvertMs;
  }

  private degradedHold(sim: GroupSim, conditions: readonly Condition[], from: number): number {
    const healthyRuns = conditions.some((c) => c === 'ok');
    if (!healthyRuns) return 0;
    let total = 0;
    const log = sim.holderLog;
    for (let k = 0; k < log.length; k++) {
      const h = log[k]!;
      const end = log[k + 1]?.at ?? sim.now;
      const start = Math.max(h.at, from);
      if (end <= start) continue;
      if (h.holders.length === 1 && conditions[h.holders[0]!] === 'failed') total += end - start;
    }
    return total;
  }
}

/**
 * The slowest of a node's tracked scripts, as `halo check` estimates it for one file, or
 * its detection time plus what the simulated hand-over took, when that was longer.
 */
function trackerFailoverMs(m: PlanMember, heldMs: number): number | undefined {
  let worst: number | undefined;
  for (const t of m.inst.trackScript) {
    const script = m.cfg.scripts.find((s) => s.name === t.name);
    if (!script) continue;
    const ms = estimateFailoverMs(m.inst, script, t.weight ?? script.weight);
    worst = Math.max(worst ?? 0, ms, script.interval * script.fall + heldMs);
  }
  // halo run's trackers are events from the proxy itself: the hand-over is what it took.
  if (m.inst.trackProxy?.length) worst = Math.max(worst ?? 0, heldMs);
  return worst;
}

function sameHolders(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
