// Start-up time: `halo proxy -f CFG` (the `halo` command, dist/bundle/, and the same code
// unbundled from dist/src/) and `haproxy -db -f CFG` on the same config (the
// article's apiserver frontend and backend with checks, a stats listen and a stats socket),
// each started `runs` times in turn; the time from spawn to the first accepted connection
// on the frontend, the median of each and the ratio. Also a bare Node.js that only
// listens, the floor this machine gives any Node.js program at this load, and the CPU time
// (user + system, /proc/PID/stat) halo had used when it first accepted, which moves less
// with the load of the machine than wall time. Run after `npm run build`:
//   node dist/bench/startup.js [runs=15]
// Bounded: at most 50 runs of each, every process stopped by its PID within 5 s.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/os/free-port.js';

const HAPROXY = '/usr/sbin/haproxy';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const haloBin = join(root, 'dist', 'bundle', 'main.js');
const haloMain = join(root, 'dist', 'src', 'cli', 'main.js');
const TICKS_PER_SEC = 100;

function config(dir: string, fe: number, stats: number, servers: number[]): string {
  return `global
    stats socket ${dir}/stats.sock mode 600 level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout tunnel 1h
frontend apiserver
    bind 127.0.0.1:${fe}
    default_backend apiserver
backend apiserver
    option httpchk GET /healthz
    http-check expect status 200
${servers.map((p, i) => `    server k8s-master${i + 1} 127.0.0.1:${p} check check-ssl verify none inter 2s`).join('\n')}
listen admin_stats
    bind 127.0.0.1:${stats}
    mode http
    stats uri /haproxy-status
`;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Spawns `cmd`, polls `port` every 2 ms; the ms to the first accept and the CPU ms then. */
async function timeToAccept(
  cmd: string,
  args: string[],
  port: number,
): Promise<{ ms: number; cpu: number | undefined }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: 'ignore' });
  let ms = Number.NaN;
  while (performance.now() - t0 < 5000 && child.exitCode === null) {
    if (await accepts(port)) {
      ms = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const cpu = child.pid ? cpuMs(child.pid) : undefined;
  await stop(child);
  if (Number.isNaN(ms)) throw new Error(`${cmd} ${args.join(' ')} never accepted on ${port}`);
  return { ms, cpu };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const runs = Math.min(50, Math.max(1, Number(process.argv[2] ?? 15) || 15));
  const dir = mkdtempSync(join(tmpdir(), 'halo-startup-'));
  const fe = await freePort();
  const stats = await freePort();
  const servers = [await freePort(), await freePort(), await freePort()];
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, config(dir, fe, stats, servers));
  const bare = join(dir, 'bare.mjs');
  writeFileSync(
    bare,
    `import net from 'node:net';\nnet.createServer(() => {}).listen(${fe}, '127.0.0.1');\n`,
  );
  const load = loadavg()[0]!.toFixed(2);
  const results = {
    halo: [] as number[],
    unbundled: [] as number[],
    haloCpu: [] as number[],
    unbundledCpu: [] as number[],
    nodeCpu: [] as number[],
    haproxy: [] as number[],
    node: [] as number[],
  };
  try {
    for (let i = 0; i < runs; i++) {
      const h = await timeToAccept(process.execPath, [haloBin, 'proxy', '-f', cfg], fe);
      results.halo.push(h.ms);
      if (h.cpu !== undefined) results.haloCpu.push(h.cpu);
      const u = await timeToAccept(process.execPath, [haloMain, 'proxy', '-f', cfg], fe);
      results.unbundled.push(u.ms);
      if (u.cpu !== undefined) results.unbundledCpu.push(u.cpu);
      results.haproxy.push((await timeToAccept(HAPROXY, ['-db', '-f', cfg], fe)).ms);
      const n = await timeToAccept(process.execPath, [bare], fe);
      results.node.push(n.ms);
      if (n.cpu !== undefined) results.nodeCpu.push(n.cpu);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const halo = median(results.halo);
  const haproxy = median(results.haproxy);
  const fmt = (n: number) => n.toFixed(1).padStart(7);
  process.stdout.write(
    `time from spawn to first accepted connection, median of ${runs} (load average ${load} -> ${loadavg()[0]!.toFixed(2)}, Node.js ${process.version})\n` +
      `  halo proxy      ${fmt(halo)} ms   (min ${fmt(Math.min(...results.halo))}, CPU used by then ${median(results.haloCpu).toFixed(0)} ms)\n` +
      `  halo, dist/src/ ${fmt(median(results.unbundled))} ms   (min ${fmt(Math.min(...results.unbundled))}): the same code unbundled, ~120 modules, CPU ${median(results.unbundledCpu).toFixed(0)} ms\n` +
      `  haproxy -db     ${fmt(haproxy)} ms   (min ${fmt(Math.min(...results.haproxy))})\n` +
      `  bare node listen${fmt(median(results.node))} ms   (min ${fmt(Math.min(...results.node))}), CPU ${median(results.nodeCpu).toFixed(0)} ms: the floor for any Node.js program here\n` +
      `  halo/haproxy    ${(halo / haproxy).toFixed(2)}x\n`,
  );
}

await main();
