// Lab harness for `halo vrrp`: the article's keepalived files rewritten to the lab
// (198.51.100.0/24, the node's veth, VIP 198.51.100.100), nodes run as halo or as the real
// Keepalived 2.2.7, the check_haproxy script's listener (127.0.0.1:9443 in the node's
// namespace, what `ss -alnupt | grep 9443` looks for), and VIP / state probes.

import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VrrpDump } from '../../src/daemon/vrrp-daemon.js';
import { Lab, type LabNode, OutputWatcher, stopChild } from './netns.js';

export const KEEPALIVED = '/usr/sbin/keepalived';

/** The real Keepalived in the foreground, logging to stderr, as every lab test runs it. */
export function keepalivedArgs(conf: string, pidFile: string, vrrpPidFile: string): string[] {
  return ['-n', '-l', '-D', '-f', conf, '-p', pidFile, '-r', vrrpPidFile];
}
export const VIP = '198.51.100.100';

const here = dirname(fileURLToPath(import.meta.url));

function repoRoot(): string {
  let dir = here;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'test', 'golden', 'keepalived'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root from the test');
}

/** `node [--import tsx] main` for halo: the built CLI next to a built test, else via tsx. */
export function haloCommand(): string[] {
  const ts = import.meta.url.endsWith('.ts');
  const main = join(here, '..', '..', 'src', 'cli', ts ? 'main.ts' : 'main.js');
  return ts ? ['--import', 'tsx', main] : [main];
}

export interface ConfigOptions {
  /** Seconds between check_haproxy runs (the article: 3). */
  readonly scriptInterval?: number;
  readonly fall?: number;
  readonly rise?: number;
  /** advert_int line added to VI_1 (the article has none: 1 s). */
  readonly advertInt?: number;
  readonly version?: 2 | 3;
  /** Replaces the priority of the article's file. */
  readonly priority?: number;
  readonly unicastPeers?: readonly string[];
  readonly unicastSrc?: string;
  /** Extra lines inside vrrp_instance VI_1. */
  readonly extra?: string;
  readonly password?: string;
  readonly vrid?: number;
}

/** The article's keepalived-master{n}.conf, rewritten to the lab. */
export function articleConfig(n: 1 | 2 | 3, dev: string, o: ConfigOptions = {}): string {
  let text = readFileSync(
    join(repoRoot(), 'test', 'golden', 'keepalived', `keepalived-master${n}.conf`),
    'utf8',
  );
  text = text
    .replaceAll('192.168.217.100', VIP)
    .replace(/router_id 192\.168\.217\.\d+/, `router_id lab-master${n}`)
    .replaceAll('ens33', dev);
  if (o.scriptInterval !== undefined)
    text = text.replace(/interval 3/, `interval ${o.scriptInterval}`);
  if (o.fall !== undefined) text = text.replace(/fall 3/, `fall ${o.fall}`);
  if (o.rise !== undefined) text = text.replace(/rise 3/, `rise ${o.rise}`);
  if (o.priority !== undefined) text = text.replace(/priority \d+/, `priority ${o.priority}`);
  if (o.password !== undefined) text = text.replace(/auth_pass 123456/, `auth_pass ${o.password}`);
  if (o.vrid !== undefined)
    text = text.replace(/virtual_router_id 50/, `virtual_router_id ${o.vrid}`);
  const lines: string[] = [];
  if (o.advertInt !== undefined) lines.push(`    advert_int ${o.advertInt}`);
  if (o.version !== undefined) lines.push(`    version ${o.version}`);
  if (o.unicastSrc) lines.push(`    unicast_src_ip ${o.unicastSrc}`);
  if (o.unicastPeers?.length) {
    lines.push('    unicast_peer {', ...o.unicastPeers.map((p) => `        ${p}`), '    }');
  }
  if (o.extra) lines.push(o.extra);
  if (o.version === 3) text = text.replace(/\s*authentication \{[^}]*\}/, '');
  if (lines.length) text = text.replace(/(vrrp_instance VI_1 \{\n)/, `$1${lines.join('\n')}\n`);
  return text;
}

export type Kind = 'halo' | 'keepalived';

export class VrrpNode {
  child: ChildProcess | undefined;
  out: OutputWatcher | undefined;
  listener: ChildProcess | undefined;
  readonly conf: string;
  readonly dataFile: string;

  constructor(
    readonly lab: Lab,
    readonly node: LabNode,
    readonly name: string,
    readonly kind: Kind,
    readonly dir: string,
  ) {
    this.conf = join(dir, `${name}.conf`);
    this.dataFile = join(dir, `${name}.json`);
  }

  get log(): string {
    return this.out?.text ?? '';
  }

  writeConfig(text: string): void {
    writeFileSync(this.conf, text);
  }

  start(): void {
    const { lab, node, dir, name } = this;
    const pid = join(dir, `${name}.pid`);
    this.child =
      this.kind === 'halo'
        ? lab.spawn(node.ns, process.execPath, [
            ...haloCommand(),
            'vrrp',
            '-n',
            '-l',
            '-D',
            '-f',
            this.conf,
            '-p',
            pid,
            '--data-file',
            this.dataFile,
          ])
        : lab.spawn(
            node.ns,
            KEEPALIVED,
            keepalivedArgs(this.conf, pid, join(dir, `${name}-vrrp.pid`)),
          );
    this.out = new OutputWatcher(this.child);
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
  }

  /** Starts what check_haproxy looks for: a listener on 127.0.0.1:9443 in the node. */
  async startListener(): Promise<void> {
    this.listener = this.lab.spawn(this.node.ns, 'socat', [
      'TCP-LISTEN:9443,bind=127.0.0.1,reuseaddr,fork',
      'SYSTEM:true',
    ]);
    await until(() => this.lab.exec(this.node.ns, 'ss', ['-ltn']).includes(':9443'), 5000);
  }

  async stopListener(): Promise<void> {
    if (this.listener) await stopChild(this.listener);
    this.listener = undefined;
  }

  hasVip(): boolean {
    return this.lab
      .exec(this.node.ns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', this.node.dev])
      .includes(` ${VIP}/`);
  }

  /** halo only: the SIGUSR1 state dump. */
  async dump(): Promise<VrrpDump> {
    rmSync(this.dataFile, { force: true });
    this.child?.kill('SIGUSR1');
    await until(() => existsSync(this.dataFile), 3000);
    return JSON.parse(readFileSync(this.dataFile, 'utf8')) as VrrpDump;
  }
}

/** A lab of VRRP nodes on one bridge: its namespaces, a temporary directory, the nodes. */
export interface VrrpGroup {
  readonly lab: Lab;
  readonly dir: string;
  /** Every namespace on the bridge, in the order asked for (nodes or not). */
  readonly lan: readonly LabNode[];
  /** One per kind, on the first namespaces; not started. */
  readonly nodes: readonly VrrpNode[];
  /** The switch namespace that holds the bridge. */
  readonly sw: string;
}

export interface GroupOptions {
  /** The lab's name prefix, short and distinct per test file (namespace names carry it). */
  readonly prefix: string;
  /** What runs on the first namespaces: a node per entry. */
  readonly kinds: readonly Kind[];
  /** The bridge's namespaces; default m1, m2, ... one per kind. */
  readonly namespaces?: readonly string[];
  /** The nodes' names (their config/pid/dump files); default master1, master2, ... */
  readonly names?: readonly string[];
}

/** Builds the bridge, its namespaces and a directory for the nodes' files; nothing started. */
export async function startGroup(o: GroupOptions): Promise<VrrpGroup> {
  const lab = new Lab(o.prefix);
  const dir = mkdtempSync(join(tmpdir(), `halo-${o.prefix}-`));
  try {
    const lan = lab.bridgedNodes([...(o.namespaces ?? o.kinds.map((_, i) => `m${i + 1}`))]);
    const nodes = o.kinds.map((kind, i) => {
      const node = lan[i];
      if (!node) throw new Error(`no namespace for node ${i + 1}`);
      return new VrrpNode(lab, node, o.names?.[i] ?? `master${i + 1}`, kind, dir);
    });
    return { lab, dir, lan, nodes, sw: lab.namespaces[0] ?? '' };
  } catch (e) {
    await teardown({ lab, dir, lan: [], nodes: [], sw: '' });
    throw e;
  }
}

/** Stops the nodes, deletes the namespaces (with whatever else the lab started) and the files. */
export async function teardown(g: VrrpGroup | undefined): Promise<void> {
  if (!g) return;
  await Promise.all(g.nodes.map((n) => n.stop()));
  await g.lab.destroy();
  rmSync(g.dir, { recursive: true, force: true });
}

/** Each node gets the article's file of its rank (master1..3) and check_haproxy's listener. */
export async function articleNodes(
  nodes: readonly VrrpNode[],
  o: ConfigOptions = {},
): Promise<void> {
  for (const [i, n] of nodes.entries()) {
    n.writeConfig(articleConfig((i + 1) as 1 | 2 | 3, n.node.dev, o));
    await n.startListener();
  }
}

/** Starts the first node alone until it holds the VIP, then the others until they are BACKUP. */
export async function startFirstThenOthers(nodes: readonly VrrpNode[]): Promise<void> {
  const [first, ...others] = nodes;
  if (!first) return;
  first.start();
  await vipOnlyOn(nodes, first.name, 15_000);
  for (const n of others) n.start();
  for (const n of others) await n.out?.waitFor(/Entering BACKUP STATE/, 10_000);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls fn every 50 ms until it is true; rejects after timeoutMs. */
export async function until(
  fn: () => boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (fn()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(50);
  }
}

/** The names of the nodes that hold the VIP. */
export function vipHolders(nodes: readonly VrrpNode[]): string[] {
  return nodes.filter((n) => n.hasVip()).map((n) => n.name);
}

/** Waits until exactly `name` holds the VIP; returns the time it took in ms. */
export function vipOnlyOn(
  nodes: readonly VrrpNode[],
  name: string,
  timeoutMs: number,
): Promise<number> {
  let last: string[] = [];
  return until(
    () => {
      last = vipHolders(nodes);
      return last.length === 1 && last[0] === name;
    },
    timeoutMs,
    `VIP only on ${name}`,
  ).catch((e: Error) => {
    throw new Error(
      `${e.message} (holders: ${last.join(',') || 'none'})\n${nodes.map((n) => `--- ${n.name} (${n.kind})\n${n.log}`).join('\n')}`,
    );
  });
}

/** Asserts that the lines appear in this order in text (other lines may come between). */
export function inOrder(text: string, lines: readonly string[]): string | undefined {
  let at = 0;
  for (const l of lines) {
    const i = text.indexOf(l, at);
    if (i < 0) return `missing (in order) after offset ${at}: ${l}`;
    at = i + l.length;
  }
  return undefined;
}
