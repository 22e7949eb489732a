// Shared helpers for proxy integration tests: scripted backends on 127.0.0.1 port 0, an
// engine started from haproxy.cfg text through the real parser, and client helpers.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import type { HaproxyConfig } from '../../src/config/haproxy/model.js';
import { freePort } from '../../src/os/free-port.js';
import type { EngineOptions } from '../../src/proxy/engine.js';
import { ProxyEngine } from '../../src/proxy/engine.js';
import { listenerPort } from '../../src/proxy/listener.js';

export { freePort };

import { MemoryLog } from '../../src/proxy/log/sinks.js';

export interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: net.Server;
  readonly sockets: Set<net.Socket>;
  accepted: number;
  close(): Promise<void>;
}

/** A backend that greets with its name then echoes, unless `handler` says otherwise. */
export async function backend(
  name: string,
  handler?: (socket: net.Socket) => void,
  port = 0,
): Promise<Backend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    b.accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    if (handler) handler(s);
    else {
      s.write(`${name}\n`);
      s.pipe(s);
    }
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const b: Backend = {
    name,
    port: (server.address() as AddressInfo).port,
    server,
    sockets,
    accepted: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return b;
}

export function parse(text: string): HaproxyConfig {
  const r = parseHaproxy([{ path: 'test.cfg', text }], { env: {} });
  const errors = r.diagnostics.list.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'config parses');
  assert.ok(r.config);
  return r.config;
}

export interface Running {
  engine: ProxyEngine;
  log: MemoryLog;
  port: number;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (HAProxy, like halo's parser, refuses `bind :0`). */

/** One command on a stats socket (a unix path): everything the proxy answers until it closes. */
export function runtimeCommand(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    let out = '';
    c.setEncoding('utf8');
    c.on('data', (d) => {
      out += d;
    });
    c.on('error', reject);
    c.on('close', () => resolve(out));
    c.on('connect', () => c.end(`${line}\n`));
    c.setTimeout(3000, () => c.destroy());
  });
}

/** Starts an engine; `bind 127.0.0.1:0` lines get a free port each. */
export async function startProxy(
  text: string,
  opts: Partial<EngineOptions> = {},
): Promise<Running> {
  const log = new MemoryLog();
  while (/bind 127\.0\.0\.1:0\b/.test(text)) {
    text = text.replace(/bind 127\.0\.0\.1:0\b/, `bind 127.0.0.1:${await freePort()}`);
  }
  const engine = new ProxyEngine(parse(text), { log, ...opts });
  await engine.start();
  const first = engine.frontends[0]?.listeners[0];
  return {
    engine,
    log,
    port: first ? (listenerPort(first) ?? 0) : 0,
    stop: async () => {
      engine.stopAccepting();
      engine.killSessions();
      await engine.idle();
    },
  };
}

/** Connects, optionally sends, and collects everything until the server closes. */
export function exchange(
  port: number,
  send?: string | Buffer,
  opts: { end?: boolean; timeout?: number } = {},
): Promise<{ data: string; error?: string }> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const t = setTimeout(() => c.destroy(), opts.timeout ?? 3000);
    c.on('data', (d) => chunks.push(d));
    c.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    c.on('close', () => {
      clearTimeout(t);
      resolve({ data: Buffer.concat(chunks).toString(), ...(error ? { error } : {}) });
    });
    c.on('end', () => c.end());
    c.on('connect', () => {
      if (send !== undefined) c.write(send);
      if (opts.end !== false) c.end();
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export const tcpDefaults = `
global
    maxconn 1000
defaults
    mode tcp
    log stdout format raw local0
    option tcplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

/** The listening socket's accept queue: Recv-Q (waiting) and Send-Q (backlog) from `ss`. */
export function acceptQueue(port: number): { queued: number; backlog: number } | undefined {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.startsWith('LISTEN'));
  if (!line) return undefined;
  const [, recvQ, sendQ] = line.trim().split(/\s+/);
  return { queued: Number(recvQ), backlog: Number(sendQ) };
}

export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Live worker processes of halo master `pid`, from /proc (tsx's esbuild helper is not one). */
export function workerPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const worker = readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('--halo-worker');
      if (Number(fields[1]) === pid && fields[0] !== 'Z' && worker) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
