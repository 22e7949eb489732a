// Backpressure both ways: a slow reader on either side never makes halo buffer more than a
// socket high-water mark plus a chunk, and every byte still arrives, in order, also when
// small writes are taken only in part.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { ownBufferStats } from '../../src/proxy/io/stream-handle.js';
import { backend, sleep, startProxy, tcpDefaults, waitFor } from './proxy-harness.js';

const TOTAL = 32 * 1024 * 1024;
const BOUND = 256 * 1024;

describe('backpressure', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  /** A proxy in front of a server that accepts and does not read until told (`reader().resume()`). */
  async function stalledServer(name: string) {
    const received: Buffer[] = [];
    let socket: net.Socket | undefined;
    const b = await backend(name, (s) => {
      socket = s;
      s.pause();
      s.on('data', (d) => received.push(d));
      s.on('end', () => s.end());
    });
    cleanup.push(() => b.close());
    const p = await startProxy(`${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${b.port}
`);
    cleanup.push(p.stop);
    return { received, reader: () => socket, p };
  }

  it('slow client: a fast server cannot make halo buffer without bound', async () => {
    const payload = randomBytes(TOTAL);
    const b = await backend('fast', (s) => s.end(payload));
    cleanup.push(() => b.close());
    const p = await startProxy(`${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${b.port}
`);
    cleanup.push(p.stop);
    const c = net.connect({ port: p.port, host: '127.0.0.1' });
    c.pause(); // the client reads nothing for a while
    await waitFor(() => p.engine.frontends[0]!.sessionList()[0]?.server !== undefined);
    let maxBuffered = 0;
    for (let i = 0; i < 40; i++) {
      await sleep(10);
      const s = p.engine.frontends[0]!.sessionList()[0]!;
      maxBuffered = Math.max(maxBuffered, s.buffered());
    }
    assert.ok(maxBuffered < BOUND, `halo buffered ${maxBuffered} bytes for a stalled client`);
    const hash = createHash('sha256');
    let got = 0;
    c.on('data', (d: Buffer) => {
      hash.update(d);
      got += d.length;
    });
    c.resume();
    await new Promise((r) => c.on('end', r));
    c.end();
    assert.equal(got, TOTAL);
    assert.equal(hash.digest('hex'), createHash('sha256').update(payload).digest('hex'));
  });

  it('slow server: a fast client cannot make halo buffer without bound', async () => {
    const { received, reader, p } = await stalledServer('slow');
    const payload = randomBytes(TOTAL);
    const c = net.connect({ port: p.port, host: '127.0.0.1' });
    c.end(payload);
    await waitFor(() => reader() !== undefined);
    let maxBuffered = 0;
    for (let i = 0; i < 40; i++) {
      await sleep(10);
      const s = p.engine.frontends[0]!.sessionList()[0]!;
      maxBuffered = Math.max(maxBuffered, s.buffered());
    }
    assert.ok(maxBuffered < BOUND, `halo buffered ${maxBuffered} bytes for a stalled server`);
    reader()!.resume();
    await waitFor(() => received.reduce((n, d) => n + d.length, 0) === TOTAL, 10_000, 'all bytes');
    assert.ok(Buffer.concat(received).equals(payload));
    c.destroy();
  });

  it('small writes against a stalled server: partial writes keep every byte in order', async () => {
    // Reads share one buffer; a chunk the kernel takes only in part must be kept whole.
    const { received, reader, p } = await stalledServer('stalled');
    const payload = randomBytes(8 * 1024 * 1024);
    const c = net.connect({ port: p.port, host: '127.0.0.1', noDelay: true });
    await new Promise((r) => c.on('connect', r));
    // The server starts reading after a while, not after the last write: whether 8 MiB
    // fit in the socket buffers on the way depends on kernel autotuning (on a loaded
    // machine they did not, and the writer waited for a drain that could not come).
    const resume = waitFor(() => reader() !== undefined).then(async () => {
      await sleep(300);
      reader()!.resume();
    });
    for (let off = 0, i = 0; off < payload.length; i++) {
      const n = 1 + ((i * 7919) % 3000);
      const ok = c.write(payload.subarray(off, off + n));
      off += n;
      if (!ok) await new Promise((r) => c.once('drain', r));
    }
    c.end();
    await resume;
    await waitFor(
      () => received.reduce((n, d) => n + d.length, 0) >= payload.length,
      20_000,
      'all bytes',
    );
    assert.ok(Buffer.concat(received).equals(payload));
    c.destroy();
  });

  it('bulk both ways in concurrent sessions, waves reusing read buffers: every byte echoed', async () => {
    // Bulk sides read into buffers of their own, pooled across sessions. Stalled clients
    // leave writes pending from those buffers while other sessions stream: a buffer handed
    // to two sessions, or reused while a write from it is pending, corrupts an echo.
    const b = await backend('echo', (s) => s.pipe(s));
    cleanup.push(() => b.close());
    const p = await startProxy(`${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${b.port}
`);
    cleanup.push(p.stop);
    const echo = async (i: number, stallMs: number): Promise<void> => {
      const payload = randomBytes((stallMs ? 8 : 2) * 1024 * 1024 + i * 4099);
      const c = net.connect({ port: p.port, host: '127.0.0.1' });
      const got: Buffer[] = [];
      let n = 0;
      c.on('data', (d: Buffer) => {
        got.push(d);
        n += d.length;
        if (n >= payload.length) c.end();
      });
      if (stallMs) {
        c.pause();
        setTimeout(() => c.resume(), stallMs);
      }
      c.write(payload);
      await new Promise((r) => c.on('close', r));
      assert.equal(n, payload.length, `session ${i}: byte count`);
      assert.ok(Buffer.concat(got).equals(payload), `session ${i}: bytes differ`);
    };
    // Sessions of the tests before may still be closing.
    await waitFor(() => ownBufferStats().inUse === 0);
    const before = ownBufferStats();
    for (let wave = 0; wave < 3; wave++) {
      const stalled = [0, 1, 2].map((i) => echo(wave * 8 + i, 300));
      await sleep(50);
      const streaming = [3, 4, 5, 6, 7].map((i) => echo(wave * 8 + i, 0));
      await Promise.all([...stalled, ...streaming]);
    }
    await waitFor(() => p.engine.frontends[0]!.activeSessions === 0);
    const after = ownBufferStats();
    // Both sides of every session moved bulk data: each took a buffer, and gave it back.
    assert.equal(after.taken - before.taken, 2 * 24);
    assert.equal(after.inUse, 0);
    assert.ok(after.pooled > 0 && after.pooled <= 2 * 8, `pool holds ${after.pooled}`);
  });
});
