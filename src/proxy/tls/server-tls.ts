// TLS towards a server (`server ... ssl verify ca-file sni alpn`) as node:tls connect
// options. HAProxy 2.6 checks the certificate's names only against the SNI it sent; with
// no SNI, a certificate the CA signed passes whatever its names (hence `verifyhost`).

import type tls from 'node:tls';
import type { Server } from '../../config/haproxy/model.js';

/** The `sni` expression's value for one request: `str(x)` literally, `req.hdr(host)` from `host`. */
export function sniValue(expr: string | undefined, host?: string): string | undefined {
  if (expr === undefined) return undefined;
  const str = /^str\((.*)\)$/.exec(expr);
  if (str) return str[1];
  // The header as sent, port included: HAProxy 2.6 sends `name:8080` too (and then the
  // certificate's names do not match it).
  if (/^(req\.hdr|hdr)\(host\)$/i.test(expr)) return host || undefined;
  return undefined;
}

// Other expressions are refused at start-up (config/haproxy/ssl-checks.ts sniSupported).

export function serverTlsOptions(s: Server, servername: string | undefined): tls.ConnectionOptions {
  // `ssl-server-verify` (default required) applies where the line says nothing.
  const verify = (s.verify ?? s.verifyDefault ?? 'required') === 'required';
  return {
    rejectUnauthorized: verify,
    ...(s.caPem !== undefined ? { ca: s.caPem } : {}),
    ...(servername ? { servername } : {}),
    // No SNI: the CA's signature is what is checked, not the names (HAProxy 2.6).
    ...(servername ? {} : { checkServerIdentity: () => undefined }),
    ...(s.alpn ? { ALPNProtocols: s.alpn.split(',') } : {}),
  };
}
