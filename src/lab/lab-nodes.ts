// The processes of the lab, each started inside its namespace with `ip netns exec` (which
// execs, so the PID is the process's own) and stopped by that PID: per master a fake
// apiserver and `halo run` on the article's rewritten files; in the client namespace
// `halo probe --json` for each measurement.

import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { LabMaster } from './topology.js';

/** `node [flags] main.js` of the running halo, for children. */
export function haloArgv(): string[] {
  return [...process.execArgv, process.argv[1] ?? 'halo'];
}

export function spawnIn(ns: string, args: readonly string[], logFile?: string): ChildProcess {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  return spawn('ip', ['netns', 'exec', ns, process.execPath, ...haloArgv(), ...args], {
    stdio: ['ignore', out, out],
  });
}

export function alive(c: ChildProcess | undefined): c is ChildProcess {
  return c !== undefined && c.exitCode === null && c.signalCode === null;
}

/** SIGTERM, SIGKILL after graceMs; resolves once it has exited. */
export function stopProcess(c: ChildProcess | undefined, graceMs = 3000): Promise<void> {
  if (!alive(c)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill('SIGCONT');
    c.kill('SIGTERM');
  });
}

export class MasterNode {
  run: ChildProcess | undefined;
  apiserver: ChildProcess | undefined;
  readonly haproxyFile: string;
  readonly keepalivedFile: string;
  readonly sock: string;
  readonly statsSock: string;
  readonly log: string;

  constructor(
    readonly m: LabMaster,
    readonly dir: string,
    private readonly cert: { key: string; cert: string },
  ) {
    this.haproxyFile = join(dir, `${m.name}-haproxy.cfg`);
    this.keepalivedFile = join(dir, `${m.name}-keepalived.conf`);
    this.sock = join(dir, `${m.name}.sock`);
    this.statsSock = join(dir, `${m.name}-stats.sock`);
    this.log = join(dir, `${m.name}.log`);
  }

  startApiserver(): void {
    if (alive(this.apiserver)) return;
    this.apiserver = spawnIn(
      this.m.ns,
      ['lab', 'apiserver', '--name', this.m.name, '--key', this.cert.key, '--cert', this.cert.cert],
      this.log,
    );
  }

  startRun(): void {
    if (alive(this.run)) return;
    this.run = spawnIn(
      this.m.ns,
      [
        'run',
        '-f',
        this.haproxyFile,
        '-f',
        this.keepalivedFile,
        '--data-file',
        join(this.dir, `${this.m.name}.json`),
      ],
      this.log,
    );
  }

  async stop(): Promise<void> {
    await Promise.all([stopProcess(this.run), stopProcess(this.apiserver)]);
  }
}
