// Side-by-side: halo proxy vs HAProxy 2.6 on loopback, same tcp config, same backends.
// Prints medians of alternating runs and the ratio halo/HAProxy for:
//   keep-alive requests/s and new connections/s (wrk; proxy on CPU 0, wrk and nginx on 1),
//   p99 latency added over going to nginx directly (wrk --latency, 10 connections),
//   bulk throughput (iperf3 through the proxy),
//   CPU time per unit of work in those runs (per 10k requests, per 10k connections, per
//   GB): the proxy's user + system time from /proc, which other load on the machine moves
//   much less than the rates,
//   RSS per idle proxied connection (fresh processes that have served no load),
//   failed requests while the proxy reloads 50 times under load (halo: SIGHUP; HAProxy:
//   master-worker, SIGUSR2),
//   and 2 workers (nbthread 2) against HAProxy nbthread 2, both CPUs for everyone.
// Bounded: about 5 minutes with the defaults. Run after `npm run build`:
//   node dist/bench/proxy-bench.js [runs=5] [seconds=3] [idle-connections=10000] [--cpu|--memory]
// --cpu: only the one-CPU keep-alive, new-connection and bulk runs (bulk: a fixed 2 GB per
// run), printing rates and CPU per unit; --memory: only the idle-connection RSS.
// Idle connections: the proxy needs two descriptors per connection. The bench raises its
// descriptor limit (inherited by everything it starts) to fit 10,000 when the system lets
// it; otherwise it holds as many as fit (9,980 under a hard limit of 20,000; raising
// that needs CAP_SYS_RESOURCE).
// The ratio column is the median of per-round ratios (each round runs both proxies back
// to back), which resists other load on the machine better than a ratio of medians.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Holder, idleCost, raiseOpenFiles } from './proxy-bench-memory.js';
import type { WrkResult } from './proxy-bench-tools.js';
import {
  assertFree,
  cpuMs,
  iperf,
  loadAverage,
  median,
  pinned,
  quiet,
  sleep,
  stopAll,
  waitPort,
  wrk,
} from './proxy-bench-tools.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const MODE = process.argv.includes('--cpu')
  ? 'cpu'
  : process.argv.includes('--memory')
    ? 'memory'
    : 'all';
const RUNS = Number(args[0] ?? 5);
const SECONDS = Number(args[1] ?? 3);
// Two descriptors per proxied connection in the proxy, plus its own (HAProxy asks for
// 2 x maxconn + 17 with one frontend and refuses to start without them).
const FD_LIMIT = raiseOpenFiles(2 * 10_000 + 200);
const IDLE = Math.min(Number(args[2] ?? 10_000), (FD_LIMIT - 40) >> 1);
const IDLE_MAXCONN = Math.min(IDLE + 10, (FD_LIMIT - 18) >> 1);
const BULK_BYTES = '2G';
const RELOADS = 50;
const here = dirname(fileURLToPath(import.meta.url));
// The compiled bench sits in dist/bench, next to dist/src.
const haloMain = join(here, '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'halo-bench-'));

// Ports: 18000 + offset, or HALO_BENCH_PORT_BASE + offset (another run on the machine;
// keep them below the ephemeral range, 32768 and up, where outgoing connections land).
const BASE = Number(process.env.HALO_BENCH_PORT_BASE ?? 18000);
const PORT = {
  nginx: BASE + 80,
  nginx2: BASE + 81,
  iperf: BASE + 201,
  holder: BASE + 300,
  haproxy: BASE + 443,
  halo: BASE + 444,
  haproxyBulk: BASE + 445,
  haloBulk: BASE + 446,
} as const;
type Who = 'haproxy' | 'halo';
const WHO: Who[] = ['haproxy', 'halo'];

function proxyConfig(o: {
  port: number;
  backend: number;
  bulkPort?: number;
  nbthread: number;
  maxconn?: number;
}): string {
  const bulk =
    o.bulkPort === undefined
      ? ''
      : `frontend bulk
    bind 127.0.0.1:${o.bulkPort}
    default_backend iperf
backend iperf
    server iperf3 127.0.0.1:${PORT.iperf}
`;
  const maxconn = o.maxconn ?? 5000;
  return `global
    maxconn ${maxconn}
    nbthread ${o.nbthread}
defaults
    mode tcp
    maxconn ${maxconn}
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${o.port}
    default_backend be
backend be
    server s1 127.0.0.1:${o.backend}
${bulk}`;
}

function nginx(port: number, workers: number, cpus: string): ChildProcess {
  const conf = join(dir, `nginx-${port}.conf`);
  writeFileSync(
    conf,
    `worker_processes ${workers}; daemon off; pid ${dir}/nginx-${port}.pid; error_log ${dir}/nginx.err;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${port} backlog=4096; location / { return 200 "ok\\n"; } } }
`,
  );
  return pinned(cpus, 'nginx', ['-c', conf, '-p', dir]);
}

/** Starts halo and HAProxy (master-worker, so it can reload) with the same settings. */
async function proxies(
  procs: ChildProcess[],
  cpus: string,
  o: Omit<Parameters<typeof proxyConfig>[0], 'port' | 'bulkPort'> & { bulk?: boolean },
): Promise<Record<Who, ChildProcess>> {
  const cfg = (who: Who) => {
    const file = join(dir, `${who}.cfg`);
    writeFileSync(
      file,
      proxyConfig({
        ...o,
        port: PORT[who],
        ...(o.bulk ? { bulkPort: who === 'halo' ? PORT.haloBulk : PORT.haproxyBulk } : {}),
      }),
    );
    return file;
  };
  const p = {
    haproxy: pinned(cpus, '/usr/sbin/haproxy', ['-W', '-db', '-f', cfg('haproxy')]),
    halo: pinned(cpus, process.execPath, [haloMain, 'proxy', '-q', '-f', cfg('halo')]),
  };
  procs.push(p.haproxy, p.halo); // stopped at the end, also when one fails to start
  await waitPort(PORT.haproxy);
  await waitPort(PORT.halo);
  return p;
}

type Table = Record<string, Record<Who, number[]>>;
const table: Table = {};
function record(metric: string, who: Who, v: number): void {
  table[metric] ??= { haproxy: [], halo: [] };
  table[metric]![who].push(v);
}

async function throughputRuns(
  prefix: string,
  wrkCpus: string,
  procs: Record<Who, ChildProcess>,
): Promise<void> {
  for (let r = 0; r < RUNS; r++) {
    await quiet();
    for (const close of [false, true]) {
      for (const who of WHO) {
        const cpu0 = cpuMs(procs[who].pid!);
        const w = await wrk({
          cpus: wrkCpus,
          port: PORT[who],
          seconds: SECONDS,
          connections: 50,
          close,
        });
        const cpu = cpuMs(procs[who].pid!) - cpu0;
        const what = close ? 'new connections' : 'keep-alive requests';
        record(`${prefix}${what}/s`, who, w.rps);
        if (w.requests > 0)
          record(`${prefix}CPU ms per 10k ${what}`, who, (cpu * 1e4) / w.requests);
        if (close) await sleep(1000); // let TIME_WAIT ports settle a little
      }
    }
  }
}

async function latencyRuns(): Promise<void> {
  for (let r = 0; r < Math.min(RUNS, 3); r++) {
    const lat = (port: number) =>
      wrk({ cpus: '1', port, seconds: 3, connections: 10, latency: true });
    const direct = (await lat(PORT.nginx)).p99;
    for (const who of WHO)
      record('p99 latency added, ms', who, (await lat(PORT[who])).p99 - direct);
  }
}

/** iperf3 through each proxy: for SECONDS, or (--cpu) a fixed BULK_BYTES per run. */
async function bulkRuns(procs: Record<Who, ChildProcess>): Promise<void> {
  const amount = MODE === 'cpu' ? { bytes: BULK_BYTES } : { seconds: SECONDS };
  for (let r = 0; r < RUNS; r++) {
    for (const who of WHO) {
      const port = who === 'halo' ? PORT.haloBulk : PORT.haproxyBulk;
      const cpu0 = cpuMs(procs[who].pid!);
      const res = await iperf('1', port, amount);
      const cpu = cpuMs(procs[who].pid!) - cpu0;
      record('bulk throughput, Gbit/s', who, res.gbps);
      if (res.bytes > 0) record('bulk: CPU ms per GB', who, (cpu * 1e9) / res.bytes);
    }
  }
}

/** wrk with new connections while the proxy reloads RELOADS times, 100 ms apart. */
async function reloadRun(who: Who, proc: ChildProcess): Promise<WrkResult> {
  const seconds = Math.ceil((RELOADS * 100) / 1000) + 2;
  const load = wrk({ cpus: '1', port: PORT[who], seconds, connections: 20, close: true });
  await sleep(500);
  for (let i = 0; i < RELOADS; i++) {
    proc.kill(who === 'halo' ? 'SIGHUP' : 'SIGUSR2');
    await sleep(100);
  }
  return load;
}

async function memory(holder: Holder): Promise<void> {
  const cfg = (who: Who) => {
    const file = join(dir, `${who}-idle.cfg`);
    writeFileSync(
      file,
      proxyConfig({ port: PORT[who], backend: PORT.holder, nbthread: 1, maxconn: IDLE_MAXCONN }),
    );
    return file;
  };
  const p = {
    haproxy: pinned('0', '/usr/sbin/haproxy', ['-db', '-f', cfg('haproxy')]),
    halo: pinned('0', process.execPath, [haloMain, 'proxy', '-q', '-f', cfg('halo')]),
  };
  try {
    await Promise.all([waitPort(PORT.haproxy), waitPort(PORT.halo)]);
    for (const who of WHO) {
      record(
        `RSS per idle connection, KB (${IDLE})`,
        who,
        (await idleCost(p[who].pid!, PORT[who], holder, IDLE)) / 1024,
      );
    }
  } finally {
    await stopAll(Object.values(p));
  }
}

function print(): void {
  const lowerIsBetter = /latency|RSS|failed|CPU/;
  console.log(
    `${'metric'.padEnd(44)}${'haproxy'.padStart(10)}${'halo'.padStart(10)}   halo/haproxy`,
  );
  for (const [metric, v] of Object.entries(table)) {
    const h = median(v.haproxy);
    const o = median(v.halo);
    const digits = Math.abs(h) < 100 ? 2 : 0;
    // Latency differences can be near zero: a ratio per round would explode there.
    const paired =
      !/latency/.test(metric) &&
      v.haproxy.length === v.halo.length &&
      v.haproxy.every((x) => x > 0);
    const r = paired ? median(v.halo.map((x, i) => x / v.haproxy[i]!)) : o / h;
    const ratio = h === 0 ? (o === 0 ? '=' : 'n/a') : `${r.toFixed(2)}x`;
    console.log(
      `${metric.padEnd(44)}${h.toFixed(digits).padStart(10)}${o.toFixed(digits).padStart(10)}   ${ratio}${lowerIsBetter.test(metric) ? ' (lower is better)' : ''}`,
    );
  }
  console.log(
    `medians of ${RUNS} rounds of ${SECONDS}s (latency: ${Math.min(RUNS, 3)} rounds of 3s` +
      `${MODE === 'cpu' ? `; bulk: ${BULK_BYTES} per run` : ''}); ` +
      'ratio: median of per-round ratios; one CPU each unless it says workers',
  );
  console.log(`descriptor limit ${FD_LIMIT}; load average ${loadStart} -> ${loadAverage()}`);
}

const loadStart = loadAverage();

async function measure(procs: ChildProcess[], holder: Holder): Promise<void> {
  for (const port of Object.values(PORT)) await assertFree(port);
  if (MODE !== 'cpu') {
    await holder.listen(PORT.holder);
    await memory(holder);
    holder.close();
    if (MODE === 'memory') return;
  }
  procs.push(nginx(PORT.nginx, 1, '1'), pinned('1', 'iperf3', ['-s', '-p', String(PORT.iperf)]));
  await waitPort(PORT.nginx);
  const single = await proxies(procs, '0', { backend: PORT.nginx, nbthread: 1, bulk: true });
  await throughputRuns('', '1', single);
  if (MODE === 'all') await latencyRuns();
  await bulkRuns(single);
  if (MODE === 'cpu') return;
  for (const who of WHO) {
    await quiet();
    const r = await reloadRun(who, single[who]);
    record(`failed requests in ${RELOADS} reloads`, who, r.failed);
    record(`requests served during the reloads`, who, r.requests);
  }
  await stopAll(Object.values(single));
  procs.push(nginx(PORT.nginx2, 2, '0,1'));
  await waitPort(PORT.nginx2);
  const dual = await proxies(procs, '0,1', { backend: PORT.nginx2, nbthread: 2 });
  await throughputRuns('2 workers/threads: ', '0,1', dual);
}

async function main(): Promise<void> {
  const procs: ChildProcess[] = [];
  const holder = new Holder();
  try {
    await measure(procs, holder);
  } finally {
    holder.close();
    await stopAll(procs);
    rmSync(dir, { recursive: true, force: true });
  }
  print();
}

await main();
