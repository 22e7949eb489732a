// `log-format` next to the real HAProxy 2.6: the documented equivalents of `option httplog`
// and `option tcplog` written as log-format strings, and formats with the other variables,
// quoting and layer-4 samples. The same clients go to each; the log lines are compared
// with the client's port, the dates, the timers and the proxy's own port masked.

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
import { acceptQueue, backend, sleep, waitFor } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';
const FRONTENDS = ['httplog', 'http', 'tcplog', 'tcp'] as const;
type Fe = (typeof FRONTENDS)[number];

const HTTPLOG =
  '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r';
const TCPLOG = '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq';

const config = (ports: Record<Fe, number>, http: number, tcp: number) => `
global
    log stdout format raw local0
defaults
    log global
    timeout client 2s
    timeout server 2s
    timeout connect 1s
frontend fe_httplog
    mode http
    bind 127.0.0.1:${ports.httplog}
    log-format "${HTTPLOG}"
    use_backend be_dead if { path_beg /dead }
    default_backend be_http
frontend fe_http
    mode http
    bind 127.0.0.1:${ports.http}
    log-format "H %ci %fi:%fp %f %ft %b %s %si:%sp %HM %HU %HP %HQ %HV %ST %U %B %ts %tsc [%[src]] %{+Q}[src] %{+Q}ci %{+Q}HM %ac/%fc/%bc/%sc/%rc"
    default_backend be_http
frontend fe_tcplog
    mode tcp
    bind 127.0.0.1:${ports.tcplog}
    log-format "${TCPLOG}"
    default_backend be_tcp
frontend fe_tcp
    mode tcp
    bind 127.0.0.1:${ports.tcp}
    log-format "T %ci %fi:%fp %f %b %s %si:%sp %U %B %ts [%[src]:%[dst_port]] %{+Q}f %rc %ST"
    default_backend be_tcp
backend be_http
    mode http
    server s1 127.0.0.1:${http}
backend be_dead
    mode http
    retries 0
    server s1 127.0.0.1:1
backend be_tcp
    mode tcp
    server s1 127.0.0.1:${tcp}
`;

/** One request or TCP exchange: sends `text`, waits for the close (or 700 ms). */
function client(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(text));
    const t = setTimeout(() => c.destroy(), 700);
    c.on('data', () => {});
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Log lines with what differs by nature masked: ports, dates, timers. */
function masked(text: string, ports: Record<Fe, number>): string[] {
  const own = new Set(Object.values(ports).map(String));
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\[(NOTICE|WARNING|ALERT)\]/.test(l))
    .map((l) =>
      l
        .replace(/127\.0\.0\.1:(\d+)/g, (m, p: string) => (own.has(p) ? '127.0.0.1:FE' : m))
        .replace(/^127\.0\.0\.1:\d+ /, '127.0.0.1:PORT ')
        .replace(/ \d+ 127\.0\.0\.1/, ' PORT 127.0.0.1')
        .replace(/\[\d\d\/\w{3}\/\d{4}:[\d:.]+\]/, '[DATE]')
        .replace(/ (-?\d+(?:\/-?\d+){2,4}) /, (_m, t: string) => {
          const n = t.split('/').map((v) => (v === '-1' ? '-1' : 'N'));
          return ` ${n.join('/')} `;
        }),
    );
}

const skip = existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`;

describe('log-format next to HAProxy 2.6', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-log-format-'));
  let httpServer: Backend;
  let tcpServer: Backend;
  const out: Record<'haproxy' | 'halo', string[]> = { haproxy: [], halo: [] };
  const children: ChildProcess[] = [];

  before(async () => {
    httpServer = await backend('http', (s) => {
      s.once('data', () =>
        s.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n'),
      );
    });
    tcpServer = await backend('tcp');
    for (const who of ['haproxy', 'halo'] as const) {
      const first = await freePorts(FRONTENDS.length);
      const ports = Object.fromEntries(FRONTENDS.map((f, i) => [f, first + i])) as Record<
        Fe,
        number
      >;
      const file = join(dir, `${who}.cfg`);
      writeFileSync(file, config(ports, httpServer.port, tcpServer.port));
      const argv =
        who === 'haproxy'
          ? [HAPROXY, '-db', '-f', file]
          : [process.execPath, ...haloArgv, 'proxy', '-f', file];
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: root,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      children.push(child);
      let stdout = '';
      child.stdout!.on('data', (d) => {
        stdout += d;
      });
      await waitFor(() => acceptQueue(ports.tcp) !== undefined, 10_000, `${who} listening`);
      const sends: [Fe, string][] = [
        [
          'httplog',
          'GET /a?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: ua/1\r\nConnection: close\r\n\r\n',
        ],
        ['httplog', 'GET /dead HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'],
        ['httplog', 'garbage\r\n\r\n'],
        ['http', 'GET /a?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'],
        ['http', 'GET /two HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'],
        ['http', 'POST /p HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc'],
        ['http', 'garbage\r\n\r\n'],
        ['tcplog', 'hello\n'],
        ['tcp', 'hello\n'],
      ];
      // One client at a time, after the previous one's session ended (the counters).
      for (const [fe, text] of sends) {
        await client(ports[fe], text);
        await sleep(150);
      }
      await waitFor(() => stdout.split('\n').length > sends.length, 5000, `${who}: lines`);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      out[who] = masked(stdout, ports);
    }
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await httpServer?.close();
    await tcpServer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('httplog written as a log-format gives the httplog line', () => {
    const hap = out.haproxy.filter((l) => / fe_httplog /.test(l));
    assert.equal(hap.length, 3, out.haproxy.join('\n'));
    assert.match(hap[0]!, / 200 74 - - ---- .*"GET \/a\?x=1 HTTP\/1.1"$/);
    assert.match(hap[2]!, /"<BADREQ>"$/);
    assert.deepEqual(
      out.halo.filter((l) => / fe_httplog /.test(l)),
      hap,
    );
  });

  it('HTTP variables, %U, quoting, empty %HQ, <BADREQ> fields, samples', () => {
    const hap = out.haproxy.filter((l) => l.startsWith('H '));
    assert.equal(hap.length, 4, out.haproxy.join('\n'));
    assert.ok(
      hap.some((l) => l.includes('/two  HTTP/1.1')),
      'HAProxy keeps both separators',
    );
    assert.ok(
      hap.some((l) => l.includes('<BADREQ> <BADREQ>')),
      hap.join('\n'),
    );
    assert.deepEqual(
      out.halo.filter((l) => l.startsWith('H ')),
      hap,
    );
  });

  it('tcplog written as a log-format, and TCP variables', () => {
    const hap = out.haproxy.filter((l) => / fe_tcplog |^T /.test(l));
    assert.equal(hap.length, 2, out.haproxy.join('\n'));
    assert.deepEqual(
      out.halo.filter((l) => / fe_tcplog |^T /.test(l)),
      hap,
    );
  });
});
