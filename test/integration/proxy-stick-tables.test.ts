// Stick tables next to the real HAProxy 2.6: `http-request track-sc0 src` with a 429 past
// a request rate, the counters as a `return` shows them (`sc_http_req_rate(0)`,
// `sc0_http_req_cnt`, `sc_conn_cur(0)`, `src_http_req_rate`), and `tcp-request connection
// track-sc1 src` with a reject past a connection rate. The same clients, one at a time,
// go to each; the replies are compared byte for byte.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../../src/os/free-port.js';
import { haloArgv, repoRoot as root } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { acceptQueue, backend, runtimeCommand, sleep, waitFor } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';

const config = (http: number, tcp: number, server: number, sock: string) => `
global
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 2s
    timeout server 2s
    timeout connect 1s
frontend fe_http
    bind 127.0.0.1:${http}
    stick-table type ip size 100k expire 30s store http_req_rate(10s),http_req_cnt,conn_cur,conn_cnt,conn_rate(10s)
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }
    http-request return status 200 content-type text/plain lf-string "rate=%[sc_http_req_rate(0)] cnt=%[sc0_http_req_cnt] cur=%[sc_conn_cur(0)] conn=%[sc_conn_cnt(0)] src=%[src_http_req_rate]"
frontend fe_tcp
    mode tcp
    bind 127.0.0.1:${tcp}
    stick-table type ip size 100k expire 30s store conn_cur,conn_rate(10s),conn_cnt,sess_cnt
    tcp-request connection track-sc1 src
    tcp-request connection reject if { sc1_conn_rate gt 2 }
    default_backend be
frontend fe_route
    bind 127.0.0.1:${tcp + 2}
    stick-table type ip size 1k expire 30s store http_req_rate(10s)
    http-request track-sc0 src
    use_backend be_slow if { sc_http_req_rate(0) gt 2 }
    default_backend be_fast
backend be_fast
    http-request return status 200 content-type text/plain string fast
backend be_slow
    http-request return status 503 content-type text/plain string slowdown
frontend fe_content
    mode tcp
    bind 127.0.0.1:${tcp + 1}
    stick-table type ip size 1k expire 30s store conn_rate(10s),conn_cnt
    tcp-request content track-sc0 src
    tcp-request content reject if { sc0_conn_rate gt 1 }
    default_backend be
backend be
    mode tcp
    server s1 127.0.0.1:${server}
`;

function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const c = net.connect(port, '127.0.0.1', () => c.write(text));
    const t = setTimeout(() => c.destroy(), 500);
    c.on('data', (d) => {
      got += d;
      if (text.startsWith('GET') && got.includes('\r\n\r\n')) c.end();
    });
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(t);
      resolve(got);
    });
  });
}

const skip = existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`;

describe('stick tables next to HAProxy 2.6', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-stick-'));
  let server: Backend;
  const children: ChildProcess[] = [];
  type Out = {
    http: string[];
    tcp: string[];
    content: string[];
    route: string[];
    tables: string[];
  };
  const out: Record<'haproxy' | 'halo', Out> = {
    haproxy: { http: [], tcp: [], content: [], route: [], tables: [] },
    halo: { http: [], tcp: [], content: [], route: [], tables: [] },
  };

  before(async () => {
    server = await backend('s1');
    for (const who of ['haproxy', 'halo'] as const) {
      const first = await freePorts(4);
      const file = join(dir, `${who}.cfg`);
      const sock = join(dir, `${who}.sock`);
      writeFileSync(file, config(first, first + 1, server.port, sock));
      const argv =
        who === 'haproxy'
          ? [HAPROXY, '-db', '-f', file]
          : [process.execPath, ...haloArgv, 'proxy', '-f', file];
      const child = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: 'ignore' });
      children.push(child);
      await waitFor(() => acceptQueue(first + 1) !== undefined, 10_000, `${who} listening`);
      for (let i = 0; i < 5; i++)
        out[who].http.push(await exchange(first, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      for (let i = 0; i < 4; i++) {
        out[who].tcp.push(await exchange(first + 1, 'hello\n'));
        await sleep(50);
      }
      for (let i = 0; i < 3; i++) {
        out[who].content.push(await exchange(first + 2, 'hello\n'));
        await sleep(50);
      }
      for (let i = 0; i < 4; i++)
        out[who].route.push(await exchange(first + 3, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      // The entries' addresses and expiry timers differ by nature.
      const mask = (t: string) =>
        t.replace(/^0x[0-9a-f]+:/gm, 'ADDR:').replace(/exp=\d+/g, 'exp=N');
      for (const cmd of [
        'show table',
        'show table fe_http',
        'show table fe_tcp key 127.0.0.1',
        'show table fe_content',
      ])
        out[who].tables.push(mask(await runtimeCommand(sock, cmd)));
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('http-request track-sc0 src: the counters, then 429 past the rate', () => {
    const hap = out.haproxy.http;
    assert.match(hap[0]!, /rate=1 cnt=1 cur=1 conn=1 src=1$/);
    assert.match(hap[2]!, /rate=3 cnt=3 cur=1 conn=3 src=3$/);
    assert.match(hap[3]!, /^HTTP\/1\.1 429 /);
    assert.deepEqual(out.halo.http, hap);
  });

  it('tcp-request connection track-sc1 src: rejected past the connection rate', () => {
    const hap = out.haproxy.tcp;
    assert.deepEqual(
      hap.map((r) => r.startsWith('s1')),
      [true, true, false, false],
    );
    assert.deepEqual(
      out.halo.tcp.map((r) => r.startsWith('s1')),
      hap.map((r) => r.startsWith('s1')),
    );
  });

  it('use_backend on sc_http_req_rate(0): past the rate, another backend', () => {
    const hap = out.haproxy.route;
    assert.match(hap[1]!, /fast$/);
    assert.match(hap[2]!, /^HTTP\/1\.1 503 [\s\S]*slowdown$/);
    assert.deepEqual(out.halo.route, hap);
  });

  it('tcp-request content track-sc0 src: rejected past the rate', () => {
    const served = (r: string[]) => r.map((x) => x.startsWith('s1'));
    assert.deepEqual(served(out.haproxy.content), [true, false, false]);
    assert.deepEqual(served(out.halo.content), served(out.haproxy.content));
  });

  it("show table: the tables and their entries in HAProxy's format", () => {
    const hap = out.haproxy.tables;
    assert.match(hap[1]!, /^# table: fe_http, type: ip, size:102400, used:1\n/);
    assert.match(hap[1]!, /http_req_cnt=5 http_req_rate\(10000\)=5/);
    assert.deepEqual(out.halo.tables, hap);
  });
});
