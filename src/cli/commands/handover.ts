// `halo handover --to NODE -s SOCKET...`: a planned move of the VIP for maintenance,
// through the runtime API of the running nodes instead of editing priorities and reloading.
// The target gets `set vrrp handover on`: it advertises priority 254 and takes over at once;
// the holder steps down on that advert (RFC 5798 6.4.3), keeps its proxy running, and stays
// BACKUP while the override lasts (until `--cancel`, or a reload that changes the target's
// instance). Any other
// node's override is cancelled first, so at most one node asks for the VIP.

import { findNode, holdsAll, type NodeStatus, parseNodeStatus } from '../../run/node-status.js';
import type { Command, CommandIO } from '../command.js';
import { runtimeCommand } from '../runtime-socket.js';

const USAGE = `Usage: halo handover --to NODE -s SOCKET [-s SOCKET...] [--timeout S]
       halo handover --cancel [-s SOCKET...]

Moves the VIPs of a running \`halo run\` group to NODE and keeps them there. Each -s is
one node's runtime API socket (its \`stats socket ... level admin\`: a unix path, or
HOST:PORT for a TCP one); NODE is a node name (\`show info\`'s node), one of its VRRP
addresses, or its socket. The target must be healthy (no failing tracker, not FAULT).
Waits until NODE holds every instance and no other node does (default 10 s), then prints
how long the move took. --cancel ends every override among the given sockets: the group
elects by priority again (a higher node preempts back). Exit 0 when done, 1 when refused
or not done in time, 2 on bad usage.`;

interface HandoverArgs {
  to?: string;
  sockets: string[];
  cancel: boolean;
  timeoutMs: number;
}

export function parseHandoverArgs(argv: readonly string[]): HandoverArgs | string {
  const o: HandoverArgs = { sockets: [], cancel: false, timeoutMs: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === '--cancel') o.cancel = true;
    else if (a === '--to' || a === '-s' || a === '--socket' || a === '--timeout') {
      if (v === undefined) return `option '${a}' needs a value`;
      i++;
      if (a === '--to') o.to = v;
      else if (a === '--timeout') {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) return `--timeout needs seconds > 0, got '${v}'`;
        o.timeoutMs = n * 1000;
      } else o.sockets.push(v);
    } else return `unknown argument '${a}'`;
  }
  if (o.sockets.length === 0) return 'no -s SOCKET given';
  if (!o.cancel && o.to === undefined) return 'no --to NODE given';
  if (o.cancel && o.to !== undefined) return '--cancel takes no --to';
  return o;
}

async function readNodes(sockets: readonly string[]): Promise<NodeStatus[]> {
  const out: NodeStatus[] = [];
  for (const s of sockets) {
    const info = await runtimeCommand(s, 'show info');
    const n = parseNodeStatus(s, info, await runtimeCommand(s, 'show vrrp'));
    if (!n) throw new Error(`${s}: no VRRP there (is it \`halo run\`?)`);
    out.push(n);
  }
  return out;
}

/** The node name with its address (nodes on one host, or cloned VMs, share a host name). */
const label = (n: NodeStatus) => {
  const addr = n.instances.find((i) => i.address)?.address;
  return `${n.node || n.socket}${addr ? ` (${addr})` : ''}`;
};

async function set(n: NodeStatus, on: boolean): Promise<void> {
  const answer = await runtimeCommand(n.socket, `set vrrp handover ${on ? 'on' : 'off'}`);
  if (answer.trim() !== '') throw new Error(`${label(n)}: ${answer.trim()}`);
}

async function handover(o: HandoverArgs, io: CommandIO): Promise<number> {
  const nodes = await readNodes(o.sockets);
  if (o.cancel) {
    for (const n of nodes) if (n.instances.some((i) => i.handover)) await set(n, false);
    io.stdout(`handover cancelled on ${nodes.map(label).join(', ')}\n`);
    return 0;
  }
  const target = findNode(nodes, o.to!);
  if (!target) {
    io.stderr(`halo handover: no node '${o.to}' among ${nodes.map(label).join(', ')}\n`);
    return 1;
  }
  const bad = target.instances.filter((i) => i.degraded || !['MASTER', 'BACKUP'].includes(i.state));
  if (bad.length > 0) {
    const why = bad.map((i) => `${i.name} ${i.state}${i.degraded ? ' degraded' : ''}`).join(', ');
    io.stderr(`halo handover: ${label(target)} is not healthy (${why}); refused\n`);
    return 1;
  }
  const before = nodes.filter(holdsAll).map(label);
  for (const n of nodes)
    if (n !== target && n.instances.some((i) => i.handover)) await set(n, false);
  const t0 = performance.now();
  await set(target, true);
  for (;;) {
    const now = await readNodes(o.sockets);
    const t = findNode(now, o.to!)!;
    const others = now.filter((n) => n !== t && n.instances.some((i) => i.state === 'MASTER'));
    const ms = performance.now() - t0;
    if (holdsAll(t) && others.length === 0 && t.instances.every((i) => i.handover)) {
      io.stdout(
        `VIP moved to ${label(t)} in ${ms.toFixed(0)} ms (held by ${before.join(', ') || 'nobody'} before); it stays there until \`halo handover --cancel\`\n`,
      );
      return 0;
    }
    // The request reaches the supervisor asynchronously: refused only if still off after 1 s.
    if (!t.instances.every((i) => i.handover) && ms > 1000) {
      io.stderr(`halo handover: ${label(t)} refused the handover (see its log)\n`);
      return 1;
    }
    if (ms > o.timeoutMs) {
      io.stderr(
        `halo handover: not done after ${o.timeoutMs / 1000} s (${now.map((n) => `${label(n)} ${n.instances.map((i) => i.state).join('/')}`).join(', ')})\n`,
      );
      return 1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const handoverCommand: Command = {
  name: 'handover',
  summary: 'move the VIP of a running halo run group to NODE for maintenance (runtime API)',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const o = parseHandoverArgs(argv);
    if (typeof o === 'string') {
      io.stderr(`halo handover: ${o}\n${USAGE}\n`);
      return 2;
    }
    try {
      return await handover(o, io);
    } catch (e) {
      io.stderr(`halo handover: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
