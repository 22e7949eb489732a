// Runs `halo proxy -f haproxy.cfg` as a user would (a child process) for the browser test,
// and opens client connections through its frontend.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

export class StatsTarget {
  readonly stderr: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly frontendPort: number,
  ) {}

  /** Writes the config into `dir`, starts `halo proxy` on it, waits until both ports listen. */
  static async start(
    text: string,
    dir: string,
    ports: { frontend: number; stats: number },
  ): Promise<StatsTarget> {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, text);
    const child = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const t = new StatsTarget(child, ports.frontend);
    child.stderr?.on('data', (d: Buffer) => t.stderr.push(d.toString()));
    const end = Date.now() + 15_000;
    while (!((await listening(ports.frontend)) && (await listening(ports.stats)))) {
      if (child.exitCode !== null || Date.now() > end)
        throw new Error(`halo proxy did not start: ${t.stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return t;
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
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
