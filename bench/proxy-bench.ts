// Side-by-side: halo proxy vs HAProxy 2.6 on loopback, same tcp config, same backends.
// Prints medians of alternating runs and the ratio halo/HAProxy for:
//   keep-alive requests/s and new connections/s (wrk; proxy on CPU 0, wrk and nginx on 1),
//   p99 latency added over going to nginx directly (wrk --latency, 10 connections),
//   bulk throughput (iperf3 through the proxy),
//   RSS per idle proxied connection (fresh processes that have served no load),
//   failed requests while the proxy reloads 50 times under load (halo: SIGHUP; HAProxy:
//   master-worker, SIGUSR2),
//   and 2 workers (nbthread 2) against HAProxy nbthread 2, both CPUs for everyone.
// Bounded: about 4 minutes with the defaults. Run after `npm run build`:
//   node dist/bench/proxy-bench.js [runs=5] [seconds=3] [idle-connections=4000]
// Idle connections: at most about 9,000 here (20,000 descriptors per process; the proxy
// needs two per connection, and this process holds both far ends).
// The ratio column is the median of per-round ratios (each round runs both proxies back
// to back), which resists other load on the machine better than a ratio of medians.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Holder, idleCost } from './proxy-bench-memory.js';
import type { WrkResult } from './proxy-bench-tools.js';
import {
  assertFree,
  iperf,
  median,
  pinned,
  quiet,
  sleep,
  stopAll,
  waitPort,
  wrk,
} from './proxy-bench-tools.js';

const RUNS = Number(process.argv[2] ?? 5);
const SECONDS = Number(process.argv[3] ?? 3);
const IDLE = Number(process.argv[4] ?? 4000);
const RELOADS = 50;
const here = dirname(fileURLToPath(import.meta.url));
// The compiled bench sits in dist/bench, next to dist/src.
const haloMain = join(here, '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'halo-bench-'));

const PORT = {
  nginx: 18080,
  nginx2: 18081,
  iperf: 18201,
  holder: 18300,
  haproxy: 18443,
  halo: 18444,
  haproxyBulk: 18445,
  haloBulk: 18446,
} as const;
type Who = 'haproxy' | 'halo';
const WHO: Who[] = ['haproxy', 'halo'];

function proxyConfig(o: {
  port: number;
  backend: number;
  bulkPort?: number;
  nbthread: number;
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
  const maxconn = Math.max(5000, IDLE + 100);
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

async function throughputRuns(prefix: string, wrkCpus: string): Promise<void> {
  for (let r = 0; r < RUNS; r++) {
    await quiet();
    for (const close of [false, true]) {
      for (const who of WHO) {
        const w = await wrk({
          cpus: wrkCpus,
          port: PORT[who],
          seconds: SECONDS,
          connections: 50,
          close,
        });
        record(`${prefix}${close ? 'new connections/s' : 'keep-alive requests/s'}`, who, w.rps);
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

async function bulkRuns(): Promise<void> {
  for (let r = 0; r < RUNS; r++) {
    for (const who of WHO) {
      const port = who === 'halo' ? PORT.haloBulk : PORT.haproxyBulk;
      record('bulk throughput, Gbit/s', who, await iperf('1', port, 3));
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
    writeFileSync(file, proxyConfig({ port: PORT[who], backend: PORT.holder, nbthread: 1 }));
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
  const lowerIsBetter = /latency|RSS|failed/;
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
    `medians of ${RUNS} rounds of ${SECONDS}s (latency: ${Math.min(RUNS, 3)} rounds of 3s); ` +
      'ratio: median of per-round ratios; one CPU each unless it says workers',
  );
}

async function main(): Promise<void> {
  const procs: ChildProcess[] = [];
  const holder = new Holder();
  try {
    for (const port of Object.values(PORT)) await assertFree(port);
    await holder.listen(PORT.holder);
    await memory(holder);
    procs.push(nginx(PORT.nginx, 1, '1'), pinned('1', 'iperf3', ['-s', '-p', String(PORT.iperf)]));
    await waitPort(PORT.nginx);
    const single = await proxies('0', { backend: PORT.nginx, nbthread: 1, bulk: true });
    procs.push(...Object.values(single));
    await throughputRuns('', '1');
    await latencyRuns();
    await bulkRuns();
    for (const who of WHO) {
      await quiet();
      const r = await reloadRun(who, single[who]);
      record(`failed requests in ${RELOADS} reloads`, who, r.failed);
      record(`requests served during the reloads`, who, r.requests);
    }
    await stopAll(Object.values(single));
    procs.push(nginx(PORT.nginx2, 2, '0,1'));
    await waitPort(PORT.nginx2);
    const dual = await proxies('0,1', { backend: PORT.nginx2, nbthread: 2 });
    procs.push(...Object.values(dual));
    await throughputRuns('2 workers/threads: ', '0,1');
  } finally {
    holder.close();
    await stopAll(procs);
    rmSync(dir, { recursive: true, force: true });
  }
  print();
}

await main();
