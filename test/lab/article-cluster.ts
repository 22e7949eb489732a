// Lab helper for client-side failover figures: the article's cluster in named namespaces.
// Three masters (198.51.100.11-13) and a client (.14) on one bridge; on each master a
// stand-in kube-apiserver (TLS on :6443, a `/watch` stream) and either the real stack
// (HAProxy 2.6 + Keepalived 2.2.7 on the article's files, check_haproxy every 3 s) or
// `halo run` on the same files with `track_proxy` in place of the script. Only the
// addresses, the interface, the root-only settings (chroot, user, daemon, /var paths) and
// the article's mode trap (a tcp frontend on an http backend, which HAProxy refuses) are
// rewritten. Every process is started by PID and stopped by destroy().

import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSigned } from '../integration/init-apiservers.js';
import { ip, Lab, type LabNode, OutputWatcher, stopChild } from './netns.js';
import { haloCommand, KEEPALIVED, keepalivedArgs, until, VIP } from './vrrp-harness.js';

export type Stack = 'real' | 'halo';

export interface ClusterOptions {
  readonly stack: Stack;
  readonly version: 2 | 3;
  /** advert_int in seconds (the article's 1 by default). */
  readonly advertInt?: number;
}

// dist/test/lab or test/lab: the first examples/article/ above.
const ARTICLE = [2, 3]
  .map((up) => join(import.meta.dirname, ...Array<string>(up).fill('..'), 'examples', 'article'))
  .find((d) => existsSync(d))!;
const HAPROXY = '/usr/sbin/haproxy';

/** The stand-in apiserver: TLS on :6443; `/watch` streams its name every 100 ms. */
const APISERVER = `
const https = require('node:https');
const fs = require('node:fs');
const [name, dir] = process.argv.slice(1);
https.createServer({ key: fs.readFileSync(dir + '/key.pem'), cert: fs.readFileSync(dir + '/cert.pem') }, (q, r) => {
  if (q.url.startsWith('/watch')) {
    r.writeHead(200, { 'content-type': 'text/plain' });
    const t = setInterval(() => r.write(name + '\\n'), 100);
    r.on('close', () => clearInterval(t));
    return;
  }
  r.end('ok');
}).listen(6443, '0.0.0.0');
`;

export function articleHaproxy(dir: string, name: string): string {
  let t = readFileSync(join(ARTICLE, 'haproxy.cfg'), 'utf8');
  ['19', '20', '21'].forEach((h, i) => {
    t = t.replace(`192.168.217.${h}:6443`, `198.51.100.${11 + i}:6443`);
  });
  return t
    .replace(/^\s*(chroot|user|group|daemon|pidfile)\b.*$/gm, '')
    .replace('/var/lib/haproxy/stats', join(dir, `${name}-stats.sock`))
    .replace(/^(backend apiserver\n)/m, '$1    mode tcp\n');
}

/** The article's keepalived.conf for master n; `halo` swaps check_haproxy for track_proxy. */
export function articleKeepalived(n: 1 | 2 | 3, o: ClusterOptions): string {
  let t = readFileSync(join(ARTICLE, `keepalived-master${n}.conf`), 'utf8')
    .replaceAll('192.168.217.100', VIP)
    .replace(/router_id \S+/, `router_id lab-master${n}`)
    .replaceAll('ens33', 'eth0');
  const extra = [`    advert_int ${o.advertInt ?? 1}`, `    version ${o.version}`];
  if (o.version === 3) t = t.replace(/\s*authentication \{[^}]*\}/, '');
  t = t.replace(/(vrrp_instance VI_1 \{\n)/, `$1${extra.join('\n')}\n`);
  if (o.stack === 'halo') {
    t = t.replace(
      /\s*track_script \{[^}]*\}/,
      '\n    track_proxy {\n        backend apiserver\n        frontend apiserver\n        worker\n    }',
    );
  }
  return t;
}

export class Master {
  apiserver: ChildProcess | undefined;
  /** HAProxy (real stack) or `halo run`. */
  proxy: ChildProcess | undefined;
  keepalived: ChildProcess | undefined;
  out: OutputWatcher | undefined;
  readonly haproxyFile: string;
  readonly keepalivedFile: string;

  constructor(
    readonly cluster: ArticleCluster,
    readonly node: LabNode,
    readonly n: 1 | 2 | 3,
  ) {
    const { dir, opts } = cluster;
    this.haproxyFile = join(dir, `master${n}-haproxy.cfg`);
    this.keepalivedFile = join(dir, `master${n}-keepalived.conf`);
    writeFileSync(this.haproxyFile, articleHaproxy(dir, `master${n}`));
    writeFileSync(this.keepalivedFile, articleKeepalived(n, opts));
  }

  get name(): string {
    return `master${this.n}`;
  }

  get log(): string {
    return this.out?.text ?? '';
  }

  get mac(): string {
    return JSON.parse(ip(['-n', this.node.ns, '-j', 'link', 'show', 'eth0']))[0].address;
  }

  startApiserver(): void {
    const { lab, dir } = this.cluster;
    this.apiserver = lab.spawn(this.node.ns, process.execPath, ['-e', APISERVER, this.name, dir]);
  }

  async stopApiserver(): Promise<void> {
    if (this.apiserver) await stopChild(this.apiserver);
    this.apiserver = undefined;
  }

  /** The proxy alone (real stack: HAProxy in the foreground). */
  startProxy(): void {
    this.proxy = this.cluster.lab.spawn(this.node.ns, HAPROXY, ['-db', '-f', this.haproxyFile]);
  }

  async stopProxy(): Promise<void> {
    if (this.proxy) await stopChild(this.proxy);
    this.proxy = undefined;
  }

  /** What holds the VIP: Keepalived (real stack) or `halo run` (proxy and VRRP). */
  startVrrp(): void {
    const { lab, dir } = this.cluster;
    if (this.cluster.opts.stack === 'halo') {
      this.proxy = lab.spawn(this.node.ns, process.execPath, [
        ...haloCommand(),
        'run',
        '-f',
        this.haproxyFile,
        '-f',
        this.keepalivedFile,
      ]);
      this.out = new OutputWatcher(this.proxy);
      return;
    }
    const pid = (s: string) => join(dir, `${this.name}${s}.pid`);
    this.keepalived = lab.spawn(
      this.node.ns,
      KEEPALIVED,
      keepalivedArgs(this.keepalivedFile, pid(''), pid('-vrrp')),
    );
    this.out = new OutputWatcher(this.keepalived);
  }

  /** Every process of the node (VRRP, proxy and its workers, apiserver): the node freezes. */
  allPids(): number[] {
    const roots = [this.proxy, this.keepalived, this.apiserver].flatMap((c) =>
      c?.pid ? [c.pid] : [],
    );
    const out: number[] = [];
    const walk = (pid: number) => {
      out.push(pid);
      let kids = '';
      try {
        kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
      } catch {
        return; // gone
      }
      for (const k of kids.split(' ').filter(Boolean)) walk(Number(k));
    };
    for (const r of roots) walk(r);
    return out;
  }

  /** SIGSTOP (or SIGCONT) to every process of the node. */
  freeze(on: boolean): void {
    for (const pid of this.allPids()) {
      try {
        process.kill(pid, on ? 'SIGSTOP' : 'SIGCONT');
      } catch {
        // exited meanwhile
      }
    }
  }

  /** SIGTERM to what holds the VIP (halo run: the whole node; real: Keepalived). */
  async stopVrrp(): Promise<void> {
    const c = this.cluster.opts.stack === 'halo' ? this.proxy : this.keepalived;
    if (c) await stopChild(c);
    if (this.cluster.opts.stack === 'halo') this.proxy = undefined;
    else this.keepalived = undefined;
  }

  hasVip(): boolean {
    return ip(['-n', this.node.ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0']).includes(` ${VIP}/`);
  }

  link(up: boolean): void {
    ip(['-n', this.node.ns, 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }
}

export class ArticleCluster {
  readonly lab: Lab;
  readonly dir: string;
  readonly masters: readonly Master[];
  readonly client: LabNode;

  constructor(readonly opts: ClusterOptions) {
    this.lab = new Lab('hbo');
    this.dir = mkdtempSync(join(tmpdir(), 'halo-blackout-'));
    const creds = selfSigned();
    writeFileSync(join(this.dir, 'key.pem'), creds.key);
    writeFileSync(join(this.dir, 'cert.pem'), creds.cert);
    const lan = this.lab.bridgedNodes(['m1', 'm2', 'm3', 'cl']);
    this.client = lan[3]!;
    this.masters = [1, 2, 3].map((n) => new Master(this, lan[n - 1]!, n as 1 | 2 | 3));
  }

  /** Apiservers and proxies everywhere, then master1's VRRP alone, then the others. */
  async start(): Promise<void> {
    for (const m of this.masters) m.startApiserver();
    if (this.opts.stack === 'real') for (const m of this.masters) m.startProxy();
    const [m1, ...others] = this.masters;
    m1!.startVrrp();
    await this.waitHolder(m1!, 20_000);
    for (const m of others) m.startVrrp();
    for (const m of others) await m.out!.waitFor(/Entering BACKUP STATE|-> BACKUP/, 15_000);
    if (this.opts.stack === 'real') {
      // check_haproxy (interval 3, rise 3) moves the priorities for its first ~9 s.
      for (const m of this.masters) await m.out!.waitFor(/check_haproxy.*succeeded/, 20_000);
      await this.waitHolder(m1!, 20_000);
    }
  }

  holders(): string[] {
    return this.masters.filter((m) => m.hasVip()).map((m) => m.name);
  }

  /** Waits until exactly m holds the VIP (looking every 50 ms); returns how long it took. */
  async waitHolder(m: Master, timeoutMs: number): Promise<number> {
    const t0 = performance.now();
    await until(
      () => {
        const h = this.holders();
        return h.length === 1 && h[0] === m.name;
      },
      timeoutMs,
      `VIP only on ${m.name}`,
    ).catch((e: Error) => {
      const logs = this.masters.map((x) => `--- ${x.name}\n${x.log.slice(-3000)}`).join('\n');
      throw new Error(`${e.message} (holders: ${this.holders().join(',')})\n${logs}`);
    });
    return performance.now() - t0;
  }

  /** A process in the client namespace. */
  spawnClient(cmd: string, args: string[]): ChildProcess {
    return this.lab.spawn(this.client.ns, cmd, args);
  }

  async destroy(): Promise<void> {
    for (const m of this.masters) {
      try {
        m.link(true);
        m.freeze(false);
      } catch {
        // gone already
      }
    }
    await Promise.all(this.masters.map((m) => m.stopVrrp()));
    await this.lab.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
