// A server's address at start, as HAProxy's `init-addr` decides it: the methods are tried
// in order (default `last,libc`): `last` (a server-state file, which halo does not read,
// so it never gives one), `libc` (resolve the name), `none` (start without an address, in
// resolution maintenance, "MAINT (resolution)"), or an IP to use instead. Without any
// that succeeds, the name is left to be resolved on each connection (`halo check` and the
// start already refused such a config). The lookup is injected; this decides only.

import { isIPv4, isIPv6 } from '../config/haproxy/address.js';

export type InitAddr =
  /** `fromConfig`: the IP written in `init-addr`, not the name's. */
  | { readonly kind: 'address'; readonly address: string; readonly fromConfig: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'unresolved' };

export type NameLookup = (host: string) => Promise<string | undefined>;

const DEFAULT_METHODS = ['last', 'libc'];

const isIP = (s: string) => isIPv4(s) || isIPv6(s);

/** Where a server named `host` starts, given its `init-addr` (a comma list, or undefined). */
export async function initialAddress(
  host: string,
  initAddr: string | undefined,
  lookup: NameLookup,
): Promise<InitAddr> {
  if (isIP(host)) return { kind: 'address', address: host, fromConfig: true };
  const methods = initAddr ? initAddr.split(',') : DEFAULT_METHODS;
  for (const m of methods) {
    if (m === 'libc') {
      const address = await lookup(host).catch(() => undefined);
      if (address !== undefined) return { kind: 'address', address, fromConfig: false };
    } else if (m === 'none') return { kind: 'none' };
    else {
      const ip = m.replace(/^\[|\]$/g, '');
      if (isIP(ip)) return { kind: 'address', address: ip, fromConfig: true };
    }
  }
  return { kind: 'unresolved' };
}
