// The lab's keeper (`halo lab inner DIR`): builds the namespaces, starts every master's
// apiserver and `halo run`, then answers requests on the control socket (one JSON line in,
// one JSON line out) until `down`. Rootless, it runs as root of its own user namespace
// (`unshare -Urnm`), where `ip netns add`, veths, the bridge and raw VRRP sockets work and
// vanish with it; as root, its namespaces are named ones in /run/netns (`ip netns list`).

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvServers, runtimeApi } from '../cli/demo/article-lab.js';
import { makeLabCert } from './lab-cert.js';
import { applyFault, formatMeasurement, type Measurement, measure } from './lab-faults.js';
import { buildNetwork, deleteNamespaces, labNamespaces, vipHolders } from './lab-netns.js';
import { MasterNode } from './lab-nodes.js';
import {
  FAULTS,
  type Fault,
  LAB_VIP,
  labMasters,
  parseFault,
  rewriteHaproxy,
  rewriteKeepalived,
  soleHolder,
} from './topology.js';

export interface LabRequest {
  readonly cmd: string;
  readonly node?: string;
  readonly fault?: string;
}

export interface LabReply {
  readonly rc: number;
  readonly text: string;
  readonly data?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const mount = (args: string[]) => execFileSync('mount', args, { stdio: 'ignore' });

/**
 * Rootless: `ip netns add` needs a /run/netns of our own (the host's belongs to root), made
 * in our mount namespace only. Where the host has none (no one ever ran `ip netns add`),
 * /run itself gets a tmpfs, with the host's /run/user bound back for $XDG_RUNTIME_DIR.
 */
function ownRunNetns(): void {
  if (existsSync('/run/netns')) {
    mount(['-t', 'tmpfs', '-o', 'mode=0755', 'halo-lab', '/run/netns']);
    return;
  }
  // /run/user is moved aside (to a directory outside /run), then moved back onto the tmpfs.
  const aside = existsSync('/run/user') ? mkdtempSync(join(tmpdir(), 'halo-lab-run-')) : undefined;
  if (aside) mount(['--rbind', '/run/user', aside]);
  mount(['-t', 'tmpfs', '-o', 'mode=0755', 'halo-lab', '/run']);
  mkdirSync('/run/netns');
  if (aside) {
    mkdirSync('/run/user');
    mount(['--move', aside, '/run/user']);
    rmdirSync(aside);
  }
}

export class LabKeeper {
  readonly masters = labMasters();
  readonly nodes: MasterNode[] = [];
  readonly notes: string[] = [];
  private readonly faults = new Map<string, { fault: Fault; holder: string | undefined }>();
  private server: Server | undefined;
  private busy = false;

  constructor(
    readonly dir: string,
    readonly article: string,
    /** In a user namespace of our own (not the host's root): /run/netns is made ours first. */
    readonly rootless: boolean,
  ) {}

  /** Everything up and the VIP on master1, or throws (the caller tears down). */
  async build(): Promise<void> {
    if (this.rootless) ownRunNetns();
    deleteNamespaces(labNamespaces());
    buildNetwork(this.masters);
    const cert = makeLabCert(this.dir);
    this.notes.push(
      cert.source === 'openssl'
        ? 'fake apiserver certificate: self-signed, made now with openssl'
        : "fake apiserver certificate: openssl not on PATH, halo's built-in lab-only pair (its key is public)",
    );
    const haproxy = readFileSync(join(this.article, 'haproxy.cfg'), 'utf8');
    for (const m of this.masters) {
      const node = new MasterNode(m, this.dir, cert);
      const h = rewriteHaproxy(haproxy, m, this.dir);
      const kText = readFileSync(join(this.article, `keepalived-${m.name}.conf`), 'utf8');
      const k = rewriteKeepalived(kText, m);
      writeFileSync(node.haproxyFile, h.text);
      writeFileSync(node.keepalivedFile, k.text);
      if (m.index === 1) this.notes.push(...h.notes, ...k.notes);
      this.nodes.push(node);
    }
    for (const n of this.nodes) n.startApiserver();
    for (const n of this.nodes) n.startRun();
    const t0 = performance.now();
    while (soleHolder(vipHolders(this.masters)) !== 'master1') {
      if (performance.now() - t0 > 20_000)
        throw new Error('the VIP did not come up on master1 within 20 s');
      if (this.nodes.some((n) => n.run?.exitCode !== null && n.run?.exitCode !== undefined))
        throw new Error(`a halo run exited; see ${this.dir}/master*.log`);
      await sleep(50);
    }
  }

  listen(path: string): Promise<void> {
    rmSync(path, { force: true });
    this.server = createServer((s) => {
      let buf = '';
      s.on('error', () => s.destroy());
      s.on('data', (d) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        let req: LabRequest;
        try {
          req = JSON.parse(buf.slice(0, nl)) as LabRequest;
        } catch {
          s.end(`${JSON.stringify({ rc: 2, text: 'bad request' })}\n`);
          return;
        }
        this.handle(req)
          .catch((e: Error) => ({ rc: 1, text: `halo lab: ${e.message}` }))
          .then((r) => s.end(`${JSON.stringify(r)}\n`));
      });
    });
    return new Promise((resolve) => this.server!.listen(path, () => resolve()));
  }

  async handle(req: LabRequest): Promise<LabReply> {
    if (req.cmd === 'ping') return { rc: 0, text: 'up', data: { notes: this.notes } };
    if (req.cmd === 'status') return this.status();
    if (req.cmd === 'down') {
      setImmediate(() => this.emitDown());
      return { rc: 0, text: 'tearing down' };
    }
    if (this.busy) return { rc: 1, text: 'another fail/recover/drill is running' };
    this.busy = true;
    try {
      if (req.cmd === 'fail') return await this.fail(req.node ?? '', req.fault);
      if (req.cmd === 'recover') return await this.recover(req.node ?? '');
      if (req.cmd === 'drill') return await this.drill();
      return { rc: 2, text: `unknown request '${req.cmd}'` };
    } finally {
      this.busy = false;
    }
  }

  onDown: () => void = () => {};
  private emitDown(): void {
    this.onDown();
  }

  /**
   * The node that alone holds the VIP among those that can answer: a frozen or unplugged
   * node keeps the address in its kernel but no client reaches it.
   */
  holder(): string | undefined {
    const out = (n: string) => ['freeze', 'link'].includes(this.faults.get(n)?.fault ?? '');
    return soleHolder(vipHolders(this.masters).filter((n) => !out(n)));
  }

  private node(name: string): MasterNode | undefined {
    return this.nodes.find((n) => n.m.name === name);
  }

  async status(): Promise<LabReply> {
    const holders = vipHolders(this.masters);
    const lines = [`VIP ${LAB_VIP} on ${holders.join(', ') || 'no node'}`];
    const data: Record<string, unknown> = { holders };
    for (const n of this.nodes) {
      const vrrp = await runtimeApi(n.sock, 'show vrrp');
      const inst = vrrp.split('\n').find((l) => /^VI_1 [A-Z]+ \d+ /.test(l));
      const f = inst?.split(' ') ?? [];
      // The second table of `show vrrp` (after the first blank line) lists the trackers.
      const trackers = (vrrp.split('\n\n')[1] ?? '')
        .split('\n')
        .filter((l) => /^VI_1 (good|bad|FAULT) /.test(l))
        .map((l) => {
          const [, state, , , ...name] = l.split(' ');
          return `${name.join(' ')} ${state}`;
        });
      const stat = csvServers(await runtimeApi(n.sock, 'show stat'));
      const fault = this.faults.get(n.m.name);
      lines.push(
        `${n.m.name} ${n.m.address}: ${f[1] ?? '(no answer on its runtime API)'} priority ${f[5] ?? '?'} (base ${f[4] ?? '?'})` +
          `${fault ? `, fault '${fault.fault}' injected` : ''}`,
        `  trackers: ${trackers.join(', ') || '-'}`,
        `  backend apiserver: ${stat.join(', ') || '-'}`,
      );
      data[n.m.name] = { state: f[1], priority: Number(f[5]), trackers, servers: stat };
    }
    return { rc: 0, text: lines.join('\n'), data };
  }

  async fail(name: string, faultArg: string | undefined): Promise<LabReply> {
    const node = this.node(name);
    const fault = parseFault(faultArg);
    if (!node) return { rc: 2, text: `no node '${name}' (master1, master2, master3)` };
    if (!fault) return { rc: 2, text: `no fault '${faultArg}' (${FAULTS.join(', ')})` };
    if (this.faults.has(name))
      return { rc: 1, text: `${name} already has a fault; recover it first` };
    const holder = this.holder();
    // An apiserver fault does not move the VIP (the backend keeps two servers): watch 3 s.
    const waitMs = fault === 'apiserver' || holder !== name ? 3000 : 15_000;
    const r = await measure(
      () => this.holder(),
      { action: 'fail', fault, node: name },
      async () => {
        this.faults.set(name, { fault, holder });
        await applyFault(node, fault, true);
      },
      (h) => h !== undefined && h !== holder,
      waitMs,
    );
    return { rc: 0, text: formatMeasurement(r), data: r };
  }

  async recover(name: string): Promise<LabReply> {
    const node = this.node(name);
    const f = this.faults.get(name);
    if (!node) return { rc: 2, text: `no node '${name}' (master1, master2, master3)` };
    if (!f) return { rc: 1, text: `${name} has no fault to recover` };
    const now = this.holder();
    const r = await measure(
      () => this.holder(),
      { action: 'recover', fault: f.fault, node: name },
      async () => {
        await applyFault(node, f.fault, false);
        this.faults.delete(name);
      },
      (h) => h === f.holder,
      f.holder !== now ? 15_000 : 3000,
    );
    return { rc: 0, text: formatMeasurement(r), data: r };
  }

  async drill(): Promise<LabReply> {
    const rows: Measurement[] = [];
    for (const fault of FAULTS) {
      const holder = this.holder() ?? 'master1';
      for (const step of ['fail', 'recover'] as const) {
        const r = step === 'fail' ? await this.fail(holder, fault) : await this.recover(holder);
        if (r.data) rows.push(r.data as Measurement);
      }
      await sleep(1000);
    }
    const head = '| fault | node | step | VIP | move ms | blackout ms | failed/attempts |';
    const table = rows.map(
      (r) =>
        `| ${r.fault} | ${r.node} | ${r.action} | ${r.before ?? '-'} -> ${r.after ?? '-'} | ` +
        `${r.moveMs?.toFixed(0) ?? '-'} | ${r.blackoutMs.toFixed(0)} | ${r.failures}/${r.attempts} |`,
    );
    return {
      rc: 0,
      text: [head, '| --- | --- | --- | --- | --- | --- | --- |', ...table].join('\n'),
      data: rows,
    };
  }

  async teardown(): Promise<void> {
    this.server?.close();
    for (const [name, f] of this.faults) {
      const n = this.node(name);
      if (n && f.fault === 'freeze') await applyFault(n, 'freeze', false);
    }
    await Promise.all(this.nodes.map((n) => n.stop()));
    deleteNamespaces(labNamespaces());
  }
}
