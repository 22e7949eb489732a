// SIGTERM is served under load: with connections streaming through it and new ones arriving,
// `halo proxy` (one process, and a master with workers) exits within a few seconds of the
// signal. The bound is a correctness bound (a lost or starved signal), not a timing goal.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import { backend, freePort, sleep, waitFor, workerPids } from './proxy-harness.js';

/** Seconds SIGTERM may take to end the process (HAProxy exits at once). */
const EXIT_BOUND_MS = 5000;

/**
 * Streams through `port` from `streams` connections and opens/closes others, until stopped.
 * Modest on purpose: the echo backend and these clients share this process (and two cores
 * with halo); 32 pumping streams here starve the churning clients of this very process.
 */
function load(port: number, streams: number, churners: number) {
  let stopped = false;
  const sockets = new Set<net.Socket>();
  let bytes = 0;
  let connects = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const open = (onConnect: (c: net.Socket) => void, onClose: () => void) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    sockets.add(c);
    c.on('error', () => {});
    c.on('connect', () => {
      connects++;
      onConnect(c);
    });
    c.on('close', () => {
      sockets.delete(c);
      if (!stopped) setTimeout(onClose, 10);
    });
    return c;
  };
  const stream = () =>
    open((c) => {
      const pump = () => {
        while (!stopped && c.write(chunk));
      };
      c.on('drain', pump);
      c.on('data', (d) => {
        bytes += d.length;
      });
      pump();
    }, stream);
  const churn = () => open((c) => c.resume().end('x\n'), churn);
  for (let i = 0; i < streams; i++) stream();
  for (let i = 0; i < churners; i++) churn();
  return {
    get bytes() {
      return bytes;
    },
    get connects() {
      return connects;
    },
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

describe('SIGTERM under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-sigterm-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  for (const nbthread of [1, 2]) {
    it(`nbthread ${nbthread}: exits within ${EXIT_BOUND_MS / 1000} s of SIGTERM while busy`, async () => {
      const b = await backend('echo');
      cleanup.push(() => b.close());
      const port = await freePort();
      const file = join(dir, `t${nbthread}.cfg`);
      writeFileSync(
        file,
        `global
    nbthread ${nbthread}
defaults
    mode tcp
    log stdout format raw local0
    option tcplog
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${port}
    log global
    default_backend be
backend be
    server ${b.name} 127.0.0.1:${b.port}
`,
      );
      const p = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      p.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<{ code: number | null; at: number }>((r) =>
        p.on('exit', (code) => r({ code, at: Date.now() })),
      );
      cleanup.push(() => {
        if (p.exitCode === null) p.kill('SIGKILL');
      });
      await waitFor(() => /started/.test(stderr), 20_000, 'start');
      const workers = nbthread > 1 ? workerPids(p.pid!) : [];
      const l = load(port, 8, 16);
      cleanup.push(() => l.stop());
      await waitFor(() => l.bytes > 20 << 20 && l.connects > 100, 20_000, 'load running').catch(
        (e) => {
          console.log('LOAD', l.bytes, l.connects);
          throw e;
        },
      );
      await sleep(500);
      const sent = Date.now();
      p.kill('SIGTERM');
      const { code, at } = await Promise.race([
        exited,
        sleep(EXIT_BOUND_MS * 3).then(() => ({ code: -1, at: Date.now() })),
      ]);
      l.stop();
      assert.ok(at - sent < EXIT_BOUND_MS, `exited ${at - sent} ms after SIGTERM (code ${code})`);
      assert.equal(code, 0, stderr);
      for (const w of workers) assert.throws(() => process.kill(w, 0), `worker ${w} gone`);
    });
  }

  it('a pipelined flood to a server that never answers: SIGTERM still ends the process in time', async () => {
    // Issue 9's read-ahead flood keeps halo's one thread busy after the signal; the stop
    // deadline (its own thread) ends the process then, with an ALERT, by SIGKILL.
    const slow = net.createServer((s) => {
      s.on('error', () => {});
      s.resume();
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    cleanup.push(() => {
      slow.close();
    });
    const port = await freePort();
    const file = join(dir, 'flood.cfg');
    writeFileSync(
      file,
      `defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server slow 127.0.0.1:${(slow.address() as net.AddressInfo).port}
`,
    );
    const p = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((r) =>
      p.on('exit', (code, signal) => r({ code, signal, at: Date.now() })),
    );
    cleanup.push(() => {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    });
    await waitFor(() => /started/.test(stderr), 20_000, 'start');
    const c = net.connect({ port, host: '127.0.0.1' });
    c.on('error', () => {});
    c.resume();
    const reqs = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(1000));
    let sent = 0;
    const pump = () => {
      while (sent < 200 << 20 && c.writable && c.write(reqs)) sent += reqs.length;
    };
    c.on('connect', pump);
    c.on('drain', pump);
    cleanup.push(() => {
      c.destroy();
    });
    await sleep(4000);
    const at = Date.now();
    p.kill('SIGTERM');
    const end = await Promise.race([exited, sleep(EXIT_BOUND_MS * 3).then(() => undefined)]);
    c.destroy();
    assert.ok(end, `still running ${EXIT_BOUND_MS * 3} ms after SIGTERM (${sent >> 20} MB sent)`);
    assert.ok(end.at - at < EXIT_BOUND_MS, `exited ${end.at - at} ms after SIGTERM`);
    if (end.code !== 0) {
      assert.equal(end.signal, 'SIGKILL', stderr);
      assert.match(stderr, /Hard stop did not finish within [\d.]+ s .*killing it/);
    }
  });
});
