// Side-by-side: halo proxy vs HAProxy 2.6, same tcp config, one core each (taskset -c 0),
// nginx backend and wrk on the other core, loopback. Prints medians of alternating runs
// and the ratio halo/HAProxy for keep-alive requests/s and new connections/s.
// Bounded: RUNS x 2 proxies x 2 modes x DURATION seconds. Run after `npm run build`:
//   node dist/bench/proxy-bench.js [runs=3] [duration=4]

import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv[2] ?? 3);
const DURATION = Number(process.argv[3] ?? 4);
const here = dirname(fileURLToPath(import.meta.url));
// The compiled bench sits in dist/bench, next to dist/src.
const haloMain = join(here, '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'halo-bench-'));
const NGINX = 18080;
const HAPROXY = 18443;
const HALO = 18444;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once something accepts on `port` (at most 10 s). */
async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
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
  throw new Error(`nothing listens on ${port}`);
}

function proxyConfig(port: number): string {
  return `global
    maxconn 5000
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server nginx 127.0.0.1:${NGINX}
`;
}

function start(cmd: string, args: string[]): ChildProcess {
  return spawn('taskset', ['-c', '0', cmd, ...args], { stdio: 'ignore' });
}

function wrk(port: number, close: boolean): number {
  const args = ['-c', '1', 'wrk', '-t1', '-c50', `-d${DURATION}s`, `http://127.0.0.1:${port}/`];
  if (close) args.push('-H', 'Connection: close');
  const out = execFileSync('taskset', args, { encoding: 'utf8', timeout: (DURATION + 20) * 1000 });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return m ? Number(m[1]) : 0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const nginxConf = join(dir, 'nginx.conf');
  writeFileSync(
    nginxConf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${NGINX}; location / { return 200 "ok\\n"; } } }
`,
  );
  writeFileSync(join(dir, 'haproxy.cfg'), proxyConfig(HAPROXY));
  writeFileSync(join(dir, 'halo.cfg'), proxyConfig(HALO));
  const procs = [
    spawn('taskset', ['-c', '1', 'nginx', '-c', nginxConf, '-p', dir], { stdio: 'ignore' }),
    start('/usr/sbin/haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')]),
    spawn(
      'taskset',
      ['-c', '0', process.execPath, haloMain, 'proxy', '-q', '-f', join(dir, 'halo.cfg')],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    ),
  ];
  try {
    for (const p of [NGINX, HAPROXY, HALO]) await waitPort(p);
    const results: Record<string, number[]> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const close of [false, true]) {
        for (const [name, port] of [
          ['haproxy', HAPROXY],
          ['halo', HALO],
        ] as const) {
          const key = `${name} ${close ? 'close' : 'keepalive'}`;
          results[key] = [...(results[key] ?? []), wrk(port, close)];
          if (close) await sleep(1000); // let TIME_WAIT ports settle a little
        }
      }
    }
    for (const mode of ['keepalive', 'close']) {
      const h = median(results[`haproxy ${mode}`]!);
      const o = median(results[`halo ${mode}`]!);
      const label = mode === 'keepalive' ? 'keep-alive requests/s' : 'new connections/s';
      console.log(
        `${label.padEnd(24)} haproxy ${h.toFixed(0).padStart(8)}  halo ${o.toFixed(0).padStart(8)}  ratio ${(o / h).toFixed(2)}x`,
      );
    }
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
