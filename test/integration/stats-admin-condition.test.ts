// `stats admin if|unless <cond>` at run time, next to the real HAProxy 2.6 with the same
// listen sections: a condition on the client address grants the admin form's actions (303
// to `;st=DONE`) or refuses them (`;st=DENY`) as HAProxy does. Conditions halo does not
// evaluate are refused before this (test/unit/condition-checks.test.ts).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { statsApplets } from '../../src/proxy/stats/applet.js';
import type { Backend, Running } from './proxy-harness.js';
import { backend, freePort, sleep, startProxy } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';

const CONDITIONS = [
  'if { src 127.0.0.1 }',
  'unless { src 127.0.0.1 }',
  'if { src 10.0.0.0/8 }',
  'unless { src 10.0.0.0/8 }',
  'if LOCALHOST',
  'if { src 127.0.0.1 } { dst_port 1 }',
  'if !{ src 127.0.0.1 } || { src_port 1:65535 }',
] as const;

// A granted POST is DONE (draining s1 again counts as done, as in HAProxy), a refused one DENY.
const EXPECTED = ['DONE', 'DENY', 'DENY', 'DONE', 'DONE', 'DENY', 'DONE'].map((c) => `303 ${c}`);

function config(ports: number[], server: number): string {
  return `
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
backend be
    server s1 127.0.0.1:${server}
${CONDITIONS.map(
  (c, i) => `listen stats${i}
    bind 127.0.0.1:${ports[i]}
    stats uri /st
    stats auth admin:Xy7-long-pass
    stats admin ${c}
`,
).join('')}`;
}

/** The admin form's POST (drain s1 of backend be); resolves to the 303's `;st=` code. */
function post(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = 's=s1&action=drain&b=be';
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/st',
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Basic ${Buffer.from('admin:Xy7-long-pass').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve(`${res.statusCode} ${/;st=([A-Z]+)/.exec(res.headers.location ?? '')?.[1]}`),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('stats admin conditions at run time', () => {
  let server: Backend;
  let proxy: Running;
  let ours: number[];
  let theirs: number[] = [];
  let ref: ReturnType<typeof spawn> | undefined;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-stats-admin-'));
    server = await backend('s1');
    ours = await Promise.all(CONDITIONS.map(() => freePort()));
    proxy = await startProxy(config(ours, server.port), { applets: statsApplets });
    if (existsSync(HAPROXY)) {
      theirs = await Promise.all(CONDITIONS.map(() => freePort()));
      const file = join(dir, 'ref.cfg');
      writeFileSync(file, config(theirs, server.port));
      ref = spawn(HAPROXY, ['-db', '-f', file], { stdio: 'ignore' });
      await sleep(700);
    }
  });

  after(async () => {
    ref?.kill('SIGTERM');
    await proxy.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('src grants or denies the admin actions', async () => {
    const codes = [];
    for (const p of ours) codes.push(await post(p));
    assert.deepEqual(codes, EXPECTED);
  });

  it('same answers as HAProxy 2.6 for the same conditions', {
    skip: !existsSync(HAPROXY),
  }, async () => {
    const codes = [];
    for (const p of theirs) codes.push(await post(p));
    // A drain of a drained server is DONE again on both sides.
    assert.deepEqual(codes, EXPECTED);
  });
});
