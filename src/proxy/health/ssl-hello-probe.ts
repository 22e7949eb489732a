// `option ssl-hello-chk`: send a TLS ClientHello over plain TCP and expect the first byte of
// the reply to be a TLS handshake (0x16) or alert (0x15) record, as HAProxy does.

import { createRequire } from 'node:module';
import type { Probe } from './probe.js';
import { connectForCheck } from './probe.js';

// node:crypto is loaded at the first check, not at start-up: it costs about 18 ms of
// module compilation before the proxy could listen (bench/startup.ts).
let crypto: typeof import('node:crypto') | undefined;
const randomBytes = (n: number): Buffer => {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.randomBytes(n);
};

/** A minimal TLS 1.2 ClientHello with a few common suites and no extensions. */
export function clientHello(): Buffer {
  const suites = [0xc02f, 0xc02b, 0xc030, 0xc02c, 0x009c, 0x002f, 0x0035, 0x000a];
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    randomBytes(32),
    Buffer.from([0x00]), // session id length
    Buffer.from([0x00, suites.length * 2]),
    Buffer.from(suites.flatMap((s) => [s >> 8, s & 0xff])),
    Buffer.from([0x01, 0x00]), // compression: null
  ]);
  const handshake = Buffer.concat([
    Buffer.from([0x01, 0x00, body.length >> 8, body.length & 0xff]),
    body,
  ]);
  return Buffer.concat([
    Buffer.from([0x16, 0x03, 0x01, handshake.length >> 8, handshake.length & 0xff]),
    handshake,
  ]);
}

export const sslHelloProbe: Probe = async (target) => {
  const c = await connectForCheck({ ...target, ssl: undefined });
  if (!c.ok) return c.result;
  const { socket, started } = c;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done('L6TOUT', false), target.readTimeout);
    function done(status: 'L6OK' | 'L6RSP' | 'L6TOUT', ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, ok, durationMs: performance.now() - started });
    }
    socket.once('data', (d: Buffer) => {
      const first = d[0];
      done(first === 0x16 || first === 0x15 ? 'L6OK' : 'L6RSP', first === 0x16 || first === 0x15);
    });
    socket.once('end', () => done('L6RSP', false));
    socket.once('error', () => done('L6RSP', false));
    socket.write(clientHello());
  });
};
