// The article's haproxy.cfg, unchanged except for addresses (rewritten to loopback): the
// apiserver frontend round-robins over three scripted servers, a killed server is marked
// DOWN after `fall` checks and UP after `rise`, with HAProxy's messages on UDP syslog, and
// the tcp-frontend/http-backend trap behaves as in HAProxy (TLS clients get a 400).

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RAW_400 } from '../../src/proxy/http/errors.js';
import { SyslogSinks } from '../../src/proxy/log/sinks.js';
import type { Backend } from './proxy-harness.js';
import { backend, freePort, startProxy, waitFor } from './proxy-harness.js';

const seed = readFileSync(join(process.cwd(), 'examples/article/haproxy.cfg'), 'utf8');

function httpServer(name: string, port = 0): Promise<Backend> {
  return backend(
    name,
    (s) => {
      s.once('data', () => {
        s.end(
          `HTTP/1.1 200 OK\r\nContent-Length: ${name.length}\r\nConnection: close\r\n\r\n${name}`,
        );
      });
    },
    port,
  );
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    c.on('data', (d) => {
      data += d.toString();
    });
    c.on('error', reject);
    c.on('close', () => resolve(data));
    c.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

describe("the article's haproxy.cfg on loopback", () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('round-robins, marks a killed server DOWN after fall and UP after rise, logs like HAProxy', async () => {
    const masters = await Promise.all(
      ['k8s-master1', 'k8s-master2', 'k8s-master3'].map((n) => httpServer(n)),
    );
    cleanup.push(() => Promise.all(masters.map((m) => m.close())).then(() => {}));
    const syslog = dgram.createSocket('udp4');
    const messages: string[] = [];
    syslog.on('message', (m) => messages.push(m.toString()));
    await new Promise<void>((r) => syslog.bind(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => syslog.close(() => r())));
    const syslogPort = (syslog.address() as AddressInfo).port;
    const fePort = await freePort();
    const cfg = seed
      .replace('*:9443', `127.0.0.1:${fePort}`)
      .replace('0.0.0.0:9188', `127.0.0.1:${await freePort()}`)
      .replace(/log\s+127\.0\.0\.1 local2/, `log 127.0.0.1:${syslogPort} local2`)
      .replace(/log 127\.0\.0\.1 local0 err/, `log 127.0.0.1:${syslogPort} local0 err`)
      .replace(
        /192\.168\.217\.(19|20|21):6443/g,
        (_m, last: string) => `127.0.0.1:${masters[Number(last) - 19]!.port}`,
      );
    const notices: string[] = [];
    const sinks = new SyslogSinks();
    const p = await startProxy(cfg, { log: sinks, notify: (_l, m) => notices.push(m) });
    cleanup.push(async () => {
      await p.stop();
      sinks.close();
    });
    assert.ok(notices.some((n) => n.includes("add 'mode tcp' to backend 'apiserver'")));

    // Round robin over the three masters (HTTP clients are relayed).
    const names = [];
    for (let i = 0; i < 6; i++) names.push((await get(fePort)).split('\r\n\r\n')[1]);
    assert.deepEqual(names, [
      'k8s-master1',
      'k8s-master2',
      'k8s-master3',
      'k8s-master1',
      'k8s-master2',
      'k8s-master3',
    ]);

    // A TLS ClientHello gets HAProxy's 400, as kubectl through this config would.
    const tls = await new Promise<Buffer>((resolve) => {
      const c = net.connect({ port: fePort, host: '127.0.0.1' });
      const chunks: Buffer[] = [];
      c.on('data', (d) => chunks.push(d));
      c.on('close', () => resolve(Buffer.concat(chunks)));
      c.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]));
    });
    assert.ok(tls.equals(RAW_400));
    await waitFor(
      () => messages.some((m) => / apiserver apiserver\/<NOSRV> -1\/-1\/\d+ 0 PR /.test(m)),
      2000,
      'PR log line',
    );

    // Kill master2: DOWN after fall 3 checks at inter 2s.
    const port2 = masters[1]!.port;
    await masters[1]!.close();
    await waitFor(() => messages.some((m) => m.includes('is DOWN')), 9000, 'DOWN message');
    const down = messages.find((m) => m.includes('is DOWN'))!;
    assert.match(
      down,
      /^<145>\w{3} [ \d]\d \d\d:\d\d:\d\d haproxy\[\d+\]: Server apiserver\/k8s-master2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 2 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.\n$/,
    );
    for (let i = 0; i < 4; i++)
      assert.notEqual((await get(fePort)).split('\r\n\r\n')[1], 'k8s-master2');

    // Bring it back on the same port: UP after rise 2.
    const again = await httpServer('k8s-master2', port2);
    cleanup.push(() => again.close());
    await waitFor(() => messages.some((m) => m.includes('is UP')), 7000, 'UP message');
    assert.match(
      messages.find((m) => m.includes('is UP'))!,
      /: Server apiserver\/k8s-master2 is UP, reason: Layer4 check passed, check duration: \d+ms\. 3 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\.\n$/,
    );
    const traffic = messages.filter((m) => m.startsWith('<150>'));
    assert.ok(traffic.length >= 10, 'tcplog lines at local2.info');
    assert.match(
      traffic[0]!,
      /haproxy\[\d+\]: 127\.0\.0\.1:\d+ \[.*\] apiserver apiserver\/k8s-master1 \d+\/\d+\/\d+ \d+ -- \d+\/\d+\/0\/0\/0 0\/0\n$/,
    );
  });
});
