// Process containment of `halo proxy` as a real child process: an error no session caught
// is logged once per site and counted, and the process keeps serving; stdout/stderr whose
// reader went away, or that nobody reads, neither ends the process nor grows it; SIGTERM
// under load ends it within seconds. Next to the real HAProxy where it is observable.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { haloArgv, repoRoot } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import {
  backend,
  runtimeCommand as cli,
  exchange,
  freePort,
  sleep,
  waitFor,
} from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';
const haproxyMissing = existsSync(HAPROXY) ? false : `${HAPROXY} is not installed`;
const here = dirname(fileURLToPath(import.meta.url));

/** halo's argv with the fault hook preloaded (after tsx when running from the sources). */
function haloWithFaultHook(): string[] {
  const hook = join(here, '..', 'fixtures', `fault-hook${haloArgv.length > 1 ? '.ts' : '.js'}`);
  const url = pathToFileURL(hook).href;
  return haloArgv.length > 1
    ? [...haloArgv.slice(0, 2), '--import', url, ...haloArgv.slice(2)]
    : ['--import', url, ...haloArgv];
}

interface Proc {
  readonly child: ChildProcess;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: string | null; at: number }>;
}

function start(
  argv: string[],
  stdio: ('pipe' | 'ignore' | number)[] = ['ignore', 'pipe', 'pipe'],
): Proc {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: repoRoot, stdio: stdio as never });
  const p: Proc = {
    child,
    stderr: '',
    exited: new Promise((r) =>
      child.on('exit', (code, signal) => r({ code, signal, at: Date.now() })),
    ),
  };
  child.stderr?.on('data', (d) => {
    p.stderr += d;
  });
  return p;
}

/** One runtime-API command over the unix socket; the answer up to the server's close. */

function field(text: string, key: string): number {
  const m = new RegExp(`^${key}: (\\d+)$`, 'm').exec(text);
  assert.ok(m, `${key} in:\n${text}`);
  return Number(m[1]);
}

/** Waits until the proxy on `port` relays to the echo backend. */
async function serving(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await exchange(port, 'x\n', { timeout: 500 })).data.startsWith('echo')) {
    if (Date.now() > end) assert.fail(`nothing serves on ${port}`);
    await sleep(50);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function rssKb(pid: number): number {
  const r = spawnSync('grep', ['VmRSS', `/proc/${pid}/status`], { encoding: 'utf8' });
  return Number(/(\d+)/.exec(r.stdout)?.[1] ?? 0);
}

function tcpConfig(port: number, sock: string, b: Backend, extra = ''): string {
  return `global
    stats socket ${sock} level admin
${extra}defaults
    mode tcp
    log stdout format raw local0
    option tcplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    log global
    default_backend be
backend be
    server ${b.name} 127.0.0.1:${b.port}
`;
}

function httpConfig(port: number, sock: string, backendPort: number): string {
  return `global
    stats socket ${sock} level admin
defaults
    mode http
    log stdout format raw local0
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    log global
    default_backend be
backend be
    server s1 127.0.0.1:${backendPort}
`;
}

/** A FIFO with a reader that never reads: its write end as a child's stdout fills and stays full. */
function unreadPipe(path: string): { write: number; close(): void } {
  spawnSync('mkfifo', [path]);
  const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const write = openSync(path, constants.O_WRONLY);
  return {
    write,
    close: () => {
      closeSync(read);
    },
  };
}

/** `count` GETs of a `uriBytes`-long URI over `conns` keep-alive connections; the status codes seen. */
async function load(
  port: number,
  count: number,
  uriBytes: number,
  conns = 16,
): Promise<Map<number, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const path = `/${'a'.repeat(uriBytes - 1)}`;
  const codes = new Map<number, number>();
  let next = 0;
  const one = () =>
    new Promise<number>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(-1));
    });
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (next++ < count) {
        const code = await one();
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }),
  );
  agent.destroy();
  return codes;
}

async function httpBackend(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end('ok\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('halo proxy containment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-contain-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  const track = (p: Proc) => {
    cleanup.push(() => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    });
    return p;
  };

  it('an exception or rejection a session did not catch is logged once per site, counted, and the process serves on', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const sock = join(dir, 'fault.sock');
    const cfg = join(dir, 'fault.cfg');
    writeFileSync(cfg, tcpConfig(port, sock, b));
    const p = track(start([process.execPath, ...haloWithFaultHook(), 'proxy', '-f', cfg]));
    await waitFor(() => /proxy started/.test(p.stderr), 20_000, 'start');
    // Three runtime-API sessions throw in their 'data' callback, two leave a rejection.
    for (const bad of [
      '__halo_throw__',
      '__halo_throw__',
      '__halo_reject__',
      '__halo_throw__',
      '__halo_reject__',
    ]) {
      const c = net.connect(sock);
      c.on('error', () => {});
      c.write(`${bad}\n`);
      await sleep(100);
      c.destroy();
    }
    assert.equal((await exchange(port, 'still here\n')).data, 'echo\nstill here\n');
    const faults = await cli(sock, 'show halo');
    assert.equal(field(faults, 'Uncaught_exceptions'), 3, faults);
    assert.equal(field(faults, 'Unhandled_rejections'), 2, faults);
    assert.match(await cli(sock, 'show info'), /^Name: HAProxy$/m);
    const reports = p.stderr.split('\n').filter((l) => /Uncaught/.test(l));
    assert.equal(reports.length, 2, p.stderr);
    assert.match(
      reports[0]!,
      /^\[ALERT\] +\(\d+\) : Uncaught exception .*TypeError: test fault: a session callback threw/,
    );
    assert.match(reports[1]!, /Uncaught promise rejection .*RangeError: test fault/);
    assert.ok(alive(p.child.pid!));
    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0);
  });

  it('nbthread 2: a worker survives its own uncaught exception; nothing is respawned', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const sock = join(dir, 'fault-mw.sock');
    const cfg = join(dir, 'fault-mw.cfg');
    writeFileSync(cfg, tcpConfig(port, sock, b, '    nbthread 2\n'));
    const p = track(start([process.execPath, ...haloWithFaultHook(), 'proxy', '-f', cfg]));
    await waitFor(() => /master started 2 workers/.test(p.stderr), 20_000, 'start');
    for (let i = 0; i < 3; i++) {
      const c = net.connect(sock); // served by worker 1
      c.on('error', () => {});
      c.write('__halo_throw__\n');
      await sleep(100);
      c.destroy();
    }
    assert.equal(field(await cli(sock, 'show halo'), 'Uncaught_exceptions'), 3);
    for (let i = 0; i < 10; i++)
      assert.equal((await exchange(port, `w${i}\n`)).data, `echo\nw${i}\n`);
    assert.equal(p.stderr.match(/Uncaught exception/g)?.length, 1, p.stderr);
    assert.doesNotMatch(p.stderr, /exited with code/);
    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0);
  });

  it('stdout and stderr whose reader went away: the SIGHUP notice and log lines are dropped and counted, the proxy serves on', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const sock = join(dir, 'epipe.sock');
    const cfg = join(dir, 'epipe.cfg');
    writeFileSync(cfg, tcpConfig(port, sock, b));
    const p = track(start([process.execPath, ...haloArgv, 'proxy', '-f', cfg]));
    await waitFor(() => /proxy started/.test(p.stderr), 20_000, 'start');
    assert.equal((await exchange(port, 'one\n')).data, 'echo\none\n');
    p.child.stdout!.destroy();
    p.child.stderr!.destroy();
    await sleep(100);
    p.child.kill('SIGHUP'); // prints "Reloaded configuration" to stderr: EPIPE
    await sleep(500);
    for (let i = 0; i < 20; i++)
      assert.equal((await exchange(port, `r${i}\n`)).data, `echo\nr${i}\n`);
    const faults = await cli(sock, 'show halo');
    assert.ok(field(faults, 'Dropped_output_bytes') > 0, faults);
    assert.ok(field(faults, 'DroppedLogs') >= 19, faults);
    assert.ok(alive(p.child.pid!), 'alive after EPIPE');
    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0);
  });

  it('HAProxy too keeps serving when the reader of its stdout/stderr goes away', {
    skip: haproxyMissing,
  }, async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const cfg = join(dir, 'epipe-haproxy.cfg');
    writeFileSync(cfg, tcpConfig(port, join(dir, 'epipe-haproxy.sock'), b));
    const p = track(start([HAPROXY, '-db', '-f', cfg]));
    await serving(port);
    p.child.stdout!.destroy();
    p.child.stderr!.destroy();
    p.child.kill('SIGHUP');
    await sleep(300);
    for (let i = 0; i < 5; i++)
      assert.equal((await exchange(port, `r${i}\n`)).data, `echo\nr${i}\n`);
    assert.ok(alive(p.child.pid!));
    p.child.kill('SIGTERM');
    await p.exited;
  });

  it('log stdout into a pipe nobody reads: queued bytes stay bounded, DroppedLogs grows, the proxy answers', async () => {
    const be = await httpBackend();
    cleanup.push(() => be.close());
    const port = await freePort();
    const sock = join(dir, 'unread.sock');
    const cfg = join(dir, 'unread.cfg');
    writeFileSync(cfg, httpConfig(port, sock, be.port));
    const pipe = unreadPipe(join(dir, 'unread.fifo'));
    cleanup.push(() => pipe.close());
    const p = track(
      start([process.execPath, ...haloArgv, 'proxy', '-f', cfg], ['ignore', pipe.write, 'pipe']),
    );
    closeSync(pipe.write);
    await waitFor(() => /proxy started/.test(p.stderr), 20_000, 'start');
    const requests = 6000;
    const uri = 7000;
    assert.deepEqual([...(await load(port, 300, uri))], [[200, 300]]); // warm up, fill the pipe
    const before = rssKb(p.child.pid!);
    const codes = await load(port, requests, uri);
    const grown = (rssKb(p.child.pid!) - before) / 1024;
    assert.deepEqual([...codes], [[200, requests]]);
    const info = await cli(sock, 'show info');
    const faults = await cli(sock, 'show halo');
    // Unbounded, every line would be queued (RSS grew by 2.2 GB for 10,000 of them before the
    // bound): at most STDIO_QUEUE_LIMIT (1 MiB) may wait, about 1,000 of these lines once
    // they are cut at the target's len (1024, as HAProxy cuts them), so the rest is dropped
    // and counted. RSS still moves with the traffic itself (20-50 MB seen).
    assert.ok(field(info, 'DroppedLogs') >= requests + 300 - 1100, info);
    assert.ok(field(faults, 'Dropped_output_bytes') >= (requests - 1100) * 1024, faults);
    assert.ok(
      grown < 150,
      `RSS grew by ${grown.toFixed(1)} MB while ${(requests * uri) / 1e6} MB were logged`,
    );
    assert.equal((await load(port, 1, 100)).get(200), 1);
    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0);
  });

  it('HAProxy drops and counts log lines for a pipe nobody reads (DroppedLogs) and answers', {
    skip: haproxyMissing,
  }, async () => {
    const be = await httpBackend();
    cleanup.push(() => be.close());
    const port = await freePort();
    const sock = join(dir, 'unread-haproxy.sock');
    const cfg = join(dir, 'unread-haproxy.cfg');
    writeFileSync(cfg, httpConfig(port, sock, be.port));
    const pipe = unreadPipe(join(dir, 'unread-haproxy.fifo'));
    cleanup.push(() => pipe.close());
    const p = track(start([HAPROXY, '-db', '-f', cfg], ['ignore', pipe.write, 'pipe']));
    closeSync(pipe.write);
    await waitFor(() => existsSync(sock), 5000, 'haproxy stats socket');
    await sleep(200);
    assert.deepEqual([...(await load(port, 2000, 7000))], [[200, 2000]]);
    const info = await cli(sock, 'show info');
    assert.ok(field(info, 'DroppedLogs') > 1000, info);
    p.child.kill('SIGTERM');
    await p.exited;
  });
});
