// VRRP's timing formulas (RFC 3768 / RFC 5798 section 6.1) with Keepalived 2.2.7's integer
// arithmetic (vrrp.c: vrrp_init_instance_sands, the ms_down_timer computations).

/** Skew_Time in ms, with Keepalived's microsecond integer arithmetic. */
export function skewTimeMs(version: 2 | 3, priority: number, masterAdverIntMs: number): number {
  const us =
    version === 3
      ? Math.floor(((256 - priority) * Math.floor(masterAdverIntMs / 10) * 625) / 16)
      : Math.floor(((256 - priority) * 1_000_000) / 256);
  return us / 1000;
}

/** Master_Down_Interval = down_timer_adverts x Master_Adver_Interval + Skew_Time, in ms. */
export function masterDownIntervalMs(
  version: 2 | 3,
  priority: number,
  masterAdverIntMs: number,
  downTimerAdverts = 3,
): number {
  return downTimerAdverts * masterAdverIntMs + skewTimeMs(version, priority, masterAdverIntMs);
}

/**
 * halo's early re-announcements of the VIPs (one GARP/NA per address each), in ms after
 * becoming MASTER and again after each lower-priority advert received as MASTER; Keepalived
 * repeats only garp_master_delay later (5 s). Why: when a master sends priority 0, every
 * backup's down timer becomes its own Skew_Time, and these differ by 1/256 of the advert
 * interval per priority step (0.4 ms between 99 and 98 at VRRPv3 0.1 s). The next backup
 * often becomes MASTER as well before the winner's advert reaches it; its gratuitous ARP,
 * sent after the winner's, leaves clients on its MAC once it has stepped down, until that
 * round 5 s later. A late claimant's GARP follows its advert, so re-announcing shortly
 * after both bounds the client's wait by the spacing here. RFC 5798 asks for one
 * announcement on taking over and sets no limit on repeats.
 */
export const GARP_FOLLOW_UP_MS: readonly number[] = [10, 25, 50, 100, 200];

/**
 * How long a master that steps down for a higher-priority advert keeps the VIPs configured
 * (ms). The new master has announced itself before its advert (see masterTx), so new
 * connections already go there; this lets the handshakes under way on the old master
 * finish instead of timing out. It sends no advert and no GARP meanwhile, and its
 * state is BACKUP at once; the new master's follow-up GARPs (until 200 ms) outlast it.
 */
export const VIP_RELEASE_DELAY_MS = 150;
