// A port number for a config file that needs one (HAProxy's grammar has no "any port" for a
// frontend the client must find). Tests, benches and the demo take their ports here.
//
// Why not bind(0) and close: the kernel hands out ephemeral ports at random, so two calls in
// a row can return the same number (a test that bound two frontends on one port then saw
// one frontend's traffic on the other, since halo binds with SO_REUSEPORT), and the number
// can be taken meanwhile as the source port of an outgoing connection. Ports here come from
// below the ephemeral range, walked in order from a per-process start, and each is checked
// free by binding it: within a process a number is not handed out twice until the walk
// wraps, and concurrent processes start far apart.

import { createServer } from 'node:net';

const LOW = 20000;
const HIGH = 32767;
const SPAN = HIGH - LOW + 1;

let next = LOW + ((process.pid * 7919) % SPAN);

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A port on `host` that was free a moment ago and that this process has not handed out. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < SPAN; tries++) {
    const port = next;
    next = port === HIGH ? LOW : port + 1;
    if (await canBind(port, host)) return port;
  }
  throw new Error(`no free port on ${host} between ${LOW} and ${HIGH}`);
}
