// `stats scope` next to the real HAProxy 2.6: a stats listen limited to itself (`.`) and one
// backend shows only those proxies in its CSV and HTML page; the admin form (which HAProxy
// does not limit by scope) is left alone. Same config text on both sides, ports apart.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../../src/os/free-port.js';
import { statsApplets } from '../../src/proxy/stats/applet.js';
import type { Running } from './proxy-harness.js';
import { sleep, startProxy } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';

const config = (fe: number, stats: number) => `
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:${fe}
    default_backend be_one
backend be_one
    server s1 127.0.0.1:9
backend be_two
    server s2 127.0.0.1:9
listen stats_scoped
    bind 127.0.0.1:${stats}
    stats uri /st
    stats scope .
    stats scope be_two
    stats scope no_such_proxy
`;

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** The (pxname, svname) pairs of a CSV dump. */
const rows = (csv: string) =>
  csv
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').slice(0, 2).join('/'));

describe('stats scope next to HAProxy 2.6', {
  skip: existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-stats-scope-'));
  let halo: Running | undefined;
  let ref: ReturnType<typeof spawn> | undefined;
  const ports = { halo: [0, 0], hap: [0, 0] };

  before(async () => {
    const p = await freePorts(4);
    ports.halo = [p, p + 1];
    ports.hap = [p + 2, p + 3];
    halo = await startProxy(config(ports.halo[0]!, ports.halo[1]!), { applets: statsApplets });
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config(ports.hap[0]!, ports.hap[1]!));
    ref = spawn(HAPROXY, ['-db', '-f', file], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      try {
        await get(ports.hap[1]!, '/st;csv');
        return;
      } catch {
        await sleep(50);
      }
    }
  });

  after(async () => {
    ref?.kill();
    await halo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the CSV lists only the proxies in scope, as HAProxy', async () => {
    const want = rows(await get(ports.hap[1]!, '/st;csv'));
    assert.deepEqual(want, [
      'be_two/s2',
      'be_two/BACKEND',
      'stats_scoped/FRONTEND',
      'stats_scoped/BACKEND',
    ]);
    assert.deepEqual(rows(await get(ports.halo[1]!, '/st;csv')), want);
  });

  it('the HTML page leaves the others out too', async () => {
    const page = await get(ports.halo[1]!, '/st;norefresh');
    assert.match(page, /be_two/);
    assert.doesNotMatch(page, /be_one|>web</);
  });
});
