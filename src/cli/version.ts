// halo's version, and the versions of the tools whose behaviour it follows.
export const VERSION = '0.1.0';
/** When this VERSION was cut, as HAProxy's `show info` `Release_date` (YYYY/MM/DD). */
export const RELEASE_DATE = '2026/12/03';
export const FOLLOWS_HAPROXY = '2.6';
export const FOLLOWS_KEEPALIVED = '2.2.7';
