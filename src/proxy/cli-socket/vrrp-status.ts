// The text `show vrrp` answers with. Under `halo run` the supervisor (where VRRP runs)
// sends it to the workers on every change, so the runtime API answers without a round trip;
// `halo proxy` has no VRRP and says so.

let current: string | undefined;

export function setVrrpStatus(text: string): void {
  current = text;
}

export function vrrpStatus(): string {
  return current ?? 'No VRRP in this process: `show vrrp` needs `halo run`.\n';
}
