// The reuseport steering a take-over (`-sf`/`-st`) attaches: two real listening sockets
// in one SO_REUSEPORT group on loopback; once steered, every new connection queues on
// the socket that listened last, none on the first (whose close would reset them).

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { AF, sockaddrIn } from '../../src/os/linux-abi.js';
import { addon } from '../../src/os/native.js';
import { registerReuseportSocket, steerToOwnSockets } from '../../src/proxy/takeover-steering.js';
import { freePort } from './proxy-harness.js';

const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const CLIENTS = 40;

function reuseportListener(port: number): number {
  const os = addon();
  const fd = os.socket(AF.INET, SOCK_STREAM, 0);
  os.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  os.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  os.bind(fd, sockaddrIn(Uint8Array.of(127, 0, 0, 1), port));
  os.listen(fd, 128);
  return fd;
}

/** Connects CLIENTS times, then counts the connections queued on each listener. */
async function spread(port: number, fds: number[]): Promise<number[]> {
  const clients = await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  const counts = fds.map((fd) => {
    let n = 0;
    for (let c = addon().accept(fd); c >= 0; c = addon().accept(fd)) {
      addon().close(c);
      n++;
    }
    return n;
  });
  for (const c of clients) c.destroy();
  return counts;
}

describe('take-over steering (SO_ATTACH_REUSEPORT_CBPF)', () => {
  it('without it the kernel spreads connections over both sockets (control)', async () => {
    const port = await freePort();
    const fds = [reuseportListener(port), reuseportListener(port)];
    try {
      const [a, b] = await spread(port, fds);
      assert.equal(a! + b!, CLIENTS);
      assert.ok(a! > 0 && b! > 0, `both take some: ${a} and ${b}`);
    } finally {
      for (const fd of fds) addon().close(fd);
    }
  });

  it('with it every new connection queues on the socket that listened last', async () => {
    const port = await freePort();
    const old = reuseportListener(port);
    const fresh = reuseportListener(port);
    let open = true;
    registerReuseportSocket(fresh, 4, () => open);
    try {
      assert.equal(steerToOwnSockets(), 1);
      const [a, b] = await spread(port, [old, fresh]);
      assert.deepEqual({ old: a, fresh: b }, { old: 0, fresh: CLIENTS });
      // The predecessor closes: its slot is refilled, the program's index is past the
      // end, and the kernel hashes again over the one socket left.
      addon().close(old);
      const [c] = await spread(port, [fresh]);
      assert.equal(c, CLIENTS);
    } finally {
      open = false;
      addon().close(fresh);
    }
  });
});
