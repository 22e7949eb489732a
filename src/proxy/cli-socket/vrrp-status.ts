// What `show vrrp`, the stats page and /metrics show of VRRP. Under `halo run` the
// supervisor (where VRRP runs) sends it to the workers on every change, so they answer
// without a round trip; `halo proxy` has no VRRP and says so.

import type { VrrpStatus } from '../../run/show-vrrp.js';

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
