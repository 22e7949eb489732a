// Host names in `server` and `bind` lines, resolved as HAProxy resolves them while it reads
// the configuration (getaddrinfo): a server whose name does not resolve fails `haproxy -c`
// and the start ("could not resolve address"), unless its `init-addr` lets it start
// without an address (`none`, or an IP to use instead), when it is only disabled; a bind
// on a name that does not resolve is an invalid address. The lookup is an injected port,
// so this stays pure; `halo check --offline` skips it (a config for another network).

import type { Diagnostics } from '../diagnostics.js';
import { isIPv4, isIPv6 } from './address.js';
import type { HaproxyConfig } from './model.js';

export interface NameResolver {
  /** Whether `host` has an address of `family` ('any': either). */
  resolves(host: string, family: 4 | 6 | 'any'): Promise<boolean>;
}

const isName = (host: string) =>
  host !== '' && !host.includes('/') && !host.includes('@') && !isIPv4(host) && !isIPv6(host);

/** A server may start without an address: `init-addr` names `none` or an IP to fall back to. */
function startsWithoutAddress(initAddr: string | undefined): boolean {
  if (!initAddr) return false;
  return initAddr
    .split(',')
    .some((m) => m === 'none' || isIPv4(m) || isIPv6(m) || isIPv6(m.replace(/^\[|\]$/g, '')));
}

/** Looks every distinct name up once (in parallel) and reports those that do not resolve. */
export async function resolveNames(
  config: HaproxyConfig,
  resolver: NameResolver,
  diags: Diagnostics,
): Promise<void> {
  const lookups = new Map<string, Promise<boolean>>();
  const lookup = (host: string, family: 4 | 6 | 'any') => {
    const key = `${family} ${host}`;
    let p = lookups.get(key);
    if (!p) {
      p = resolver.resolves(host, family).catch(() => false);
      lookups.set(key, p);
    }
    return p;
  };
  const checks: Promise<void>[] = [];
  for (const px of config.proxies) {
    if (px.disabled) continue;
    for (const b of px.binds) {
      for (const a of b.addresses) {
        if (a.kind !== 'inet' || !isName(a.host)) continue;
        checks.push(
          lookup(a.host, a.family).then((ok) => {
            if (!ok)
              diags.error(
                b.pos,
                'HAP_BAD_ADDRESS',
                `'bind' : invalid address: '${a.host}' in '${b.spec}'`,
                'haproxy',
              );
          }),
        );
      }
    }
    for (const s of px.servers) {
      if (!isName(s.host)) continue;
      checks.push(
        lookup(s.host, 'any').then((ok) => {
          if (ok) return;
          const where = `'server ${px.name}/${s.name}'`;
          if (startsWithoutAddress(s.initAddr)) {
            diags.warning(
              s.pos,
              'HAP_UNRESOLVED_SERVER',
              `${where} : could not resolve address '${s.host}', disabling server.`,
              'haproxy',
            );
          } else {
            diags.error(
              s.pos,
              'HAP_UNRESOLVED_SERVER',
              `${where} : could not resolve address '${s.host}'.`,
              'haproxy',
            );
          }
        }),
      );
    }
  }
  await Promise.all(checks);
}
