// Health-check probes against real loopback servers: TCP connect, HTTP and HTTPS checks
// (kube-apiserver style: GET /readyz over TLS with verify none), SSL hello.

import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { HealthCheckConfig } from '../../src/config/haproxy/model.js';
import { httpProbe, planHttpCheck } from '../../src/proxy/health/http-probe.js';
import { tcpProbe } from '../../src/proxy/health/probe.js';
import { formatCheckReason } from '../../src/proxy/health/result.js';
import { sslHelloProbe } from '../../src/proxy/health/ssl-hello-probe.js';
import { selfSigned } from './init-apiservers.js';

const pos = { file: 't.cfg', line: 1 };
const target = (port: number) => ({
  host: '127.0.0.1',
  port,
  connectTimeout: 1000,
  readTimeout: 500,
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('health probes', () => {
  const requests: string[] = [];
  let status = 200;
  const plain = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.host ?? '-'}`);
    res.statusCode = status;
    res.end(req.url === '/readyz' ? 'ok' : 'body');
  });
  const tlsKeys = selfSigned();
  const secure = https.createServer(tlsKeys, (req, res) => {
    requests.push(`TLS ${req.method} ${req.url}`);
    res.statusCode = req.url === '/readyz' ? 200 : 404;
    res.end('ok');
  });
  const hang = net.createServer(() => {}); // accepts, never answers
  let plainPort = 0;
  let securePort = 0;
  let hangPort = 0;
  let closedPort = 0;

  before(async () => {
    plainPort = await listen(plain);
    securePort = await listen(secure);
    hangPort = await listen(hang);
    const tmp = net.createServer();
    closedPort = await listen(tmp);
    await new Promise((r) => tmp.close(r));
  });
  after(() => {
    plain.close();
    secure.close();
    hang.close();
  });

  it('TCP connect: L4OK on a listener, L4CON "Connection refused" on a closed port', async () => {
    assert.equal((await tcpProbe(target(plainPort))).status, 'L4OK');
    const refused = await tcpProbe(target(closedPort));
    assert.equal(refused.status, 'L4CON');
    assert.match(
      formatCheckReason(refused),
      /^, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms$/,
    );
  });

  it('check-ssl: a TCP check over TLS passes at layer 6', async () => {
    const r = await tcpProbe({ ...target(securePort), ssl: { verify: false } });
    assert.equal(r.status, 'L6OK');
  });

  it('option httpchk: default OPTIONS / HTTP/1.0, 2xx passes, 503 fails with code and reason', async () => {
    const cfg: HealthCheckConfig = { type: 'http', rules: [] };
    status = 200;
    const ok = await httpProbe(planHttpCheck(cfg))(target(plainPort));
    assert.equal(ok.status, 'L7OK');
    assert.equal(
      formatCheckReason({ ...ok, durationMs: 1 }),
      ', reason: Layer7 check passed, code: 200, check duration: 1ms',
    );
    assert.equal(requests.at(-1), 'OPTIONS / -');
    status = 503;
    const bad = await httpProbe(planHttpCheck(cfg))(target(plainPort));
    assert.equal(bad.status, 'L7STS');
    assert.equal(
      formatCheckReason({ ...bad, durationMs: 1 }),
      ', reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 1ms',
    );
    status = 200;
  });

  it('HTTP/1.1 without a Host header gets 400, as with HAProxy; with hdr Host it passes', async () => {
    const noHost: HealthCheckConfig = {
      type: 'http',
      method: 'GET',
      uri: '/readyz',
      version: 'HTTP/1.1',
      rules: [{ pos, kind: 'expect', negate: false, matcher: 'status', pattern: '200' }],
    };
    const r = await httpProbe(planHttpCheck(noHost))(target(plainPort));
    assert.equal(r.code, 400);
    assert.equal(r.ok, false);
    const withHost: HealthCheckConfig = {
      ...noHost,
      rules: [{ pos, kind: 'send', headers: [['Host', 'apiserver']] }, ...noHost.rules],
    };
    const r2 = await httpProbe(planHttpCheck(withHost))(target(plainPort));
    assert.equal(r2.status, 'L7OK', 'keep-alive response ends the check without waiting for close');
    assert.ok(r2.durationMs < 400);
  });

  it('kube-apiserver style: https GET /readyz, expect status 200, verify none', async () => {
    const cfg: HealthCheckConfig = {
      type: 'http',
      rules: [
        { pos, kind: 'connect', ssl: true },
        { pos, kind: 'send', method: 'GET', uri: '/readyz', headers: [] },
        { pos, kind: 'expect', negate: false, matcher: 'status', pattern: '200' },
      ],
    };
    const r = await httpProbe(planHttpCheck(cfg))(target(securePort));
    assert.equal(r.status, 'L7OK');
    assert.equal(requests.at(-1), 'TLS GET /readyz');
    const wrongPath = {
      ...cfg,
      rules: cfg.rules.map((x) => (x.kind === 'send' ? { ...x, uri: '/nope' } : x)),
    };
    assert.equal((await httpProbe(planHttpCheck(wrongPath))(target(securePort))).code, 404);
  });

  it('expect string / negation / status ranges', async () => {
    const mk = (
      matcher: 'string' | 'status',
      pattern: string,
      negate = false,
    ): HealthCheckConfig => ({
      type: 'http',
      rules: [{ pos, kind: 'expect', negate, matcher, pattern }],
    });
    assert.equal(
      (await httpProbe(planHttpCheck(mk('string', 'body')))(target(plainPort))).ok,
      true,
    );
    const miss = await httpProbe(planHttpCheck(mk('string', 'absent')))(target(plainPort));
    assert.equal(miss.status, 'L7RSP');
    assert.equal(
      (await httpProbe(planHttpCheck(mk('status', '200', true)))(target(plainPort))).ok,
      false,
    );
    assert.equal(
      (await httpProbe(planHttpCheck(mk('status', '100-299')))(target(plainPort))).ok,
      true,
    );
  });

  it('a server that accepts and never answers: L7TOUT after the read timeout', async () => {
    const r = await httpProbe(planHttpCheck({ type: 'http', rules: [] }))(target(hangPort));
    assert.equal(r.status, 'L7TOUT');
    assert.ok(r.durationMs >= 450);
  });

  it('ssl-hello-chk: L6OK from a TLS server, L6RSP from a plain HTTP one', async () => {
    assert.equal((await sslHelloProbe(target(securePort))).status, 'L6OK');
    assert.equal((await sslHelloProbe(target(plainPort))).status, 'L6RSP');
  });
});
