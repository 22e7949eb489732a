// The TLS settings HAProxy 2.6 refuses after parsing: a `bind ... ssl` without a
// certificate, and a TLS server whose certificate would be verified against no CA.
// Files are read by tls-files.ts; these checks only look at what the lines say.

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
      if (s.check && sslChecks && !s.checkSsl) uncheckedCa(px, s, diags);
      continue;
    }
    const head = `'server ${px.name}/${s.name}' : verify is enabled`;
    const message = byDefault
      ? `${head} by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.`
      : `${head} but no CA file specified.`;
    diags.error(s.pos, 'HAP_SERVER_NO_CA', message, 'haproxy');
  }
}

// `http-check connect ssl` does not verify at all (http-probe.ts): such a check would pass
// against a server the named CA never signed. check-ssl verifies against the ca-file.
function uncheckedCa(px: ProxyDraft, s: ProxyDraft['servers'][number], diags: Diagnostics): void {
  refuseUnapplied(
    diags,
    s.pos,
    `'ca-file ${s.caFile}' for the TLS health checks of 'server ${px.name}/${s.name}'`,
    "halo does not load CA files yet, so the checks would verify the server against Node's built-in CAs (or, with 'http-check connect ssl', not at all), so a server the named CA never signed could pass as up",
  );
}

/** ssl_sock_prepare_bind_conf(): client certificates verified against no CA. */
function bindVerify(px: ProxyDraft, diags: Diagnostics): void {
  for (const b of px.binds) {
    const v = b.tls?.verify;
    if (!b.options.ssl || v === undefined || v === 'none' || b.tls?.ca !== undefined) continue;
    if (b.options['ca-file'] !== undefined) continue; // unreadable: reported by tls-files.ts
    diags.error(
      b.pos,
      'HAP_BIND_NO_CA',
      `Proxy '${px.name}': verify is enabled but no CA file specified for bind '${b.spec}' at [${where(b.pos)}].`,
      'haproxy',
    );
  }
}

/** The `sni` expressions proxy/tls/server-tls.ts sniValue() evaluates. */
function sniSupported(expr: string): boolean {
  return /^str\(.*\)$/.test(expr) || /^(req\.hdr|hdr)\(host\)$/i.test(expr);
}

const TCP_TLS =
  'halo carries TLS only on the HTTP side yet (mode http, or a tcp frontend whose backend is in mode http): its raw TCP relay cannot, so this traffic would not be the TLS the line promises';

/** `mode tcp` to a tcp backend over TLS: halo's raw relay cannot carry TLS yet. */
function tcpTls(px: ProxyDraft, byName: Map<string, ProxyDraft>, diags: Diagnostics): void {
  const http = (p: ProxyDraft | undefined) => (p?.mode?.value ?? 'tcp') === 'http';
  if (px.kind !== 'frontend' && !http(px) && !px.disabled) {
    for (const s of px.servers) {
      if (s.ssl)
        refuseUnapplied(
          diags,
          s.pos,
          `'ssl' on a server of the mode tcp ${px.kind} '${px.name}'`,
          TCP_TLS,
        );
    }
  }
  for (const s of px.servers) {
    if (s.ssl && s.sni !== undefined && !sniSupported(s.sni))
      refuseUnapplied(
        diags,
        s.pos,
        `'sni ${s.sni}' on server '${px.name}/${s.name}'`,
        "halo evaluates only 'str(NAME)' and 'req.hdr(host)' as a server's SNI yet, so the server would get no name, or the wrong certificate would be accepted",
      );
  }
  const be = px.kind === 'listen' ? px : byName.get(px.defaultBackend?.name ?? '');
  if (px.kind === 'backend' || http(px) || http(be)) return;
  for (const b of px.binds) {
    if (!b.options.ssl) continue;
    refuseUnapplied(
      diags,
      b.pos,
      `'ssl' on a bind line of the mode tcp ${px.kind} '${px.name}'`,
      TCP_TLS,
    );
  }
}

const PROXY_TLS =
  'halo does not combine the PROXY protocol with TLS on one connection yet (the header goes before the handshake), so the line would not do what it says';

/** PROXY header and TLS on the same connection: each works alone, not together yet. */
function proxyWithTls(px: ProxyDraft, diags: Diagnostics): void {
  const sslBinds = px.binds.filter((b) => b.options.ssl);
  for (const b of sslBinds) {
    if (b.options['accept-proxy'])
      refuseUnapplied(
        diags,
        b.pos,
        `'accept-proxy' together with 'ssl' on one bind line`,
        PROXY_TLS,
      );
  }
  if (sslBinds.length > 0) {
    for (const r of px.expectProxy ?? [])
      refuseUnapplied(
        diags,
        r.pos,
        `'tcp-request connection expect-proxy' in '${px.name}', which has a bind with 'ssl'`,
        PROXY_TLS,
      );
  }
  for (const s of px.servers) {
    if (s.sendProxy !== undefined && s.ssl)
      refuseUnapplied(
        diags,
        s.pos,
        `'${s.sendProxy === 'v2' ? 'send-proxy-v2' : 'send-proxy'}' together with 'ssl' on server '${px.name}/${s.name}'`,
        PROXY_TLS,
      );
  }
}

export function sslChecks(
  global: GlobalDraft,
  proxies: readonly ProxyDraft[],
  diags: Diagnostics,
): void {
  const byName = new Map(proxies.map((p) => [p.name, p]));
  for (const px of proxies) {
    bindCertificates(px, diags);
    bindVerify(px, diags);
    tcpTls(px, byName, diags);
    proxyWithTls(px, diags);
    if (px.kind !== 'frontend' && !px.disabled) serverVerify(px, global, diags);
  }
}
