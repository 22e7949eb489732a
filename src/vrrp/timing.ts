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
