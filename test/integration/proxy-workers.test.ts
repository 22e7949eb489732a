// `nbthread N` as worker processes: a master binds, N workers serve the same sockets; a
// reload while connections stream keeps every byte and changes the worker count and the
// listeners; a killed worker is replaced; SIGUSR1 stops the master and every worker.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DATA_PATH } from '../../src/proxy/io/data-path.js';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { backend, exchange, freePort, sleep, waitFor, workerPids } from './proxy-harness.js';

function config(nbthread: number, ports: number[], b: Backend): string {
  return `global
    nbthread ${nbthread}
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
${ports
  .map(
    (p, i) => `frontend fe${i}
    bind 127.0.0.1:${p}
    default_backend be
`,
  )
  .join('')}backend be
    server ${b.name} 127.0.0.1:${b.port}
`;
}

/** Streams `size` random bytes through the proxy to an echo backend; resolves true if all came back. */
function stream(port: number, size: number, hold: Promise<void>): Promise<boolean> {
  const payload = randomBytes(size);
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    const hash = createHash('sha256');
    let got = 0;
    let greeting = true;
    c.on('data', (d: Buffer) => {
      if (greeting) {
        const nl = d.indexOf(10);
        if (nl < 0) return;
        d = d.subarray(nl + 1);
        greeting = false;
      }
      hash.update(d);
      got += d.length;
      if (got === size) c.end();
    });
    c.on('error', () => resolve(false));
    c.on('close', () =>
      resolve(
        got === size && hash.digest('hex') === createHash('sha256').update(payload).digest('hex'),
      ),
    );
    c.on('connect', async () => {
      c.write(payload.subarray(0, size / 2));
      await hold;
      c.write(payload.subarray(size / 2));
    });
  });
}

describe('halo proxy with nbthread (worker processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-workers-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('serves from N workers, reloads to another N and listener set, stops them all', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const [p1, p2] = [await freePort(), await freePort()];
    const file = join(dir, 'w.cfg');
    writeFileSync(file, config(2, [p1], b));
    const master: ChildProcess = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    master.stderr!.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => master.on('exit', r));
    cleanup.push(() => {
      if (master.exitCode === null) master.kill('SIGKILL');
    });
    await waitFor(() => /master started 2 workers/.test(stderr), 20_000, 'master start');
    const pid = master.pid!;
    assert.equal(workerPids(pid).length, 2, stderr);
    const first = await Promise.all(
      Array.from({ length: 20 }, (_, i) => exchange(p1, `hello ${i}\n`)),
    );
    first.forEach((r, i) => {
      assert.equal(r.data, `echo\nhello ${i}\n`);
    });

    // Reload while 20 connections stream: nbthread 3 and a second frontend.
    let release!: () => void;
    const hold = new Promise<void>((r) => {
      release = r;
    });
    const streams = Array.from({ length: 20 }, () => stream(p1, 256 * 1024, hold));
    await waitFor(() => b.sockets.size >= 20, 5000, 'streams connected');
    writeFileSync(file, config(3, [p1, p2], b));
    master.kill('SIGHUP');
    if (DATA_PATH.kind === 'internal') {
      await waitFor(() => workerPids(pid).length === 3, 20_000, 'three workers');
      await waitFor(() => (stderr.match(/Reloaded configuration/g) ?? []).length >= 2, 20_000);
    } else {
      // No public API hands a socket to a running worker: three new workers inherit
      // both, the two old ones finish their streams and go (proxy-master.ts).
      await waitFor(() => /replacing 2 workers by 3/.test(stderr), 20_000, 'replacement notice');
      await waitFor(() => workerPids(pid).length === 5, 20_000, 'three new workers');
    }
    release();
    assert.deepEqual(await Promise.all(streams), Array(20).fill(true), 'no stream cut');
    await waitFor(() => workerPids(pid).length === 3, 20_000, 'three workers');
    assert.equal((await exchange(p2, 'new\n')).data, 'echo\nnew\n');
    assert.equal((await exchange(p1, 'old\n')).data, 'echo\nold\n');

    // An invalid config leaves everything running.
    writeFileSync(file, 'frontend broken\n    bind 127.0.0.1:1\n    nonsense here\n');
    master.kill('SIGHUP');
    await waitFor(() => /Reload failed/.test(stderr), 20_000, 'reload failure notice');
    assert.equal((await exchange(p2, 'still\n')).data, 'echo\nstill\n');

    // A worker that dies is replaced; the others keep serving meanwhile.
    const victim = workerPids(pid)[0]!;
    process.kill(victim, 'SIGKILL');
    assert.equal((await exchange(p1, 'meanwhile\n')).data, 'echo\nmeanwhile\n');
    await waitFor(
      () => !workerPids(pid).includes(victim) && workerPids(pid).length === 3,
      20_000,
      'a replacement worker',
    );
    await waitFor(() => /exited with code SIGKILL; starting a new one/.test(stderr), 5000);
    // The files are broken now: the replacement runs the config the master validated,
    // so it stays up instead of failing over and over.
    await sleep(1500);
    assert.equal((stderr.match(/starting a new one/g) ?? []).length, 1, stderr);
    assert.equal(workerPids(pid).length, 3);

    const workers = workerPids(pid);
    master.kill('SIGUSR1');
    assert.equal(await exited, 0);
    await waitFor(() => workers.every((w) => workerPids(pid).length === 0 && !alive(w)), 5000);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
