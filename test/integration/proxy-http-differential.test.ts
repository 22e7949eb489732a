// Differential test of HTTP mode: the real HAProxy 2.6 (/usr/sbin/haproxy) and halo run the
// same config on loopback (different ports), in front of one scripted backend, each with its
// own UDP syslog receiver. Every case sends the same raw bytes to both and compares what the
// client got (byte for byte), what the backend saw (request heads, X-Forwarded-For,
// Connection, connection reuse) and the log lines with dates, pids, ports and timer values
// masked (a timer stays -1 or not). The machinery is http-diff-harness.ts's; the cases are
// http-corpus.ts's, plus a few here that time or pace the exchange.

import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hasHaproxy } from './haproxy-child.js';
import type { Aspect } from './http-corpus.js';
import { CORPUS, KNOWN, RESPONSES } from './http-corpus.js';
import type { ConfigText, Differential } from './http-diff-harness.js';
import { answerByPath, httpPreamble, startDifferential } from './http-diff-harness.js';

const config: ConfigText = (ports, backend, syslog, sock) => `${httpPreamble(syslog, sock)}
    option forwardfor
    option redispatch
    retries 1
    timeout http-request 600ms
    timeout queue 1s
    timeout connect 500ms
    timeout client 5s
    timeout server 600ms
    timeout http-keep-alive 2s
frontend fe
    bind 127.0.0.1:${ports.fe}
    default_backend be
frontend fe_ka
    bind 127.0.0.1:${ports.ka}
    no option http-server-close
    default_backend be_ka
frontend fe_tcp
    bind 127.0.0.1:${ports.tcp}
    mode tcp
    option tcplog
    default_backend be
frontend fe_tcp_httplog
    bind 127.0.0.1:${ports.tcphttplog}
    mode tcp
    default_backend be
frontend fe_nosrv
    bind 127.0.0.1:${ports.nosrv}
    default_backend be_dead
frontend fe_down
    bind 127.0.0.1:${ports.down}
    default_backend be_down
frontend fe_lognull
    bind 127.0.0.1:${ports.lognull}
    no option dontlognull
    default_backend be
frontend fe_xff
    bind 127.0.0.1:${ports.xff}
    option forwardfor header X-Real-IP if-none
    default_backend be_ifnone
backend be
    server s1 127.0.0.1:${backend}
backend be_ka
    no option http-server-close
    server s1 127.0.0.1:${backend}
backend be_dead
    server s1 127.0.0.1:${ports.dead}
backend be_down
    server s1 127.0.0.1:${ports.dead} check inter 200 fall 1 rise 1
backend be_ifnone
    option forwardfor if-none
    server s1 127.0.0.1:${backend}
listen admin_stats
    bind 127.0.0.1:${ports.stats}
    stats uri /haproxy-status
`;

describe('HTTP mode: halo against the real HAProxy 2.6', {
  skip: !hasHaproxy && 'no haproxy',
}, () => {
  let d: Differential;

  before(async () => {
    d = await startDifferential({
      names: ['fe', 'ka', 'tcp', 'nosrv', 'xff', 'stats', 'dead', 'lognull', 'down', 'tcphttplog'],
      config,
      answer: answerByPath(RESPONSES),
    });
  });

  after(() => d?.stop());

  const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;

  // The log's bytes_read differs here (HAProxy 158, halo 52: HAProxy counts interim
  // responses in a way not yet matched), so only the client's bytes are compared.
  it('server 103 and 100 before the final response: relayed as HAProxy does', async () => {
    const r = await d.both('fe', [get('/r-interim')], 1500);
    assert.ok(r.hap.reply.startsWith('HTTP/1.1 103 '), 'HAProxy relays the 103');
    assert.equal(r.halo.reply, r.hap.reply);
  });

  it('without dontlognull, an idle connection that times out is logged', async () => {
    const r = await d.both('lognull', [], 1500);
    assert.equal(r.halo.reply, r.hap.reply);
    assert.deepEqual(r.halo.logs, r.hap.logs);
  });

  it('a client that connects and closes at once, without dontlognull', async () => {
    const r = await d.both('lognull', [0], 300);
    assert.equal(r.halo.reply, r.hap.reply);
    assert.deepEqual(r.halo.logs, r.hap.logs);
  });

  it('tcp frontend upgraded to HTTP: an incomplete request gets the 408', async () => {
    const r = await d.both('tcp', ['GET / HTTP/1.1\r\nHost: x\r\n'], 2000);
    assert.equal(r.halo.reply, r.hap.reply);
    assert.deepEqual(r.halo.logs, r.hap.logs);
  });

  it('timeout http-keep-alive closes an idle kept-alive connection', async () => {
    const closedAfter = async (port: number) => {
      const c = net.connect(port, '127.0.0.1');
      c.on('data', () => {});
      c.on('error', () => {});
      await new Promise((r) => c.once('connect', r));
      c.write(get('/'));
      const t0 = Date.now();
      await new Promise((r) => c.once('close', r));
      return Date.now() - t0;
    };
    const [h, o] = await Promise.all([closedAfter(d.hap.ports.ka!), closedAfter(d.halo.ports.ka!)]);
    assert.ok(h >= 1900 && h < 2600, `haproxy closed after ${h} ms`);
    assert.ok(o >= 1900 && o < 2600, `halo closed after ${o} ms`);
  });

  it('an idle connection gets the 408 without a log line (dontlognull)', async () => {
    const r = await d.both('fe', [], 1500);
    assert.equal(r.halo.reply, r.hap.reply);
    assert.ok(r.hap.reply.startsWith('HTTP/1.1 408 '));
    assert.deepEqual(r.halo.logs, r.hap.logs);
    assert.deepEqual(r.hap.logs, []);
  });

  // The corpus runs last: its final cases leave halo's connections open for a while.
  it('every documented difference names a case of the corpus', () => {
    const names = new Set(CORPUS.flatMap((t) => t.cases.map((k) => k.name)));
    assert.deepEqual(
      Object.keys(KNOWN).filter((n) => !names.has(n)),
      [],
    );
  });
  for (const { topic, cases } of CORPUS) {
    describe(topic, () => {
      for (const k of cases) {
        it(k.name, async () => {
          const r = await d.both(k.port, [...k.parts], k.ms);
          // HALO_DIFF_DUMP=file keeps every pair of results, to read a difference whole.
          if (process.env.HALO_DIFF_DUMP)
            appendFileSync(
              process.env.HALO_DIFF_DUMP,
              `${JSON.stringify({ name: k.name, ...r })}\n`,
            );
          // A case with a status checks HAProxy gave it, so a pair of cases that should
          // straddle a limit cannot quietly both get the same answer.
          if (k.status)
            assert.ok(
              r.hap.reply.startsWith(`HTTP/1.1 ${k.status} `),
              `HAProxy answered ${k.status}`,
            );
          const differs = new Set(k.known?.differs);
          const compare = (what: Aspect, halo: unknown, hap: unknown, label: string) => {
            // A documented difference must still be one (else the README is wrong).
            if (!differs.has(what)) assert.deepEqual(halo, hap, label);
            else if (!k.known?.varies) assert.notDeepEqual(halo, hap, `${label} still differs`);
          };
          if (k.known?.halo !== undefined)
            assert.equal(r.halo.reply.split('\r\n')[0], k.known.halo, k.known.reason);
          compare('reply', r.halo.reply, r.hap.reply, 'client reply');
          compare('heads', r.halo.heads, r.hap.heads, 'request heads seen by the server');
          compare('bodies', r.halo.bodies, r.hap.bodies, 'request bodies seen by the server');
          compare('conns', r.halo.conns, r.hap.conns, 'server connections used');
          compare('logs', r.halo.logs, r.hap.logs, 'log lines');
          if (!k.known) assert.ok(r.hap.logs.length > 0, 'HAProxy logged the case');
        });
      }
    });
  }
});
