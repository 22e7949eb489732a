// An instance's statistics as Keepalived keeps them (vrrp_stats_t), and how a dropped
// packet is counted.

import type { ReceiveCheckResult } from './receive-check.js';
import type { VrrpCounters } from './types.js';

export type DroppedPacket = Extract<ReceiveCheckResult, { ok: false }>;

export function newCounters(): VrrpCounters {
  return {
    advertReceived: 0,
    advertSent: 0,
    becomeMaster: 0,
    releaseMaster: 0,
    packetLengthErrors: 0,
    ipTtlErrors: 0,
    invalidTypeReceived: 0,
    addressListErrors: 0,
    invalidAuthType: 0,
    authTypeMismatch: 0,
    authFailure: 0,
    priorityZeroReceived: 0,
    priorityZeroSent: 0,
    dropped: {},
  };
}

/** Counts a dropped packet by its reason, and in Keepalived's counter for that kind of error. */
export function countDrop(c: VrrpCounters, r: DroppedPacket): void {
  c.dropped[r.reason] = (c.dropped[r.reason] ?? 0) + 1;
  if (r.countedAsAdvert) c.advertReceived++;
  if (r.reason === 'length' || r.reason === 'ip-total-length') c.packetLengthErrors++;
  else if (r.reason === 'ttl') c.ipTtlErrors++;
  else if (r.reason === 'type') c.invalidTypeReceived++;
  else if (
    r.reason === 'address-count' ||
    r.reason === 'address-list' ||
    r.reason === 'cast-mismatch'
  )
    c.addressListErrors++;
  else if (r.reason === 'auth-type') c.invalidAuthType++;
  else if (r.reason === 'auth-type-mismatch') c.authTypeMismatch++;
  else if (r.reason === 'auth-failure') c.authFailure++;
}
