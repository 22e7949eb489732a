// The prober port and the connection step every probe shares: TCP connect (layer 4),
// then optionally TLS (layer 6). Probes resolve to a CheckResult and never reject.

import { createRequire } from 'node:module';
import net from 'node:net';
import type tls from 'node:tls';
import { encodeProxyV1, encodeProxyV2 } from '../proxy-protocol.js';
import type { CheckResult } from './result.js';
import { errnoInfo } from './result.js';

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  /** Budget for TCP connect (+ TLS handshake). */
  readonly connectTimeout: number;
  /** Budget for the exchange after connecting (`timeout check`, or what is left of inter). */
  readonly readTimeout: number;
  readonly ssl?:
    | { readonly servername?: string | undefined; readonly verify: boolean; readonly ca?: string }
    | undefined;
  /**
   * The PROXY header a check starts with (`send-proxy` servers): v1 carries the check
   * connection's own addresses, v2 is a LOCAL command, as HAProxy 2.6 sends them.
   */
  readonly sendProxy?: 'v1' | 'v2' | undefined;
}

/** The PROXY header of a check connection, once it is connected. */
function checkProxyHeader(version: 'v1' | 'v2', tcp: net.Socket): Uint8Array {
  if (version === 'v2') return encodeProxyV2({}, true);
  const end = (address: string | undefined, port: number | undefined) =>
    address === undefined || port === undefined ? undefined : { address, port };
  return encodeProxyV1({
    src: end(tcp.localAddress, tcp.localPort),
    dst: end(tcp.remoteAddress, tcp.remotePort),
  });
}

export type Probe = (target: ProbeTarget) => Promise<CheckResult>;

// node:tls loads on the first `check-ssl` probe, after the proxy listens: loading it at
// start cost some 10 ms before the first accept, and most checks are plain TCP or HTTP.
let tlsModule: typeof tls | undefined;
function tlsConnect(options: tls.ConnectionOptions): tls.TLSSocket {
  tlsModule ??= createRequire(import.meta.url)('node:tls') as typeof tls;
  return tlsModule.connect(options);
}

export type Connected =
  | { ok: true; socket: net.Socket; started: number }
  | { ok: false; result: CheckResult };

/** Connects (and handshakes TLS when asked) within target.connectTimeout. */
export function connectForCheck(target: ProbeTarget): Promise<Connected> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  return new Promise((resolve) => {
    let done = false;
    const tcp = net.connect({ host: target.host, port: target.port });
    tcp.setNoDelay(true);
    let socket: net.Socket = tcp;
    const finish = (c: Connected) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeListener('error', onError);
      if (!c.ok) socket.destroy();
      resolve(c);
    };
    const timer = setTimeout(() => {
      const tlsPhase = socket !== tcp && tcp.readyState === 'open';
      finish({
        ok: false,
        result: { status: tlsPhase ? 'L6TOUT' : 'L4TOUT', ok: false, durationMs: elapsed() },
      });
    }, target.connectTimeout);
    const onError = (err: Error) => {
      const tlsPhase = socket !== tcp;
      finish({
        ok: false,
        result: tlsPhase
          ? { status: 'L6RSP', ok: false, info: err.message, durationMs: elapsed() }
          : { status: 'L4CON', ok: false, info: errnoInfo(err), durationMs: elapsed() },
      });
    };
    tcp.on('error', onError);
    tcp.once('connect', () => {
      if (target.sendProxy) tcp.write(checkProxyHeader(target.sendProxy, tcp));
      if (!target.ssl) return finish({ ok: true, socket: tcp, started });
      tcp.removeListener('error', onError);
      const secure = tlsConnect({
        socket: tcp,
        rejectUnauthorized: target.ssl.verify,
        ...(target.ssl.ca !== undefined ? { ca: target.ssl.ca } : {}),
        // HAProxy 2.6 checks names only against an SNI it sent (server-tls.ts).
        ...(target.ssl.servername
          ? { servername: target.ssl.servername }
          : { checkServerIdentity: () => undefined }),
      });
      socket = secure;
      secure.on('error', onError);
      secure.once('secureConnect', () => finish({ ok: true, socket: secure, started }));
    });
  });
}

/** Layer-4 check: a successful connect (and TLS handshake with check-ssl) is a pass. */
export const tcpProbe: Probe = async (target) => {
  const c = await connectForCheck(target);
  if (!c.ok) return c.result;
  c.socket.destroy();
  const durationMs = performance.now() - c.started;
  return target.ssl
    ? { status: 'L6OK', ok: true, durationMs }
    : { status: 'L4OK', ok: true, durationMs };
};
