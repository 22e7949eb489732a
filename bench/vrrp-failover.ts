// Failover / failback / stop hand-over times of `halo vrrp` and Keepalived 2.2.7 on the same
// lab (three namespaces on a bridge, the article's three files rewritten to the lab), for
// the article's settings, a fast check (interval 1, fall/rise 1) and halo's sub-second
// option (VRRPv3, advert_int 0.1, which Keepalived supports too). Root only.
//
//   node --import tsx bench/vrrp-failover.ts [--runs N] [--profile article|fast|subsecond]
//
// Failover: from stopping master1's check_haproxy listener until only master2 holds the
// VIP. Failback: from restarting it until only master1 holds it. Stop: from SIGTERM to
// master1 until master2 holds it (the priority-0 hand-over). Times poll `ip addr` every
// 50 ms, so they carry up to ~60 ms of probe delay on both sides alike.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, labSkipReason } from '../test/lab/netns.js';
import {
  articleConfig,
  type ConfigOptions,
  type Kind,
  VrrpNode,
  vipOnlyOn,
} from '../test/lab/vrrp-harness.js';

const PROFILES: Record<string, ConfigOptions> = {
  article: {},
  fast: { scriptInterval: 1, fall: 1, rise: 1 },
  subsecond: { scriptInterval: 1, fall: 1, rise: 1, version: 3, advertInt: 0.1 },
};

interface Times {
  failover: number;
  failback: number;
  stop: number;
}

async function measure(kind: Kind, profile: ConfigOptions): Promise<Times> {
  const lab = new Lab('hvb');
  const dir = mkdtempSync(join(tmpdir(), 'halo-vrrp-bench-'));
  const nodes: VrrpNode[] = [];
  try {
    const lan = lab.bridgedNodes(['m1', 'm2', 'm3']);
    for (const [i, n] of lan.entries()) {
      const node = new VrrpNode(lab, n, `master${i + 1}`, kind, dir);
      node.writeConfig(articleConfig((i + 1) as 1 | 2 | 3, n.dev, profile));
      await node.startListener();
      nodes.push(node);
    }
    const [m1] = nodes as [VrrpNode];
    m1.start();
    await vipOnlyOn(nodes, 'master1', 20_000);
    for (const n of nodes.slice(1)) n.start();
    await nodes[1]!.out!.waitFor(/Entering BACKUP STATE/, 10_000);
    // A random phase against the check's schedule, so neither tool is favoured by where
    // its check_haproxy runs fall relative to the listener going away.
    const interval = (profile.scriptInterval ?? 3) * 1000;
    await new Promise((r) => setTimeout(r, 2000 + Math.random() * interval));
    await m1.stopListener();
    const failover = await vipOnlyOn(nodes, 'master2', 30_000);
    await new Promise((r) => setTimeout(r, Math.random() * interval));
    await m1.startListener();
    const failback = await vipOnlyOn(nodes, 'master1', 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = performance.now();
    const stopping = m1.stop();
    await vipOnlyOn(nodes, 'master2', 10_000);
    const stop = performance.now() - t0;
    await stopping;
    return { failover, failback, stop };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const range = (xs: number[]) =>
  `${(Math.min(...xs) / 1000).toFixed(1)}-${(Math.max(...xs) / 1000).toFixed(1)}`;

async function main(): Promise<void> {
  const skip = labSkipReason();
  if (skip) {
    process.stderr.write(`vrrp-failover: ${skip}\n`);
    process.exitCode = 1;
    return;
  }
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1] ?? 1) || 1;
  const only = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
  for (const [name, profile] of Object.entries(PROFILES)) {
    if (only && name !== only) continue;
    const all: Record<Kind, Times[]> = { halo: [], keepalived: [] };
    for (let r = 0; r < runs; r++) {
      for (const kind of ['keepalived', 'halo'] as const)
        all[kind].push(await measure(kind, profile));
    }
    process.stdout.write(`\nprofile ${name} ${JSON.stringify(profile)} (mean of ${runs}, range)\n`);
    process.stdout.write(
      '            keepalived               halo                halo/keepalived\n',
    );
    for (const key of ['failover', 'failback', 'stop'] as const) {
      const ks = all.keepalived.map((t) => t[key]);
      const hs = all.halo.map((t) => t[key]);
      const k = `${s(mean(ks))} (${range(ks)})`;
      const h = `${s(mean(hs))} (${range(hs)})`;
      process.stdout.write(
        `  ${key.padEnd(9)} ${k.padEnd(24)} ${h.padEnd(24)} ${(mean(hs) / mean(ks)).toFixed(2)}\n`,
      );
    }
  }
}

await main();
