// The bytes of an HTTP health check request, halo beside HAProxy 2.6 on the same config:
// header names, Content-Length, the connection mode and the version line must be the same
// (HAProxy's h1 rules, seen by capture: http-probe.ts checkRequestHead); and where they go
// with `addr HOST:PORT`.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { hasHaproxy, startHaproxy } from './haproxy-child.js';
import { freePort, sleep, startProxy } from './proxy-harness.js';

/** One `send` per backend, each on its own URI so the captures can be matched. */
const CHECKS: readonly string[] = [
  'option httpchk GET /plain-11 HTTP/1.1',
  'option httpchk GET /plain-10',
  'option httpchk HEAD /v20 HTTP/2.0',
  'option httpchk GET /hidden HTTP/1.1\\r\\nHost:\\ x\\r\\nX-A:\\ 1',
  'option httpchk\n  http-check send meth POST uri /post ver HTTP/1.1 hdr Host x hdr Content-Type text/plain body "abc"',
  'option httpchk\n  http-check send meth GET uri /ka ver HTTP/1.1 hdr Connection keep-alive hdr X-Foo Bar',
  'option httpchk\n  http-check send meth GET uri /ka10 ver HTTP/1.0 hdr Connection keep-alive hdr X-B 2',
  'option httpchk\n  http-check send meth GET uri /upgrade ver HTTP/1.1 hdr X-A 1 hdr Connection "upgrade, close" hdr X-B 2',
  'option httpchk\n  http-check send meth GET uri /close ver HTTP/1.1 hdr X-A 1 hdr Connection close hdr X-B 2',
  'option httpchk\n  http-check send meth PUT uri /cl ver HTTP/1.1 hdr X-A 1 hdr Content-Length 9 body "abc"',
  'option httpchk\n  http-check send meth PATCH uri /patch ver HTTP/1.1',
  'option httpchk\n  http-check send meth DELETE uri /delete ver HTTP/1.1',
  'option httpchk\n  http-check send meth POST uri /post10 ver HTTP/1.0',
  'option httpchk\n  http-check send meth GET uri /lower ver http/1.1 hdr X-A 1',
];

function config(frontend: number, server: number): string {
  const backends = CHECKS.map(
    (c, i) => `backend b${i}\n  ${c}\n  server s1 127.0.0.1:${server} check inter 200ms\n`,
  ).join('');
  return `defaults
  mode http
  timeout connect 1s
  timeout client 3s
  timeout server 3s
frontend fe
  bind 127.0.0.1:${frontend}
  default_backend b0
${backends}`;
}

/** A server that keeps the first request seen on each URI, answers 200 and closes. */
async function capture(): Promise<{ port: number; seen: Map<string, string>; close(): void }> {
  const seen = new Map<string, string>();
  const server = net.createServer((s) => {
    s.on('error', () => {});
    let got = '';
    s.on('data', (d) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const uri = got.split(' ')[1] ?? '';
      if (!seen.has(uri)) seen.set(uri, got);
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, seen, close: () => server.close() };
}

async function collect(seen: Map<string, string>, n = CHECKS.length): Promise<Map<string, string>> {
  for (let i = 0; i < 100 && seen.size < n; i++) await sleep(50);
  return seen;
}

describe('HTTP check request bytes', { skip: !hasHaproxy && 'needs /usr/sbin/haproxy' }, () => {
  const cleanup: (() => unknown)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('are the same as HAProxy 2.6 sends, for every form of option httpchk and http-check send', async () => {
    const [forHaproxy, forHalo] = [await capture(), await capture()];
    cleanup.push(forHaproxy.close, forHalo.close);
    const fePort = await freePort();
    const real = await startHaproxy(config(fePort, forHaproxy.port), fePort);
    cleanup.push(() => real.stop());
    const halo = await startProxy(config(0, forHalo.port));
    cleanup.push(() => halo.stop());
    const [want, got] = [await collect(forHaproxy.seen), await collect(forHalo.seen)];
    assert.equal(want.size, CHECKS.length, `HAProxy sent ${[...want.keys()].join(' ')}`);
    assert.deepEqual(Object.fromEntries(got), Object.fromEntries(want));
    // What the comparison covers, as HAProxy 2.6 sent it on this machine kind:
    assert.equal(want.get('/plain-11'), 'GET /plain-11 HTTP/1.1\r\nconnection: close\r\n\r\n');
    assert.equal(want.get('/ka'), 'GET /ka HTTP/1.1\r\nx-foo: Bar\r\n\r\n');
    assert.equal(
      want.get('/cl'),
      'PUT /cl HTTP/1.1\r\nx-a: 1\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc',
    );
  });

  it("go to the port of 'addr HOST:PORT', and to 'port' when both are given, as with HAProxy", async () => {
    const [forHaproxy, forHalo] = [await capture(), await capture()];
    cleanup.push(forHaproxy.close, forHalo.close);
    const closed = await freePort(); // nobody listens: only the check address may be reached
    const cfg = (fe: number | 0, cap: number) => `defaults
  mode http
  timeout connect 1s
  timeout client 3s
  timeout server 3s
frontend fe
  bind 127.0.0.1:${fe}
  default_backend b
backend b
  option httpchk GET /addr
  server s1 127.0.0.1:${closed} check addr 127.0.0.1:${cap} inter 200ms
backend c
  option httpchk GET /addrport
  server s1 127.0.0.1:${closed} check addr 127.0.0.1:${closed} port ${cap} inter 200ms
`;
    const fePort = await freePort();
    const real = await startHaproxy(cfg(fePort, forHaproxy.port), fePort);
    cleanup.push(() => real.stop());
    const halo = await startProxy(cfg(0, forHalo.port));
    cleanup.push(() => halo.stop());
    const [want, got] = [await collect(forHaproxy.seen, 2), await collect(forHalo.seen, 2)];
    assert.deepEqual([...want.keys()].sort(), ['/addr', '/addrport']);
    assert.deepEqual(Object.fromEntries(got), Object.fromEntries(want));
  });
});
