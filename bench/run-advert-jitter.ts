// Advert timing of `halo run` while its proxy is idle and while it runs at full load: VRRP
// lives in the supervisor and the proxy in a worker, so load should not move the adverts.
// Lab: one `halo run` node (master1, alone, so it is MASTER) with an HTTP backend on its
// loopback, and a second namespace that captures its adverts with tcpdump (-tt, kernel
// timestamps). Load: wrk -t2 -c64 through the frontend, inside master1's namespace. Root only.
//
//   node dist/bench/run-advert-jitter.js [--seconds N]
//
// Jitter = |interval between two adverts - advert_int|, reported as p50 / p99 / max.

import type { ChildProcess } from 'node:child_process';
import { labSkipReason } from '../test/lab/netns.js';
import { FRONTEND_PORT, runGroup, teardownRun, vipOnly } from '../test/lab/run-harness.js';

interface Jitter {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function jitter(stamps: number[], intervalMs: number): Jitter {
  const d: number[] = [];
  for (let i = 1; i < stamps.length; i++)
    d.push(Math.abs((stamps[i]! - stamps[i - 1]!) * 1000 - intervalMs));
  d.sort((a, b) => a - b);
  const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * d.length))] ?? Number.NaN;
  return { n: d.length, p50: q(0.5), p99: q(0.99), max: d.at(-1) ?? Number.NaN };
}

/** Advert timestamps (epoch seconds) seen on the wire for `seconds`. */
function capture(child: ChildProcess, seconds: number): Promise<number[]> {
  return new Promise((resolve) => {
    const stamps: number[] = [];
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        const t = Number(l.split(' ')[0]);
        if (Number.isFinite(t) && /VRRP/.test(l)) stamps.push(t);
      }
    };
    child.stdout?.on('data', onData);
    setTimeout(() => {
      child.stdout?.off('data', onData);
      resolve(stamps);
    }, seconds * 1000);
  });
}

async function measure(advertInt: number, version: 2 | 3, seconds: number): Promise<string[]> {
  const g = runGroup('hrj', [
    { priority: 100, advertInt, version, backend: 'http' },
    { priority: 99 },
  ]);
  try {
    const [m1, m2] = g.nodes as [(typeof g.nodes)[0], (typeof g.nodes)[0]];
    await m1.startBackend();
    m1.start();
    await vipOnly(g, 'master1', 20_000);
    const dump = g.lab.spawn(m2.node.ns, 'tcpdump', [
      '-i',
      'eth0',
      '-n',
      '-tt',
      '-l',
      'ip proto 112 and src host',
      m1.node.address,
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = jitter(await capture(dump, seconds), advertInt * 1000);
    const wrk = g.lab.spawn(m1.node.ns, 'wrk', [
      '-t2',
      '-c64',
      `-d${seconds + 2}s`,
      `http://127.0.0.1:${FRONTEND_PORT}/`,
    ]);
    let wrkOut = '';
    wrk.stdout?.on('data', (c: Buffer) => {
      wrkOut += c.toString('utf8');
    });
    await new Promise((r) => setTimeout(r, 1000));
    const load = jitter(await capture(dump, seconds), advertInt * 1000);
    await new Promise<void>((r) => wrk.once('exit', () => r()));
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(wrkOut)?.[1] ?? '?';
    const f = (j: Jitter) =>
      `${j.p50.toFixed(2)} / ${j.p99.toFixed(2)} / ${j.max.toFixed(2)} ms (${j.n})`;
    const label = `v${version} advert_int ${advertInt}`;
    return [
      `| ${label} | idle | ${f(idle)} | - |`,
      `| ${label} | wrk -t2 -c64 | ${f(load)} | ${rps} |`,
    ];
  } finally {
    await teardownRun(g);
  }
}

async function main(): Promise<void> {
  const skip = labSkipReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const i = process.argv.indexOf('--seconds');
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 10;
  console.log(
    '| adverts | proxy | jitter p50 / p99 / max (intervals) | req/s |\n| --- | --- | --- | --- |',
  );
  for (const [a, v] of [
    [1, 2],
    [0.1, 3],
  ] as const)
    for (const l of await measure(a, v, seconds)) console.log(l);
}

await main();
