// Keepalived 2.2.7's last check of a config (check_vrid_conflicts in vrrp.c): two
// instances of one address family with one VRID must not share a segment. Multicast
// instances collide on the same interface (and multicast group); unicast ones when they
// send from the same address on the same interface to a common peer. Unicast and
// multicast are separate VRID spaces. Each pair is reported once, at the later instance.

import type { Diagnostics } from '../diagnostics.js';
import type { VrrpInstance } from './model.js';

/**
 * @param interfaceKnown whether the instance's interface exists (always true offline):
 *   Keepalived compares only instances whose interface it found.
 */
export function checkVridConflicts(
  instances: readonly VrrpInstance[],
  interfaceKnown: (name: string) => boolean,
  d: Diagnostics,
): void {
  for (const [i, a] of instances.entries()) {
    for (const b of instances.slice(i + 1)) {
      if (a.virtualRouterId !== b.virtualRouterId || familyOf(a) !== familyOf(b)) continue;
      const unicast = a.unicastPeer.length > 0;
      if (unicast !== b.unicastPeer.length > 0) continue;
      if (unicast) unicastConflict(a, b, d);
      else multicastConflict(a, b, interfaceKnown, d);
    }
  }
}

function familyOf(inst: VrrpInstance): 4 | 6 {
  return inst.family ?? 4;
}

function multicastConflict(
  a: VrrpInstance,
  b: VrrpInstance,
  interfaceKnown: (name: string) => boolean,
  d: Diagnostics,
): void {
  if (a.interface === '' || a.interface !== b.interface) return;
  if (!interfaceKnown(a.interface)) return;
  const msg = `${a.name} and ${b.name} both use VRID ${a.virtualRouterId} with IPv${familyOf(a)} on interface ${a.interface}`;
  const hint = `adverts of one would reach the other as if from the same virtual router (${a.name} is at ${a.pos.file}:${a.pos.line}); give one of them another virtual_router_id`;
  d.error(b.pos, 'KA_DUPLICATE_VRID', msg, 'keepalived', hint);
}

function unicastConflict(a: VrrpInstance, b: VrrpInstance, d: Diagnostics): void {
  if (a.interface !== '' && b.interface !== '' && a.interface !== b.interface) return;
  // The source address: unicast_src_ip, else the interface's own address, which halo
  // does not know; two instances without unicast_src_ip on one interface share it, and
  // one with and one without it may (a warning: halo cannot tell).
  const srcA = a.unicastSrcIp;
  const srcB = b.unicastSrcIp;
  const peersA = new Set(a.unicastPeer.map((p) => canonicalAddress(p.address)));
  if (!b.unicastPeer.some((p) => peersA.has(canonicalAddress(p.address)))) return;
  if ((srcA === undefined) !== (srcB === undefined)) {
    if (a.interface !== b.interface) return;
    const [set, unset] = srcA === undefined ? [b, a] : [a, b];
    const msg = `${a.name} and ${b.name} may both use VRID ${a.virtualRouterId} for unicast on interface ${a.interface} to a common peer`;
    const hint = `Keepalived rejects this ("duplicate VRID conflict") when unicast_src_ip ${set.unicastSrcIp} of ${set.name} is the address ${unset.name} sends from (${a.interface}'s first address); halo cannot see that address: give one of them another virtual_router_id`;
    d.warning(b.pos, 'HALO_POSSIBLE_DUPLICATE_VRID', msg, 'halo', hint);
    return;
  }
  if (srcA !== undefined && srcB !== undefined) {
    if (canonicalAddress(srcA) !== canonicalAddress(srcB)) return;
  } else if (a.interface !== b.interface) return;
  const msg = `(${a.name}) duplicate VRID conflict with ${b.name} VRID ${a.virtualRouterId}`;
  const hint = `both send from the same address to a common unicast peer (${a.name} is at ${a.pos.file}:${a.pos.line}); give one of them another virtual_router_id`;
  d.error(b.pos, 'KA_DUPLICATE_VRID', msg, 'keepalived', hint);
}

/** One spelling per address (`2001:DB8:0::1` = `2001:db8::1`); IPv4 as written. */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}
