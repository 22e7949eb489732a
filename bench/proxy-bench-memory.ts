// RSS per idle proxied connection: N client connections held open through a proxy that has
// served no load yet, to a backend that accepts and stays silent. The proxy's RSS growth
// divided by N is the cost of one idle connection (its two sockets and their state).
// The proxy needs two descriptors per connection; the backend runs as a child process
// (proxy-bench-holder.ts) so that this process only holds the client ends.

import type { ChildProcess } from 'node:child_process';
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rss, sleep } from './proxy-bench-tools.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The descriptor limit of this process (soft; children inherit it). */
export function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? Number(m[1]) : 1024;
}

/**
 * Raises this process's descriptor limit (and so its children's) to `want` when the system
 * allows it (raising the hard limit needs CAP_SYS_RESOURCE); returns the limit in force.
 */
export function raiseOpenFiles(want: number): number {
  if (openFilesLimit() >= want) return openFilesLimit();
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${want}`], {
      stdio: 'ignore',
    });
  } catch {
    // Not permitted here: the bench works within the limit it has.
  }
  return openFilesLimit();
}

/** A backend in a child process that accepts and holds connections, reading nothing. */
export class Holder {
  private child: ChildProcess | undefined;

  async listen(port: number): Promise<void> {
    const child = fork(join(here, 'proxy-bench-holder.js'), [String(port)], { stdio: 'ignore' });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`holder exited (${code})`)));
    });
  }

  private ask(m: 'count' | 'drop'): Promise<number> {
    const child = this.child!;
    return new Promise((resolve) => {
      child.once('message', (n) => resolve(Number(n)));
      child.send(m);
    });
  }

  /** Connections held now. */
  count(): Promise<number> {
    return this.ask('count');
  }

  /** Closes every held connection; resolves to the number still held (0). */
  drop(): Promise<number> {
    return this.ask('drop');
  }

  close(): void {
    if (this.child?.connected) this.child.disconnect();
    this.child?.kill();
  }
}

async function openIdle(port: number, n: number): Promise<net.Socket[]> {
  const out: net.Socket[] = [];
  for (let i = 0; i < n; i += 250) {
    const batch = Array.from(
      { length: Math.min(250, n - i) },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const c = net.connect({ port, host: '127.0.0.1' });
          c.on('connect', () => resolve(c));
          c.on('error', reject);
        }),
    );
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/**
 * Bytes of RSS per idle connection through the proxy `pid` listening on `port` (its
 * backend must be `holder`). Returns NaN when the connections could not all be made.
 */
export async function idleCost(
  pid: number,
  port: number,
  holder: Holder,
  n: number,
): Promise<number> {
  await sleep(500);
  const before = rss(pid);
  let clients: net.Socket[] = [];
  try {
    clients = await openIdle(port, n);
    const end = Date.now() + 20_000;
    while ((await holder.count()) < n && Date.now() < end) await sleep(50);
    if ((await holder.count()) < n) return Number.NaN;
    await sleep(1000);
    return (rss(pid) - before) / n;
  } catch {
    return Number.NaN;
  } finally {
    for (const c of clients) c.destroy();
    const end = Date.now() + 10_000;
    while ((await holder.count()) > 0 && Date.now() < end) await sleep(50);
    if ((await holder.count()) > 0) await holder.drop();
  }
}
