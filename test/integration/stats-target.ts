// Runs a haproxy.cfg whose stats page the browser test drives: its engine in this process
// with the stats applet on an HTTP server at the `listen` section's bind address.

import http from 'node:http';
import net from 'node:net';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { ProxyEngine } from '../../src/proxy/engine.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import { createStatsApplet } from '../../src/proxy/stats/applet.js';

export class StatsTarget {
  private constructor(
    private readonly engine: ProxyEngine,
    private readonly page: http.Server,
    private readonly frontendPort: number,
  ) {}

  static async start(text: string, _dir: string): Promise<StatsTarget> {
    const r = parseHaproxy([{ path: 'haproxy.cfg', text }], { env: {} });
    if (!r.config) throw new Error('config does not parse');
    const engine = new ProxyEngine(r.config, { log: new MemoryLog() });
    await engine.start();
    const stats = r.config.proxies.find((p) => p.stats?.enabled)!;
    const applet = createStatsApplet(stats, engine);
    const page = http.createServer((req, res) => {
      if (applet.matches(req)) applet.serve(req, res);
      else {
        res.writeHead(503);
        res.end();
      }
    });
    const addr = stats.binds[0]!.addresses[0]!;
    if (addr.kind !== 'inet') throw new Error('stats bind is not inet');
    await new Promise<void>((res) => page.listen(addr.port, addr.host, res));
    const fe = r.config.proxies.find((p) => p.kind === 'frontend')!.binds[0]!.addresses[0]!;
    return new StatsTarget(engine, page, fe.kind === 'inet' ? fe.port : 0);
  }

  /** One client through the frontend: an HTTP request (the article's backend is mode http). */
  connectThrough(): Promise<void> {
    return new Promise((resolve) => {
      const c = net.connect(this.frontendPort, '127.0.0.1');
      c.setTimeout(3000, () => c.destroy());
      c.on('connect', () => c.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n'));
      c.on('data', () => {});
      c.on('error', () => resolve());
      c.on('close', () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.page.close();
    this.engine.stopAccepting();
    this.engine.killSessions();
    await this.engine.idle();
  }
}
