// What `show vrrp`, the stats page and /metrics show of VRRP. Under `halo run` the
// supervisor (where VRRP runs) sends it to the workers on every change, so they answer
// without a round trip; `halo proxy` has no VRRP and says so. VRRP commands (`set vrrp
// handover`) go the other way, to the supervisor, through the control hook the worker sets.

import type { VrrpStatus } from '../../run/show-vrrp.js';

let control: ((words: readonly string[]) => void) | undefined;

/** `halo run`'s worker: where VRRP commands go (IPC to the supervisor). */
export function setVrrpControl(fn: (words: readonly string[]) => void): void {
  control = fn;
}

/** Hands a VRRP command to the supervisor; false outside `halo run`. */
export function vrrpControl(words: readonly string[]): boolean {
  if (!control) return false;
  control(words);
  return true;
}

let currentText: string | undefined;
let current: VrrpStatus | undefined;

export function setVrrpStatus(text: string, status?: VrrpStatus): void {
  currentText = text;
  current = status;
}

export function vrrpStatus(): string {
  return currentText ?? 'No VRRP in this process: `show vrrp` needs `halo run`.\n';
}

/** The instances for the stats page and /metrics; undefined outside `halo run`. */
export function vrrpInstances(): VrrpStatus | undefined {
  return current;
}
