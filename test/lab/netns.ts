// Lab helper: network namespaces, veth pairs and a Linux bridge for root-only lab tests.
// Every name carries this process's id, so parallel test files never collide; destroy()
// stops the processes the lab started (by PID) and deletes its namespaces (their veths
// and bridges go with them). Only documentation ranges are ever configured, with no route out.

import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { addon } from '../../src/os/native.js';

const CLONE_NEWNET = 0x40000000;

/** Why lab tests cannot run here, or undefined when they can (root with `ip`). */
export function labSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'lab tests need Linux network namespaces';
  if (process.getuid?.() !== 0) return 'lab tests need root (network namespaces, raw sockets)';
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip')) {
    return 'lab tests need iproute2 (`ip`)';
  }
  return undefined;
}

export interface LabNode {
  /** Full namespace name. */
  readonly ns: string;
  /** The node's interface in its namespace. */
  readonly dev: string;
  /** Its address (no prefix). */
  readonly address: string;
  /** The bridge port (in the switch namespace) its veth is plugged into. */
  readonly port: string;
}

let counter = 0;
let homeFd: number | undefined;

export function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export class Lab {
  readonly id: string;
  readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];

  constructor(prefix = 'halo') {
    this.id = `${prefix}${process.pid}x${counter++}`;
  }

  /** Creates namespace `${id}-${name}` with loopback up, and returns its full name. */
  namespace(name: string): string {
    const ns = `${this.id}-${name}`;
    ip(['netns', 'add', ns]);
    this.namespaces.push(ns);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair with one end in each namespace, both up. */
  veth(nsA: string, devA: string, nsB: string, devB: string): void {
    ip(['link', 'add', devA, 'netns', nsA, 'type', 'veth', 'peer', 'name', devB, 'netns', nsB]);
    ip(['-n', nsA, 'link', 'set', devA, 'up']);
    ip(['-n', nsB, 'link', 'set', devB, 'up']);
  }

  bridge(ns: string, name: string): void {
    ip(['-n', ns, 'link', 'add', name, 'type', 'bridge']);
    ip(['-n', ns, 'link', 'set', name, 'up']);
  }

  address(ns: string, dev: string, cidr: string): void {
    ip(['-n', ns, 'addr', 'add', cidr, 'dev', dev]);
  }

  /**
   * A switch namespace with bridge `br0`, and one namespace per node plugged into it with
   * `eth0` = `${subnet}.${firstHost + i}/24` (e.g. subnet '198.51.100', hosts .11, .12...).
   */
  bridgedNodes(names: string[], subnet = '198.51.100', firstHost = 11): LabNode[] {
    const sw = this.namespace('sw');
    this.bridge(sw, 'br0');
    return names.map((name, i) => {
      const ns = this.namespace(name);
      const port = `p${i}`;
      this.veth(ns, 'eth0', sw, port);
      ip(['-n', sw, 'link', 'set', port, 'master', 'br0']);
      const address = `${subnet}.${firstHost + i}`;
      this.address(ns, 'eth0', `${address}/24`);
      return { ns, dev: 'eth0', address, port };
    });
  }

  /** Runs a command inside a namespace and returns its stdout. */
  exec(ns: string, cmd: string, args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Starts a process inside a namespace; destroy() stops it by PID if still running. */
  spawn(ns: string, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    this.children.push(child);
    return child;
  }

  /**
   * Runs fn with this thread in namespace ns: sockets it opens (raw, netlink, packet)
   * belong to ns for their whole life. Synchronous on purpose: nothing else may run meanwhile.
   */
  enter<T>(ns: string, fn: () => T): T {
    homeFd ??= openSync('/proc/self/ns/net', 'r');
    const fd = openSync(`/var/run/netns/${ns}`, 'r');
    try {
      addon().setns(fd, CLONE_NEWNET);
      try {
        return fn();
      } finally {
        addon().setns(homeFd, CLONE_NEWNET);
      }
    } finally {
      closeSync(fd);
    }
  }

  async destroy(): Promise<void> {
    await Promise.all(this.children.map(stopChild));
    for (const ns of this.namespaces.reverse()) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    this.namespaces.length = 0;
  }
}

/** SIGTERM, then SIGKILL after 3 s; resolves when the process has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Collects a child's stdout+stderr as text, and resolves waitFor() when a pattern shows up. */
export class OutputWatcher {
  text = '';
  private readonly waiters: { re: RegExp; since: number; resolve: () => void }[] = [];

  constructor(child: ChildProcess) {
    const onData = (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      for (const w of [...this.waiters]) {
        if (w.re.test(this.text.slice(w.since))) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }

  /** Resolves once re matches the output from offset `since` on (default: all of it). */
  waitFor(re: RegExp, timeoutMs: number, since = 0): Promise<void> {
    if (re.test(this.text.slice(since))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${re}; output:\n${this.text}`),
        );
      }, timeoutMs);
      const waiter = {
        re,
        since,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }
}
