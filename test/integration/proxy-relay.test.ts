// The TCP relay on loopback with scripted backends: round robin, echo through the proxy,
// half-close, a backend killed mid-stream, a backend that accepts and hangs, tcplog lines.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import type { Backend, Running } from './proxy-harness.js';
import { backend, exchange, sleep, startProxy, tcpDefaults, waitFor } from './proxy-harness.js';

describe('proxy relay (tcp)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  async function setup(servers: Backend[], extra = '', backendExtra = ''): Promise<Running> {
    cleanup.push(...servers.map((b) => () => b.close()));
    const text = `${tcpDefaults}${extra}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    balance roundrobin
${backendExtra}
${servers.map((b) => `    server ${b.name} 127.0.0.1:${b.port}`).join('\n')}
`;
    const p = await startProxy(text);
    cleanup.push(p.stop);
    return p;
  }

  it('relays both ways and round-robins across servers', async () => {
    const bs = await Promise.all(['s1', 's2', 's3'].map((n) => backend(n)));
    const p = await setup(bs);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await exchange(p.port, `ping${i}\n`);
      const [name, echo] = r.data.split('\n');
      seen.push(name!);
      assert.equal(echo, `ping${i}`);
    }
    assert.deepEqual(seen, ['s1', 's2', 's3', 's1', 's2', 's3']);
    await waitFor(() => p.log.lines.length === 6, 2000, 'six log lines');
    const line = p.log.lines[0]!.message;
    assert.match(
      line,
      /^127\.0\.0\.1:\d+ \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3}\] fe be\/s1 0\/\d+\/\d+ 9 -- \d+\/\d+\/0\/0\/0 0\/0$/,
    );
  });

  it('half-close: the client shuts its write side and still reads the whole reply', async () => {
    // The server answers only after the client's FIN, then closes.
    const b = await backend('hc', (s) => {
      const chunks: Buffer[] = [];
      s.on('data', (d) => chunks.push(d));
      s.on('end', () => {
        const got = Buffer.concat(chunks).toString();
        setTimeout(() => s.end(`got ${got.length} bytes: ${got.toUpperCase()}`), 50);
      });
    });
    const p = await setup([b]);
    const r = await exchange(p.port, 'hello world');
    assert.equal(r.data, 'got 11 bytes: HELLO WORLD');
  });

  it('half-close the other way: the server finishes first, the client keeps sending', async () => {
    const received: Buffer[] = [];
    const b = await backend('early', (s) => {
      s.end('bye\n'); // server FIN first
      s.on('data', (d) => received.push(d));
    });
    const p = await setup([b]);
    const c = net.connect({ port: p.port, host: '127.0.0.1', allowHalfOpen: true });
    const got: Buffer[] = [];
    c.on('data', (d) => got.push(d));
    await new Promise((r) => c.once('end', r));
    c.end('late data after server FIN');
    await new Promise((r) => c.once('close', r));
    assert.equal(Buffer.concat(got).toString(), 'bye\n');
    await waitFor(() => Buffer.concat(received).toString() === 'late data after server FIN');
  });

  it('a backend killed mid-stream: the client connection closes, tcplog says SD', async () => {
    const b = await backend('dying', (s) => {
      s.write('partial');
      setTimeout(() => s.resetAndDestroy(), 50);
    });
    const p = await setup([b]);
    const r = await exchange(p.port, undefined, { end: false });
    assert.equal(r.data, 'partial');
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / fe be\/dying \d+\/\d+\/\d+ 7 SD /);
  });

  it('a refused connection with no retries left: SC, and the client is closed', async () => {
    const b = await backend('gone');
    await b.close();
    const p = await setup([b], '', '    retries 0');
    const r = await exchange(p.port, 'x', { end: false });
    assert.equal(r.data, '');
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / fe be\/gone 0\/-1\/\d+ 0 SC .* 0\/0$/);
  });

  it('a backend that accepts and hangs: timeout server cuts it (sD)', async () => {
    const b = await backend('hang', () => {});
    const p = await setup([b], '', '    timeout server 300');
    const t0 = Date.now();
    const r = await exchange(p.port, 'anyone?', { end: false });
    assert.equal(r.data, '');
    const took = Date.now() - t0;
    assert.ok(took >= 280 && took < 2000, `took ${took}ms`);
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / sD /);
  });

  it('a silent client: timeout client cuts it (cD)', async () => {
    const b = await backend('quiet', () => {});
    const p = await setup([b], '    timeout client 300\n    timeout server 10s');
    const t0 = Date.now();
    const r = await exchange(p.port, undefined, { end: false });
    const took = Date.now() - t0;
    assert.equal(r.data, '');
    assert.ok(took >= 280 && took < 2000, `took ${took}ms`);
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / 0 cD /);
  });

  it('timeout tunnel replaces client/server timeouts once connected', async () => {
    const b = await backend('tun', () => {});
    const p = await setup(
      [b],
      '    timeout client 100\n    timeout server 100',
      '    timeout tunnel 600',
    );
    const t0 = Date.now();
    await exchange(p.port, undefined, { end: false });
    const took = Date.now() - t0;
    assert.ok(took >= 550 && took < 2500, `took ${took}ms`);
  });

  it('timeout client-fin: a client that never closes after the server did is cut', async () => {
    const b = await backend('fin', (s) => s.end('done'));
    const p = await setup([b], '    timeout client 10s\n    timeout client-fin 300');
    const c = net.connect({ port: p.port, host: '127.0.0.1', allowHalfOpen: true });
    const t0 = Date.now();
    c.on('data', () => {});
    c.on('error', () => {});
    await new Promise((r) => c.once('end', r)); // got the server's FIN, never answer it
    await waitFor(() => p.log.lines.length === 1);
    const took = Date.now() - t0;
    assert.ok(took >= 250 && took < 3000, `took ${took}ms`);
    assert.match(p.log.lines[0]!.message, / 4 cD /);
    assert.equal(p.engine.activeSessions, 0);
    // The proxy closed its side: late writes are answered with a reset (EPIPE on the second).
    c.write('late');
    await sleep(50);
    c.write('later');
    await new Promise((r) => c.once('close', r));
  });

  it('timeout server-fin: a server that never closes after the client did is cut', async () => {
    const b = await backend('sfin', (s) => s.on('data', () => {}));
    const p = await setup([b], '    timeout server 10s', '    timeout server-fin 300');
    const t0 = Date.now();
    await exchange(p.port, 'x', { end: true });
    const took = Date.now() - t0;
    assert.ok(took >= 250 && took < 3000, `took ${took}ms`);
    await waitFor(() => p.log.lines.length === 1);
    assert.match(p.log.lines[0]!.message, / sD /);
  });
});
