// Lab helper for `halo run`: nodes on a bridge (198.51.100.0/24, VIP 198.51.100.100), each
// with a TCP echo backend on its own loopback (127.0.0.1:16443), a haproxy.cfg whose
// frontend `apiserver` (*:9443) balances to it with checks every 100 ms, and a
// keepalived.conf with the built-in trackers. Everything is started by PID and stopped by
// the lab's teardown.

import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabNode, OutputWatcher, stopChild } from './netns.js';
import { haloCommand, KEEPALIVED, keepalivedArgs, until, VIP } from './vrrp-harness.js';

export const BACKEND_PORT = 16443;
export const FRONTEND_PORT = 9443;

const ECHO = `require('node:net').createServer((s) => s.pipe(s)).listen(${BACKEND_PORT}, '127.0.0.1')`;
/** An HTTP backend instead (for load generators such as wrk). */
const HTTP_OK = `require('node:http').createServer((q, r) => r.end('ok')).listen(${BACKEND_PORT}, '127.0.0.1')`;

export interface RunNodeOptions {
  readonly priority: number;
  readonly advertInt?: number;
  /** The track_proxy block's lines (default: the backend, the frontend and the worker, FAULT). */
  readonly trackers?: readonly string[];
  readonly version?: 2 | 3;
  /** `keepalived`: the real Keepalived on the same VRRP lines (no track_proxy), as reference. */
  readonly kind?: 'halo' | 'keepalived';
  /** The backend on the node's loopback: a TCP echo (default) or an HTTP server. */
  readonly backend?: 'echo' | 'http';
  /** Sections appended to the node's haproxy.cfg (a stats listen with /metrics...). */
  readonly haproxyExtra?: string;
}

export function haproxyConfig(sock: string): string {
  return `global
    stats socket ${sock} level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend apiserver
    bind *:${FRONTEND_PORT}
    default_backend kubernetes-apiserver
backend kubernetes-apiserver
    server s1 127.0.0.1:${BACKEND_PORT} check inter 100 fall 1 rise 1
`;
}

export function keepalivedConfig(dev: string, o: RunNodeOptions): string {
  const trackers = o.trackers ?? ['backend kubernetes-apiserver', 'frontend apiserver', 'worker'];
  const track =
    o.kind === 'keepalived'
      ? ''
      : `    track_proxy {\n${trackers.map((t) => `        ${t}\n`).join('')}    }\n`;
  return `vrrp_instance VI_1 {
    state BACKUP
    interface ${dev}
    virtual_router_id 61
    priority ${o.priority}
    advert_int ${o.advertInt ?? 1}
    version ${o.version ?? 2}
    virtual_ipaddress {
        ${VIP}/24
    }
${track}}
`;
}

export class RunNode {
  child: ChildProcess | undefined;
  out: OutputWatcher | undefined;
  echo: ChildProcess | undefined;
  readonly haproxyFile: string;
  readonly keepalivedFile: string;
  readonly sock: string;

  constructor(
    readonly lab: Lab,
    readonly node: LabNode,
    readonly name: string,
    readonly dir: string,
    readonly opts: RunNodeOptions,
  ) {
    this.haproxyFile = join(dir, `${name}-haproxy.cfg`);
    this.keepalivedFile = join(dir, `${name}-keepalived.conf`);
    this.sock = join(dir, `${name}.sock`);
    writeFileSync(this.haproxyFile, haproxyConfig(this.sock) + (opts.haproxyExtra ?? ''));
    writeFileSync(this.keepalivedFile, keepalivedConfig(node.dev, opts));
  }

  get log(): string {
    return this.out?.text ?? '';
  }

  async startBackend(): Promise<void> {
    const code = this.opts.backend === 'http' ? HTTP_OK : ECHO;
    this.echo = this.lab.spawn(this.node.ns, process.execPath, ['-e', code]);
    await until(
      () => this.lab.exec(this.node.ns, 'ss', ['-ltn']).includes(`:${BACKEND_PORT}`),
      5000,
      'echo backend listening',
    );
  }

  async stopBackend(): Promise<void> {
    if (this.echo) await stopChild(this.echo);
    this.echo = undefined;
  }

  start(): void {
    if (this.opts.kind === 'keepalived') {
      const pid = (n: string) => join(this.dir, `${this.name}${n}.pid`);
      this.child = this.lab.spawn(
        this.node.ns,
        KEEPALIVED,
        keepalivedArgs(this.keepalivedFile, pid(''), pid('-vrrp')),
      );
      this.out = new OutputWatcher(this.child);
      return;
    }
    this.child = this.lab.spawn(this.node.ns, process.execPath, [
      ...haloCommand(),
      'run',
      '-f',
      this.haproxyFile,
      '-f',
      this.keepalivedFile,
    ]);
    this.out = new OutputWatcher(this.child);
  }

  /** SIGTERM (halo run stops VRRP first) and wait for the exit. */
  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
  }

  hasVip(): boolean {
    return this.lab
      .exec(this.node.ns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', this.node.dev])
      .includes(` ${VIP}/`);
  }

  /** `show vrrp` on the runtime API socket, as an operator types it (socat). */
  showVrrp(): string {
    return execFileSync('socat', ['-', `UNIX-CONNECT:${this.sock}`], {
      input: 'show vrrp\n',
      encoding: 'utf8',
    });
  }
}

export interface RunGroup {
  readonly lab: Lab;
  readonly dir: string;
  readonly nodes: readonly RunNode[];
}

export function runGroup(prefix: string, opts: readonly RunNodeOptions[]): RunGroup {
  const lab = new Lab(prefix);
  const dir = mkdtempSync(join(tmpdir(), `halo-${prefix}-`));
  const lan = lab.bridgedNodes(opts.map((_, i) => `m${i + 1}`));
  const nodes = opts.map((o, i) => new RunNode(lab, lan[i]!, `master${i + 1}`, dir, o));
  return { lab, dir, nodes };
}

export async function teardownRun(g: RunGroup | undefined): Promise<void> {
  if (!g) return;
  await Promise.all(g.nodes.map((n) => n.stop()));
  await g.lab.destroy();
  rmSync(g.dir, { recursive: true, force: true });
}

/**
 * Waits until exactly `name` holds the VIP, looking every 10 ms (a takeover is measured
 * with it); returns how long that took (ms).
 */
export async function vipOnly(g: RunGroup, name: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let holders: string[] = [];
  for (;;) {
    holders = g.nodes.filter((n) => n.hasVip()).map((n) => n.name);
    if (holders.length === 1 && holders[0] === name) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const logs = g.nodes.map((n) => `--- ${n.name}\n${n.log}`).join('\n');
  throw new Error(
    `timed out after ${timeoutMs} ms: VIP only on ${name} (holders: ${holders.join(',') || 'none'})\n${logs}`,
  );
}
