// `tcp-request connection accept|reject` and `tcp-request content accept|reject` next to
// the real HAProxy 2.6: the same config and the same clients on each, then what the client
// got, the log lines (timers masked) and the stats counters (`stot`, `dreq`, `dcon`) of
// each frontend are compared.

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
const FRONTENDS = ['conn', 'content', 'http', 'accept', 'unless', 'proxy'] as const;
type Fe = (typeof FRONTENDS)[number];

const config = (ports: Record<Fe, number>, server: number, sock: string) => `
global
    log stdout format raw local0
    stats socket ${sock} level admin
defaults
    mode tcp
    log global
    option tcplog
    timeout client 2s
    timeout server 2s
    timeout connect 1s
frontend fe_conn
    bind 127.0.0.1:${ports.conn}
    tcp-request connection reject if { src 127.0.0.1 }
    default_backend be
frontend fe_content
    bind 127.0.0.1:${ports.content}
    tcp-request content reject if { src 127.0.0.0/8 }
    default_backend be
frontend fe_http
    bind 127.0.0.1:${ports.http}
    mode http
    option httplog
    tcp-request content reject if { src 127.0.0.1 }
    default_backend be_http
frontend fe_accept
    bind 127.0.0.1:${ports.accept}
    tcp-request connection accept if { src 127.0.0.1 }
    tcp-request connection reject
    default_backend be
frontend fe_unless
    bind 127.0.0.1:${ports.unless}
    tcp-request connection reject unless { src 192.0.2.0/24 }
    default_backend be
frontend fe_proxy
    bind 127.0.0.1:${ports.proxy}
    tcp-request connection accept if { src 127.0.0.1 }
    tcp-request connection expect-proxy layer4
    default_backend be
backend be
    server s1 127.0.0.1:${server}
backend be_http
    mode http
    server s1 127.0.0.1:${server}
`;

interface Side {
  ports: Record<Fe, number>;
  sock: string;
  child: ChildProcess;
  stdout: string;
}

/** Sends one line and returns what came back before the close (or 1 s). */
function client(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const c = net.connect(port, '127.0.0.1', () => c.write(text));
    const t = setTimeout(() => c.destroy(), 1000);
    c.on('data', (d) => {
      got += d;
    });
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(t);
      resolve(got);
    });
  });
}

/** Log lines with the client's port, the date and the timers masked. */
function logLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\d+\.\d+\.\d+\.\d+:\d+ \[/.test(l))
    .map((l) =>
      l
        .replace(/^(\S+):\d+ \[[^\]]+\]/, '$1:PORT [DATE]')
        .replace(/ (-?\d+(?:\/-?\d+){2,4}) /, (_m, t: string) => {
          const masked = t
            .split('/')
            .map((v) => (v === '-1' ? '-1' : 'N'))
            .join('/');
          return ` ${masked} `;
        }),
    )
    .sort();
}

/** `pxname: stot/dreq/dcon` of each frontend, from `show stat`. */
async function counters(sock: string): Promise<string[]> {
  const csv = await runtimeCommand(sock, 'show stat');
  const rows = csv.trim().split('\n');
  const head = rows[0]!.replace(/^# /, '').split(',');
  const col = (n: string) => head.indexOf(n);
  return rows
    .slice(1)
    .map((r) => r.split(','))
    .filter((c) => c[1] === 'FRONTEND')
    .map((c) => `${c[0]}: ${c[col('stot')]}/${c[col('dreq')]}/${c[col('dcon')]}`);
}

const skip = existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`;

describe('tcp-request rules next to HAProxy 2.6', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-tcp-rules-'));
  let server: Backend;
  const sides: Record<'haproxy' | 'halo', Side> = {} as never;
  const replies: Record<string, Record<string, string>> = { haproxy: {}, halo: {} };

  before(async () => {
    server = await backend('s1');
    for (const who of ['haproxy', 'halo'] as const) {
      const first = await freePorts(FRONTENDS.length);
      const ports = Object.fromEntries(FRONTENDS.map((f, i) => [f, first + i])) as Record<
        Fe,
        number
      >;
      const sock = join(dir, `${who}.sock`);
      const file = join(dir, `${who}.cfg`);
      writeFileSync(file, config(ports, server.port, sock));
      const argv =
        who === 'haproxy'
          ? [HAPROXY, '-db', '-f', file]
          : [process.execPath, ...haloArgv, 'proxy', '-f', file];
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const side: Side = { ports, sock, child, stdout: '' };
      child.stdout!.on('data', (d) => {
        side.stdout += d;
      });
      child.stderr!.resume();
      sides[who] = side;
      await waitFor(() => acceptQueue(ports.proxy) !== undefined, 10_000, `${who} listening`);
      await waitFor(() => existsSync(sock), 5000, `${who} stats socket`);
      // One client at a time, each after the previous session ended (the log's actconn).
      for (const fe of FRONTENDS) {
        replies[who]![fe] = await client(
          ports[fe],
          fe === 'http' ? 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' : 'hello\n',
        );
        await sleep(200);
      }
      // Not HTTP: the http frontend's parser answers first, the rules never run.
      replies[who]!.notHttp = await client(ports.http, 'hello\n');
      await sleep(300);
    }
  });

  after(async () => {
    for (const s of Object.values(sides)) {
      if (s.child.exitCode === null) {
        const gone = new Promise((r) => s.child.once('exit', r));
        s.child.kill('SIGTERM');
        await gone;
      }
    }
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connection reject closes at once; content reject too; accept ends the list', () => {
    const hap = replies.haproxy!;
    assert.equal(hap.conn, '', 'HAProxy: connection reject sends nothing');
    assert.equal(hap.content, '');
    assert.equal(hap.http, '', 'HAProxy: a parsed request is rejected with no answer');
    assert.match(hap.notHttp ?? '', /^HTTP\/1.1 400 /, 'HAProxy: an unparsable one gets its 400');
    assert.equal(hap.accept, 's1\nhello\n', 'HAProxy: accept wins over the reject after it');
    assert.equal(hap.unless, '');
    assert.equal(hap.proxy, 's1\nhello\n', 'HAProxy: accept ends the list before expect-proxy');
    assert.deepEqual(replies.halo, hap);
  });

  it('the log lines: content reject is logged PR (<BADREQ> on http), connection reject is not', () => {
    const hap = logLines(sides.haproxy.stdout);
    assert.ok(
      hap.some((l) => / fe_content fe_content\/<NOSRV> -1\/-1\/N 0 PR /.test(l)),
      hap.join('\n'),
    );
    assert.ok(
      hap.some((l) => /PR-- .*"<BADREQ>"/.test(l)),
      hap.join('\n'),
    );
    assert.ok(!hap.some((l) => / fe_conn /.test(l)), hap.join('\n'));
    assert.deepEqual(logLines(sides.halo.stdout), hap);
  });

  it('the counters: dcon for connection rejects, stot and dreq for content rejects', async () => {
    const hap = await counters(sides.haproxy.sock);
    assert.ok(hap.includes('fe_conn: 0/0/1'), hap.join('\n'));
    assert.ok(hap.includes('fe_content: 1/1/0'), hap.join('\n'));
    assert.ok(hap.includes('fe_http: 2/1/0'), hap.join('\n'));
    assert.deepEqual(await counters(sides.halo.sock), hap);
  });
});
