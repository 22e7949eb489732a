// The ssl_fc* and ssl_c_* sample fetches of a client connection that came in over TLS,
// read from its TLSSocket once per request that asks.

import type { TLSSocket } from 'node:tls';

export interface SslFacts {
  /** ssl_fc_sni: the name the client sent ('' without SNI). */
  readonly sni: string;
  /** ssl_fc_protocol: `TLSv1.3`... */
  readonly protocol: string;
  /** ssl_c_used: the client sent a certificate. */
  readonly clientCertUsed: boolean;
  /** ssl_c_verify: 0 when it verified (a failed one never gets past the handshake). */
  readonly clientVerify: number;
  /** ssl_c_s_dn: the client certificate's subject, `/C=../CN=..` as HAProxy prints it. */
  readonly clientDn: string;
}

export function sslFacts(s: TLSSocket): SslFacts {
  const x = s.getPeerX509Certificate();
  const servername = (s as TLSSocket & { servername?: string | false }).servername;
  return {
    sni: typeof servername === 'string' ? servername : '',
    protocol: s.getProtocol() ?? '',
    clientCertUsed: x !== undefined,
    clientVerify: 0,
    clientDn: x ? `/${x.subject.split('\n').join('/')}` : '',
  };
}
