// The timers an instance has asked its runner to arm: each step the instance says which
// deadlines it wants, and gets the ArmTimer / CancelTimer effects that bring the runner there.

import type { TimerKind, VrrpEffect } from './types.js';

export class ArmedTimers {
  private readonly armed = new Map<TimerKind, number>();

  /** The deadline `kind` was armed for, now forgotten (it fired; the next `reconcile` re-arms
   *  it if still wanted). Undefined when it was not armed. */
  take(kind: TimerKind): number | undefined {
    const at = this.armed.get(kind);
    this.armed.delete(kind);
    return at;
  }

  /** Cancels what is no longer wanted, then arms what is new or moved. */
  reconcile(want: ReadonlyMap<TimerKind, number>): VrrpEffect[] {
    const out: VrrpEffect[] = [];
    for (const [kind] of this.armed) {
      if (!want.has(kind)) {
        this.armed.delete(kind);
        out.push({ type: 'CancelTimer', kind });
      }
    }
    for (const [kind, at] of want) {
      if (this.armed.get(kind) !== at) {
        this.armed.set(kind, at);
        out.push({ type: 'ArmTimer', kind, at });
      }
    }
    return out;
  }
}
