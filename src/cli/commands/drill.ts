// `halo drill stop-proxy|kill-apiserver|freeze|cut-link`: a fire drill on the running
// `halo run` node this command runs on. It probes the VIP as a client would (VipProbe),
// injects one fault, holds it, restores it, and prints the blackouts the client saw,
// timed from the injection. The restore always runs: after the hold, on an error, on
// Ctrl-C/SIGTERM, and at a hard deadline; the whole drill is bounded in time.
//
//   stop-proxy      SIGTTOU to the halo run process: the proxy closes its listeners (new
//                   connections refused, sessions kept), the frontend tracker turns bad.
//                   Restore: SIGTTIN (listen again).
//   kill-apiserver  `set server B/S state maint` for every server of the tracked backends
//                   (or --server B/S): the backend tracker sees none UP, as when the
//                   apiservers die. Restore: `state ready`. With --stop CMD / --start CMD
//                   the commands really stop and start it instead (e.g. systemctl).
//   freeze          SIGSTOP to the halo run process and its workers (a hung node: no
//                   adverts, no proxying). Restore: SIGCONT.
//   cut-link        `ip link set DEV down` on the VRRP interface (root only). Restore: up.

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Blackout } from '../../probe/blackout.js';
import { VipProbe } from '../../probe/vip-probe.js';
import {
  type NodeStatus,
  parseNodeStatus,
  serversOf,
  trackedBackends,
} from '../../run/node-status.js';
import type { Command, CommandIO } from '../command.js';
import { runtimeCommand } from '../runtime-socket.js';

const KINDS = ['stop-proxy', 'kill-apiserver', 'freeze', 'cut-link'] as const;
type DrillKind = (typeof KINDS)[number];

const USAGE = `Usage: halo drill stop-proxy|kill-apiserver|freeze|cut-link -s SOCKET [options]

Runs on a node of a running \`halo run\` group (SOCKET: its runtime API, level admin):
probes the VIP every 10 ms as a client would, injects the fault on this node, holds it,
restores it (always: also on Ctrl-C, errors and a hard deadline), and prints the
blackouts the client saw, timed from the injection.
  stop-proxy      SIGTTOU to halo run (listeners closed); restore SIGTTIN
  kill-apiserver  tracked backends' servers set to maint (or --stop/--start CMD); restore ready
  freeze          SIGSTOP halo run and its workers; restore SIGCONT
  cut-link        ip link set DEV down on the VRRP interface (root); restore up
Options:
  --probe HOST:PORT  what to probe (default: the first VIP, port 9443)
  --tcp              TCP connect only (default: TLS handshake)
  --source ADDR      connect from this local address (a client's address on this host)
  --hold S           how long the fault lasts (default 5)
  --before S / --after S  probing before the fault / after the restore (default 1 / 3)
  --pid PID          the halo run process (default: the parent of \`show info\`'s Pid)
  --server B/S       kill-apiserver: this server only (repeatable)
  --stop CMD --start CMD  kill-apiserver: really stop and start it with these commands
  --json             one JSON summary line
Exit 0 after a restore, 1 when the drill or its restore failed, 2 on bad usage.`;

interface DrillArgs {
  kind: DrillKind;
  socket?: string;
  probe?: string;
  tls: boolean;
  source?: string;
  holdMs: number;
  beforeMs: number;
  afterMs: number;
  pid?: number;
  servers: string[];
  stopCmd?: string;
  startCmd?: string;
  json: boolean;
}

const SECONDS = { '--hold': 'holdMs', '--before': 'beforeMs', '--after': 'afterMs' } as const;

export function parseDrillArgs(argv: readonly string[]): DrillArgs | string {
  const kind = argv[0] as DrillKind;
  if (!KINDS.includes(kind)) return `unknown drill '${argv[0] ?? ''}' (${KINDS.join(', ')})`;
  const o: DrillArgs = {
    kind,
    tls: true,
    holdMs: 5000,
    beforeMs: 1000,
    afterMs: 3000,
    servers: [],
    json: false,
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--tcp') o.tls = false;
    else if (a === '--json') o.json = true;
    else {
      const v = argv[++i];
      if (v === undefined) return `option '${a}' needs a value`;
      if (a in SECONDS) {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0 || n > 600)
          return `${a} needs seconds (0 to 600), got '${v}'`;
        o[SECONDS[a as keyof typeof SECONDS]] = n * 1000;
      } else if (a === '-s' || a === '--socket') o.socket = v;
      else if (a === '--probe') o.probe = v;
      else if (a === '--source') o.source = v;
      else if (a === '--server') o.servers.push(v);
      else if (a === '--stop') o.stopCmd = v;
      else if (a === '--start') o.startCmd = v;
      else if (a === '--pid') {
        o.pid = Number(v);
        if (!Number.isInteger(o.pid) || o.pid <= 1) return `--pid needs a process id, got '${v}'`;
      } else return `unknown option '${a}'`;
    }
  }
  if (!o.socket) return 'no -s SOCKET given';
  if ((o.stopCmd === undefined) !== (o.startCmd === undefined))
    return '--stop and --start go together';
  return o;
}

/** What the drill does to the node and how it undoes it. */
interface Fault {
  readonly what: string;
  inject(): Promise<void>;
  restore(): Promise<void>;
}

function sh(cmd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', cmd], { timeout: 10_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`'${cmd}': ${stderr.trim() || err.message}`)) : resolve(),
    );
  });
}

function run(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000 }, (err, _out, stderr) =>
      err
        ? reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`))
        : resolve(),
    );
  });
}

const ppid = (pid: number): number | undefined => {
  try {
    const m = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
};

/** The node process: --pid, else the parent of the worker that answers `show info`. */
async function nodePid(o: DrillArgs): Promise<number> {
  if (o.pid) return o.pid;
  const info = await runtimeCommand(o.socket!, 'show info');
  const worker = Number(/^Pid: (\d+)$/m.exec(info)?.[1]);
  const parent = Number.isInteger(worker) ? ppid(worker) : undefined;
  if (!parent || parent <= 1)
    throw new Error(`cannot find the halo run process from Pid ${worker}; give --pid`);
  return parent;
}

function children(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => ppid(p) === pid);
}

async function fault(o: DrillArgs, node: NodeStatus): Promise<Fault> {
  const socket = o.socket!;
  switch (o.kind) {
    case 'stop-proxy': {
      const pid = await nodePid(o);
      return {
        what: `SIGTTOU to halo run ${pid} (listeners closed)`,
        inject: async () => void process.kill(pid, 'SIGTTOU'),
        restore: async () => void process.kill(pid, 'SIGTTIN'),
      };
    }
    case 'freeze': {
      const pid = await nodePid(o);
      const all = [pid, ...children(pid)];
      return {
        what: `SIGSTOP to halo run ${pid} and its workers ${all.slice(1).join(',') || '-'}`,
        inject: async () => {
          for (const p of all) process.kill(p, 'SIGSTOP');
        },
        restore: async () => {
          for (const p of all) {
            try {
              process.kill(p, 'SIGCONT');
            } catch {} // a worker gone meanwhile: nothing to resume
          }
        },
      };
    }
    case 'cut-link': {
      if (process.getuid?.() !== 0) throw new Error('cut-link needs root (ip link set DEV down)');
      const dev = node.instances[0]?.interface;
      if (!dev) throw new Error('no VRRP interface in show vrrp');
      return {
        what: `ip link set dev ${dev} down`,
        inject: () => run('ip', ['link', 'set', 'dev', dev, 'down']),
        restore: () => run('ip', ['link', 'set', 'dev', dev, 'up']),
      };
    }
    case 'kill-apiserver': {
      if (o.stopCmd && o.startCmd) {
        const stop = o.stopCmd;
        const start = o.startCmd;
        return { what: `'${stop}'`, inject: () => sh(stop), restore: () => sh(start) };
      }
      let servers = o.servers;
      if (servers.length === 0)
        for (const b of trackedBackends(node))
          servers = [
            ...servers,
            ...serversOf(await runtimeCommand(socket, `show servers state ${b}`)),
          ];
      if (servers.length === 0)
        throw new Error('no tracked backend with servers; give --server B/S');
      const setAll = async (state: string) => {
        for (const s of servers) {
          const r = await runtimeCommand(socket, `set server ${s} state ${state}`);
          if (r.trim() !== '') throw new Error(`set server ${s} state ${state}: ${r.trim()}`);
        }
      };
      return {
        what: `set server ${servers.join(', ')} state maint`,
        inject: () => setAll('maint'),
        restore: () => setAll('ready'),
      };
    }
  }
}

function probeTarget(o: DrillArgs, node: NodeStatus): { host: string; port: number } {
  if (!o.probe) {
    const vip = node.instances[0]?.vips[0]?.replace(/\/\d+$/, '');
    if (!vip) throw new Error('no VIP in show vrrp; give --probe HOST:PORT');
    return { host: vip, port: 9443 };
  }
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(o.probe);
  if (!m) throw new Error(`--probe '${o.probe}' is not HOST:PORT`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** A sleep that Ctrl-C / SIGTERM cut short. */
function pause(ms: number, stop: { stopped: boolean; wake?: () => void }): Promise<void> {
  if (stop.stopped) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    stop.wake = () => {
      clearTimeout(t);
      resolve();
    };
  });
}

async function drill(o: DrillArgs, io: CommandIO): Promise<number> {
  const socket = o.socket!;
  const node = parseNodeStatus(
    socket,
    await runtimeCommand(socket, 'show info'),
    await runtimeCommand(socket, 'show vrrp'),
  );
  if (!node) throw new Error(`${socket}: no VRRP there (is it \`halo run\`?)`);
  const f = await fault(o, node);
  const target = probeTarget(o, node);
  const probe = new VipProbe({
    ...target,
    tls: o.tls,
    ...(o.source ? { localAddress: o.source } : {}),
  });
  const stop: { stopped: boolean; wake?: () => void } = { stopped: false };
  const onSignal = () => {
    stop.stopped = true;
    stop.wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const holders = node.instances.map((i) => `${i.name} ${i.state}`).join(', ');
  if (!o.json)
    io.stdout(
      `drill ${o.kind} on ${node.node || socket} (${holders}); probing ${target.host}:${target.port} (${o.tls ? 'TLS' : 'TCP'})\n`,
    );
  let restored = false;
  let restoreError: Error | undefined;
  const restore = async () => {
    if (restored) return;
    restored = true;
    try {
      await f.restore();
    } catch (e) {
      restoreError = e as Error;
    }
  };
  // Whatever happens to this flow, the fault is undone by this deadline.
  const deadline = setTimeout(() => void restore(), o.beforeMs + o.holdMs + 15_000);
  probe.start();
  let injectedAt = Number.NaN;
  let restoredAt = Number.NaN;
  try {
    await pause(o.beforeMs, stop);
    if (!stop.stopped) {
      injectedAt = Date.now();
      if (!o.json) io.stdout(`fault: ${f.what}\n`);
      await f.inject();
      await pause(o.holdMs, stop);
    }
  } catch (e) {
    await probe.stop();
    throw e;
  } finally {
    await restore();
    restoredAt = Date.now();
    clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (restoreError) io.stderr(`halo drill: RESTORE FAILED: ${restoreError.message}\n`);
  }
  if (!o.json) io.stdout(`restored after ${((restoredAt - injectedAt) / 1000).toFixed(1)} s\n`);
  // Probing goes on after the restore (the VIP may come back); a second Ctrl-C is honoured.
  stop.stopped = false;
  process.once('SIGINT', onSignal);
  await pause(o.afterMs, stop);
  process.off('SIGINT', onSignal);
  const s = await probe.stop();
  report(io, o, s.blackouts, s.attempts, injectedAt, restoredAt);
  return restoreError ? 1 : 0;
}

function report(
  io: CommandIO,
  o: DrillArgs,
  bs: readonly Blackout[],
  attempts: number,
  injectedAt: number,
  restoredAt: number,
): void {
  const rel = (t: number) => `${((t - injectedAt) / 1000).toFixed(3)} s`;
  const failures = bs.reduce((n, b) => n + b.failures, 0);
  const longest = bs.reduce((m, b) => Math.max(m, b.ms), 0);
  if (o.json) {
    const out = {
      drill: o.kind,
      injectedAt,
      restoredAt,
      attempts,
      failures,
      longestMs: longest,
      blackouts: bs,
    };
    io.stdout(`${JSON.stringify(out)}\n`);
    return;
  }
  for (const b of bs)
    io.stdout(
      `blackout ${b.ms.toFixed(0)} ms from ${rel(b.start)} after the fault: ${b.failures} failed (${b.errors.join(', ')})${b.open ? ' - still failing at the end' : ''}\n`,
    );
  io.stdout(
    `${attempts} attempts, ${failures} failed; ${bs.length} blackout(s), longest ${longest.toFixed(0)} ms\n`,
  );
}

export const drillCommand: Command = {
  name: 'drill',
  summary: 'inject a fault on this halo run node, probe the VIP, print the blackout, restore',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const o = parseDrillArgs(argv);
    if (typeof o === 'string') {
      io.stderr(`halo drill: ${o}\n${USAGE}\n`);
      return 2;
    }
    io.serving?.();
    try {
      return await drill(o, io);
    } catch (e) {
      io.stderr(`halo drill: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
