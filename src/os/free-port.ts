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
export function freePort(host = '127.0.0.1'): Promise<number> {
  return freePorts(1, host);
}

/**
 * The first of `count` consecutive ports (a `bind` port range), all free a moment ago and none
 * handed out before: the walk moves past the whole block.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > SPAN) throw new RangeError(`count ${count}`);
  for (let tries = 0; tries < SPAN; tries++) {
    const first = next + count - 1 > HIGH ? LOW : next;
    next = first + count > HIGH ? LOW : first + count;
    let free = true;
    for (let p = first; p < first + count && free; p++) free = await canBind(p, host);
    if (free) return first;
  }
  throw new Error(`no ${count} free consecutive ports on ${host} between ${LOW} and ${HIGH}`);
}
