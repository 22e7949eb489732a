// `monitor-uri` beside the real HAProxy 2.6: the same config in both, the same requests;
// the monitor answers must be the same bytes, the other requests reach the server in both,
// halo logs none of the monitor requests, and a mode tcp frontend ignores the keyword with
// HAProxy's warning (and haproxy -c's).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { HAPROXY, type HaproxyChild, hasHaproxy, startHaproxy } from './haproxy-child.js';
import { exchange, freePort, type Running, startProxy } from './proxy-harness.js';

const skip = hasHaproxy ? undefined : `needs ${HAPROXY}`;
if (skip) process.stderr.write(`SKIPPED proxy-monitor-uri (HAProxy side): ${skip}\n`);

const config = (port: number, serverPort: number) => `
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend www
    bind 127.0.0.1:${port}
    log 127.0.0.1:9 local0
    option httplog
    monitor-uri /healthz
    default_backend app
backend app
    server s1 127.0.0.1:${serverPort}
`;

const MONITOR = [
  'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /healthz HTTP/1.0\r\n\r\n',
  'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
];
const TO_SERVER = [
  'GET /healthz?full=1 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /healthz/ HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /other HTTP/1.1\r\nHost: x\r\n\r\n',
];

/** Sends one request (the connection is closed after it) and returns the answer. */
async function ask(port: number, request: string): Promise<string> {
  const r = await exchange(port, request.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'), {
    end: false,
    timeout: 3000,
  });
  return r.data;
}

describe('monitor-uri', () => {
  let server: http.Server;
  let serverPort = 0;
  let halo: Running;
  let haproxy: HaproxyChild | undefined;
  let haproxyPort = 0;

  before(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('from-server\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    serverPort = (server.address() as AddressInfo).port;
    halo = await startProxy(config(0, serverPort));
    if (!skip) {
      haproxyPort = await freePort();
      haproxy = await startHaproxy(config(haproxyPort, serverPort), haproxyPort);
    }
  });
  after(async () => {
    haproxy?.stop();
    await halo?.stop();
    await new Promise((r) => server.close(r));
  });

  test('halo answers the monitor URI itself, and logs none of those requests', async () => {
    for (const req of MONITOR) {
      const got = await ask(halo.port, req);
      assert.match(got, /^HTTP\/1\.1 200 OK\r\n/, req);
      assert.doesNotMatch(got, /from-server/, req);
    }
    for (const req of TO_SERVER) assert.match(await ask(halo.port, req), /from-server/, req);
    await new Promise((r) => setTimeout(r, 100));
    const logged = halo.log.lines.map((l) => l.message);
    assert.equal(logged.length, TO_SERVER.length, logged.join('\n'));
    assert.ok(
      logged.every((l) => !/ \/healthz HTTP/.test(l)),
      logged.join('\n'),
    );
  });

  test('the same bytes as HAProxy for every monitor request', { skip }, async () => {
    for (const req of MONITOR) {
      const [a, b] = [await ask(halo.port, req), await ask(haproxyPort, req)];
      assert.equal(a, b, req);
    }
    for (const req of TO_SERVER) {
      const [a, b] = [await ask(halo.port, req), await ask(haproxyPort, req)];
      assert.match(a, /from-server/, `halo: ${req}`);
      assert.match(b, /from-server/, `haproxy: ${req}`);
    }
  });

  test("mode tcp: ignored with HAProxy's warning; no URI is an error", { skip }, () => {
    const tcp = `defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    timeout tunnel 1h
frontend t
    bind 127.0.0.1:${serverPort}
    monitor-uri /healthz
    default_backend b
backend b
    server s 127.0.0.1:1
`;
    const r = parseHaproxy([{ path: 't.cfg', text: tcp }], { env: {} });
    const w = r.diagnostics.list.filter((d) => /monitor-uri/.test(d.message));
    assert.deepEqual(
      w.map((d) => [d.severity, d.line, d.message]),
      [['warning', 9, "monitor-uri will be ignored for frontend 't' (needs 'mode http')."]],
    );
    assert.equal(r.config?.proxies.find((p) => p.name === 't')?.monitorUri, undefined);
    const dir = `/tmp/halo-monitor-${process.pid}.cfg`;
    const c = spawnSync(
      'sh',
      ['-c', `cat > ${dir} && ${HAPROXY} -c -f ${dir}; s=$?; rm -f ${dir}; exit $s`],
      { input: tcp, encoding: 'utf8' },
    );
    assert.equal(c.status, 0);
    assert.match(
      c.stdout + c.stderr,
      /monitor-uri will be ignored for frontend 't' \(needs 'mode http'\)/,
    );
    const bad = parseHaproxy(
      [{ path: 'b.cfg', text: tcp.replace('monitor-uri /healthz', 'monitor-uri') }],
      { env: {} },
    );
    assert.ok(
      bad.diagnostics.list.some((d) => d.severity === 'error' && /monitor-uri/.test(d.message)),
    );
  });
});
