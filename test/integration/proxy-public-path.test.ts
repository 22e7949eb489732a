// `halo proxy` where the Node.js internals are really absent, not just declined: under
// Node's permission model (process.binding throws ERR_ACCESS_DENIED) and with a preload
// that deletes process.binding and net._createServerHandle before halo loads. The proxy
// must print one warning naming what is missing, relay TCP (inet and unix binds), HTTP,
// and, with nbthread 2, through workers that inherit the listening sockets; and
// HALO_DATA_PATH=internal must refuse to start there, naming what is missing.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { backend, exchange, freePort, waitFor, workerPids } from './proxy-harness.js';

// Node 20 names the flag --experimental-permission; 22 and 24 --permission.
const major = Number(process.versions.node.split('.')[0]);
const permissionFlag = major >= 22 ? '--permission' : '--experimental-permission';
const PRELOAD =
  'data:text/javascript,import net from "node:net"; delete process.binding; delete net._createServerHandle;';

/** One line per request through a unix socket: writes `text`, reads to the end. */
function unixExchange(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ path, allowHalfOpen: true });
    let data = '';
    c.setTimeout(3000, () => c.destroy(new Error('timeout')));
    c.on('data', (d) => {
      data += d;
    });
    c.on('error', reject);
    c.on('end', () => c.end());
    c.on('close', () => resolve(data));
    c.on('connect', () => c.end(text));
  });
}

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/x', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(3000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('the public data path with the internals really absent', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-public-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  let echo: Backend;
  let web: http.Server;
  let webPort = 0;

  async function backends(): Promise<void> {
    if (echo) return;
    echo = await backend('echo');
    cleanup.push(() => echo.close());
    web = http.createServer((req, res) => res.end(`web ${req.url}`));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    webPort = (web.address() as AddressInfo).port;
    cleanup.push(() => new Promise<void>((r) => web.close(() => r())));
  }

  async function config(nbthread: number, name: string) {
    await backends();
    const [tcp, web80] = [await freePort(), await freePort()];
    const sock = join(dir, `${name}.sock`);
    const file = join(dir, `${name}.cfg`);
    writeFileSync(
      file,
      `global
    nbthread ${nbthread}
defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend tcp
    mode tcp
    bind 127.0.0.1:${tcp}
    bind ${sock}
    default_backend echo
frontend web
    mode http
    bind 127.0.0.1:${web80}
    default_backend web
backend echo
    mode tcp
    server echo 127.0.0.1:${echo.port}
backend web
    mode http
    server web 127.0.0.1:${webPort}
`,
    );
    return { file, tcp, web: web80, sock };
  }

  // The proxy chooses by itself here, whatever HALO_DATA_PATH this test run was given.
  const { HALO_DATA_PATH: _chosen, ...unforced } = process.env;

  function start(nodeArgs: string[], file: string, env: NodeJS.ProcessEnv = unforced) {
    const child: ChildProcess = spawn(
      process.execPath,
      [...nodeArgs, ...halo, 'proxy', '-f', file],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env },
    );
    const out = {
      stderr: '',
      child,
      exited: new Promise<number | null>((r) => child.on('exit', r)),
    };
    child.stderr!.on('data', (d) => {
      out.stderr += d;
    });
    cleanup.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return out;
  }

  async function proves(
    p: ReturnType<typeof start>,
    ports: Awaited<ReturnType<typeof config>>,
    missing: RegExp,
  ): Promise<void> {
    const started = /proxy started|master started/;
    await waitFor(() => started.test(p.stderr) || p.child.exitCode !== null, 20_000, 'start');
    assert.match(p.stderr, started);
    const warnings = p.stderr.match(/runs on the slower public net API/g) ?? [];
    assert.equal(warnings.length, 1, p.stderr);
    assert.match(p.stderr, missing);
    for (let i = 0; i < 5; i++)
      assert.equal((await exchange(ports.tcp, `hello ${i}\n`)).data, `echo\nhello ${i}\n`);
    assert.equal(await unixExchange(ports.sock, 'via unix\n'), 'echo\nvia unix\n');
    assert.deepEqual(await get(ports.web), { status: 200, body: 'web /x' });
    // A large transfer takes the bulk path (a side's own read buffer, async writes).
    const big = Buffer.alloc(3 << 20, 'x').toString();
    const r = await exchange(ports.tcp, big, { timeout: 10_000 });
    assert.equal(r.data.length, 'echo\n'.length + big.length);
  }

  it(`under ${permissionFlag}: one warning, TCP, unix and HTTP relayed, SIGTERM stops it`, async () => {
    const ports = await config(1, 'perm');
    const p = start(
      [
        permissionFlag,
        '--allow-fs-read=*',
        `--allow-fs-write=${dir}`,
        '--allow-addons',
        '--allow-child-process',
      ],
      ports.file,
    );
    await proves(p, ports, /process\.binding\('tcp_wrap'\)/);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0, p.stderr);
    assert.doesNotMatch(p.stderr, /Uncaught|ALERT/, p.stderr);
  });

  it(`under ${permissionFlag} with nbthread 2: workers inherit the sockets`, async () => {
    const ports = await config(2, 'permw');
    const p = start(
      [
        permissionFlag,
        '--allow-fs-read=*',
        `--allow-fs-write=${dir}`,
        '--allow-addons',
        '--allow-child-process',
      ],
      ports.file,
    );
    await proves(p, ports, /process\.binding\('tcp_wrap'\)/);
    assert.equal(workerPids(p.child.pid!).length, 2, p.stderr);
    // The permission model withholds SIGUSR1 (soft stop): halo says so; SIGTERM works.
    assert.match(p.stderr, /withholds SIGUSR1/);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0, p.stderr);
  });

  it('with process.binding and net._createServerHandle deleted before halo loads', async () => {
    const ports = await config(1, 'preload');
    const p = start(['--import', PRELOAD], ports.file);
    await proves(p, ports, /process\.binding, net\._createServerHandle/);
    assert.doesNotMatch(p.stderr, /withholds SIGUSR1/);
    // No permission model here: the soft stop arrives and the proxy ends by itself.
    p.child.kill('SIGUSR1');
    assert.equal(await p.exited, 0, p.stderr);
  });

  it('HALO_DATA_PATH=internal there is a start-up error naming what is missing', async () => {
    const ports = await config(1, 'refused');
    const r = spawnSync(
      process.execPath,
      ['--import', PRELOAD, ...halo, 'proxy', '-f', ports.file],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, HALO_DATA_PATH: 'internal' },
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /HALO_DATA_PATH=internal, but Node\.js v[\d.]+ does not provide process\.binding/,
    );
    assert.doesNotMatch(r.stderr, /proxy started/);
  });
});
