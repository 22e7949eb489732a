// How fast the VIP leaves a `halo run` node that cannot serve, on the lab (two namespaces
// on a bridge, master1 priority 100, master2 99, an echo backend on each node's loopback),
// beside the real Keepalived 2.2.7 stopping (its own priority-0 hand-over) and a mixed
// group (halo run master1, Keepalived backup). Root only.
//
//   node dist/bench/run-takeover.js [--runs N]
//
// Each run builds the lab, waits until master1 holds the VIP and master2 is BACKUP, then
// injects the fault on master1 and times until only master2 holds the VIP (`ip addr`
// every 10 ms). Faults: `stop` = SIGTERM to the node's daemon; `backend` = the echo
// backend killed (health check inter 100 fall 1, tracker weight 0); `worker` = the proxy
// worker SIGKILLed. The protocol's bound is Skew_Time of master2 (0.613 s at advert_int 1,
// 0.061 s at VRRPv3 0.1 s), then the VIP is added; Master_Down_Interval would be 3.6 s / 0.36 s.

import { labSkipReason } from '../test/lab/netns.js';
import { type RunNodeOptions, runGroup, teardownRun, vipOnly } from '../test/lab/run-harness.js';

type Fault = 'stop' | 'backend' | 'worker';

interface Scenario {
  readonly name: string;
  readonly fault: Fault;
  readonly m1: RunNodeOptions;
  readonly m2: RunNodeOptions;
}

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const [label, t] of [
    ['v2 advert_int 1', { advertInt: 1, version: 2 as const }],
    ['v3 advert_int 0.1', { advertInt: 0.1, version: 3 as const }],
  ] as const) {
    const halo = (priority: number): RunNodeOptions => ({ priority, ...t });
    const ka = (priority: number): RunNodeOptions => ({ priority, kind: 'keepalived', ...t });
    out.push(
      { name: `halo run, ${label}: SIGTERM`, fault: 'stop', m1: halo(100), m2: halo(99) },
      { name: `halo run, ${label}: backend dies`, fault: 'backend', m1: halo(100), m2: halo(99) },
      { name: `halo run, ${label}: worker SIGKILL`, fault: 'worker', m1: halo(100), m2: halo(99) },
      { name: `keepalived, ${label}: SIGTERM`, fault: 'stop', m1: ka(100), m2: ka(99) },
      {
        name: `halo run + keepalived backup, ${label}: SIGTERM`,
        fault: 'stop',
        m1: halo(100),
        m2: ka(99),
      },
    );
  }
  return out;
}

async function once(s: Scenario): Promise<number> {
  const g = runGroup('hrb', [s.m1, s.m2]);
  try {
    const [m1, m2] = g.nodes as [(typeof g.nodes)[0], (typeof g.nodes)[0]];
    for (const n of g.nodes) await n.startBackend();
    m1.start();
    await vipOnly(g, 'master1', 20_000);
    m2.start();
    await m2.out!.waitFor(/INIT -> BACKUP|Entering BACKUP STATE/, 10_000);
    await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
    const t0 = performance.now();
    if (s.fault === 'stop') m1.child!.kill('SIGTERM');
    else if (s.fault === 'backend') void m1.stopBackend();
    else process.kill(Number(/proxy workers (\d+)/.exec(m1.log)?.[1]), 'SIGKILL');
    await vipOnly(g, 'master2', 10_000);
    return performance.now() - t0;
  } finally {
    await teardownRun(g);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const skip = labSkipReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 5;
  console.log(`| scenario | median | min | max | runs (ms) |\n| --- | --- | --- | --- | --- |`);
  for (const s of scenarios()) {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) times.push(await once(s));
    const f = (x: number) => `${(x / 1000).toFixed(3)} s`;
    console.log(
      `| ${s.name} | ${f(median(times))} | ${f(Math.min(...times))} | ${f(Math.max(...times))} | ${times.map((x) => Math.round(x)).join(', ')} |`,
    );
  }
}

await main();
