// The article's haproxy.cfg run by `halo proxy -f` (a child process, as a user runs it),
// addresses rewritten to loopback as `halo demo` does, driven with curl: the tcp frontend's
// streams are upgraded to HTTP as HAProxy 2.6 upgrades them because the backend inherits
// `mode http`. An HTTP client reaches an apiserver with the backend's HTTP processing
// (`connection: close` from http-server-close, X-Forwarded-For unless the client is in
// `except 127.0.0.0/8`), a TLS client fails with curl's `wrong version number`, the tcp
// frontend logs tcplog lines, and the stats listen is bound.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rewriteArticleConfig, SyslogReceiver } from '../../src/cli/demo/article-lab.js';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import { freePort, sleep, waitFor } from './proxy-harness.js';

interface Master {
  name: string;
  port: number;
  seen: http.IncomingHttpHeaders[];
  server: http.Server;
}

async function master(name: string): Promise<Master> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.end(`${name}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { name, port: (server.address() as AddressInfo).port, seen, server };
}

/** curl as a child process (asynchronously: the stand-in apiservers live in this process). */
function curl(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('curl', ['-sS', '--max-time', '5', ...args]);
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** Sends `text` on a fresh connection; what came back before the close (or 3 s). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d) => {
      got += d.toString('latin1');
    });
    c.on('error', () => {});
    c.on('connect', () => c.write(text));
    const t = setTimeout(() => c.destroy(), 3000);
    c.on('close', () => {
      clearTimeout(t);
      resolve(got);
    });
  });
}

async function listening(port: number): Promise<boolean> {
  return new Promise((r) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      r(true);
    });
    c.on('error', () => r(false));
  });
}

describe("the article's haproxy.cfg under `halo proxy -f`, HTTP clients", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  async function run(edit: (cfg: string) => string) {
    const masters = await Promise.all(['k8s-master1', 'k8s-master2', 'k8s-master3'].map(master));
    cleanup.push(() => {
      for (const m of masters) {
        m.server.closeAllConnections();
        m.server.close();
      }
    });
    const syslog = new SyslogReceiver();
    const syslogPort = await syslog.start();
    cleanup.push(() => syslog.close());
    const dir = mkdtempSync(join(tmpdir(), 'halo-http-article-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const ports = {
      frontend: await freePort(),
      stats: await freePort(),
      syslog: syslogPort,
      servers: masters.map((m) => m.port),
    };
    const text = readFileSync(join(root, 'examples', 'article', 'haproxy.cfg'), 'utf8');
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, edit(rewriteArticleConfig(text, ports, dir)));
    const child: ChildProcess = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    cleanup.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    });
    const end = Date.now() + 15_000;
    while (!(await listening(ports.frontend)) || !(await listening(ports.stats))) {
      assert.ok(Date.now() < end && child.exitCode === null, `halo proxy starts: ${stderr}`);
      await sleep(100);
    }
    return { masters, syslog, ports, stderr: () => stderr, pid: child.pid! };
  }

  it('HTTP is proxied with the backend settings; TLS gets wrong version number; tcplog lines', async () => {
    const { masters, syslog, ports, stderr } = await run((c) => c);
    const vip = `127.0.0.1:${ports.frontend}`;
    const bodies = [];
    for (let i = 0; i < 3; i++) bodies.push((await curl([`http://${vip}/version`])).stdout);
    assert.deepEqual(bodies, ['k8s-master1\n', 'k8s-master2\n', 'k8s-master3\n']);
    const h = masters[0]!.seen[0]!;
    assert.equal(h.connection, 'close', 'option http-server-close from defaults');
    assert.equal(h['x-forwarded-for'], undefined, 'client 127.0.0.1 is in except 127.0.0.0/8');
    const tls = await curl(['-k', `https://${vip}/version`]);
    assert.equal(tls.status, 35);
    assert.match(tls.stderr, /wrong version number/);
    assert.match(stderr(), /halo upgrades its connections to HTTP/);
    await waitFor(() => syslog.lines.some((l) => / PR /.test(l)), 3000, 'PR line');
    const traffic = syslog.lines.filter((l) => / apiserver apiserver\/k8s-master\d /.test(l));
    assert.equal(traffic.length, 3);
    assert.match(
      traffic[0]!,
      /127\.0\.0\.1:\d+ \[[^\]]+\] apiserver apiserver\/k8s-master1 \d+\/\d+\/\d+ \d+ -- \d+\/\d+\/0\/0\/0 0\/0$/,
    );
    // The stats listen is bound; URIs other than the stats page get HAProxy's 503.
    const other = await curl(['-i', `http://127.0.0.1:${ports.stats}/other`]);
    assert.match(other.stdout, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  });

  it('two Host headers get a 400 and end nothing else (once one such request ended halo)', async () => {
    const { masters, ports } = await run((c) => c);
    const reply = await rawRequest(ports.frontend, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 400 Bad request\r\n/);
    assert.equal(
      masters.reduce((n, m) => n + m.seen.length, 0),
      0,
      'no apiserver saw it',
    );
    // The process, its other frontend and its next clients are unharmed.
    assert.equal(
      (await curl([`http://127.0.0.1:${ports.frontend}/version`])).stdout,
      'k8s-master1\n',
    );
    const stats = await curl([
      '-u',
      'admin:admin123',
      `http://127.0.0.1:${ports.stats}/haproxy-status;csv`,
    ]);
    assert.match(stats.stdout, /^# pxname,svname,/);
  });

  it('a pipelining client is read a buffer ahead, not without bound', async () => {
    // A slow apiserver: the first request waits, the client keeps sending more.
    const { masters, ports, pid } = await run((c) =>
      c.replace('timeout server          1m', 'timeout server 3s'),
    );
    const rssBefore = rssKb(pid);
    let holding = true;
    const hold: http.ServerResponse[] = [];
    for (const m of masters) {
      m.server.removeAllListeners('request');
      m.server.on('request', (req, res) => {
        m.seen.push(req.headers);
        if (holding) hold.push(res);
        else res.end(`${m.name}\n`);
      });
    }
    const c = net.connect(ports.frontend, '127.0.0.1');
    c.on('error', () => {});
    await new Promise((r) => c.once('connect', r));
    const burst = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(4096));
    let written = 0;
    const until = Date.now() + 2000;
    while (Date.now() < until && written < 512 * 1024 * 1024) {
      if (c.write(burst)) written += burst.length;
      else {
        written += burst.length;
        const drained = await Promise.race([
          new Promise<boolean>((r) => c.once('drain', () => r(true))),
          sleep(300).then(() => false),
        ]);
        if (!drained) break;
      }
    }
    const seen = masters.reduce((n, m) => n + m.seen.length, 0);
    const grown = rssKb(pid) - rssBefore;
    c.destroy();
    holding = false;
    for (const r of hold) r.destroy();
    // halo stopped reading: what the client could write is what the kernel buffers hold.
    assert.ok(
      written < 64 * 1024 * 1024,
      `client wrote ${written} bytes before halo stopped reading`,
    );
    assert.equal(seen, 1, 'one request of the connection at a time reaches a server');
    // Queuing every pipelined request grew it by hundreds of MB within these 2 s.
    assert.ok(grown < 64 * 1024, `halo's RSS grew by ${grown} KB during the flood`);
    assert.equal((await curl([`http://127.0.0.1:${ports.frontend}/`])).status, 0);
  });

  it('X-Forwarded-For reaches the apiserver when the client is outside except', async () => {
    const { masters, ports } = await run((c) =>
      c.replace('except 127.0.0.0/8', 'except 192.0.2.0/24'),
    );
    assert.equal((await curl([`http://127.0.0.1:${ports.frontend}/`])).status, 0);
    assert.equal(masters[0]!.seen[0]!['x-forwarded-for'], '127.0.0.1');
  });
});
