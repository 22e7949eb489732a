// The two data paths side by side (src/proxy/io/data-path.ts): halo on the internal path,
// halo on the public net.Socket path (HALO_DATA_PATH=public) and HAProxy 2.6, same tcp
// config, one nginx behind them. Prints medians of keep-alive requests/s, new
// connections/s and the proxy's CPU ms per 10k of each (user + system time from /proc,
// which other load moves much less than the rates), with the public/internal ratio.
// The proxy runs on CPU 0; wrk and nginx on CPU 1. Bounded: rounds x 2 modes x 3 proxies
// x seconds, about 1 minute with the defaults. Run after `npm run build`:
//   node dist/bench/data-path-bench.js [rounds=3] [seconds=3]
// Ports: HALO_BENCH_PORT_BASE (default 18000) + 80, 543, 544, 545.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  assertFree,
  cpuMs,
  loadAverage,
  median,
  pinned,
  sleep,
  stopAll,
  waitPort,
  wrk,
} from './proxy-bench-tools.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const SECONDS = Number(process.argv[3] ?? 3);
const BASE = Number(process.env.HALO_BENCH_PORT_BASE ?? 18000);
const haloMain = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'halo-datapath-bench-'));

const WHO = ['haproxy', 'internal', 'public'] as const;
type Who = (typeof WHO)[number];
const PORT: Record<Who | 'nginx', number> = {
  nginx: BASE + 80,
  haproxy: BASE + 543,
  internal: BASE + 544,
  public: BASE + 545,
};

function config(who: Who): string {
  const file = join(dir, `${who}.cfg`);
  writeFileSync(
    file,
    `global
    maxconn 5000
    nbthread 1
defaults
    mode tcp
    maxconn 5000
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${PORT[who]}
    default_backend be
backend be
    server s1 127.0.0.1:${PORT.nginx}
`,
  );
  return file;
}

/** halo with HALO_DATA_PATH set for it alone (pinned() passes this process's env on). */
function halo(path: 'internal' | 'public'): ChildProcess {
  const saved = process.env.HALO_DATA_PATH;
  process.env.HALO_DATA_PATH = path;
  try {
    return pinned('0', process.execPath, [haloMain, 'proxy', '-q', '-f', config(path)]);
  } finally {
    if (saved === undefined) delete process.env.HALO_DATA_PATH;
    else process.env.HALO_DATA_PATH = saved;
  }
}

function nginx(): ChildProcess {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${PORT.nginx} backlog=4096; location / { return 200 "ok\\n"; } } }
`,
  );
  return pinned('1', 'nginx', ['-c', conf, '-p', dir]);
}

const table: Record<string, Record<Who, number[]>> = {};
function record(metric: string, who: Who, v: number): void {
  table[metric] ??= { haproxy: [], internal: [], public: [] };
  table[metric]![who].push(v);
}

async function measure(procs: ChildProcess[]): Promise<void> {
  for (const port of Object.values(PORT)) await assertFree(port);
  procs.push(nginx());
  const p: Record<Who, ChildProcess> = {
    haproxy: pinned('0', '/usr/sbin/haproxy', ['-db', '-f', config('haproxy')]),
    internal: halo('internal'),
    public: halo('public'),
  };
  procs.push(...Object.values(p));
  for (const port of Object.values(PORT)) await waitPort(port);
  for (let r = 0; r < ROUNDS; r++) {
    for (const close of [false, true]) {
      const what = close ? 'new connections' : 'keep-alive requests';
      for (const who of WHO) {
        const cpu0 = cpuMs(p[who].pid!);
        const w = await wrk({
          cpus: '1',
          port: PORT[who],
          seconds: SECONDS,
          connections: 50,
          close,
        });
        const cpu = cpuMs(p[who].pid!) - cpu0;
        record(`${what}/s`, who, w.rps);
        if (w.requests > 0) record(`CPU ms per 10k ${what}`, who, (cpu * 1e4) / w.requests);
        if (close) await sleep(1000); // let TIME_WAIT ports settle a little
      }
    }
  }
}

function print(load: string): void {
  const cols = ['haproxy', 'internal', 'public', 'public/internal', 'public/haproxy'];
  console.log(`${'metric'.padEnd(36)}${cols.map((c) => c.padStart(16)).join('')}`);
  for (const [metric, v] of Object.entries(table)) {
    const m = (who: Who) => median(v[who]);
    const cells = [m('haproxy'), m('internal'), m('public')].map((x) => x.toFixed(0));
    cells.push((m('public') / m('internal')).toFixed(2), (m('public') / m('haproxy')).toFixed(2));
    console.log(`${metric.padEnd(36)}${cells.map((c) => c.padStart(16)).join('')}`);
  }
  console.log(
    `medians of ${ROUNDS} rounds of ${SECONDS}s, wrk 50 connections; load average ${load} -> ${loadAverage()}`,
  );
}

const load = loadAverage();
const procs: ChildProcess[] = [];
try {
  await measure(procs);
} finally {
  await stopAll(procs);
  rmSync(dir, { recursive: true, force: true });
}
print(load);
