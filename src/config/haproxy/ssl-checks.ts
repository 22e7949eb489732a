// The TLS settings HAProxy 2.6 refuses after parsing: a `bind ... ssl` without a
// certificate, and a TLS server whose certificate would be verified against no CA.
// halo reads no certificate file; these checks only look at what the lines say. A TLS check
// that should verify against a CA file is refused: halo does not load that file yet.

import type { Diagnostics } from '../diagnostics.js';
import type { GlobalDraft, ProxyDraft } from './draft.js';
import { refuseUnapplied } from './keywords/not-applied.js';

const where = (p: { file: string; line: number }) => `${p.file}:${p.line}`;

/** ssl_sock_prepare_bind_conf(): checked on every proxy, disabled ones included. */
function bindCertificates(px: ProxyDraft, diags: Diagnostics): void {
  for (const b of px.binds) {
    const o = b.options;
    if (!o.ssl || o.crt !== undefined || o['crt-list'] !== undefined) continue;
    const head = `Proxy '${px.name}': no SSL certificate specified for bind '${b.spec}' at [${where(b.pos)}]`;
    if (o['strict-sni']) {
      diags.warning(
        b.pos,
        'HAP_BIND_NO_CERT',
        `${head}, ssl connections will fail (use 'crt').`,
        'haproxy',
      );
    } else {
      diags.error(b.pos, 'HAP_BIND_NO_CERT', `${head} (use 'crt').`, 'haproxy');
    }
  }
}

/** ssl_sock_prepare_srv_ctx(): servers of enabled backends that speak TLS (traffic or checks). */
function serverVerify(px: ProxyDraft, global: GlobalDraft, diags: Diagnostics): void {
  const sslChecks = px.checkRules.some((r) => r.kind === 'connect' && r.ssl === true);
  const byDefault = global.sslServerVerify !== 'none';
  for (const s of px.servers) {
    if (!s.ssl && !s.sslFromDefaults && !s.checkSsl && !sslChecks) continue;
    const verify = s.verify ?? (byDefault ? 'required' : 'none');
    if (verify === 'none') continue;
    if (s.caFile !== undefined) {
      if (s.check && (s.checkSsl || sslChecks)) uncheckedCa(px, s, diags);
      continue;
    }
    const head = `'server ${px.name}/${s.name}' : verify is enabled`;
    const message = byDefault
      ? `${head} by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.`
      : `${head} but no CA file specified.`;
    diags.error(s.pos, 'HAP_SERVER_NO_CA', message, 'haproxy');
  }
}

// health/probe.ts verifies check-ssl against Node's own CA list and `http-check connect ssl`
// not at all: a check would pass against a server the named CA never signed.
function uncheckedCa(px: ProxyDraft, s: ProxyDraft['servers'][number], diags: Diagnostics): void {
  refuseUnapplied(
    diags,
    s.pos,
    `'ca-file ${s.caFile}' for the TLS health checks of 'server ${px.name}/${s.name}'`,
    "halo does not load CA files yet, so the checks would verify the server against Node's built-in CAs (or, with 'http-check connect ssl', not at all), so a server the named CA never signed could pass as up",
  );
}

export function sslChecks(
  global: GlobalDraft,
  proxies: readonly ProxyDraft[],
  diags: Diagnostics,
): void {
  for (const px of proxies) {
    bindCertificates(px, diags);
    if (px.kind !== 'frontend' && !px.disabled) serverVerify(px, global, diags);
  }
}
