// node:tls, loaded on first use: a config without TLS never pays for it at start-up
// (as node-http.ts does for node:http, and health/probe.ts for check-ssl).

import { createRequire } from 'node:module';
import type tls from 'node:tls';

let loaded: typeof tls | undefined;

export function tlsModule(): typeof tls {
  loaded ??= createRequire(import.meta.url)('node:tls') as typeof tls;
  return loaded;
}

/** Node's default cipher string split as HAProxy keeps them: TLS 1.3 suites, older ciphers. */
export function defaultCiphers(): { suites: string; ciphers: string } {
  const all = tlsModule().DEFAULT_CIPHERS.split(':');
  return {
    suites: all.filter((c) => c.startsWith('TLS_')).join(':'),
    ciphers: all.filter((c) => !c.startsWith('TLS_')).join(':'),
  };
}

/**
 * `ciphers` (TLS <= 1.2) and `ciphersuites` (TLS 1.3) as one Node cipher string. Node reads
 * TLS_* names as 1.3 suites and turns TLS 1.3 off when there are none, so each list that
 * is not given keeps Node's default half.
 */
export function cipherString(ciphers: string | undefined, suites: string | undefined): string {
  const d = defaultCiphers();
  return [suites ?? d.suites, ciphers ?? d.ciphers].filter((s) => s !== '').join(':');
}
