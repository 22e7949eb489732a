// Reloads must not leak: after N reloads of an HTTP-mode config (an http frontend, a
// checked backend, a stats page) with requests between them, every old engine is
// collected once its sessions ended, no timer or interval of theirs keeps ticking, and
// their idle kept-alive server connections are closed.
// Before the fix each old engine stayed reachable through its node:http server's
// connections-checking interval (about 0.65 MB and some idle CPU per reload); later, each
// drained engine still held its idle server connection for 5 s (pool-purge-delay), about
// 90 open sockets in a loop of fast reloads, where HAProxy's old process closes them as it
// leaves.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ProxyDaemon } from '../../src/daemon/proxy-daemon.js';
import type { ProxyEngine } from '../../src/proxy/engine.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import { freePort, parse, sleep, waitFor } from './proxy-harness.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const RELOADS = 60;

function get(port: number, path: string, agent: http.Agent | false = false): Promise<number> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', () => resolve(0));
  });
}

/** Referenced timers (unref'd ones are not listed; those that hold an engine show in the census). */
function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Engines created minus engines the GC collected. */
class EngineCensus {
  private created = 0;
  private collected = 0;
  private readonly registry = new FinalizationRegistry<void>(() => {
    this.collected++;
  });
  watch(e: ProxyEngine): void {
    this.created++;
    this.registry.register(e, undefined);
  }
  get alive(): number {
    return this.created - this.collected;
  }
}

async function collect(): Promise<void> {
  // Finalizers run in later tasks; a few rounds let chains of dead objects go.
  for (let i = 0; i < 6; i++) {
    gc();
    await sleep(20);
  }
}

describe('reload of an http config', () => {
  let dir: string;
  let server: http.Server;
  /** Connections the server has open now (its side of halo's pooled connections). */
  const serverConns = new Set<Socket>();
  let daemon: ProxyDaemon;
  let fe = 0;
  let stats = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-reload-leak-'));
    server = http.createServer((_q, s) => s.end('ok'));
    // The server never closes an idle connection: only halo's pool decides.
    server.keepAliveTimeout = 0;
    server.on('connection', (c) => {
      serverConns.add(c);
      c.on('close', () => serverConns.delete(c));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const be = (server.address() as AddressInfo).port;
    fe = await freePort();
    stats = await freePort();
    const text = `
global
    maxconn 200
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 2s
frontend fe
    bind 127.0.0.1:${fe}
    default_backend be
backend be
    server s1 127.0.0.1:${be} check inter 100
listen stats
    bind 127.0.0.1:${stats}
    stats enable
    stats uri /stats
`;
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, text);
    daemon = new ProxyDaemon({ files: [file], env: {}, log: new MemoryLog(), notify: () => {} });
    await daemon.start(parse(text));
  });

  after(async () => {
    await daemon.hardStop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`leaves no old engine and no timer behind after ${RELOADS} reloads`, async () => {
    const census = new EngineCensus();
    census.watch(daemon.engine!);
    // A kept-alive client across reloads: its idle connection is drained by each old engine.
    const keep = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(fe, '/', keep);
    await sleep(1200); // the first engine's health checks and timers are all armed by now
    const baseTimers = timers();
    for (let i = 0; i < RELOADS; i++) {
      assert.equal(await get(fe, '/'), 200);
      assert.equal(await get(fe, '/', keep), 200);
      assert.equal(await get(stats, '/stats'), 200);
      assert.equal(await get(stats, '/stats;csv'), 200);
      assert.equal(await daemon.reload(), true, `reload ${i + 1}`);
      census.watch(daemon.engine!);
    }
    keep.destroy();
    // Old engines drain idle keep-alive connections within about a second.
    await waitFor(() => daemon.actconn === 0, 5000, 'every client connection closed');
    await sleep(1200);
    await collect();
    // The serving engine, and at most the one it replaced last if its session is still
    // unwinding; before the fix all 61 stayed.
    assert.ok(census.alive <= 2, `${census.alive} engines of ${RELOADS + 1} still alive`);
    const now = timers();
    assert.ok(
      now <= baseTimers + 3,
      `${now} active timers after ${RELOADS} reloads, ${baseTimers} before`,
    );
    // The serving engine's pool holds one idle connection (two if a request overlapped);
    // the drained engines' ones are closed, well before the 5 s idle timeout.
    assert.ok(
      serverConns.size <= 2,
      `${serverConns.size} server connections still open after ${RELOADS} reloads`,
    );
    assert.equal(await get(fe, '/'), 200, 'the last config still serves');
  });
});
