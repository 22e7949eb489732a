// Helpers of the soak script (soak.ts): a proxy process started from config text, RSS and
// CPU of a process tree from /proc, raw loopback exchanges that report the first answer
// line and whether the peer closed, and bounded floods. Everything stays on 127.0.0.1 or
// a unix socket in the run's own directory, and every wait has a time limit.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { cpuMs, sleep } from './proxy-bench-tools.js';

export type Who = 'haproxy' | 'halo';
export const WHO: readonly Who[] = ['haproxy', 'halo'];

export { freePort } from '../src/os/free-port.js';

/** RSS of `pid` and its live descendants (HAProxy's master and workers), bytes. */
export function rssTree(pid: number): number {
  const parent = new Map<number, number>();
  const own = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p)) continue;
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      parent.set(p, Number(f[1]));
      // Field 24 (1-based) is rss in pages; 21 here after the two leading fields.
      own.set(p, Number(f[21]) * 4096);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const [p, bytes] of own) {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

/** The state letter of /proc/PID/stat (R, S, Z...), or undefined when the process is gone. */
function procState(pid: number): string | undefined {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

export interface Proc {
  readonly who: Who;
  readonly child: ChildProcess;
  readonly pid: number;
  alive(): boolean;
  rss(): number;
  /** CPU seconds (user + system) of the process tree so far. */
  cpu(): number;
  /** Sends `signal`; resolves to the ms until the process exited, or undefined (limit). */
  stop(signal: NodeJS.Signals, limitMs: number): Promise<number | undefined>;
}

export interface StartOptions {
  readonly who: Who;
  readonly dir: string;
  readonly name: string;
  readonly config: string;
  /** Ports (or unix paths) to wait for before returning. */
  readonly ready: readonly (number | string)[];
  readonly haloMain: string;
  /** HAProxy in master-worker mode (it reloads on SIGUSR2). */
  readonly masterWorker?: boolean;
  /** stdout into a pipe this process never reads. */
  readonly unreadStdout?: boolean;
}

export async function startProxy(o: StartOptions): Promise<Proc> {
  const file = join(o.dir, `${o.name}-${o.who}.cfg`);
  writeFileSync(file, o.config);
  const stdout = o.unreadStdout ? 'pipe' : 'ignore';
  const args =
    o.who === 'haproxy'
      ? [...(o.masterWorker ? ['-W'] : []), '-db', '-f', file]
      : [o.haloMain, 'proxy', '-q', '-f', file];
  const cmd = o.who === 'haproxy' ? '/usr/sbin/haproxy' : process.execPath;
  const child = spawn('taskset', ['-c', '0', cmd, ...args], {
    stdio: ['ignore', stdout, 'ignore'],
  });
  // Keep the unread pipe referenced (and unread) for the process's lifetime.
  if (o.unreadStdout) child.stdout?.pause();
  // A process that just died is a zombie until reaped: /proc says so before Node's 'exit'.
  const alive = () =>
    child.exitCode === null && child.signalCode === null && procState(child.pid!) !== 'Z';
  const p: Proc = {
    who: o.who,
    child,
    pid: child.pid!,
    alive,
    rss: () => (alive() ? rssTree(child.pid!) : 0),
    cpu: () => (alive() ? cpuMs(child.pid!) / 1000 : Number.NaN),
    stop: async (signal, limitMs) => {
      if (!alive()) return 0;
      const t0 = Date.now();
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      const done = await Promise.race([exited.then(() => true), sleep(limitMs).then(() => false)]);
      if (done) return Date.now() - t0;
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(2000)]);
      return undefined;
    },
  };
  for (const r of o.ready) await waitReady(r, p);
  return p;
}

async function waitReady(where: number | string, p: Proc): Promise<void> {
  for (let i = 0; i < 200 && p.alive(); i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = typeof where === 'number' ? net.connect(where, '127.0.0.1') : net.connect(where);
      c.on('connect', () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${p.who} does not listen on ${where}`);
}

export interface Answer {
  /** First line received, or `(none)`. */
  readonly first: string;
  /** The peer closed (or reset) within the wait. */
  readonly closed: boolean;
  /** ms until the first byte, or until the close when nothing came. */
  readonly ms: number;
  readonly bytesWritten: number;
}

/**
 * Connects to a port or unix path, writes `parts` (a number: sleep that many ms), then
 * waits at most `waitMs` for the peer to close; reports the first line of the answer.
 */
export function rawExchange(
  where: number | string,
  parts: readonly (string | Buffer | number)[],
  waitMs: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    const c =
      typeof where === 'number'
        ? net.connect({ port: where, host: '127.0.0.1', allowHalfOpen: true })
        : net.connect({ path: where, allowHalfOpen: true });
    const t0 = Date.now();
    let got = '';
    let firstAt = 0;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const first = got.split(/\r?\n/)[0] ?? '';
      resolve({
        first: first === '' ? '(none)' : first.slice(0, 60),
        closed,
        ms: (firstAt || Date.now()) - t0,
        bytesWritten: c.bytesWritten,
      });
      c.destroy();
    };
    const timer = setTimeout(() => finish(false), waitMs);
    c.on('data', (d) => {
      if (!firstAt) firstAt = Date.now();
      if (got.length < 4096) got += d.toString('latin1');
    });
    c.on('error', () => finish(true));
    c.on('close', () => finish(true));
    c.on('end', () => finish(true));
    c.on('connect', async () => {
      for (const p of parts) {
        if (settled) return;
        if (typeof p === 'number') await sleep(p);
        else if (!c.write(p)) await drained(c);
      }
    });
  });
}

/** Resolves when `s` drained its write queue or closed; leaves no listener behind. */
function drained(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

export interface FloodResult {
  /** Bytes the kernel took from the clients (the proxy read them, or buffers hold them). */
  readonly bytes: number;
  /** Connections the proxy closed during the flood. */
  readonly closedByPeer: number;
}

/**
 * Writes `chunk` again and again on each socket while the socket accepts it, for at most
 * `ms` and `maxBytes` per socket; stops early when `stop()` says so (an RSS cap).
 */
export async function flood(
  sockets: readonly net.Socket[],
  chunk: Buffer,
  ms: number,
  maxBytes: number,
  stop: () => boolean,
): Promise<FloodResult> {
  const end = Date.now() + ms;
  let closedByPeer = 0;
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          let done = false;
          const finish = () => {
            if (done) return;
            done = true;
            clearInterval(check);
            resolve();
          };
          s.once('close', () => {
            if (Date.now() < end) closedByPeer++;
            finish();
          });
          const check = setInterval(() => {
            if (Date.now() >= end || stop()) finish();
          }, 50);
          const pump = () => {
            while (!done && !s.destroyed && s.bytesWritten < maxBytes && Date.now() < end) {
              if (!s.write(chunk)) {
                s.once('drain', pump);
                return;
              }
            }
            if (s.bytesWritten >= maxBytes) finish();
          };
          pump();
        }),
    ),
  );
  // bytesWritten counts what is still in this process's queue too: subtract it.
  const bytes = sockets.reduce((n, s) => n + s.bytesWritten - s.writableLength, 0);
  return { bytes, closedByPeer };
}

export function connectAll(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const c = net.connect({ port, host: '127.0.0.1' });
          c.on('connect', () => resolve(c));
          c.on('error', reject);
          c.on('data', () => {});
        }),
    ),
  );
}

export const MB = 1024 * 1024;
export const mb = (bytes: number): string => (bytes / MB).toFixed(1);
export const kb = (bytes: number): string => (bytes / 1024).toFixed(0);
