// `halo proxy` as a process: -c, -v, start-up, a reload (SIGHUP) while 100 connections
// stream data (none cut, every byte checked), an invalid reload (the old config keeps
// serving and the reason is logged), SIGUSR1 soft stop.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { backend, freePort, sleep, waitFor } from './proxy-harness.js';

function haloSync(args: string[]) {
  return spawnSync(process.execPath, [...halo, ...args], {
    encoding: 'utf8',
    cwd: root,
    timeout: 20_000,
  });
}

function config(fePort: number, servers: Backend[], extra = ''): string {
  return `global
    maxconn 2000
defaults
    mode tcp
    option tcplog
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${fePort}
    default_backend be
backend be
    balance roundrobin
${extra}
${servers.map((b) => `    server ${b.name} 127.0.0.1:${b.port}`).join('\n')}
`;
}

describe('halo proxy (process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-proxy-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('-v names the HAProxy version it follows; -c checks like haproxy -c', () => {
    const v = haloSync(['proxy', '-v']);
    assert.equal(v.status, 0);
    assert.match(
      v.stdout,
      /^HAProxy version 2\.6-halo-\S+ - halo \S+, following HAProxy 2\.6 behaviour\n$/,
    );
    const file = join(dir, 'ok.cfg');
    writeFileSync(file, config(1, []));
    const ok = haloSync(['proxy', '-c', '-f', file]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Configuration file is valid/);
    const bad = join(dir, 'bad.cfg');
    writeFileSync(bad, 'frontend fe\n    bind 127.0.0.1:1\n    bogus_keyword 1\n');
    const r = haloSync(['proxy', '-c', '-f', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.cfg:3/);
  });

  it('reloads on SIGHUP while 100 connections stream: none cut, every byte checked', async () => {
    const servers = await Promise.all(['s1', 's2'].map((n) => backend(n, (s) => s.pipe(s))));
    cleanup.push(...servers.map((b) => () => b.close()));
    const fePort = await freePort();
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config(fePort, servers));
    const child: ChildProcess = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d.toString();
    });
    cleanup.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await waitFor(() => stderr.includes('proxy started'), 10_000, 'halo proxy to start');

    // 100 connections, each streaming 64 KB in 16 pieces and checking the echo.
    const piece = 4096;
    const pieces = 16;
    const results = Array.from({ length: 100 }, async () => {
      const payload = randomBytes(piece * pieces);
      const c = net.connect({ port: fePort, host: '127.0.0.1' });
      const chunks: Buffer[] = [];
      let error: string | undefined;
      c.on('data', (d) => chunks.push(d));
      c.on('error', (e) => {
        error = e.message;
      });
      await new Promise((r) => c.once('connect', r));
      for (let i = 0; i < pieces; i++) {
        c.write(payload.subarray(i * piece, (i + 1) * piece));
        await sleep(40);
      }
      await waitFor(
        () => chunks.reduce((n, d) => n + d.length, 0) >= payload.length || error !== undefined,
        10_000,
      );
      c.end();
      await new Promise((r) => c.once('close', r));
      const got = Buffer.concat(chunks);
      return {
        ok:
          error === undefined &&
          createHash('sha1').update(got).digest('hex') ===
            createHash('sha1').update(payload).digest('hex'),
        error,
      };
    });
    // Reload twice while they stream; new connections must keep working meanwhile.
    await sleep(150);
    writeFileSync(file, config(fePort, servers, '    balance leastconn'));
    child.kill('SIGHUP');
    const during: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      during.push(
        new Promise((resolve) => {
          const c = net.connect({ port: fePort, host: '127.0.0.1' });
          let d = '';
          c.on('data', (x) => {
            d += x.toString();
            if (d === 'ping') c.end();
          });
          c.on('error', (e) => resolve(`error ${e.message}`));
          c.on('close', () => resolve(d));
          c.write('ping');
        }),
      );
      await sleep(10);
    }
    await waitFor(() => stderr.includes('Reloaded configuration'), 5000, 'reload notice');
    child.kill('SIGHUP');
    const outcomes = await Promise.all(results);
    assert.deepEqual(
      outcomes.filter((o) => !o.ok),
      [],
      'every streamed connection intact',
    );
    assert.deepEqual(
      (await Promise.all(during)).filter((d) => d !== 'ping'),
      [],
      'no connection refused or cut during the reloads',
    );

    // Invalid config: the old one keeps serving and the reason is logged.
    writeFileSync(file, `${config(fePort, servers)}    bogus_keyword here\n`);
    child.kill('SIGHUP');
    await waitFor(() => stderr.includes('Reload failed'), 5000, 'reload failure alert');
    assert.match(
      stderr,
      /Reload failed, the previous configuration keeps running: .*haproxy\.cfg:\d+/,
    );
    const still = await new Promise<string>((resolve) => {
      const c = net.connect({ port: fePort, host: '127.0.0.1' });
      c.on('data', (d) => {
        resolve(d.toString());
        c.end();
      });
      c.write('alive');
    });
    assert.equal(still, 'alive');

    // SIGUSR1: soft stop; an open connection keeps working until it ends, then exit 0.
    const open = net.connect({ port: fePort, host: '127.0.0.1' });
    await new Promise((r) => open.once('connect', r));
    await sleep(50);
    child.kill('SIGUSR1');
    await sleep(200);
    assert.equal(child.exitCode, null, 'still running while a session is open');
    const echoed = await new Promise<string>((resolve) => {
      open.once('data', (d) => resolve(d.toString()));
      open.write('after soft stop');
    });
    assert.equal(echoed, 'after soft stop');
    const refused = await new Promise<string>((resolve) => {
      const c = net.connect({ port: fePort, host: '127.0.0.1' });
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      c.on('connect', () => resolve('connected'));
    });
    assert.equal(refused, 'ECONNREFUSED', 'the listener is closed after a soft stop');
    open.end();
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0);
  });

  it('-D daemonizes and writes the pidfile; SIGTERM stops it', async () => {
    const b = await backend('s1');
    cleanup.push(() => b.close());
    const fePort = await freePort();
    const file = join(dir, 'd.cfg');
    const pidfile = join(dir, 'halo.pid');
    writeFileSync(file, config(fePort, [b]));
    const r = haloSync(['proxy', '-D', '-p', pidfile, '-f', file]);
    assert.equal(r.status, 0, r.stderr);
    await waitFor(() => existsSync(pidfile), 5000);
    const { readFileSync } = await import('node:fs');
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    assert.ok(pid > 0);
    cleanup.push(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    });
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    }, 5000);
    // Wait until it serves.
    let greeting = '';
    for (let i = 0; i < 100 && !greeting; i++) {
      greeting = await new Promise<string>((resolve) => {
        const c = net.connect({ port: fePort, host: '127.0.0.1' });
        c.on('data', (d) => {
          resolve(d.toString());
          c.destroy();
        });
        c.on('error', () => resolve(''));
      });
      if (!greeting) await sleep(50);
    }
    assert.equal(greeting, 's1\n');
    process.kill(pid, 'SIGTERM');
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      5000,
      'daemon to exit',
    );
  });
});
