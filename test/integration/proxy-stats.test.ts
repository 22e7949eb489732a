// The stats page over real HTTP on loopback: the applet answering for the article's
// `listen admin_stats` section (basic auth, realm, Refresh, `;csv`, `;norefresh`, HEAD, the
// admin form's POST and redirect), next to the real HAProxy 2.6 serving the same section:
// status codes and the headers a client acts on must match. Then the admin form's MAINT
// takes a server out of traffic and the page says so.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { statsApplets } from '../../src/proxy/stats/applet.js';
import type { Backend, Running } from './proxy-harness.js';
import { backend, exchange, freePort, sleep, startProxy } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';

const config = (fe: number, stats: number, servers: number[]) => `
global
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    timeout http-request 1s
frontend apiserver
    bind 127.0.0.1:${fe}
    mode tcp
    default_backend apiserver
backend apiserver
    mode tcp
    balance roundrobin
${servers.map((p, i) => `    server k8s-master${i + 1} 127.0.0.1:${p} check inter 300`).join('\n')}
listen admin_stats
    bind 127.0.0.1:${stats}
    mode http
    stats refresh 30s
    stats uri /haproxy-status
    stats realm welcome login\\ Haproxy
    stats auth admin:admin123
    stats hide-version
    stats admin if TRUE
`;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  path: string,
  opts: { method?: string; auth?: string; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const req = http.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** What a client acts on: the status and these headers. */
function visible(r: Reply): Record<string, unknown> {
  const h = r.headers;
  return {
    status: r.status,
    'cache-control': h['cache-control'],
    'content-type': h['content-type'],
    refresh: h.refresh,
    'www-authenticate': h['www-authenticate'],
    location: h.location,
  };
}

describe('stats page over HTTP mode', () => {
  let servers: Backend[];
  let proxy: Running;
  let pagePort: number;
  let ref: ReturnType<typeof spawn> | undefined;
  let refPort = 0;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-stats-page-'));
    servers = [await backend('m1'), await backend('m2')];
    const dead = await freePort();
    const ports = [servers[0]!.port, servers[1]!.port, dead];
    pagePort = await freePort();
    // HTTP mode serves the listen section; the stats applet answers its stats uri.
    proxy = await startProxy(config(await freePort(), pagePort, ports), { applets: statsApplets });
    if (existsSync(HAPROXY)) {
      refPort = await freePort();
      const file = join(dir, 'ref.cfg');
      writeFileSync(file, config(await freePort(), refPort, ports));
      ref = spawn(HAPROXY, ['-db', '-f', file], { stdio: 'ignore' });
    }
    await sleep(1000); // checks ran on both sides; haproxy listening
  });

  after(async () => {
    ref?.kill('SIGTERM');
    await proxy.stop();
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for credentials with the realm HAProxy uses', async () => {
    const none = await request(pagePort, '/haproxy-status');
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm="welcome"');
    assert.match(none.body, /401 Unauthorized/);
    const wrong = await request(pagePort, '/haproxy-status', { auth: 'admin:nope' });
    assert.equal(wrong.status, 401);
  });

  it('serves the page with Refresh, the CSV, HEAD, and ;norefresh', async () => {
    const ok = await request(pagePort, '/haproxy-status', { auth: 'admin:admin123' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.refresh, '30');
    assert.match(ok.body, /<a class="px" href="#apiserver">apiserver<\/a>/);
    assert.match(ok.body, /<input type="hidden" name="b" value="#2">/);
    assert.match(ok.body, /data-server="k8s-master3"><td><input/);
    assert.match(ok.body, /<tr class="active_down" data-server="k8s-master3">/);
    const csv = await request(pagePort, '/haproxy-status;csv', { auth: 'admin:admin123' });
    assert.match(csv.body, /^# pxname,svname,qcur,/);
    assert.match(csv.body, /^apiserver,k8s-master3,(?:[^,]*,){15}DOWN,/m);
    const head = await request(pagePort, '/haproxy-status', {
      method: 'HEAD',
      auth: 'admin:admin123',
    });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const nr = await request(pagePort, '/haproxy-status;norefresh', { auth: 'admin:admin123' });
    assert.equal(nr.headers.refresh, undefined);
  });

  it('status and headers as HAProxy 2.6 for the same requests', {
    skip: existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`,
  }, async () => {
    const cases: [string, { method?: string; auth?: string; body?: string }][] = [
      ['/haproxy-status', {}],
      ['/haproxy-status', { auth: 'admin:wrong' }],
      ['/haproxy-status', { auth: 'admin:admin123' }],
      ['/haproxy-status;norefresh', { auth: 'admin:admin123' }],
      ['/haproxy-status;csv', { auth: 'admin:admin123' }],
      ['/haproxy-status;csv;norefresh', { auth: 'admin:admin123' }],
      ['/haproxy-statusX;csv', { auth: 'admin:admin123' }],
      ['/other', { auth: 'admin:admin123' }],
      ['/haproxy-status', { method: 'PUT', auth: 'admin:admin123' }],
      ['/haproxy-status', { method: 'OPTIONS' }],
      ['/haproxy-status', { method: 'HEAD', auth: 'admin:admin123' }],
      ['/haproxy-status', { method: 'POST', auth: 'admin:admin123', body: 'action=maint&b=%232' }],
      // #3 is admin_stats here (no stats socket, so no GLOBAL proxy taking id 1): no such server.
      [
        '/haproxy-status',
        { method: 'POST', auth: 'admin:admin123', body: 's=k8s-master3&action=drain&b=%233' },
      ],
      [
        '/haproxy-status',
        { method: 'POST', auth: 'admin:admin123', body: 's=k8s-master3&action=bogus&b=%232' },
      ],
      [
        '/haproxy-status;norefresh',
        { method: 'POST', auth: 'admin:admin123', body: 's=k8s-master3&action=ready&b=%232' },
      ],
    ];
    for (const [path, opts] of cases) {
      const theirs = visible(await request(refPort, path, opts));
      const ours = visible(await request(pagePort, path, opts));
      assert.deepEqual(ours, theirs, `${opts.method ?? 'GET'} ${path} ${opts.body ?? ''}`);
    }
  });

  it('an admin POST whose body stalls gets the 408 after timeout http-request, as from HAProxy', {
    skip: existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`,
  }, async () => {
    const auth = Buffer.from('admin:admin123').toString('base64');
    const head =
      'POST /haproxy-status HTTP/1.1\r\nHost: x\r\n' +
      `Authorization: Basic ${auth}\r\nContent-Length: 40\r\n\r\naction=maint`;
    const [theirs, ours] = await Promise.all([
      exchange(refPort, head, { end: false, timeout: 4000 }),
      exchange(pagePort, head, { end: false, timeout: 4000 }),
    ]);
    assert.match(theirs.data, /^HTTP\/1\.1 408 /);
    assert.equal(ours.data, theirs.data);
  });

  it("the admin form's MAINT takes the server out of traffic and the page shows it", async () => {
    const auth = 'admin:admin123';
    const r = await request(pagePort, '/haproxy-status', {
      method: 'POST',
      auth,
      body: 's=k8s-master1&action=maint&b=%232',
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/haproxy-status;st=DONE');
    const before = servers[0]!.accepted;
    for (let i = 0; i < 6; i++)
      assert.equal((await exchange(proxy.port, 'x')).data.split('\n')[0], 'm2');
    assert.equal(servers[0]!.accepted, before, 'no connection reached the server in MAINT');
    const after = await request(pagePort, '/haproxy-status;st=DONE', { auth });
    assert.match(after.body, /Action processed successfully\./);
    assert.match(after.body, /<tr class="maintain" data-server="k8s-master1">/);
    const ready = await request(pagePort, '/haproxy-status', {
      method: 'POST',
      auth,
      body: 's=k8s-master1&action=ready&b=%232',
    });
    assert.equal(ready.headers.location, '/haproxy-status;st=DONE');
    assert.equal(proxy.engine.backends.get('apiserver')!.servers[0]!.up, true);
  });

  it('counts the requests and responses of the stats listen (req_tot, hrsp_*)', async () => {
    const auth = 'admin:admin123';
    const row = async () => {
      const csv = (await request(pagePort, '/haproxy-status;csv', { auth })).body.split('\n');
      const head = csv[0]!.slice(2).split(',');
      const fe = csv.find((l) => l.startsWith('admin_stats,FRONTEND,'))!.split(',');
      return Object.fromEntries(head.map((f, i) => [f, Number(fe[i])]));
    };
    const a = await row();
    await request(pagePort, '/haproxy-status');
    await request(pagePort, '/haproxy-status', { auth });
    await request(pagePort, '/haproxy-status', {
      method: 'POST',
      auth,
      body: 'action=ready&b=%232',
    });
    await request(pagePort, '/other', { auth });
    const b = await row();
    // Between the two reads: this row's own ;csv (200), a 401, a 200, a 303, a 503.
    assert.equal(b.req_tot! - a.req_tot!, 5);
    assert.equal(b.hrsp_2xx! - a.hrsp_2xx!, 2);
    assert.equal(b.hrsp_3xx! - a.hrsp_3xx!, 1);
    assert.equal(b.hrsp_4xx! - a.hrsp_4xx!, 1);
    assert.equal(b.hrsp_5xx! - a.hrsp_5xx!, 1);
  });
});
