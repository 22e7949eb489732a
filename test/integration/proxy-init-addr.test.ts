// `server NAME init-addr ...` at run time, next to the real HAProxy 2.6 with the same
// config: a name that does not resolve (`.invalid` never does) with `init-addr none` starts
// the server in resolution maintenance ("MAINT (resolution)", srv_admin_state 0x20, no
// address) and no connection is tried to it; an IP in `init-addr` is used instead of the
// name. `set server ... state ready` does not end resolution maintenance on either side.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyDaemon } from '../../src/daemon/proxy-daemon.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import type { Backend } from './proxy-harness.js';
import { backend, exchange, freePort, parse, sleep } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';

function config(fe: number, cli: number, good: number, fallback: number): string {
  return `
global
    stats socket ipv4@127.0.0.1:${cli} level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
listen x
    bind 127.0.0.1:${fe}
    server s nonexistent.invalid:${good} init-addr none check inter 200
    server t 127.0.0.1:${good}
    server u nonexistent.invalid:${fallback} init-addr 127.0.0.1
`;
}

function cli(port: number, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ host: '127.0.0.1', port });
    let out = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => {
      out += d;
    });
    c.on('error', reject);
    c.on('close', () => resolve(out));
    c.end(`${cmd}\n`);
  });
}

/** name, addr, op_state, admin_state, fqdn, port of each server line. */
async function serverStates(port: number): Promise<string[]> {
  const text = await cli(port, 'show servers state x');
  return text
    .split('\n')
    .filter((l) => /^\d+ x /.test(l))
    .map((l) => {
      const f = l.split(' ');
      return [f[3], f[4], f[5], f[6], f[17], f[18]].join(' ');
    });
}

async function statuses(port: number): Promise<string[]> {
  const csv = await cli(port, 'show stat');
  return csv
    .split('\n')
    .filter((l) => l.startsWith('x,') && !/^x,(FRONTEND|BACKEND),/.test(l))
    .map((l) => {
      const f = l.split(',');
      return `${f[1]} ${f[17]}`;
    });
}

describe('server init-addr at run time', () => {
  let dir: string;
  let good: Backend;
  let fallback: Backend;
  let daemon: ProxyDaemon;
  let fe: number;
  let cliPort: number;
  let ref: ReturnType<typeof spawn> | undefined;
  let refCli = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-init-addr-'));
    good = await backend('t');
    fallback = await backend('u');
    fe = await freePort();
    cliPort = await freePort();
    daemon = new ProxyDaemon({ files: [], env: {}, log: new MemoryLog(), notify: () => {} });
    await daemon.start(parse(config(fe, cliPort, good.port, fallback.port)));
    if (existsSync(HAPROXY)) {
      refCli = await freePort();
      const file = join(dir, 'ref.cfg');
      writeFileSync(file, config(await freePort(), refCli, good.port, fallback.port));
      ref = spawn(HAPROXY, ['-db', '-f', file], { stdio: 'ignore' });
      for (let i = 0; i < 50 && (await cli(refCli, 'show cli level').catch(() => '')) === ''; i++)
        await sleep(100);
    }
    await sleep(500); // several check intervals: a started checker would have shown by now
  });

  after(async () => {
    ref?.kill('SIGTERM');
    await daemon.hardStop();
    await good.close();
    await fallback.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('init-addr none and no address: MAINT (resolution), admin state 0x20, no address', async () => {
    const states = await serverStates(cliPort);
    assert.equal(states[0], `s - 0 32 nonexistent.invalid ${good.port}`);
    assert.equal(states[2], `u 127.0.0.1 2 0 nonexistent.invalid ${fallback.port}`);
    assert.deepEqual((await statuses(cliPort))[0], 's MAINT (resolution)');
    if (ref) {
      const theirs = await serverStates(refCli);
      assert.equal(theirs.length, 3, 'haproxy answered');
      assert.deepEqual(states, theirs, 'same as haproxy 2.6');
      assert.deepEqual(await statuses(cliPort), await statuses(refCli));
    }
  });

  it('traffic goes only to the servers with an address; none is tried on the name', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await exchange(fe, 'x')).data.split('\n')[0]!);
    assert.deepEqual([...new Set(seen)].sort(), ['t', 'u']);
    assert.equal(good.accepted + fallback.accepted, 6);
  });

  it('set server state ready does not end resolution maintenance (as in haproxy)', async () => {
    assert.equal(await cli(cliPort, 'set server x/s state ready'), '\n');
    assert.equal((await serverStates(cliPort))[0], `s - 0 32 nonexistent.invalid ${good.port}`);
    if (ref) {
      await cli(refCli, 'set server x/s state ready');
      assert.deepEqual(await serverStates(cliPort), await serverStates(refCli));
    }
  });
});
