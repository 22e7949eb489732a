// Helpers for the proxy bench: processes pinned with taskset, waiting for ports, wrk and
// iperf3 runs parsed into numbers, RSS and CPU time from /proc, medians. Every external
// run is bounded by a timeout; everything stays on 127.0.0.1.

import type { ChildProcess } from 'node:child_process';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const median = (xs: number[]): number =>
  xs.length === 0 ? Number.NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Starts `cmd` on the given CPUs (`0`, `1`, `0,1`); output is discarded unless `inherit`. */
export function pinned(cpus: string, cmd: string, args: string[], inherit = false): ChildProcess {
  return spawn('taskset', ['-c', cpus, cmd, ...args], {
    stdio: ['ignore', inherit ? 'inherit' : 'ignore', inherit ? 'inherit' : 'ignore'],
  });
}

/** Throws if something already accepts on 127.0.0.1:`port` (a stale run would be measured). */
export async function assertFree(port: number): Promise<void> {
  const busy = await new Promise<boolean>((r) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      r(true);
    });
    c.on('error', () => r(false));
  });
  if (busy)
    throw new Error(
      `127.0.0.1:${port} is already in use: stop what listens there, or set HALO_BENCH_PORT_BASE`,
    );
}

/** Resolves once something accepts on 127.0.0.1:`port` (at most 15 s). */
export async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1');
      c.on('connect', () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** Runs a command with a hard time limit; resolves to its stdout (also on a non-zero exit). */
export function run(cmd: string, args: string[], limitMs: number): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: limitMs, maxBuffer: 16 << 20 }, (_err, stdout) =>
      resolve(String(stdout ?? '')),
    );
  });
}

export interface WrkResult {
  readonly rps: number;
  /** 99th percentile latency, ms (when run with --latency). */
  readonly p99: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  readonly failed: number;
  readonly requests: number;
}

const UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  const p99 = p ? Number(p[1]) * UNIT[p[2]!]! : Number.NaN;
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = se ? se.slice(1, 5).reduce((n, x) => n + Number(x), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return { rps, p99, failed: socketErrors + non2xx, requests };
}

export interface WrkOptions {
  readonly cpus: string;
  readonly port: number;
  readonly seconds: number;
  readonly connections: number;
  readonly close?: boolean;
  readonly latency?: boolean;
}

export async function wrk(o: WrkOptions): Promise<WrkResult> {
  const args = ['-c', o.cpus, 'wrk', '-t1', `-c${o.connections}`, `-d${o.seconds}s`];
  if (o.close) args.push('-H', 'Connection: close');
  if (o.latency) args.push('--latency');
  args.push(`http://127.0.0.1:${o.port}/`);
  return parseWrk(await run('taskset', args, (o.seconds + 20) * 1000));
}

export interface IperfResult {
  /** Gbit/s received. */
  readonly gbps: number;
  /** Bytes received. */
  readonly bytes: number;
}

/**
 * Bulk transfer through `port` to an iperf3 server: for `seconds`, or of a fixed number of
 * `bytes` (at most 60 s).
 */
export async function iperf(
  cpus: string,
  port: number,
  amount: { seconds: number } | { bytes: string },
): Promise<IperfResult> {
  const limit = 'seconds' in amount ? ['-t', String(amount.seconds)] : ['-n', amount.bytes];
  const out = await run(
    'taskset',
    ['-c', cpus, 'iperf3', '-c', '127.0.0.1', '-p', String(port), ...limit, '-J'],
    ('seconds' in amount ? amount.seconds + 20 : 60) * 1000,
  );
  try {
    const j = JSON.parse(out) as {
      end?: { sum_received?: { bits_per_second?: number; bytes?: number } };
    };
    const r = j.end?.sum_received;
    return { gbps: (r?.bits_per_second ?? 0) / 1e9, bytes: r?.bytes ?? 0 };
  } catch {
    return { gbps: 0, bytes: 0 };
  }
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** [utime + stime in ms, parent pid] of one process, or undefined when it is gone. */
function procStat(pid: number): [number, number] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, ppid 4,
    // utime 14 and stime 15 (1-based), i.e. 1, 11 and 12 here.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return [((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK, Number(f[1])];
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, ms) used so far by `pid` and its live descendants (HAProxy's
 * master-worker and halo's workers). CPU per unit of work moves much less with other load
 * on the machine than requests/s or Gbit/s do.
 */
export function cpuMs(pid: number): number {
  const parent = new Map<number, number>();
  const used = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p)) continue;
    const st = procStat(p);
    if (!st) continue;
    used.set(p, st[0]);
    parent.set(p, st[1]);
  }
  let total = 0;
  for (const [p, ms] of used) {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) {
        total += ms;
        break;
      }
    }
  }
  return total;
}

/** Load averages of the machine (1, 5, 15 min), as /proc/loadavg gives them. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Resident set size of a process, bytes. */
export function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Waits until the machine's CPUs are mostly idle (other jobs skew ratios); at most `ms`. */
export async function quiet(ms = 30_000): Promise<void> {
  const sample = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
    const n = f.map(Number);
    return { idle: n[3]! + n[4]!, total: n.reduce((a, b) => a + b, 0) };
  };
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const a = sample();
    await sleep(500);
    const b = sample();
    if ((b.idle - a.idle) / Math.max(1, b.total - a.total) > 0.9) return;
  }
}

export function stopAll(procs: ChildProcess[]): Promise<void> {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
  return Promise.race([
    Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.on('exit', r)) : 0))),
    sleep(3000),
  ]).then(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  });
}
