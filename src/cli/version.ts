// halo's version, and the versions of the tools whose behaviour it follows.
export const VERSION = '0.1.0';
export const FOLLOWS_HAPROXY = '2.6';
export const FOLLOWS_KEEPALIVED = '2.2.7';
