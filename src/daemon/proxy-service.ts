// What a service manager sees of `halo proxy -W/-Ws`: systemd's READY=1 / RELOADING=1 /
// STOPPING=1 (as HAProxy 2.6 sends them with -Ws), and the master CLI (`-S`) over the
// single process or the `nbthread` master. One reload path for signals and the master
// CLI's `reload`, so both count in `show proc` and both tell systemd.

import { writeFileSync } from 'node:fs';
import type { ServiceNotifier } from '../os/sd-notify.js';
import type { MasterCliPort, MasterCliProcess } from '../proxy/cli-socket/master-cli.js';
import type { MasterSocketSpec } from '../proxy/cli-socket/master-socket.js';
import { MasterSocket } from '../proxy/cli-socket/master-socket.js';
import { HALO_STATS_VERSION } from '../proxy/stats/environment.js';
import type { ProxyDaemon } from './proxy-daemon.js';
import type { ProxyMaster } from './proxy-master.js';

/** The process as a service: its reloads, readiness and stop, told to systemd. */
export class ProxyService {
  reloads = 0;
  failedReloads = 0;
  readonly startedAt = Date.now();
  private masterSocket: MasterSocket | undefined;

  constructor(
    private readonly notifier: ServiceNotifier,
    private readonly doReload: () => Promise<boolean>,
  ) {}

  /** Listening: systemd may start what depends on us. */
  ready(): void {
    this.notifier.notify(`READY=1\nMAINPID=${process.pid}`);
  }

  /** SIGHUP/SIGUSR2 or the master CLI's `reload`; READY=1 again whatever the outcome. */
  async reload(): Promise<boolean> {
    this.notifier.notify('RELOADING=1');
    const ok = await this.doReload();
    this.reloads++;
    if (!ok) this.failedReloads++;
    // A failed reload keeps the previous configuration serving: still ready.
    this.notifier.notify(`READY=1\nMAINPID=${process.pid}`);
    return ok;
  }

  stopping(): void {
    this.notifier.notify('STOPPING=1');
    this.masterSocket?.close();
  }

  /** Opens the `-S` socket over `workers`/`forward` (throws the OS error of the bind). */
  async openMasterSocket(
    spec: MasterSocketSpec,
    workers: () => readonly MasterCliProcess[],
    forward: MasterCliPort['forward'],
  ): Promise<void> {
    const port: MasterCliPort = {
      master: () => ({
        pid: process.pid,
        reloads: this.reloads,
        failedReloads: this.failedReloads,
        startedAt: this.startedAt,
        version: HALO_STATS_VERSION,
      }),
      workers,
      forward,
      reload: () => void this.reload(),
      now: () => Date.now(),
    };
    const socket = new MasterSocket(spec, port);
    await socket.start();
    this.masterSocket = socket;
  }

  close(): void {
    this.masterSocket?.close();
    this.notifier.close();
  }
}

/** A single process is its own master and worker 1 (halo forks no worker for nbthread 1). */
export function singleProcessWorkers(daemon: ProxyDaemon): () => MasterCliProcess[] {
  return () => [
    { pid: process.pid, reloads: 0, startedAt: daemon.servingSince, version: HALO_STATS_VERSION },
  ];
}

export function masterWorkers(master: ProxyMaster): () => MasterCliProcess[] {
  return () =>
    master.liveWorkers().map((w) => ({
      pid: w.pid,
      reloads: 0,
      startedAt: w.servingSince,
      version: HALO_STATS_VERSION,
    }));
}

/** Writes our PID to `path` (if any); returns what went wrong, as HAProxy's alert says it. */
export function writePidfile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    writeFileSync(path, `${process.pid}\n`);
    return undefined;
  } catch (err) {
    return `Cannot create pidfile ${path}: ${(err as Error).message}`;
  }
}

/** Opens the `-S` socket (if asked) with `open`; returns what went wrong, if anything. */
export async function openMasterSocket(
  spec: MasterSocketSpec | undefined,
  open: () => Promise<void>,
): Promise<string | undefined> {
  if (!spec) return undefined;
  try {
    await open();
    return undefined;
  } catch (err) {
    return `Cannot bind the master CLI socket (-S): ${(err as Error).message}`;
  }
}
