// How `halo check` scales with the size of haproxy.cfg, beside `haproxy -c` on the same
// files: generated configs of 12,500 / 25,000 / 50,000 lines (a frontend per 50 backends,
// backends of 8 servers with checks, ACLs and use_backend rules), each checked `runs`
// times; prints the median wall time of both and the ratio, and halo's time per 1,000
// lines, which stays flat when the check is linear. Run after `npm run build`:
//   node dist/bench/config-scale.js [runs=3] [lines=12500,25000,50000]
// Bounded: a handful of runs of a few seconds each.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HAPROXY = '/usr/sbin/haproxy';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const haloMain = join(root, 'dist', 'src', 'cli', 'main.js');

/** A valid haproxy.cfg of about `lines` lines. */
export function generateConfig(lines: number): string {
  const out = [
    'global',
    '    maxconn 20000',
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
  ];
  let be = 0;
  let fe = 0;
  while (out.length < lines) {
    const first = be;
    const group: string[] = [];
    for (let i = 0; i < 50 && out.length + group.length < lines; i++, be++) {
      group.push(`backend be${be}`, '    balance roundrobin', '    option httpchk GET /healthz');
      for (let s = 0; s < 8; s++)
        group.push(
          `    server s${s} 127.0.${(be >> 8) & 255}.${be & 255}:${8000 + s} check inter 2s rise 2 fall 3`,
        );
    }
    out.push(`frontend fe${fe}`, `    bind 127.0.0.1:${20000 + fe}`);
    for (let b = first; b < be; b++)
      out.push(
        `    acl host_${b} hdr(host) -i be${b}.example`,
        `    use_backend be${b} if host_${b}`,
      );
    out.push(`    default_backend be${first}`);
    out.push(...group);
    fe++;
  }
  return `${out.join('\n')}\n`;
}

function timeRun(cmd: string, args: string[]): { ms: number; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: r.status };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const runs = Number(process.argv[2] ?? 3);
  const sizes = (process.argv[3] ?? '12500,25000,50000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'halo-config-scale-'));
  const haveHaproxy = existsSync(HAPROXY);
  console.log('lines    halo check (ms)  haproxy -c (ms)  ratio  halo ms/1k lines');
  try {
    for (const n of sizes) {
      const file = join(dir, `scale-${n}.cfg`);
      const text = generateConfig(n);
      writeFileSync(file, text);
      const halo: number[] = [];
      const ref: number[] = [];
      for (let i = 0; i < runs; i++) {
        const h = timeRun(process.execPath, [haloMain, 'check', '--offline', '-q', '-f', file]);
        if (h.status !== 0) throw new Error(`halo check failed on ${file} (status ${h.status})`);
        halo.push(h.ms);
        if (haveHaproxy) ref.push(timeRun(HAPROXY, ['-c', '-q', '-f', file]).ms);
      }
      const lines = text.split('\n').length - 1;
      const hm = median(halo);
      const rm = haveHaproxy ? median(ref) : Number.NaN;
      console.log(
        `${String(lines).padEnd(9)}${hm.toFixed(0).padStart(15)}  ${rm.toFixed(0).padStart(15)}  ${(hm / rm).toFixed(1).padStart(5)}  ${((hm / lines) * 1000).toFixed(1).padStart(16)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
