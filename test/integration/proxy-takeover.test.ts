// Worker mode (`nbthread N`) under a client loop that runs throughout: `-sf` and `-st`
// take-over from a running halo with workers, a unix-socket bind served by every worker
// (and across a reload), a killed worker replaced while the others keep serving. No
// connection may be refused at any moment.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { acceptQueue, backend, freePort, sleep, waitFor, workerPids } from './proxy-harness.js';

function config(nbthread: number, bind: string, b: Backend): string {
  return `global
    nbthread ${nbthread}
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend fe
    bind ${bind}
    default_backend be
backend be
    server ${b.name} 127.0.0.1:${b.port}
`;
}

interface Halo {
  readonly child: ChildProcess;
  readonly pid: number;
  stderr: string;
  readonly exited: Promise<number | null>;
}

async function startHalo(args: string[], workers: number): Promise<Halo> {
  const child = spawn(process.execPath, [...halo, 'proxy', ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const h: Halo = {
    child,
    pid: child.pid!,
    stderr: '',
    exited: new Promise((r) => child.on('exit', (code) => r(code))),
  };
  child.stderr!.on('data', (d) => {
    h.stderr += d;
  });
  const ready = workers > 1 ? `master started ${workers} workers` : 'proxy started';
  await waitFor(() => new RegExp(ready).test(h.stderr), 20_000, `master start: ${h.stderr}`);
  return h;
}

/**
 * `lanes` clients in a row each: connect, send a line, expect the greeting and the echo.
 * Bounded by `max` exchanges per lane and a 3 s timeout each. `failures` holds an error
 * code (ECONNREFUSED...) or what came back instead.
 */
function clientLoop(to: net.NetConnectOpts, lanes = 4, max = 3000) {
  let stop = false;
  let ok = 0;
  const failures: string[] = [];
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      let got = '';
      const c = net.connect(to, () => c.write(`ping ${i}\n`));
      c.setTimeout(3000, () => c.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      c.on('data', (d) => {
        got += d;
        if (got === `echo\nping ${i}\n`) c.end();
      });
      c.on('error', (e: NodeJS.ErrnoException) => {
        failures.push(e.code ?? e.message);
      });
      c.on('close', (hadError) => {
        if (got === `echo\nping ${i}\n`) ok++;
        else if (!hadError) failures.push(`got ${JSON.stringify(got)}`);
        resolve();
      });
    });
  const done = Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = 0; i < max && !stop; i++) await one(lane * max + i);
    }),
  );
  return {
    get ok() {
      return ok;
    },
    failures,
    async end() {
      stop = true;
      await done;
    },
  };
}

describe('worker mode: take-over, unix sockets, a killed worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-takeover-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  const kill = (h: Halo) =>
    cleanup.push(() => {
      for (const w of workerPids(h.pid)) process.kill(w, 'SIGKILL');
      if (h.child.exitCode === null) h.child.kill('SIGKILL');
    });

  it('-sf then -st take over from a running halo with workers; no connection refused', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const file = join(dir, 'sf.cfg');
    writeFileSync(file, config(2, `127.0.0.1:${port}`, b));
    const first = await startHalo(['-f', file], 2);
    kill(first);
    const loop = clientLoop({ host: '127.0.0.1', port });
    await waitFor(() => loop.ok >= 50, 10_000, 'the loop runs');

    const second = await startHalo(['-f', file, '-sf', String(first.pid)], 2);
    kill(second);
    assert.equal(await first.exited, 0, first.stderr);
    const afterSf = loop.ok;
    await waitFor(() => loop.ok >= afterSf + 50, 10_000, 'served by the successor');
    assert.equal(loop.failures.length, 0, `no failure during -sf: ${loop.failures}`);

    // -st: the old process is stopped hard; sessions it still had may be cut, but no
    // connection attempt is refused.
    const third = await startHalo(['-f', file, '-st', String(second.pid)], 2);
    kill(third);
    await second.exited;
    const afterSt = loop.ok;
    await waitFor(() => loop.ok >= afterSt + 50, 10_000, 'served by the third');
    await loop.end();
    assert.ok(!loop.failures.includes('ECONNREFUSED'), loop.failures.join(', '));
    assert.ok(loop.failures.length <= 4, `at most the exchanges in flight: ${loop.failures}`);
    third.child.kill('SIGUSR1');
    assert.equal(await third.exited, 0);
  });

  it('-sf between single processes (nbthread 1): no failure at all', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const file = join(dir, 'single.cfg');
    writeFileSync(file, config(1, `127.0.0.1:${port}`, b));
    const first = await startHalo(['-f', file], 1);
    kill(first);
    const loop = clientLoop({ host: '127.0.0.1', port });
    await waitFor(() => loop.ok >= 50, 10_000, 'the loop runs');
    const second = await startHalo(['-f', file, '-sf', String(first.pid)], 1);
    kill(second);
    assert.equal(await first.exited, 0, first.stderr);
    const n = loop.ok;
    await waitFor(() => loop.ok >= n + 50, 10_000, 'served by the successor');
    await loop.end();
    assert.deepEqual(loop.failures, []);
    second.child.kill('SIGUSR1');
    assert.equal(await second.exited, 0);
  });

  for (const n of [1, 2]) {
    it(`SIGTTOU releases the port, SIGTTIN takes it back (nbthread ${n}); sessions go on`, async () => {
      const b = await backend('echo');
      cleanup.push(() => b.close());
      const port = await freePort();
      const file = join(dir, `ttou-${n}.cfg`);
      writeFileSync(file, config(n, `127.0.0.1:${port}`, b));
      const h = await startHalo(['-f', file], n);
      kill(h);
      let got = '';
      const held = net.connect({ port, host: '127.0.0.1' });
      held.on('data', (d) => {
        got += d;
      });
      await waitFor(() => got === 'echo\n', 5000, 'a session');
      h.child.kill('SIGTTOU');
      await waitFor(() => acceptQueue(port) === undefined, 5000, 'the port released');
      held.write('still\n');
      await waitFor(() => got === 'echo\nstill\n', 5000, 'the session goes on');
      h.child.kill('SIGTTIN');
      await waitFor(() => acceptQueue(port) !== undefined, 5000, 'listening again');
      const loop = clientLoop({ host: '127.0.0.1', port }, 1, 20);
      await waitFor(() => loop.ok >= 20, 10_000, 'served again');
      await loop.end();
      held.destroy();
      h.child.kill('SIGUSR1');
      assert.equal(await h.exited, 0);
    });
  }

  it('-sf with noreuseport: the old process is paused (SIGTTOU) so the new one can bind', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const file = join(dir, 'noreuseport.cfg');
    writeFileSync(
      file,
      `global\n    noreuseport\n${config(1, `127.0.0.1:${port}`, b).slice('global\n'.length)}`,
    );
    const first = await startHalo(['-f', file], 1);
    kill(first);
    const loop = clientLoop({ host: '127.0.0.1', port }, 2);
    await waitFor(() => loop.ok >= 20, 10_000, 'the loop runs');
    const second = await startHalo(['-f', file, '-sf', String(first.pid)], 1);
    kill(second);
    assert.equal(await first.exited, 0, first.stderr);
    const n = loop.ok;
    await waitFor(() => loop.ok >= n + 20, 10_000, 'served by the successor');
    await loop.end();
    // As with HAProxy without SO_REUSEPORT, the port is closed for a moment: a client may
    // be refused, reset (queued on the closing socket) or left to retransmit its SYN past
    // the loop's 3 s timeout (half-open on the closing socket); never served wrong data.
    const other = loop.failures.filter(
      (f) => f !== 'ECONNREFUSED' && f !== 'ECONNRESET' && f !== 'TIMEOUT',
    );
    assert.deepEqual(other, []);
    second.child.kill('SIGUSR1');
    assert.equal(await second.exited, 0);
  });

  it('a unix-socket bind is served by every worker, across a reload', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const path = join(dir, 'fe.sock');
    const file = join(dir, 'unix.cfg');
    writeFileSync(file, config(2, path, b));
    const h = await startHalo(['-f', file], 2);
    kill(h);
    const loop = clientLoop({ path });
    await waitFor(() => loop.ok >= 50, 10_000, 'served over the unix socket');
    // Both workers take connections from the one shared socket.
    const workers = workerPids(h.pid);
    assert.equal(workers.length, 2);
    writeFileSync(file, config(3, path, b));
    h.child.kill('SIGHUP');
    await waitFor(() => workerPids(h.pid).length === 3, 20_000, 'three workers');
    const n = loop.ok;
    await waitFor(() => loop.ok >= n + 50, 10_000, 'served after the reload');
    await loop.end();
    assert.deepEqual(loop.failures, []);
    h.child.kill('SIGUSR1');
    assert.equal(await h.exited, 0);
  });

  it('a killed worker is replaced; the others refuse nothing meanwhile', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const file = join(dir, 'kill.cfg');
    writeFileSync(file, config(2, `127.0.0.1:${port}`, b));
    const h = await startHalo(['-f', file], 2);
    kill(h);
    const loop = clientLoop({ host: '127.0.0.1', port }, 2);
    await waitFor(() => loop.ok >= 50, 10_000, 'the loop runs');
    const [victim] = workerPids(h.pid);
    process.kill(victim!, 'SIGKILL');
    const n = loop.ok;
    await waitFor(() => loop.ok >= n + 100, 10_000, 'the other worker serves');
    await waitFor(
      () => workerPids(h.pid).length === 2 && !workerPids(h.pid).includes(victim!),
      20_000,
      'a replacement',
    );
    await sleep(200);
    await loop.end();
    assert.ok(!loop.failures.includes('ECONNREFUSED'), loop.failures.join(', '));
    // Only exchanges the killed worker was serving can be lost (one per lane at most).
    assert.ok(loop.failures.length <= 2, loop.failures.join(', '));
    h.child.kill('SIGUSR1');
    assert.equal(await h.exited, 0);
  });
});
