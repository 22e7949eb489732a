// RSS per idle proxied connection: N client connections held open through a proxy that has
// served no load yet, to a backend that accepts and stays silent. The proxy's RSS growth
// divided by N is the cost of one idle connection (its two sockets and their state).
// N is bounded by the 20,000 descriptors a process may open here: the proxy needs two per
// connection and this process holds both other ends.

import net from 'node:net';
import { rss, sleep } from './proxy-bench-tools.js';

/** A backend that accepts and holds connections, reading nothing. */
export class Holder {
  readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;

  async listen(port: number): Promise<void> {
    this.server = net.createServer({ pauseOnConnect: true }, (s) => {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.maxConnections = 20_000;
    await new Promise<void>((r) =>
      this.server!.listen({ port, host: '127.0.0.1', backlog: 4096 }, r),
    );
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
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
    while (holder.sockets.size < n && Date.now() < end) await sleep(50);
    if (holder.sockets.size < n) return Number.NaN;
    await sleep(1000);
    return (rss(pid) - before) / n;
  } catch {
    return Number.NaN;
  } finally {
    for (const c of clients) c.destroy();
    const end = Date.now() + 10_000;
    while (holder.sockets.size > 0 && Date.now() < end) await sleep(50);
  }
}
