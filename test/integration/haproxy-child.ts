// The real HAProxy (/usr/sbin/haproxy) as a child process for side-by-side tests: start it
// on a config text, wait until a port accepts, stop it by its own pid.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './proxy-harness.js';

export const HAPROXY = '/usr/sbin/haproxy';
export const hasHaproxy = existsSync(HAPROXY);

/** Whether `port` on 127.0.0.1 accepts within about 5 s. */
export async function listening(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1');
      c.on('connect', () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

export interface HaproxyChild {
  readonly child: ChildProcess;
  /** What it wrote to stderr so far (alerts, warnings). */
  stderr(): string;
  stop(): void;
}

/** Starts `haproxy -db` on `config`; resolves once `port` accepts (throws if it never does). */
export async function startHaproxy(config: string, port: number): Promise<HaproxyChild> {
  const dir = mkdtempSync(join(tmpdir(), 'halo-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const stop = () => {
    if (child.exitCode === null && child.pid) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  if (!(await listening(port)) || child.exitCode !== null) {
    stop();
    throw new Error(`haproxy did not start: ${err}`);
  }
  return { child, stderr: () => err, stop };
}
