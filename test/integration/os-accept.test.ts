// The halo_os accept primitives on real loopback sockets: listen, accept (a queued
// connection's fd, -EAGAIN when none), and a poll that can be stopped and restarted
// while connections wait in the kernel's queue.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { AF, sockaddrIn } from '../../src/os/linux-abi.js';
import { addon, isSystemCallError } from '../../src/os/native.js';
import { acceptQueue, freePort, sleep, waitFor } from './proxy-harness.js';

const SOCK_STREAM = 1;
const EAGAIN = -11;

function listening(port: number, backlog = 8): number {
  const os = addon();
  const fd = os.socket(AF.INET, SOCK_STREAM, 0);
  os.bind(fd, sockaddrIn(Uint8Array.of(127, 0, 0, 1), port));
  os.listen(fd, backlog);
  return fd;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.on('error', reject);
  });
}

describe('halo_os listen/accept/pollWatch', () => {
  it('accept gives -EAGAIN on an empty queue, then the fd of a queued connection', async () => {
    const port = await freePort();
    const os = addon();
    const fd = listening(port);
    assert.equal(os.accept(fd), EAGAIN);
    const c = await connect(port);
    await waitFor(() => acceptQueue(port)?.queued === 1, 2000, 'queued');
    const conn = os.accept(fd);
    assert.ok(conn > 2, `an fd: ${conn}`);
    assert.equal(acceptQueue(port)?.queued, 0);
    assert.equal(os.accept(fd), EAGAIN);
    os.close(conn);
    os.close(fd);
    c.destroy();
  });

  it('listen on a closed descriptor throws EBADF with its syscall', () => {
    assert.throws(
      () => addon().listen(1_000_000, 1),
      (e: unknown) => isSystemCallError(e, 'EBADF') && e.syscall === 'listen',
    );
  });

  it('a stopped poll leaves connections queued; restarted, it reports them', async () => {
    const port = await freePort();
    const os = addon();
    const fd = listening(port);
    let wakeups = 0;
    const accepted: number[] = [];
    const w = os.watch(fd, () => {
      wakeups++;
      for (let c = os.accept(fd); c >= 0; c = os.accept(fd)) accepted.push(c);
    });
    os.pollWatch(w, false);
    const clients = [await connect(port), await connect(port)];
    await sleep(200);
    assert.equal(wakeups, 0, 'no callback while stopped');
    assert.equal(acceptQueue(port)?.queued, 2);
    os.pollWatch(w, true);
    await waitFor(() => accepted.length === 2, 2000, 'both accepted once polling again');
    assert.equal(acceptQueue(port)?.queued, 0);
    os.unwatch(w);
    for (const c of accepted) os.close(c);
    os.close(fd);
    for (const c of clients) c.destroy();
  });
});
