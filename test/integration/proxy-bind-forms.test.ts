// Every `bind` form through halo's own accept loop: IPv4, IPv6, `*`, a port range, a unix
// socket (replaced atomically, left in place on close as HAProxy does) and an inherited
// descriptor (`fd@N`); a reload hands each listener over without a refused connection.

import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePorts } from '../../src/os/free-port.js';
import { sockaddrIn } from '../../src/os/linux-abi.js';
import { addon } from '../../src/os/native.js';
import { ProxyEngine } from '../../src/proxy/engine.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import type { Backend } from './proxy-harness.js';
import { acceptQueue, backend, freePort, parse } from './proxy-harness.js';

/** Sends a line and resolves with everything received until the proxy closes. */
function talk(to: net.NetConnectOpts, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const c = net.connect(to, () => c.end(line));
    c.setTimeout(3000, () => c.destroy(new Error('timeout')));
    c.on('data', (d) => {
      got += d;
    });
    c.on('error', reject);
    c.on('close', () => resolve(got));
  });
}

describe('bind forms on the accept loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-binds-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('serves IPv4, IPv6, *, a range, a unix socket and fd@N; reload keeps them', async () => {
    const b: Backend = await backend('s1');
    cleanup.push(() => b.close());
    const [v4, v6, any, range] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePorts(2),
    ];
    const sock = join(dir, 'fe.sock');
    // A stale socket at the path (another process's) is replaced.
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(sock, r));
    cleanup.push(() => new Promise<void>((r) => stale.close(() => r())));
    // fd@N: a socket bound by "the parent" (here, this test) and inherited.
    const inherited = await freePort();
    const os = addon();
    const fd = os.socket(2, 1, 0);
    os.bind(fd, sockaddrIn(Uint8Array.of(127, 0, 0, 1), inherited));
    const cfg = (extra: string) => `defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${v4}
    bind [::1]:${v6}
    bind *:${any}
    bind 127.0.0.1:${range}-${range + 1}
    bind ${sock}
    bind fd@${fd}
    default_backend be
backend be
    server s1 127.0.0.1:${b.port}
${extra}`;
    const engine = new ProxyEngine(parse(cfg('')), { log: new MemoryLog() });
    // Before start: a start that fails half-way must not leave listeners holding the process.
    cleanup.push(() => {
      engine.stopAccepting();
      engine.killSessions();
    });
    await engine.start();
    const targets: net.NetConnectOpts[] = [
      { host: '127.0.0.1', port: v4 },
      { host: '::1', port: v6 },
      { host: '127.0.0.1', port: any },
      { host: '127.0.0.1', port: range },
      { host: '127.0.0.1', port: range + 1 },
      { path: sock },
      { host: '127.0.0.1', port: inherited },
    ];
    for (const t of targets) assert.equal(await talk(t, 'hi\n'), 's1\nhi\n', JSON.stringify(t));
    assert.equal(engine.listeners.size, 7);

    // Reload with the same binds while a client loop runs: every listener moves over.
    let stop = false;
    const failures: string[] = [];
    const loop = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        const t = targets[i % targets.length]!;
        await talk(t, 'r\n').then(
          (got) => got === 's1\nr\n' || failures.push(`${JSON.stringify(t)}: ${got}`),
          (e: Error) => failures.push(`${JSON.stringify(t)}: ${e.message}`),
        );
      }
    })();
    const next = new ProxyEngine(parse(cfg('backend other\n')), { log: new MemoryLog() });
    await next.start(engine);
    engine.stopAccepting(next);
    cleanup.push(() => {
      next.stopAccepting();
      next.killSessions();
    });
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await loop;
    assert.deepEqual(failures, []);
    for (const l of engine.listeners.values()) assert.equal(next.listeners.get(l.key), l);

    // Closing leaves the unix socket in place (HAProxy does too); the next bind replaces it.
    next.stopAccepting();
    assert.ok(lstatSync(sock).isSocket());
    await new Promise((r) => stale.close(r));
  });

  it('v6only keeps IPv4 clients off an IPv6 wildcard socket; without it they come in', async () => {
    const b: Backend = await backend('s1');
    cleanup.push(() => b.close());
    for (const v6only of [false, true]) {
      const port = await freePort();
      const engine = new ProxyEngine(
        parse(`frontend fe
    mode tcp
    bind :::${port}${v6only ? ' v6only' : ''}
    default_backend be
backend be
    mode tcp
    server s1 127.0.0.1:${b.port}
`),
        { log: new MemoryLog() },
      );
      await engine.start();
      assert.equal(await talk({ host: '::1', port }, 'six\n'), 's1\nsix\n');
      const four = talk({ host: '127.0.0.1', port }, 'four\n').catch(
        (e: { code?: string }) => e.code,
      );
      assert.equal(await four, v6only ? 'ECONNREFUSED' : 's1\nfour\n');
      engine.stopAccepting();
      engine.killSessions();
    }
  });

  it('SO_REUSEPORT lets a second process bind the port; noreuseport refuses it', async () => {
    for (const noreuseport of [false, true]) {
      const port = await freePort();
      const cfg = parse(`${noreuseport ? 'global\n    noreuseport\n' : ''}frontend fe
    mode tcp
    bind 127.0.0.1:${port}
    default_backend be
backend be
    mode tcp
    server s1 127.0.0.1:1
`);
      assert.equal(cfg.global.noReusePort, noreuseport || undefined);
      const first = new ProxyEngine(cfg, { log: new MemoryLog() });
      await first.start();
      const second = new ProxyEngine(cfg, { log: new MemoryLog() });
      if (noreuseport) await assert.rejects(second.start(), { code: 'EADDRINUSE' });
      else await second.start();
      first.stopAccepting();
      second.stopAccepting();
    }
  });

  it('a reload that cannot bind a new address leaves the running config serving', async () => {
    const b: Backend = await backend('s1');
    cleanup.push(() => b.close());
    const [kept, fresh, taken] = [await freePort(), await freePort(), await freePort()];
    const holder = net.createServer(); // no SO_REUSEPORT: halo cannot share its port
    await new Promise<void>((r) => holder.listen(taken, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => holder.close(() => r())));
    const cfg = (binds: number[]) => `frontend fe
    mode tcp
${binds.map((p) => `    bind 127.0.0.1:${p}`).join('\n')}
    default_backend be
backend be
    mode tcp
    server s1 127.0.0.1:${b.port}
`;
    const engine = new ProxyEngine(parse(cfg([kept])), { log: new MemoryLog() });
    await engine.start();
    cleanup.push(() => engine.stopAccepting());
    const next = new ProxyEngine(parse(cfg([kept, fresh, taken])), { log: new MemoryLog() });
    await assert.rejects(next.start(engine), { code: 'EADDRINUSE' });
    next.stopAccepting(engine);
    assert.equal(await talk({ host: '127.0.0.1', port: kept }, 'k\n'), 's1\nk\n');
    assert.equal(acceptQueue(fresh), undefined, 'the new address is closed again');
  });

  it('refuses to replace a unix path that is not a socket', async () => {
    const path = join(dir, 'plain');
    writeFileSync(path, 'data');
    const engine = new ProxyEngine(
      parse(`frontend fe
    mode tcp
    bind ${path}
    default_backend be
backend be
    mode tcp
    server s1 127.0.0.1:1
`),
      { log: new MemoryLog() },
    );
    await assert.rejects(engine.start(), /EEXIST/);
    assert.ok(lstatSync(path).isFile());
  });
});
