// Client-side failover figures on the article's cluster (test/lab/article-cluster.ts): a
// client namespace runs VipProbe on VIP:9443 (a TLS handshake every 10 ms, 1 s timeout; the
// library behind `halo probe`, ./blackout-client.ts)
// while a fault is injected on the VIP holder; the figure is the longest client blackout.
// The real HAProxy + Keepalived on the article's files (check_haproxy every 3 s, fall 3)
// beside `halo run` with track_proxy, at VRRPv2 advert_int 1 and VRRPv3 advert_int 0.1.
// Root only.
//
//   node dist/bench/run-blackout.js [--runs N] [--quick] [--stack halo|real]
//        [--timing v2|v3] [--only proxy,apiserver,freeze,link,sigterm,watch]
//
// Scenarios, each on master1 (priority 100; master2 99 takes over, master3 98):
//   proxy     the proxy stops (real: HAProxy SIGTERM, `systemctl stop haproxy`; halo:
//             SIGTTOU, listeners closed), then comes back (failures while the VIP returns)
//   apiserver master1's apiserver is killed (failures until the checks take it out)
//   freeze    every process of master1 is SIGSTOPped (VRRP, proxy, apiserver); its kernel
//             still holds the VIP and completes TCP handshakes that go nowhere
//   link      master1's eth0 goes down
//   sigterm   SIGTERM to what holds the VIP (real: Keepalived; halo: halo run)
//   watch     6 watch streams through the VIP, master3's link goes down: streams on
//             master1's and master2's apiservers must survive
// The client's ARP entry for the VIP is followed (`ip -ts monitor neigh` in its namespace):
// each run says when the client learnt master2's MAC, relative to the fault.

import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type Attempt, summarize } from '../src/probe/blackout.js';
import { masterDownIntervalMs, skewTimeMs } from '../src/vrrp/timing.js';
import { ArticleCluster, type Master, type Stack } from '../test/lab/article-cluster.js';
import { labSkipReason, stopChild } from '../test/lab/netns.js';
import { sleep, until, VIP } from '../test/lab/vrrp-harness.js';

const VERBOSE = process.argv.includes('--verbose');

type Scenario = 'proxy' | 'apiserver' | 'freeze' | 'link' | 'sigterm' | 'watch';
const SCENARIOS: readonly Scenario[] = ['proxy', 'apiserver', 'freeze', 'link', 'sigterm', 'watch'];

interface Sample {
  /** Longest client blackout during the fault (ms). */
  readonly blackoutMs: number;
  /** Failed connections while recovering (the VIP coming back). */
  readonly returnFailures: number;
  /** When the client's ARP entry got master2's MAC, ms after the fault (undefined: never). */
  readonly macMs?: number;
  readonly note?: string;
}

/** VipProbe in the client namespace (./blackout-client.ts); stop() returns its attempts. */
class Probe {
  private readonly child: ChildProcess;
  private text = '';
  constructor(c: ArticleCluster) {
    const client = join(import.meta.dirname, 'blackout-client.js');
    this.child = c.spawnClient(process.execPath, [client, VIP, '9443']);
    this.child.stdout?.on('data', (b: Buffer) => {
      this.text += b.toString();
    });
  }
  /** Waits for the first successful attempt (the client is up and the VIP answers). */
  ready(): Promise<number> {
    return until(() => this.text.includes('"ok":true'), 10_000, 'probe connected');
  }
  async stop(): Promise<Attempt[]> {
    await stopChild(this.child);
    return this.text
      .split('\n')
      .filter((l) => l.startsWith('{"at"'))
      .map((l) => JSON.parse(l) as Attempt);
  }
}

/** The client's neighbour events for the VIP, with their times (epoch ms). */
class NeighWatch {
  private readonly child: ChildProcess;
  readonly events: { at: number; mac: string; line: string }[] = [];
  constructor(c: ArticleCluster) {
    this.child = c.spawnClient('ip', ['-ts', 'monitor', 'neigh']);
    this.child.stdout?.on('data', (b: Buffer) => {
      for (const line of b.toString().split('\n')) {
        const m = /^\[([^\]]+)\]\s*(?:Deleted )?(\S+) dev \S+ lladdr (\S+)/.exec(line);
        if (m && m[2] === VIP) this.events.push({ at: Date.parse(`${m[1]}Z`), mac: m[3]!, line });
      }
    });
  }
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** --verbose: each blackout and each client ARP change, in ms after the fault. */
function timeline(
  what: string,
  attempts: readonly Attempt[],
  t0: number,
  neigh: readonly { at: number; line: string }[],
): void {
  const rows = summarize(attempts).blackouts.map(
    (b) =>
      `  blackout +${Math.round(b.start - t0)}..+${Math.round(b.end - t0)} ms: ${b.failures} failed (${b.errors.join(', ')})${b.open ? ' OPEN' : ''}`,
  );
  const arp = neigh.map(
    (e) => `  arp +${Math.round(e.at - t0)} ms: ${e.line.replace(/^\[[^\]]+\]\s*/, '')}`,
  );
  console.error(`${what}: ${attempts.length} attempts\n${[...rows, ...arp].join('\n')}`);
}

async function settleOn(c: ArticleCluster, m: Master): Promise<void> {
  await c.waitHolder(m, 30_000);
  await sleep(1000 + Math.random() * 1000);
}

/** One fault on master1 and its recovery. */
async function once(c: ArticleCluster, s: Scenario): Promise<Sample> {
  const [m1, m2, m3] = c.masters as [Master, Master, Master];
  const halo = c.opts.stack === 'halo';
  await settleOn(c, m1);
  if (s === 'watch') return watch(c, m3);
  const neigh = new NeighWatch(c);
  let probe = new Probe(c);
  await probe.ready();
  await sleep(300);
  const t0 = Date.now();
  if (s === 'proxy') {
    if (halo) m1.proxy!.kill('SIGTTOU');
    else await m1.stopProxy();
  } else if (s === 'apiserver') m1.apiserver!.kill('SIGKILL');
  else if (s === 'freeze') m1.freeze(true);
  else if (s === 'link') m1.link(false);
  else await m1.stopVrrp();
  if (s === 'apiserver') await sleep(8000);
  else {
    await until(() => m2.hasVip(), 30_000, 'VIP on master2');
    await sleep(1500);
  }
  const fault = await probe.stop();
  const mac = m2.mac;
  const macAt = neigh.events.find((e) => e.at >= t0 - 50 && e.mac === mac)?.at;
  await neigh.stop();
  const neighBack = new NeighWatch(c);
  probe = new Probe(c);
  await probe.ready().catch(() => {}); // a frozen or unlinked master1 may still hold the VIP
  await sleep(300);
  if (s === 'proxy') {
    if (halo) m1.proxy!.kill('SIGTTIN');
    else m1.startProxy();
  } else if (s === 'apiserver') m1.startApiserver();
  else if (s === 'freeze') m1.freeze(false);
  else if (s === 'link') m1.link(true);
  else m1.startVrrp();
  await c.waitHolder(m1, 40_000);
  await sleep(2000);
  const back = await probe.stop();
  await neighBack.stop();
  const f = summarize(fault);
  if (VERBOSE) timeline(`${s} fault`, fault, t0, neigh.events);
  if (VERBOSE) timeline(`${s} return`, back, t0, neighBack.events);
  return {
    blackoutMs: s === 'apiserver' ? f.failures : f.longestMs,
    returnFailures: summarize(back).failures,
    ...(macAt !== undefined ? { macMs: macAt - t0 } : {}),
  };
}

/** Watch streams through the VIP while master3 loses its link: the others' must survive. */
async function watch(c: ArticleCluster, m3: Master): Promise<Sample> {
  const code = `
const tls = require('node:tls');
for (let i = 0; i < 6; i++) {
  const s = tls.connect({ host: '${VIP}', port: 9443, rejectUnauthorized: false }, () =>
    s.write('GET /watch HTTP/1.1\\r\\nHost: apiserver\\r\\n\\r\\n'));
  let seen = '';
  s.on('data', (d) => { const m = /master\\d/.exec(d.toString()); if (m && !seen) { seen = m[0]; console.log(JSON.stringify({ i, backend: seen })); } });
  s.on('close', () => console.log(JSON.stringify({ i, closed: seen })));
  s.on('error', () => {});
}`;
  const child = c.spawnClient(process.execPath, ['-e', code]);
  let text = '';
  child.stdout?.on('data', (b: Buffer) => {
    text += b.toString();
  });
  await sleep(1500);
  m3.link(false);
  await sleep(4000);
  const rows = text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { i: number; backend?: string; closed?: string });
  const streams = rows.filter((r) => r.backend);
  const closed = new Set(rows.filter((r) => r.closed !== undefined).map((r) => r.i));
  const others = streams.filter((r) => r.backend !== m3.name);
  const lost = others.filter((r) => closed.has(r.i)).length;
  m3.link(true);
  await stopChild(child);
  await sleep(1000);
  return {
    blackoutMs: lost,
    returnFailures: 0,
    note: `${streams.length} streams, ${others.length} not on ${m3.name}, ${lost} of those lost`,
  };
}

function stats(xs: readonly number[]): { best: number; median: number; worst: number } {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return { best: s[0] ?? Number.NaN, median, worst: s[s.length - 1] ?? Number.NaN };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const skip = labSkipReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const quick = process.argv.includes('--quick');
  const runs = Number(arg('--runs') ?? (quick ? 1 : 5));
  const stacks: Stack[] = arg('--stack') ? [arg('--stack') as Stack] : ['real', 'halo'];
  const only = arg('--only')?.split(',') as Scenario[] | undefined;
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s));
  const timings = [
    { key: 'v2', label: 'VRRPv2 advert_int 1', version: 2 as const, advertInt: 1 },
    { key: 'v3', label: 'VRRPv3 advert_int 0.1', version: 3 as const, advertInt: 0.1 },
  ].filter((t) => !arg('--timing') || arg('--timing') === t.key);
  const started = Date.now();
  for (const t of timings) {
    const skew = skewTimeMs(t.version, 99, t.advertInt * 1000);
    const down = masterDownIntervalMs(t.version, 99, t.advertInt * 1000);
    console.log(
      `\n## ${t.label}: Skew_Time + 50 ms = ${(skew + 50).toFixed(0)} ms, Master_Down_Interval = ${down.toFixed(0)} ms (master2, priority 99), ${runs} run(s)\n`,
    );
    console.log(
      '| scenario | stack | best / median / worst | return failures | client MAC -> master2 (ms after fault) |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    const medians: Record<string, Partial<Record<Stack, number>>> = {};
    for (const stack of stacks) {
      const c = new ArticleCluster({ stack, version: t.version, advertInt: t.advertInt });
      try {
        await c.start();
        for (const s of scenarios) {
          const samples: Sample[] = [];
          for (let r = 0; r < runs; r++) samples.push(await once(c, s));
          const b = stats(samples.map((x) => x.blackoutMs));
          medians[s] = { ...medians[s], [stack]: b.median };
          const unit = s === 'apiserver' ? ' failed' : s === 'watch' ? ' lost' : ' ms';
          const f = (x: number) => `${Math.round(x)}${unit}`;
          console.log(
            `| ${s} | ${stack} | ${f(b.best)} / ${f(b.median)} / ${f(b.worst)} | ${samples.map((x) => x.returnFailures).join(', ')} | ${samples.map((x) => (x.macMs === undefined ? '-' : Math.round(x.macMs))).join(', ')}${samples[0]?.note ? ` (${samples.map((x) => x.note).join('; ')})` : ''} |`,
          );
        }
      } finally {
        await c.destroy();
      }
    }
    for (const [s, m] of Object.entries(medians)) {
      if (
        m.real !== undefined &&
        m.halo !== undefined &&
        m.halo > 0 &&
        s !== 'apiserver' &&
        s !== 'watch'
      )
        console.log(`${t.key} ${s}: real/halo median ratio ${(m.real / m.halo).toFixed(1)}x`);
    }
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
