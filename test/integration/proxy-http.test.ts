// HTTP mode on loopback with real node:http servers and clients: applets answer before any
// server and log as `<STATS>`, use_backend on HTTP fetches, server connections kept alive
// and reused, server maxconn with a queue, and a reload that neither cuts an in-flight
// request nor keeps old keep-alive connections past their current response.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Proxy as ProxyConfig } from '../../src/config/haproxy/model.js';
import { ProxyEngine } from '../../src/proxy/engine.js';
import type { HttpApplet } from '../../src/proxy/http/applet.js';
import { listenerPort } from '../../src/proxy/listener.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import { exchange, freePort, parse, sleep, startProxy, waitFor } from './proxy-harness.js';

interface Origin {
  port: number;
  connections: number;
  seen: http.IncomingMessage[];
  close(): Promise<void>;
}

/** An HTTP server answering its name (after `delay` ms for paths starting with /slow). */
async function origin(name: string, delay = 300): Promise<Origin> {
  const o: Origin = { port: 0, connections: 0, seen: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    o.seen.push(req);
    const reply = () => res.end(`${name} ${req.url}`);
    if (req.url?.startsWith('/slow')) setTimeout(reply, delay);
    else reply();
  });
  server.on('connection', () => o.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  o.port = (server.address() as AddressInfo).port;
  o.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return o;
}

function request(
  port: number,
  path: string,
  opts: { agent?: http.Agent; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, agent: opts.agent ?? false, headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
  });
}

const statusApplet: HttpApplet = {
  logName: '<STATS>',
  matches: (req) => req.url === '/status',
  serve: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('all good\n');
  },
};

const base = (logs = 'log stdout format raw local0') => `
defaults
    mode http
    ${logs}
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

describe('HTTP mode', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('offers requests to applets first and logs them as <STATS>; a stats listen without servers answers 503', async () => {
    const p = await startProxy(
      `${base()}
listen admin_stats
    bind 127.0.0.1:0
    stats uri /status
`,
      { applets: (px: ProxyConfig) => (px.stats ? [statusApplet] : []) },
    );
    cleanup.push(() => p.stop());
    const agent = new http.Agent({ keepAlive: true });
    cleanup.push(() => agent.destroy());
    const ok = await request(p.port, '/status', { agent });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'all good\n');
    assert.equal(ok.headers.connection, undefined, 'kept alive without a Connection header');
    assert.equal(ok.headers['keep-alive'], undefined);
    const other = await request(p.port, '/other');
    assert.equal(other.status, 503);
    assert.match(other.body, /No server is available to handle this request/);
    await waitFor(() => p.log.lines.length >= 2, 2000, 'two log lines');
    const [a, b] = p.log.lines.map((l) => l.message);
    assert.match(
      a!,
      /^127\.0\.0\.1:\d+ \[.+\] admin_stats admin_stats\/<STATS> \d+\/0\/0\/\d+\/\d+ 200 \d+ - - LR-- 1\/1\/0\/0\/0 0\/0 "GET \/status HTTP\/1\.1"$/,
    );
    assert.match(b!, / admin_stats admin_stats\/<NOSRV> \d+\/-1\/-1\/-1\/\d+ 503 217 - - SC-- /);
  });

  it('tune.bufsize, tune.maxrewrite and tune.http.maxhdr set the request limits', async () => {
    const o = await origin('o');
    cleanup.push(() => o.close());
    const p = await startProxy(`global
    tune.bufsize 4096
    tune.maxrewrite 512
    tune.http.maxhdr 10
${base()}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s 127.0.0.1:${o.port}
`);
    cleanup.push(() => p.stop());
    const get = (extra: string) => `GET / HTTP/1.1\r\nHost: a\r\n${extra}Connection: close\r\n\r\n`;
    const hdrs = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: v\r\n`).join('');
    const status = async (text: string) => (await exchange(p.port, text)).data.split('\r\n')[0];
    // maxhdr 10: nine headers (Host and eight more) pass, ten do not.
    assert.equal(await status(get(hdrs(8))), 'HTTP/1.1 200 OK');
    assert.equal(await status(get(hdrs(9))), 'HTTP/1.1 400 Bad request');
    // bufsize 4096 - maxrewrite 512: a 3,400-byte header passes, a 3,600-byte one does not.
    assert.equal(await status(get(`X-Big: ${'b'.repeat(3400)}\r\n`)), 'HTTP/1.1 200 OK');
    assert.equal(await status(get(`X-Big: ${'b'.repeat(3600)}\r\n`)), 'HTTP/1.1 400 Bad request');
    assert.equal(o.seen.length, 2, 'only the accepted requests reached the server');
  });

  it('routes with use_backend on path_beg, hdr(host) and method', async () => {
    const api = await origin('api');
    const web = await origin('web');
    const admin = await origin('admin');
    cleanup.push(() => Promise.all([api.close(), web.close(), admin.close()]).then(() => {}));
    const p = await startProxy(`${base()}
frontend fe
    bind 127.0.0.1:0
    acl is_api path_beg /api/
    acl is_admin hdr(host) -i admin.example
    use_backend be_api if is_api METH_GET
    use_backend be_admin if is_admin
    default_backend be_web
backend be_api
    server a 127.0.0.1:${api.port}
backend be_web
    server w 127.0.0.1:${web.port}
backend be_admin
    server x 127.0.0.1:${admin.port}
`);
    cleanup.push(() => p.stop());
    assert.equal((await request(p.port, '/api/v1')).body, 'api /api/v1');
    assert.equal((await request(p.port, '/apix')).body, 'web /apix');
    assert.equal(
      (await request(p.port, '/', { headers: { host: 'ADMIN.example' } })).body,
      'admin /',
    );
    assert.equal((await request(p.port, '/')).body, 'web /');
  });

  it('keeps server connections alive and reuses them (option http-keep-alive)', async () => {
    const o = await origin('o');
    cleanup.push(() => o.close());
    const p = await startProxy(`${base()}
frontend fe
    bind 127.0.0.1:0
    option forwardfor
    default_backend be
backend be
    server s 127.0.0.1:${o.port}
`);
    cleanup.push(() => p.stop());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    for (let i = 0; i < 5; i++)
      assert.equal((await request(p.port, `/${i}`, { agent })).status, 200);
    assert.equal(o.connections, 1, 'one server connection for five requests');
    assert.equal(o.seen[0]!.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(o.seen[0]!.headers.connection, undefined);
    const lines = p.log.lines.map((l) => l.message);
    assert.equal(lines.length, 5);
    assert.ok(lines.every((l) => / fe be\/s \d+\/\d+\/\d+\/\d+\/\d+ 200 /.test(l)));
  });

  it('queues requests past server maxconn and serves them in turn', async () => {
    const o = await origin('o', 200);
    cleanup.push(() => o.close());
    const p = await startProxy(`${base()}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    timeout queue 2s
    server s 127.0.0.1:${o.port} maxconn 1
`);
    cleanup.push(() => p.stop());
    const t0 = Date.now();
    const rs = await Promise.all([1, 2, 3].map((i) => request(p.port, `/slow${i}`)));
    assert.deepEqual(
      rs.map((r) => r.status),
      [200, 200, 200],
    );
    assert.ok(Date.now() - t0 >= 550, 'served one at a time');
    const tws = p.log.lines.map((l) =>
      Number(/ \d+\/(\d+)\/\d+\/\d+\/\d+ 200 /.exec(l.message)?.[1]),
    );
    assert.equal(tws.filter((tw) => tw >= 150).length, 2, `two requests waited: ${tws}`);
  });

  it('a client leaving mid-response: CD-- logged, server connection closed, slot freed', async () => {
    let serverSide: http.ServerResponse | undefined;
    let onClose: () => void = () => {};
    const closed = new Promise<void>((r) => {
      onClose = r;
    });
    const server = http.createServer((_req, res) => {
      serverSide = res;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk\n');
      res.on('close', onClose);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const p = await startProxy(`${base()}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s 127.0.0.1:${port}
`);
    cleanup.push(() => p.stop());
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: p.port, path: '/stream', agent: false },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => {});
      req.on('timeout', reject);
    });
    await closed;
    assert.ok(serverSide, 'the server got the request');
    await waitFor(() => p.log.lines.length === 1, 2000, 'log line');
    assert.match(p.log.lines[0]!.message, / fe be\/s \d+\/\d+\/\d+\/\d+\/\d+ 200 \d+ - - CD-- /);
    assert.equal(p.engine.backends.get('be')!.conns, 0);
  });

  it('reload: an in-flight request completes, its keep-alive connection then closes', async () => {
    const o = await origin('o', 400);
    cleanup.push(() => o.close());
    const port = await freePort();
    const text = `${base()}
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s 127.0.0.1:${o.port}
`;
    const log = new MemoryLog();
    const old = new ProxyEngine(parse(text), { log });
    await old.start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    // A kept-alive client connection with one finished request, then one in flight.
    assert.equal((await request(port, '/first', { agent })).status, 200);
    const inflight = request(port, '/slow', { agent });
    await sleep(100);
    const next = new ProxyEngine(parse(text), { log });
    await next.start(old);
    old.stopAccepting(next);
    cleanup.push(async () => {
      next.stopAccepting();
      next.killSessions();
      await next.idle();
    });
    const r = await inflight;
    assert.equal(r.status, 200);
    assert.equal(r.body, 'o /slow');
    assert.equal(r.headers.connection, 'close', 'the old engine closes after this response');
    await old.idle();
    // New requests go to the new engine on the same port.
    assert.equal((await request(port, '/after')).status, 200);
    assert.equal(listenerPort(next.listeners.values().next().value!), port);
  });

  it('reloads under keep-alive load fail no request', async () => {
    const o = await origin('o');
    cleanup.push(() => o.close());
    const port = await freePort();
    const text = `${base('')}
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s 127.0.0.1:${o.port}
`;
    const log = new MemoryLog();
    let engine = new ProxyEngine(parse(text), { log });
    await engine.start();
    const old: ProxyEngine[] = [];
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const clients = Array.from({ length: 10 }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (!stop) {
        try {
          const r = await request(port, '/x', { agent });
          if (r.status === 200 && r.body === 'o /x') ok++;
          else failures.push(`status ${r.status}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
      agent.destroy();
    });
    for (let i = 0; i < 5; i++) {
      await sleep(150);
      const next = new ProxyEngine(parse(text), { log });
      await next.start(engine);
      engine.stopAccepting(next);
      old.push(engine);
      engine = next;
    }
    await sleep(150);
    stop = true;
    await Promise.all(clients);
    await Promise.all(old.map((e) => e.idle()));
    engine.stopAccepting();
    await engine.idle();
    assert.deepEqual(failures, []);
    assert.ok(ok > 100, `${ok} requests served`);
  });
});
