// Whether this process may run VRRP: raw sockets need CAP_NET_RAW, addresses CAP_NET_ADMIN.
// Read from the effective capability set in /proc/self/status, so nothing is opened.

import { readFileSync } from 'node:fs';

export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;

/** The CapEff mask of a /proc/PID/status text, or undefined when absent. */
export function parseEffectiveCapabilities(status: string): bigint | undefined {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

export function hasCapability(mask: bigint, cap: number): boolean {
  return ((mask >> BigInt(cap)) & 1n) === 1n;
}

export interface NetCapabilities {
  readonly netRaw: boolean;
  readonly netAdmin: boolean;
  /** Both: what `halo vrrp` needs. */
  readonly ok: boolean;
}

export function netCapabilities(status?: string): NetCapabilities {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      text = '';
    }
  }
  const mask = parseEffectiveCapabilities(text) ?? 0n;
  const netRaw = hasCapability(mask, CAP_NET_RAW);
  const netAdmin = hasCapability(mask, CAP_NET_ADMIN);
  return { netRaw, netAdmin, ok: netRaw && netAdmin };
}

/** Whether this process can open raw sockets and change addresses (CAP_NET_RAW + CAP_NET_ADMIN). */
export function hasNetCapabilities(): boolean {
  return netCapabilities().ok;
}
