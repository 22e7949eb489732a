// `halo init` output run for real on loopback: master1's haproxy.cfg under `halo proxy`
// (a child process) in front of three stand-in HTTPS apiservers on 127.0.0.11-13. TLS
// clients get through to every master; a dead, a hung and a shutting-down apiserver are
// each marked DOWN by the generated /readyz checks and get no more clients; they come
// back when ready; the stats page wants the generated password; monitor-uri answers.
// How fast they leave rotation, beside the real HAProxy, is bench/init-failover.ts's job.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { haloArgv } from '../halo-cli.js';
import {
  type Apiservers,
  generateLoopbackCluster,
  httpGet,
  MASTERS,
  serverStatus,
  startApiservers,
  throughProxy,
} from './init-apiservers.js';
import { freePort, sleep, waitFor } from './proxy-harness.js';

describe('halo init output under halo proxy', () => {
  let api: Apiservers;
  let dir = '';
  let auth = '';
  let port = 0;
  let statsPort = 0;
  let proxy: ChildProcess | undefined;
  let proxyErr = '';
  const status = (i: number) =>
    serverStatus(MASTERS[0], statsPort, auth, 'apiserver', `master${i + 1}`);
  const waitStatus = async (i: number, re: RegExp, ms = 6000) => {
    let last: string | undefined;
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      last = await status(i);
      if (last !== undefined && re.test(last)) return;
      await sleep(50);
    }
    assert.fail(`master${i + 1} status ${last}, wanted ${re}; halo stderr: ${proxyErr}`);
  };

  before(async () => {
    api = await startApiservers();
    port = await freePort();
    statsPort = await freePort();
    const g = await generateLoopbackCluster(api.port, port, statsPort);
    dir = g.dir;
    auth = g.auth;
    proxy = spawn(process.execPath, [...haloArgv, 'proxy', '-f', g.haproxyCfg], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proxy.stderr?.on('data', (d) => {
      proxyErr += d;
    });
    await waitFor(
      () => proxyErr.includes('started') || proxy?.exitCode !== null,
      15000,
      'halo proxy start',
    );
    for (let i = 0; i < 3; i++) await waitStatus(i, /^UP$/);
  });
  after(async () => {
    if (proxy?.pid && proxy.exitCode === null) {
      proxy.kill('SIGTERM');
      await new Promise((r) => proxy?.once('exit', r));
    }
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('TLS clients reach every apiserver through the frontend', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(await throughProxy(port));
    assert.deepEqual([...seen].sort(), ['master1', 'master2', 'master3']);
  });

  for (const [i, mode] of [
    [1, 'dead'],
    [2, 'hung'],
    [1, 'shutting-down'],
  ] as const)
    test(`a ${mode} apiserver is marked DOWN, gets no clients, and comes back`, async () => {
      await api.set(i, mode);
      await waitStatus(i, /^DOWN/);
      const seen = new Set<string>();
      for (let k = 0; k < 6; k++) seen.add(await throughProxy(port));
      assert.ok(!seen.has(`master${i + 1}`), [...seen].join());
      assert.ok(![...seen].some((s) => s.startsWith('error')), [...seen].join());
      await api.set(i, 'ready');
      await waitStatus(i, /^UP$/);
    });

  test('the stats page wants the generated password; monitor-uri answers without', async () => {
    assert.equal((await httpGet(MASTERS[0], statsPort, '/stats')).status, 401);
    assert.equal((await httpGet(MASTERS[0], statsPort, '/stats', 'admin:wrong')).status, 401);
    assert.equal((await httpGet(MASTERS[0], statsPort, '/stats', auth)).status, 200);
    const h = await httpGet(MASTERS[0], statsPort, '/healthz');
    assert.equal(h.status, 200);
    assert.match(h.body, /Service ready/);
  });
});
