// maxconn and the kernel backlog, halo next to the real HAProxy 2.6 on the same config:
// past maxconn a client's handshake completes but the process has not accepted it (`ss`
// shows it in the listener's Recv-Q, the process holds no descriptor for it), and it is
// served as soon as a slot frees; the global maxconn does the same across frontends; a
// flood that overflows the backlog crashes nothing.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProxyEngine } from '../../src/proxy/engine.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import { haloArgv, repoRoot as root } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { acceptQueue, backend, fdCount, freePort, parse, sleep, waitFor } from './proxy-harness.js';

const HALO = [process.execPath, ...haloArgv];
const HAPROXY = '/usr/sbin/haproxy';

interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  stderr: string;
  stop(): Promise<void>;
}

async function runProxy(argv: string[], ports: number[]): Promise<Proc> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const p: Proc = {
    child,
    pid: child.pid!,
    stderr: '',
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
  child.stderr!.on('data', (d) => {
    p.stderr += d;
  });
  await waitFor(() => ports.every((port) => acceptQueue(port) !== undefined), 20_000, 'listening');
  return p;
}

/** A client that resolves once its handshake completed, and records what it receives. */
function client(port: number): Promise<{ socket: net.Socket; data: () => string }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = net.connect({ port, host: '127.0.0.1' }, () =>
      resolve({ socket, data: () => data }),
    );
    socket.on('data', (d) => {
      data += d;
    });
    socket.on('error', reject);
  });
}

const implementations: [string, (cfg: string) => string[], string | undefined][] = [
  ['halo', (cfg) => [...HALO, 'proxy', '-f', cfg], undefined],
  [
    'haproxy 2.6',
    (cfg) => [HAPROXY, '-d', '-f', cfg],
    existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`,
  ],
];

describe('maxconn: waiting clients stay in the kernel backlog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-accept-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  let b: Backend | undefined;
  const echo = async () => {
    if (!b) {
      b = await backend('s1');
      cleanup.push(() => b!.close());
    }
    return b;
  };

  for (const [name, command, skip] of implementations) {
    it(`${name}: frontend maxconn 2, the third client waits in Recv-Q, unaccepted`, {
      skip,
    }, async () => {
      const be = await echo();
      const port = await freePort();
      const cfg = join(dir, `fe-${name.replace(/\W/g, '')}.cfg`);
      writeFileSync(
        cfg,
        `defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${port}
    maxconn 2
    default_backend be
backend be
    server s1 127.0.0.1:${be.port}
`,
      );
      const proc = await runProxy(command(cfg), [port]);
      cleanup.push(() => proc.stop());
      const c1 = await client(port);
      const c2 = await client(port);
      await waitFor(() => c1.data() === 's1\n' && c2.data() === 's1\n', 5000, 'two served');
      const fds = fdCount(proc.pid);
      const c3 = await client(port); // the handshake completes: the kernel accepted it
      await sleep(300);
      assert.deepEqual(acceptQueue(port), { queued: 1, backlog: 2 }, 'one client queued');
      assert.equal(fdCount(proc.pid), fds, 'the process holds no descriptor for it');
      assert.equal(c3.data(), '', 'not served yet');
      c1.socket.end();
      await waitFor(() => c3.data() === 's1\n', 5000, 'served once a slot freed');
      assert.equal(acceptQueue(port)?.queued, 0);
      c3.socket.write('late\n');
      await waitFor(() => c3.data() === 's1\nlate\n', 5000, 'relayed');
      for (const c of [c2, c3]) c.socket.destroy();
      await proc.stop();
    });

    it(`${name}: global maxconn 2 holds a third client of another frontend`, { skip }, async () => {
      const be = await echo();
      const [p1, p2] = [await freePort(), await freePort()];
      const cfg = join(dir, `global-${name.replace(/\W/g, '')}.cfg`);
      writeFileSync(
        cfg,
        `global
    maxconn 2
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe1
    bind 127.0.0.1:${p1}
    default_backend be
frontend fe2
    bind 127.0.0.1:${p2}
    default_backend be
backend be
    server s1 127.0.0.1:${be.port}
`,
      );
      const proc = await runProxy(command(cfg), [p1, p2]);
      cleanup.push(() => proc.stop());
      const c1 = await client(p1);
      const c2 = await client(p1);
      await waitFor(() => c1.data() === 's1\n' && c2.data() === 's1\n', 5000, 'two served');
      const fds = fdCount(proc.pid);
      const c3 = await client(p2);
      await sleep(300);
      assert.equal(acceptQueue(p2)?.queued, 1, 'queued on the other frontend');
      assert.equal(fdCount(proc.pid), fds);
      assert.equal(c3.data(), '');
      c2.socket.end();
      await waitFor(() => c3.data() === 's1\n', 5000, 'served once a slot freed');
      for (const c of [c1, c3]) c.socket.destroy();
      await proc.stop();
    });
  }

  for (const [name, command, skip] of implementations) {
    it(`${name}: mode http, maxconn 1: a keep-alive client holds the slot, the next waits`, {
      skip,
    }, async () => {
      const web = http.createServer((_req, res) => res.end('hello\n'));
      await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
      cleanup.push(() => new Promise<void>((r) => web.close(() => r())));
      const webPort = (web.address() as { port: number }).port;
      const port = await freePort();
      const cfg = join(dir, `http-${name.replace(/\W/g, '')}.cfg`);
      writeFileSync(
        cfg,
        `defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout http-keep-alive 10s
frontend fe
    bind 127.0.0.1:${port}
    maxconn 1
    default_backend be
backend be
    server s1 127.0.0.1:${webPort}
`,
      );
      const proc = await runProxy(command(cfg), [port]);
      cleanup.push(() => proc.stop());
      const get = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
      const c1 = await client(port);
      c1.socket.write(get);
      await waitFor(() => c1.data().endsWith('hello\n'), 5000, 'first answer');
      const c2 = await client(port);
      c2.socket.write(get);
      await sleep(300);
      assert.equal(acceptQueue(port)?.queued, 1, 'the second waits while the first keeps alive');
      assert.equal(c2.data(), '');
      c1.socket.end();
      await waitFor(() => c2.data().endsWith('hello\n'), 5000, 'answered once the slot freed');
      c2.socket.destroy();
      web.closeAllConnections();
      await proc.stop();
    });
  }

  it("the accept queue sizes (ss Send-Q) are HAProxy's: bind backlog, backlog, maxconn", {
    skip: implementations[1]![2],
  }, async () => {
    const sizes: Record<string, number[]> = {};
    for (const global of ['', 'global\n    maxconn 300\n']) {
      for (const [name, command] of implementations) {
        const ports = [await freePort(), await freePort(), await freePort()];
        const cfg = join(dir, `backlog-${name.replace(/\W/g, '')}.cfg`);
        writeFileSync(
          cfg,
          `${global}defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe1
    bind 127.0.0.1:${ports[0]}
    default_backend be
frontend fe2
    bind 127.0.0.1:${ports[1]}
    backlog 77
    default_backend be
frontend fe3
    bind 127.0.0.1:${ports[2]} backlog 33
    maxconn 50
    default_backend be
backend be
    server s1 127.0.0.1:1
`,
        );
        const proc = await runProxy(command(cfg), ports);
        sizes[`${name} ${global ? 'global maxconn' : 'no maxconn'}`] = ports.map(
          (p) => acceptQueue(p)!.backlog,
        );
        await proc.stop();
      }
    }
    assert.deepEqual(sizes['haproxy 2.6 global maxconn'], [300, 77, 33]);
    assert.deepEqual(sizes['halo global maxconn'], sizes['haproxy 2.6 global maxconn']);
    assert.deepEqual(sizes['halo no maxconn'], sizes['haproxy 2.6 no maxconn']);
  });

  it("halo: out of descriptors (EMFILE), clients wait and HAProxy's alert is printed", async () => {
    const be = await echo();
    const port = await freePort();
    const cfg = join(dir, 'emfile.cfg');
    writeFileSync(
      cfg,
      // An explicit maxconn above what the descriptors allow: without one, the maxconn
      // derived from ulimit -n (as HAProxy derives it) stops accepting before EMFILE.
      `global
    maxconn 1000
defaults
    mode tcp
    timeout connect 1s
    timeout client 20s
    timeout server 20s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s1 127.0.0.1:${be.port}
`,
    );
    const limit = 160;
    const cmd = [...HALO, 'proxy', '-f', cfg].map((a) => `'${a}'`).join(' ');
    const proc = await runProxy(['bash', '-c', `ulimit -n ${limit} && exec ${cmd}`], [port]);
    cleanup.push(() => proc.stop());
    const idle = fdCount(proc.pid);
    // Each proxied connection takes two descriptors: fewer than `limit` clients fit.
    const clients = Array.from({ length: limit }, () => {
      let data = '';
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.on('data', (d) => {
        data += d;
      });
      socket.on('error', () => {});
      return { socket, served: () => data === 's1\n' };
    });
    await waitFor(() => /reached process FD limit/.test(proc.stderr), 5000, 'the alert');
    await sleep(300);
    const served = clients.filter((c) => c.served());
    assert.ok(served.length > 0 && served.length < limit, `${served.length} served`);
    assert.match(
      proc.stderr,
      new RegExp(
        `\\[ALERT\\] +\\(\\d+\\) : Proxy fe reached process FD limit \\(maxsock=${limit}\\)\\. Please check 'ulimit-n' and restart\\.`,
      ),
    );
    for (const c of served) c.socket.destroy();
    await waitFor(
      () => clients.filter((c) => c.served()).length >= Math.min(limit, 2 * served.length),
      10_000,
      'waiting clients served as descriptors free up',
    );
    for (const c of clients) c.socket.destroy();
    await waitFor(() => fdCount(proc.pid) <= idle + 2, 5000, 'descriptors released');
    assert.equal(proc.child.exitCode, null, 'still running');
    await proc.stop();
  });

  it('halo: a reload under global maxconn: a slot freed by the old config wakes the new one', async () => {
    const be = await echo();
    const port = await freePort();
    const text = `global
    maxconn 1
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s1 127.0.0.1:${be.port}
`;
    const counters = { actconn: 0 };
    const old = new ProxyEngine(parse(text), { log: new MemoryLog(), counters });
    await old.start();
    const listener = old.frontends[0]!.listeners[0]!;
    const c1 = await client(port);
    await waitFor(() => c1.data() === 's1\n', 5000, 'first client served');
    assert.equal(listener.isPolling, false, 'at maxconn the listener stops polling');
    const next = new ProxyEngine(parse(text), { log: new MemoryLog(), counters });
    await next.start(old);
    old.stopAccepting(next);
    cleanup.push(() => {
      next.stopAccepting();
      next.killSessions();
    });
    assert.equal(next.frontends[0]!.listeners[0], listener, 'the same socket, handed over');
    const c2 = await client(port);
    await sleep(200);
    assert.equal(acceptQueue(port)?.queued, 1, 'waits: the old session holds the only slot');
    assert.equal(listener.accepted, 1);
    c1.socket.end();
    await waitFor(() => c2.data() === 's1\n', 5000, 'served by the new config');
    assert.equal(listener.accepted, 2);
    c2.socket.destroy();
    await waitFor(() => listener.isPolling, 5000, 'polling again below maxconn');
  });

  it('halo: a flood past maxconn and the backlog crashes nothing and is served after', async () => {
    const be = await echo();
    const port = await freePort();
    const cfg = join(dir, 'flood.cfg');
    writeFileSync(
      cfg,
      `defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${port}
    maxconn 1
    default_backend be
backend be
    server s1 127.0.0.1:${be.port}
`,
    );
    const proc = await runProxy([...HALO, 'proxy', '-f', cfg], [port]);
    cleanup.push(() => proc.stop());
    const holder = await client(port);
    await waitFor(() => holder.data() === 's1\n', 5000, 'the holder is served');
    const fds = fdCount(proc.pid);
    // 200 clients at a listener whose backlog is 1: most overflow it (the kernel drops
    // their handshake's last ACK and retries later); bounded by a 2 s timeout each.
    const flood = Array.from({ length: 200 }, () => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.on('error', () => {});
      s.setTimeout(2000, () => s.destroy());
      return s;
    });
    await sleep(500);
    assert.ok((acceptQueue(port)?.queued ?? 0) >= 1, 'the queue is full');
    assert.ok(fdCount(proc.pid) <= fds + 1, 'no descriptor per waiting client');
    await new Promise<void>((r) => {
      let n = flood.length;
      for (const s of flood) s.once('close', () => --n === 0 && r());
    });
    assert.equal(proc.child.exitCode, null, 'still running');
    holder.socket.destroy();
    await waitFor(() => acceptQueue(port)?.queued === 0, 5000, 'queue drained');
    const after = await client(port);
    await waitFor(() => after.data() === 's1\n', 5000, 'a new client is served');
    after.socket.destroy();
    await proc.stop();
    assert.doesNotMatch(proc.stderr, /Error|ALERT/);
  });
});
