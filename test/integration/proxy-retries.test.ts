// Retries, redispatch, server maxconn with queues, queue timeout, and frontend maxconn,
// against scripted backends on loopback.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { hashAddress } from '../../src/proxy/balance/source.js';
import type { Backend } from './proxy-harness.js';
import {
  backend,
  exchange,
  freePort,
  sleep,
  startProxy,
  tcpDefaults,
  waitFor,
} from './proxy-harness.js';

describe('retries, redispatch, queues, maxconn', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  const keep = (b: Backend) => {
    cleanup.push(() => b.close());
    return b;
  };

  it('without redispatch: retries the same server after the turn-around, then SC', async () => {
    const dead = await freePort();
    const p = await startProxy(`${tcpDefaults}
    retries 2
    timeout connect 200
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${dead}
`);
    cleanup.push(p.stop);
    const t0 = Date.now();
    await exchange(p.port, 'x', { end: false });
    const took = Date.now() - t0;
    // Two turn-arounds of min(timeout connect, 1s) = 200 ms each.
    assert.ok(took >= 380 && took < 2000, `took ${took}ms`);
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / be\/s1 0\/-1\/\d+ 0 SC \d+\/\d+\/0\/0\/2 0\/0$/);
  });

  it('option redispatch with round robin: redispatches at once to another server (+1)', async () => {
    const dead = await freePort();
    const alive = keep(await backend('s2'));
    const p = await startProxy(`${tcpDefaults}
    retries 2
    option redispatch
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${dead}
    server s2 127.0.0.1:${alive.port}
`);
    cleanup.push(p.stop);
    const t0 = Date.now();
    const r = await exchange(p.port, 'hi\n');
    assert.equal(r.data, 's2\nhi\n');
    assert.ok(Date.now() - t0 < 500, 'no turn-around before a redispatch');
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / be\/s2 0\/\d+\/\d+ 6 -- \d+\/\d+\/0\/0\/\+1 0\/0$/);
  });

  it('balance source + redispatch: the same server is retried, only the last retry moves', async () => {
    const dead = await freePort();
    const alive = keep(await backend('s2'));
    // Put the dead server where 127.0.0.1 hashes (map of two weight-1 servers).
    const lines = [`    server s1 127.0.0.1:${dead}`, `    server s2 127.0.0.1:${alive.port}`];
    if (hashAddress('127.0.0.1') % 2 === 1) lines.reverse();
    const p = await startProxy(`${tcpDefaults}
    retries 2
    timeout connect 100
    option redispatch
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    balance source
${lines.join('\n')}
`);
    cleanup.push(p.stop);
    const r = await exchange(p.port, 'hi\n');
    assert.equal(r.data, 's2\nhi\n');
    await waitFor(() => p.log.lines.length === 1);
    const m = / be\/s2 0\/\d+\/(\d+) 6 -- \d+\/\d+\/0\/0\/\+2 0\/0$/.exec(p.log.lines[0]!.message);
    assert.ok(m, p.log.lines[0]!.message);
    assert.ok(Number(m[1]) >= 90, 'one turn-around on the same server before the redispatch');
  });

  it('server maxconn: extra connections wait in the backend queue and go on in order', async () => {
    const held: net.Socket[] = [];
    const b = keep(
      await backend('s1', (s) => {
        held.push(s);
        s.write('hello\n');
        s.on('data', (d) => s.write(d));
        s.on('end', () => s.end());
      }),
    );
    const p = await startProxy(`${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${b.port} maxconn 2
`);
    cleanup.push(p.stop);
    const clients = Array.from({ length: 4 }, () =>
      net.connect({ port: p.port, host: '127.0.0.1' }),
    );
    const got = clients.map(() => '');
    clients.forEach((c, i) => {
      c.on('data', (d) => {
        got[i] += d.toString();
      });
    });
    await waitFor(() => b.accepted === 2, 2000, 'two accepted');
    await sleep(100);
    assert.equal(b.accepted, 2, 'the server never sees more than maxconn');
    const be = p.engine.backends.get('be')!;
    assert.equal(be.queue.length, 2);
    clients[0]!.end();
    await waitFor(() => b.accepted === 3, 2000, 'third accepted after a slot freed');
    clients[1]!.end();
    await waitFor(() => b.accepted === 4, 2000, 'fourth accepted');
    for (const c of clients.slice(2)) c.end();
    await waitFor(() => p.log.lines.length === 4, 2000, 'four log lines');
    const queued = p.log.lines.map((l) => l.message).filter((m) => / 0\/1$| 1\/1$| 0\/0$/.test(m));
    assert.equal(queued.length, 4);
    assert.match(p.log.lines[2]!.message, / be\/s1 \d+\/\d+\/\d+ /);
    assert.ok(got.every((g) => g.startsWith('hello')));
  });

  it('timeout queue: a queued connection gives up with sQ', async () => {
    const b = keep(await backend('s1', () => {}));
    const p = await startProxy(`${tcpDefaults}
    timeout queue 200
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${b.port} maxconn 1
`);
    cleanup.push(p.stop);
    const first = net.connect({ port: p.port, host: '127.0.0.1' });
    await waitFor(() => b.accepted === 1);
    const t0 = Date.now();
    const r = await exchange(p.port, 'x', { end: false });
    const took = Date.now() - t0;
    assert.equal(r.data, '');
    assert.ok(took >= 180 && took < 1500, `took ${took}ms`);
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / be\/<NOSRV> \d+\/-1\/\d+ 0 sQ .* 0\/0$/);
    first.destroy();
  });

  it('frontend maxconn: past it, connections wait (not refused) and start when a slot frees', async () => {
    const b = keep(await backend('s1'));
    const p = await startProxy(`${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    maxconn 2
    default_backend be
backend be
    server s1 127.0.0.1:${b.port}
`);
    cleanup.push(p.stop);
    const cs = Array.from({ length: 3 }, () => net.connect({ port: p.port, host: '127.0.0.1' }));
    const data = cs.map(() => '');
    cs.forEach((c, i) => {
      c.on('data', (d) => {
        data[i] += d.toString();
      });
    });
    await waitFor(() => b.accepted === 2, 2000);
    await sleep(100);
    assert.equal(b.accepted, 2);
    assert.equal(p.engine.frontends[0]!.conns, 2);
    cs[0]!.end();
    await waitFor(() => b.accepted === 3, 2000, 'the waiting connection starts');
    cs[2]!.write('late\n');
    await waitFor(() => data[2] === 's1\nlate\n', 2000);
    for (const c of cs) c.destroy();
  });
});
