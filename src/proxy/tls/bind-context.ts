// The TLS side of a `bind ... ssl` line at run time: one secure context per certificate,
// SNI choosing among them (sni.ts), client certificates per `verify`, and the accept-side
// handshake that turns an accepted socket into a TLSSocket. A failed handshake ends that
// connection only; the frontend logs it as HAProxy does (`fe/1: SSL handshake failure`).

import type net from 'node:net';
import type tls from 'node:tls';
import type { BindTls } from '../../config/haproxy/model.js';
import type { SniTable } from './sni.js';
import { pickCertificate, sniTable } from './sni.js';
import { cipherString, tlsModule } from './tls-module.js';

/**
 * The client certificate's verification result: null when it verified. node:tls sets
 * `authorized` only on sockets its own tls.Server accepted, from this same call on the
 * socket's TLS handle; without that handle the certificate counts as unverified.
 */
function verifyError(s: tls.TLSSocket): Error | null {
  const h = (s as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  if (typeof h?.verifyError !== 'function') return new Error('no TLS handle');
  return h.verifyError();
}

function hasPeerCert(s: tls.TLSSocket): boolean {
  const c = s.getPeerCertificate();
  return c !== null && Object.keys(c).length > 0;
}

export class BindTlsContext {
  private readonly contexts: tls.SecureContext[];
  private readonly sni: SniTable;
  private readonly options: tls.TLSSocketOptions;
  readonly verify: BindTls['verify'];

  constructor(
    readonly cfg: BindTls,
    /** The listener's name in logs: the bind's `name`, else its number in the frontend. */
    readonly name: string,
  ) {
    const t = tlsModule();
    const ciphers = cipherString(cfg.ciphers, cfg.ciphersuites);
    this.contexts = cfg.certs.map((c) =>
      t.createSecureContext({
        cert: c.cert,
        key: c.key,
        ciphers,
        ...(cfg.ca !== undefined ? { ca: cfg.ca } : {}),
        ...(cfg.minVersion ? { minVersion: cfg.minVersion } : {}),
        ...(cfg.maxVersion ? { maxVersion: cfg.maxVersion } : {}),
      }),
    );
    this.sni = sniTable(cfg.certs.map((c) => c.names));
    this.verify = cfg.verify;
    const first = this.contexts[0];
    this.options = {
      isServer: true,
      ...(first ? { secureContext: first } : {}),
      SNICallback: (name, cb) => cb(null, this.contexts[pickCertificate(this.sni, name)]),
      requestCert: cfg.verify !== 'none',
      // `optional` still refuses a certificate that fails verification (checked on 'secure').
      rejectUnauthorized: cfg.verify === 'required',
      ...(cfg.alpn?.length ? { ALPNProtocols: [...cfg.alpn] } : {}),
    };
  }

  /**
   * Runs the server handshake on `socket`; `done` gets the TLSSocket once secure, or the
   * reason it failed (HAProxy's words). Never throws; the socket is destroyed on failure.
   */
  handshake(
    socket: net.Socket,
    timeoutMs: number,
    done: (r: { ok: true; socket: tls.TLSSocket } | { ok: false; reason: string }) => void,
  ): void {
    let settled = false;
    const settle = (r: Parameters<typeof done>[0]) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      done(r);
    };
    const fail = (reason: string) => {
      // Whatever the dying socket still reports is this connection's, never the process's.
      secure.on('error', () => {});
      secure.destroy();
      settle({ ok: false, reason });
    };
    const secure = new (tlsModule().TLSSocket)(socket, this.options);
    const timer =
      timeoutMs > 0 ? setTimeout(() => fail('Timeout during SSL handshake'), timeoutMs) : undefined;
    const onError = (err: NodeJS.ErrnoException) =>
      // A client gone before its handshake is done: HAProxy's CO_ER_SSL_ABORT wording.
      fail(
        err.code === 'ECONNRESET'
          ? 'Connection closed during SSL handshake'
          : 'SSL handshake failure',
      );
    // The socket is half-open (a FIN alone does not close it): a FIN before the handshake
    // is done ends it too.
    const onGone = () => fail('Connection closed during SSL handshake');
    secure.once('error', onError);
    secure.once('end', onGone);
    secure.once('close', onGone);
    secure.once('secure', () => {
      // HAProxy aborts on a certificate that fails verification whether `verify` is
      // optional or required; `required` without any certificate never gets here.
      if (this.verify !== 'none' && hasPeerCert(secure) && verifyError(secure) !== null)
        return fail('SSL client certificate not trusted');
      secure.removeListener('error', onError);
      secure.removeListener('end', onGone);
      secure.removeListener('close', onGone);
      settle({ ok: true, socket: secure });
    });
  }
}
