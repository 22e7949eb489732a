// The PROXY protocol on loopback, halo beside the real HAProxy 2.6: what each sends to a
// server for the same client (byte for byte, ports masked), halo -> HAProxy accept-proxy
// (HAProxy's log names the original client), HAProxy send-proxy -> halo accept-proxy
// (halo's log and X-Forwarded-For name it), halo -> halo, health checks, and bad headers
// (that connection closed and logged with HAProxy's message, the proxy serving on).
// Clients connect from their own loopback addresses (127.0.0.5...) so the address that
// reaches the far end tells whose it is.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeProxyHeader } from '../../src/proxy/proxy-protocol.js';
import { HAPROXY, hasHaproxy, listening } from './haproxy-child.js';
import type { Backend, Running } from './proxy-harness.js';
import { backend, freePort, sleep, startProxy, waitFor } from './proxy-harness.js';

assert.ok(hasHaproxy, `${HAPROXY} is required for these side-by-side tests`);

const DEFAULTS = `
defaults
    mode tcp
    log stdout format raw local0
    option tcplog
    timeout connect 1s
    timeout client 2s
    timeout server 2s
`;

interface Haproxy {
  child: ChildProcess;
  out: () => string;
  stop(): void;
}

async function haproxy(config: string, port: number): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'halo-pp-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const stop = () => {
    if (child.exitCode === null && child.pid) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  if (!(await listening(port))) {
    stop();
    throw new Error(`haproxy did not start: ${out}`);
  }
  return { child, out: () => out, stop };
}

/**
 * A server that records what each connection sent before the client's FIN (or, for an
 * HTTP request, its head) and answers `ok` (an HTTP 200 to a request).
 */
async function capture(): Promise<Backend & { firsts: Buffer[] }> {
  const firsts: Buffer[] = [];
  const b = await backend('cap', (s) => {
    let got = Buffer.alloc(0);
    let done = false;
    const record = () => {
      if (done) return false;
      done = true;
      firsts.push(got);
      return true;
    };
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (/^(GET|POST) [\s\S]*\r\n\r\n$/.test(got.toString('latin1').replace(/^[^G]*/, '')))
        if (record())
          s.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n');
    });
    s.on('end', () => {
      if (record()) s.end('ok\n');
      else s.end();
    });
    s.on('close', () => record());
  });
  return Object.assign(b, { firsts });
}

/** Connects from `from`, sends `data`, half-closes, returns the reply and the local port. */
function talk(
  port: number,
  from: string,
  data: string | Buffer,
): Promise<{ reply: string; localPort: number }> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port, localAddress: from, allowHalfOpen: true });
    let reply = '';
    let localPort = 0;
    const t = setTimeout(() => c.destroy(), 3000);
    c.on('connect', () => {
      localPort = c.localPort ?? 0;
      c.write(data);
      c.end();
    });
    c.on('data', (d) => {
      reply += d;
    });
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(t);
      resolve({ reply, localPort });
    });
  });
}

/** A header with its ports taken out (v1: the two numbers; v2 TCP4: bytes 24..27). */
function masked(b: Buffer): string {
  if (b[0] === 0x50) {
    const line = b.toString('latin1', 0, b.indexOf('\r\n') + 2);
    return line.replace(/ \d+ \d+\r\n$/, ' P P\r\n');
  }
  const h = Buffer.from(b.subarray(0, 16 + b.readUInt16BE(14)));
  if (h[13] === 0x11) h.fill(0, 24, 28);
  return h.toString('hex');
}

const stops: (() => unknown)[] = [];
after(async () => {
  for (const s of stops.reverse()) await s();
});

describe('send-proxy / send-proxy-v2: what reaches the server, halo beside HAProxy', () => {
  for (const version of ['send-proxy', 'send-proxy-v2'] as const) {
    it(`${version}: the header first, the client's addresses, the same bytes as HAProxy's`, async () => {
      const cap = await capture();
      stops.push(() => cap.close());
      const halo = await startProxy(
        `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${cap.port} ${version}\n`,
      );
      stops.push(() => halo.stop());
      const hport = await freePort();
      const hap = await haproxy(
        `${DEFAULTS}frontend fe\n    bind 127.0.0.1:${hport}\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${cap.port} ${version}\n`,
        hport,
      );
      stops.push(() => hap.stop());
      const a = await talk(halo.port, '127.0.0.5', 'hello');
      const b = await talk(hport, '127.0.0.5', 'hello');
      // HAProxy's start-up probe (listening()) went through it too: find each by client port.
      const from = (port: number) =>
        cap.firsts.find((x) => {
          const r = decodeProxyHeader(x);
          return r.kind === 'header' && r.src?.port === port;
        });
      await waitFor(
        () => !!from(a.localPort) && !!from(b.localPort),
        3000,
        'both reached the server',
      );
      const fromHalo = from(a.localPort)!;
      const fromHap = from(b.localPort)!;
      assert.equal(a.reply, 'ok\n');
      assert.equal(b.reply, 'ok\n');
      const r = decodeProxyHeader(fromHalo);
      assert.equal(r.kind, 'header');
      if (r.kind !== 'header') return;
      assert.deepEqual(r.src, { address: '127.0.0.5', port: a.localPort });
      assert.deepEqual(r.dst, { address: '127.0.0.1', port: halo.port });
      assert.equal(fromHalo.subarray(r.length).toString(), 'hello');
      assert.equal(masked(fromHalo), masked(fromHap));
      const rh = decodeProxyHeader(fromHap);
      assert.ok(rh.kind === 'header' && rh.src?.port === b.localPort);
      assert.equal(
        fromHalo.length - r.length,
        fromHap.length - (rh.kind === 'header' ? rh.length : 0),
      );
    });
  }

  it('HTTP mode: the header starts each server connection, X-Forwarded-For follows', async () => {
    const cap = await capture();
    stops.push(() => cap.close());
    const halo = await startProxy(
      `${DEFAULTS}frontend fe\n    mode http\n    option forwardfor\n    bind 127.0.0.1:0\n    default_backend be\nbackend be\n    mode http\n    server s1 127.0.0.1:${cap.port} send-proxy-v2\n`,
    );
    stops.push(() => halo.stop());
    const a = await talk(
      halo.port,
      '127.0.0.6',
      'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    await waitFor(() => cap.firsts.length === 1, 3000, 'request reached the server');
    const got = cap.firsts[0]!;
    const r = decodeProxyHeader(got);
    assert.ok(r.kind === 'header', 'a PROXY v2 header first');
    assert.deepEqual(r.src, { address: '127.0.0.6', port: a.localPort });
    assert.match(
      got.subarray(r.length).toString(),
      /^GET \/ HTTP\/1\.1\r\n[\s\S]*x-forwarded-for: 127\.0\.0\.6\r\n/i,
    );
  });
});

describe('health checks with send-proxy (as HAProxy 2.6 sends them)', () => {
  it('v1 checks carry the check connection addresses, v2 checks a LOCAL header; check-send-proxy; not with check port', async () => {
    const v1 = await capture();
    const v2 = await capture();
    const forced = await capture();
    const other = await capture();
    const all = [v1, v2, forced, other];
    for (const c of all) stops.push(() => c.close());
    const halo = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${v1.port} send-proxy check inter 200\n    server s2 127.0.0.1:${v2.port} send-proxy-v2 check inter 200\n    server s3 127.0.0.1:${forced.port} check check-send-proxy inter 200\n    server s4 127.0.0.1:1 send-proxy check port ${other.port} inter 200\n`,
    );
    stops.push(() => halo.stop());
    await waitFor(() => all.every((c) => c.firsts.length > 0), 3000, 'checks arrived');
    await halo.stop();
    // check-send-proxy without send-proxy: v1; a check on another port: no header (2.6's rule).
    assert.match(
      forced.firsts[0]!.toString(),
      /^PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 \d+ \d+\r\n$/,
    );
    assert.equal(other.firsts[0]!.length, 0);
    assert.match(
      v1.firsts[0]!.toString(),
      new RegExp(`^PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ ${v1.port}\\r\\n$`),
    );
    assert.equal(v2.firsts[0]!.toString('hex'), '0d0a0d0a000d0a515549540a20000000');
  });
});

describe('accept-proxy', () => {
  let hap: Haproxy | undefined;
  let halo: Running | undefined;
  let cap: Awaited<ReturnType<typeof capture>>;

  it('halo send-proxy-v2 -> HAProxy accept-proxy: HAProxy logs the original client', async () => {
    cap = await capture();
    stops.push(() => cap.close());
    const hport = await freePort();
    hap = await haproxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:${hport} accept-proxy\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${cap.port}\n`,
      hport,
    );
    stops.push(() => hap?.stop());
    halo = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${hport} send-proxy-v2\n`,
    );
    stops.push(() => halo?.stop());
    for (const from of ['127.0.0.7', '127.0.0.8']) {
      const a = await talk(halo.port, from, 'data');
      assert.equal(a.reply, 'ok\n');
      await waitFor(
        () => hap!.out().includes(`${from}:${a.localPort} [`),
        3000,
        `haproxy logged ${from}`,
      );
    }
    assert.equal(cap.firsts.map((b) => b.toString()).join(','), 'data,data');
  });

  it('HAProxy send-proxy -> halo accept-proxy (http): halo logs the client, X-Forwarded-For names it', async () => {
    const c2 = await capture();
    stops.push(() => c2.close());
    const h = await startProxy(
      `${DEFAULTS}frontend fe\n    mode http\n    option httplog\n    option forwardfor\n    bind 127.0.0.1:0 accept-proxy\n    default_backend be\nbackend be\n    mode http\n    server s1 127.0.0.1:${c2.port}\n`,
    );
    stops.push(() => h.stop());
    for (const version of ['send-proxy', 'send-proxy-v2']) {
      const hport = await freePort();
      const p = await haproxy(
        `${DEFAULTS}frontend fe\n    bind 127.0.0.1:${hport}\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${h.port} ${version}\n`,
        hport,
      );
      stops.push(() => p.stop());
      const a = await talk(
        hport,
        '127.0.0.9',
        'GET /x HTTP/1.1\r\nhost: y\r\nconnection: close\r\n\r\n',
      );
      assert.match(a.reply, /^HTTP\/1\.1 /);
      await waitFor(
        () => h.log.lines.some((l) => l.message.startsWith(`127.0.0.9:${a.localPort} [`)),
        3000,
        `halo logged the client (${version})`,
      );
      const line = h.log.lines.find((l) => l.message.startsWith(`127.0.0.9:${a.localPort} [`))!;
      assert.match(line.message, / fe be\/s1 .* "GET \/x HTTP\/1\.1"$/);
      p.stop();
    }
    assert.equal(c2.firsts.length, 2);
    for (const b of c2.firsts) assert.match(b.toString(), /\r\nx-forwarded-for: 127\.0\.0\.9\r\n/i);
  });

  it('halo -> halo (tcp): the far halo logs the client and relays what followed the header', async () => {
    const c3 = await capture();
    stops.push(() => c3.close());
    const far = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0 accept-proxy\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${c3.port}\n`,
    );
    stops.push(() => far.stop());
    const near = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${far.port} send-proxy\n`,
    );
    stops.push(() => near.stop());
    const a = await talk(near.port, '127.0.0.10', 'payload');
    assert.equal(a.reply, 'ok\n');
    assert.equal(c3.firsts[0]?.toString(), 'payload');
    await waitFor(() => far.log.lines.length > 0, 3000, 'far halo logged');
    assert.match(
      far.log.lines[0]!.message,
      new RegExp(`^127\\.0\\.0\\.10:${a.localPort} \\[.*\\] fe be/s1 `),
    );
  });

  it('use_backend if { src ... } routes on the address of the header, not the socket', async () => {
    const one = await capture();
    const two = await capture();
    stops.push(
      () => one.close(),
      () => two.close(),
    );
    const far = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0 accept-proxy\n    use_backend b2 if { src 127.0.0.15 }\n    default_backend b1\nbackend b1\n    server s1 127.0.0.1:${one.port}\nbackend b2\n    balance source\n    server s2 127.0.0.1:${two.port}\n`,
    );
    stops.push(() => far.stop());
    const near = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${far.port} send-proxy\n`,
    );
    stops.push(() => near.stop());
    await talk(near.port, '127.0.0.15', 'to-two');
    await talk(near.port, '127.0.0.16', 'to-one');
    assert.deepEqual(
      two.firsts.map((x) => x.toString()),
      ['to-two'],
    );
    assert.deepEqual(
      one.firsts.map((x) => x.toString()),
      ['to-one'],
    );
  });

  it('tcp-request connection expect-proxy layer4 if { src ... }: a header from the proxy tier, none from others', async () => {
    const c5 = await capture();
    stops.push(() => c5.close());
    const far = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0\n    acl tier src 127.0.0.1\n    tcp-request connection expect-proxy layer4 if tier\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${c5.port}\n`,
    );
    stops.push(() => far.stop());
    const near = await startProxy(
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:0\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${far.port} send-proxy-v2\n`,
    );
    stops.push(() => near.stop());
    const a = await talk(near.port, '127.0.0.12', 'via-tier');
    const b = await talk(far.port, '127.0.0.13', 'direct');
    assert.equal(a.reply, 'ok\n');
    assert.equal(b.reply, 'ok\n');
    assert.deepEqual(c5.firsts.map((x) => x.toString()).sort(), ['direct', 'via-tier']);
    await waitFor(() => far.log.lines.length >= 2, 3000, 'far halo logged both');
    const clients = far.log.lines.map((l) => l.message.split(' ')[0]).sort();
    assert.deepEqual(clients, [`127.0.0.12:${a.localPort}`, `127.0.0.13:${b.localPort}`]);
  });

  it('no header within timeout client, or half of one: closed and logged as HAProxy does (only with tcplog)', async () => {
    const c6 = await capture();
    stops.push(() => c6.close());
    // `nolog`: the defaults without `option tcplog` (HAProxy logs these only with a format).
    const text = (port: number | string, extra: string) =>
      `${DEFAULTS.replace('timeout client 2s', 'timeout client 300ms').replace(extra === 'nolog' ? '    option tcplog\n' : '\0', '')}frontend fe\n${extra === 'nolog' ? '' : extra}    bind 127.0.0.1:${port} accept-proxy\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${c6.port}\n`;
    const silent = (port: number, send: string) =>
      new Promise<{ localPort: number; ms: number }>((resolve) => {
        const t0 = Date.now();
        const c = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.14' });
        let localPort = 0;
        c.on('connect', () => {
          localPort = c.localPort ?? 0;
          c.write(send);
        });
        c.on('error', () => {});
        c.on('close', () => resolve({ localPort, ms: Date.now() - t0 }));
      });
    for (const [extra, send] of [
      ['', ''],
      ['', 'PROXY TCP4 1.2.3.4'],
      ['    option dontlognull\n', ''],
      ['nolog', 'garbage garbage garbage'],
    ] as const) {
      const h = await startProxy(text(0, extra));
      stops.push(() => h.stop());
      const hport = await freePort();
      const p = await haproxy(text(hport, extra), hport);
      stops.push(() => p.stop());
      const [a, b] = await Promise.all([silent(h.port, send), silent(hport, send)]);
      // Nothing: closed at the timeout; part of a header: at once (2.6 wants it in one read).
      if (send === '')
        assert.ok(a.ms >= 250 && b.ms >= 250, `closed at the timeout (${a.ms} ms, ${b.ms} ms)`);
      else assert.ok(a.ms < 250 && b.ms < 250, `closed at once (${a.ms} ms, ${b.ms} ms)`);
      await sleep(100);
      const hapLine = p
        .out()
        .split('\n')
        .find((l) => l.startsWith(`127.0.0.14:${b.localPort} `));
      const haloLine = h.log.lines.find((l) => l.message.startsWith(`127.0.0.14:${a.localPort} `));
      const message = (line: string | undefined) => line?.replace(/^[^ ]+ \[[^\]]+\] /, '');
      assert.equal(message(haloLine?.message), message(hapLine), `${extra}${send}`);
      if (extra) assert.equal(haloLine, undefined);
      else assert.ok(haloLine);
      p.stop();
      await h.stop();
    }
  });

  it("bad headers: that connection closes with HAProxy's log line, the next one is served", async () => {
    const c4 = await capture();
    stops.push(() => c4.close());
    const text = (port: number | string) =>
      `${DEFAULTS}frontend fe\n    bind 127.0.0.1:${port} accept-proxy\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${c4.port}\n`;
    const h = await startProxy(text(0));
    stops.push(() => h.stop());
    const hport = await freePort();
    const p = await haproxy(text(hport), hport);
    stops.push(() => p.stop());
    const SIG = '\r\n\r\n\0\r\nQUIT\n';
    const inputs = [
      'GET / HTTP/1.1\r\nhost: x\r\n\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n',
      'PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n',
      'PROXY TCP4 1.2.3.4',
      '',
      `${SIG}\x22\x11\x00\x0c\x01\x02\x03\x04\x05\x06\x07\x08\x00\x01\x00\x02`,
      `${SIG}\x21\x12\x00\x0c\x01\x02\x03\x04\x05\x06\x07\x08\x00\x01\x00\x02`,
    ];
    const message = (line: string) => line.replace(/^[^ ]+ \[[^\]]+\] /, '');
    for (const input of inputs) {
      const before = p.out().split('\n').length;
      const a = await talk(h.port, '127.0.0.11', Buffer.from(input, 'latin1'));
      const b = await talk(hport, '127.0.0.11', Buffer.from(input, 'latin1'));
      assert.equal(a.reply, '', `halo closed ${JSON.stringify(input)}`);
      assert.equal(b.reply, '');
      await waitFor(() => p.out().split('\n').length > before, 3000, 'haproxy logged');
      await waitFor(
        () => h.log.lines.some((l) => l.message.startsWith(`127.0.0.11:${a.localPort} `)),
        3000,
        'halo logged',
      );
      const hapLine = p
        .out()
        .split('\n')
        .find((l) => l.startsWith(`127.0.0.11:${b.localPort} `))!;
      const haloLine = h.log.lines.find((l) =>
        l.message.startsWith(`127.0.0.11:${a.localPort} `),
      )!.message;
      assert.equal(message(haloLine), message(hapLine), JSON.stringify(input));
    }
    // A good header after all that: served, logged with its addresses.
    const ok = await talk(h.port, '127.0.0.11', 'PROXY TCP6 2001:db8::1 ::1 4000 443\r\nafter');
    assert.equal(ok.reply, 'ok\n');
    await waitFor(
      () => h.log.lines.some((l) => l.message.startsWith('2001:db8::1:4000 [')),
      3000,
      'logged',
    );
    assert.equal(c4.firsts.at(-1)?.toString(), 'after');
    assert.equal(h.engine.frontends[0]!.conns, 0, 'no connection left counted');
    assert.equal(
      h.engine.frontends[0]!.proxyHeaderErrors,
      inputs.length,
      'each failure counted once',
    );
    await sleep(10);
  });
});
