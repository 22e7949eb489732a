// The lab's network, built with iproute2 as a user would: a switch namespace with bridge
// br0, one namespace per master and one for the client, each plugged into the bridge with a
// veth pair. Only 198.51.100.0/24 (a documentation range) is configured, with no route out.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import {
  CLIENT_ADDRESS,
  CLIENT_NS,
  LAB_DEV,
  LAB_PREFIX,
  LAB_SUBNET,
  LAB_VIP,
  type LabMaster,
  SWITCH_NS,
} from './topology.js';

export function ip(args: readonly string[]): string {
  return execFileSync('ip', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
}

function plug(ns: string, port: string, cidr: string): void {
  ip(['netns', 'add', ns]);
  ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  ip([
    'link',
    'add',
    LAB_DEV,
    'netns',
    ns,
    'type',
    'veth',
    'peer',
    'name',
    port,
    'netns',
    SWITCH_NS,
  ]);
  ip(['-n', SWITCH_NS, 'link', 'set', port, 'master', 'br0']);
  ip(['-n', SWITCH_NS, 'link', 'set', port, 'up']);
  ip(['-n', ns, 'addr', 'add', cidr, 'dev', LAB_DEV]);
  ip(['-n', ns, 'link', 'set', LAB_DEV, 'up']);
}

export function buildNetwork(masters: readonly LabMaster[]): void {
  ip(['netns', 'add', SWITCH_NS]);
  ip(['-n', SWITCH_NS, 'link', 'set', 'lo', 'up']);
  ip(['-n', SWITCH_NS, 'link', 'add', 'br0', 'type', 'bridge']);
  ip(['-n', SWITCH_NS, 'link', 'set', 'br0', 'up']);
  for (const m of masters) plug(m.ns, m.port, `${m.address}/24`);
  plug(CLIENT_NS, 'pc', `${CLIENT_ADDRESS}/24`);
}

/** The lab's namespaces that exist now (`ip netns list`, ours by prefix). */
export function labNamespaces(): string[] {
  let out = '';
  try {
    out = ip(['netns', 'list']);
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(LAB_PREFIX));
}

export function deleteNamespaces(names: readonly string[]): void {
  for (const ns of names) {
    try {
      ip(['netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
}

export function hasVip(ns: string): boolean {
  try {
    return ip(['-n', ns, '-4', '-o', 'addr', 'show', 'dev', LAB_DEV]).includes(` ${LAB_VIP}/`);
  } catch {
    return false;
  }
}

export function vipHolders(masters: readonly LabMaster[]): string[] {
  return masters.filter((m) => hasVip(m.ns)).map((m) => m.name);
}

export function setLink(ns: string, up: boolean): void {
  ip(['-n', ns, 'link', 'set', LAB_DEV, up ? 'up' : 'down']);
}

/** PIDs of the processes inside a namespace (`ip netns pids`). */
export function namespacePids(ns: string): number[] {
  try {
    return ip(['netns', 'pids', ns])
      .split('\n')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 1);
  } catch {
    return [];
  }
}

/**
 * PIDs of this user's processes whose command line names the lab's directory: what a
 * crashed keeper left running (every lab process is started with a file from that directory).
 */
export function processesUsing(dir: string): number[] {
  const uid = process.getuid?.();
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const owner = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid !== undefined && uid !== 0 && owner !== uid) continue;
      if (
        readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .some((a) => a === dir || a.startsWith(`${dir}/`))
      )
        pids.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export const LAB_SUBNET_CIDR = `${LAB_SUBNET}.0/24`;
