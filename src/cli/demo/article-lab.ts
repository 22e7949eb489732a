// The loopback stage for `halo demo`: the article's haproxy.cfg rewritten to 127.0.0.1, three
// stand-in apiservers, a syslog receiver, and `halo proxy` run as a child process like a
// user would run it. Nothing here needs root or leaves loopback.

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

const ARTICLE_SERVERS = ['192.168.217.19:6443', '192.168.217.20:6443', '192.168.217.21:6443'];

export interface Apiserver {
  readonly name: string;
  port: number;
  server?: Server;
}

/** A stand-in apiserver: answers every connection with its name, then closes. */
export async function startApiserver(a: Apiserver): Promise<void> {
  const server = createServer((s) => {
    s.on('error', () => s.destroy());
    s.end(`hello from ${a.name}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(a.port, '127.0.0.1', () => resolve());
  });
  a.port = (server.address() as AddressInfo).port;
  a.server = server;
}

export async function stopApiserver(a: Apiserver): Promise<void> {
  const s = a.server;
  a.server = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
}

/**
 * The article's file with its addresses moved to loopback and the settings that need root
 * (chroot, user, group, daemon, /var paths) taken out. Everything else stays as written.
 */
export function rewriteArticleConfig(
  text: string,
  ports: { frontend: number; stats: number; syslog: number; servers: number[] },
  dir: string,
): string {
  let out = text;
  ARTICLE_SERVERS.forEach((addr, i) => {
    out = out.replace(addr, `127.0.0.1:${ports.servers[i]}`);
  });
  return out
    .replace('bind *:9443', `bind 127.0.0.1:${ports.frontend}`)
    .replace('bind 0.0.0.0:9188', `bind 127.0.0.1:${ports.stats}`)
    .replace(/log(\s+)127\.0\.0\.1 local/g, `log$1127.0.0.1:${ports.syslog} local`)
    .replace(
      /^(\s*)(chroot|user|group|daemon)\b.*$/gm,
      '$1# ($2: needs root, left out by the demo)',
    )
    .replace('/var/run/haproxy.pid', join(dir, 'halo.pid'))
    .replace('/var/lib/haproxy/stats', join(dir, 'stats.sock'));
}

/** Receives the proxy's syslog datagrams and keeps their text without the <PRI> header. */
export class SyslogReceiver {
  readonly lines: string[] = [];
  private readonly socket: UdpSocket = createSocket('udp4');

  async start(): Promise<number> {
    this.socket.on('message', (m) =>
      this.lines.push(
        m
          .toString()
          .replace(/^<\d+>/, '')
          .trim(),
      ),
    );
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    return this.socket.address().port;
  }

  async waitFor(re: RegExp, ms: number): Promise<string | undefined> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      await sleep(100);
    }
    return undefined;
  }

  close(): void {
    this.socket.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One plain TCP exchange through the proxy: what the stand-in apiserver answered. */
export function ask(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.setTimeout(3000, () => s.destroy());
    s.on('data', (d) => {
      got += d.toString();
    });
    s.on('error', (e) => resolve(`error: ${e.message}`));
    s.on('close', () => resolve(got.trim()));
  });
}

/** One runtime-API command on a `stats socket` (what `echo CMD | socat stdio unix:PATH` does). */
export function runtimeApi(path: string, command: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(path);
    let got = '';
    s.setTimeout(3000, () => s.destroy());
    s.on('connect', () => s.write(`${command}\n`));
    s.on('data', (d) => {
      got += d.toString();
    });
    s.on('error', (e) => resolve(`error: ${e.message}`));
    s.on('close', () => resolve(got));
  });
}

/** The stats page with basic auth: the status and each server's status from `;csv`. */
export function statsPage(
  port: number,
  uri: string,
  auth: string,
): Promise<{ status: number; servers: string[] } | string> {
  return new Promise((resolve) => {
    const req = httpGet(
      {
        host: '127.0.0.1',
        port,
        path: `${uri};csv`,
        headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
        timeout: 3000,
      },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, servers: csvServers(body) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve(e.message));
  });
}

/** `name STATUS` of every server row of a stats CSV. */
export function csvServers(csv: string): string[] {
  return csv
    .split('\n')
    .map((l) => l.split(','))
    .filter((f) => f.length > 17 && !f[0]!.startsWith('#') && !/^(FRONTEND|BACKEND)$/.test(f[1]!))
    .map((f) => `${f[1]} ${f[17]}`);
}

/** What kubectl sees: a TLS handshake through the proxy. */
export function tlsHandshake(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    s.setTimeout(3000, () => s.destroy(new Error('timed out')));
    s.on('secureConnect', () => {
      s.destroy();
      resolve('TLS handshake completed');
    });
    // OpenSSL's message ends with its source position; the reason is what a user reads.
    s.on('error', (e: NodeJS.ErrnoException) => {
      const reason = /:([^:]+):[^:]*:\d+:?\s*$/.exec(e.message)?.[1] ?? e.message;
      resolve(`${e.code ?? 'error'} (${reason})`);
    });
  });
}

export class ProxyProcess {
  readonly stderr: string[] = [];
  private child?: ChildProcess;

  constructor(
    private readonly cli: string,
    readonly cfgPath: string,
  ) {}

  async start(): Promise<void> {
    // The demo's own Node.js flags (--permission, a preload) apply to its proxy too.
    const child = spawn(
      process.execPath,
      [...process.execArgv, this.cli, 'proxy', '-f', this.cfgPath],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child = child;
    child.stderr?.on('data', (d: Buffer) =>
      this.stderr.push(...d.toString().split('\n').filter(Boolean)),
    );
    await sleep(800);
    if (child.exitCode !== null) throw new Error(`halo proxy exited: ${this.stderr.join('\n')}`);
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

export function makeWorkDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'halo-demo-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
