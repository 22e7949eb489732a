// The runtime API with `nbthread 2` (two worker processes): the stats socket is served by
// worker slot 1 (`show info` says process #1 of 2), and a state change made there applies
// in both workers: after `set server ... state maint`, no connection, whichever worker
// accepts it, reaches that server; `state ready` brings it back everywhere.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haloArgv as halo } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { backend, exchange, freePort, sleep, waitFor } from './proxy-harness.js';

const socatMissing = spawnSync('socat', ['-V']).error ? 'socat is not installed' : undefined;

function socat(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('socat', ['-t', '2', 'stdio', `unix-connect:${path}`]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', () => resolve(out));
    p.stdin.end(`${line}\n`);
  });
}

/** Connections that each take a fresh TCP connection (so both workers accept some). */
async function spread(port: number, n: number): Promise<string[]> {
  const all = await Promise.all(Array.from({ length: n }, () => exchange(port, 'x')));
  return all.map((r) => r.data.split('\n')[0]!);
}

describe('stats socket with nbthread 2', { skip: socatMissing }, () => {
  let dir: string;
  let servers: Backend[];
  let proc: ChildProcess;
  let port: number;
  const stderr: string[] = [];
  const sock = () => join(dir, 'stats.sock');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-stats-workers-'));
    servers = [await backend('m1'), await backend('m2')];
    port = await freePort();
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      `global
    nbthread 2
    stats socket ${dir}/stats.sock level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server m1 127.0.0.1:${servers[0]!.port}
    server m2 127.0.0.1:${servers[1]!.port}
`,
    );
    proc = spawn(process.execPath, [...halo, 'proxy', '-f', cfg], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    await waitFor(() => existsSync(sock()) || proc.exitCode !== null, 10_000, 'the stats socket');
    assert.equal(proc.exitCode, null, `halo proxy exited: ${stderr.join('')}`);
    await sleep(300);
  });

  after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is served by worker 1 of 2, which says so', async () => {
    const info = await socat(sock(), 'show info');
    assert.match(info, /^Nbproc: 2$/m);
    assert.match(info, /^Process_num: 1$/m);
    assert.match(stderr.join(''), /'stats socket' with nbthread 2: served by worker 1/);
  });

  it('MAINT made on the socket applies in both workers', async () => {
    assert.equal(await socat(sock(), 'set server be/m1 state maint'), '\n');
    await sleep(200); // the master relays the change to worker 2
    const before = servers[0]!.accepted;
    const got = await spread(port, 40);
    assert.deepEqual(new Set(got), new Set(['m2']));
    assert.equal(servers[0]!.accepted, before, 'no worker sent a connection to m1');
    assert.equal(await socat(sock(), 'set server be/m1 state ready'), '\n');
    await sleep(200);
    const back = await spread(port, 40);
    assert.ok(back.includes('m1') && back.includes('m2'), back.join(','));
  });
});
