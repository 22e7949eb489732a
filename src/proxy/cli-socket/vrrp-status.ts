// The text `show vrrp` answers with. Under `halo run` the supervisor (where VRRP runs)
// sends it to the workers on every change, so the runtime API answers without a round trip;
// `halo proxy` has no VRRP and says so. VRRP commands (`set vrrp handover`) go the other
// way, to the supervisor, through the control hook the worker sets.

let current: string | undefined;
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

export function setVrrpStatus(text: string): void {
  current = text;
}

export function vrrpStatus(): string {
  return current ?? 'No VRRP in this process: `show vrrp` needs `halo run`.\n';
}
