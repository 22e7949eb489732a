// Faults the lab injects on a master and how each is measured: the VIP's move (its holder
// polled every 10 ms with `ip addr`) and the client's blackout, from `halo probe --json`
// running in the client namespace against VIP:9443 for the whole window.
//   proxy      the article's `systemctl stop haproxy`: halo run's proxy half releases its
//              listeners (SIGTTOU, HAProxy's pause) while its VRRP half keeps running, as
//              keepalived keeps running beside a stopped haproxy; recover: SIGTTIN
//   apiserver  the master's fake kube-apiserver stops; recover: it starts again
//   freeze     every process of the node stops (SIGSTOP, a stalled VM); recover: SIGCONT
//   link       the node's eth0 goes down; recover: up

import { type ChildProcess, spawn } from 'node:child_process';
import { namespacePids, setLink } from './lab-netns.js';
import { alive, haloArgv, type MasterNode } from './lab-nodes.js';
import { CLIENT_NS, type Fault, FRONTEND_PORT, LAB_VIP } from './topology.js';

export interface Measurement {
  readonly action: 'fail' | 'recover';
  readonly fault: Fault;
  readonly node: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
  /** Other nodes that held the VIP alone for a moment on the way. */
  readonly via: readonly string[];
  /** Fault to the VIP on its new sole holder; undefined when it did not move. */
  readonly moveMs: number | undefined;
  readonly blackoutMs: number;
  readonly failures: number;
  readonly attempts: number;
  readonly errors: readonly string[];
}

interface ProbeSummary {
  attempts: number;
  failures: number;
  longestMs: number;
  errors: Set<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `halo probe VIP:9443 --json` in the client namespace, until stop(). */
class ClientProbe {
  private readonly child: ChildProcess;
  private buf = '';
  private readonly s: ProbeSummary = { attempts: 0, failures: 0, longestMs: 0, errors: new Set() };
  private readonly exited: Promise<void>;

  constructor() {
    const args = [...haloArgv(), 'probe', `${LAB_VIP}:${FRONTEND_PORT}`, '--json'];
    this.child = spawn('ip', ['netns', 'exec', CLIENT_NS, process.execPath, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child.stdout?.on('data', (d: Buffer) => this.read(d.toString()));
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
  }

  private read(text: string): void {
    this.buf += text;
    const lines = this.buf.split('\n');
    this.buf = lines.pop() ?? '';
    for (const l of lines) {
      try {
        const o = JSON.parse(l) as {
          attempt?: { error?: string };
          summary?: { attempts: number; failures: number; longestMs: number };
        };
        if (o.attempt?.error) this.s.errors.add(o.attempt.error);
        if (o.summary) Object.assign(this.s, o.summary);
      } catch {
        // not a JSON line
      }
    }
  }

  /** Resolves once the probe has made its first attempts (it runs in its own process). */
  async ready(): Promise<void> {
    await sleep(700);
  }

  async stop(): Promise<ProbeSummary> {
    if (alive(this.child)) this.child.kill('SIGTERM');
    await Promise.race([this.exited, sleep(5000)]);
    if (alive(this.child)) this.child.kill('SIGKILL');
    return this.s;
  }
}

function signalNode(node: MasterNode, sig: NodeJS.Signals): void {
  if (sig === 'SIGSTOP' || sig === 'SIGCONT') {
    for (const pid of namespacePids(node.m.ns)) {
      try {
        process.kill(pid, sig);
      } catch {
        // exited meanwhile
      }
    }
    return;
  }
  if (alive(node.run)) node.run.kill(sig);
}

export async function applyFault(node: MasterNode, fault: Fault, on: boolean): Promise<void> {
  if (fault === 'proxy') signalNode(node, on ? 'SIGTTOU' : 'SIGTTIN');
  else if (fault === 'freeze') signalNode(node, on ? 'SIGSTOP' : 'SIGCONT');
  else if (fault === 'link') setLink(node.m.ns, !on);
  else if (on) {
    const a = node.apiserver;
    if (alive(a)) {
      const gone = new Promise((r) => a.once('exit', r));
      a.kill('SIGKILL');
      await gone;
    }
  } else node.startApiserver();
}

/**
 * Probes the VIP, runs `act`, waits until `until(holder())` (at most waitMs), lets the
 * client settle, and returns what the client and the VIP did. `holder` names the node that
 * alone holds the VIP among those that can answer.
 */
export async function measure(
  holder: () => string | undefined,
  what: { action: 'fail' | 'recover'; fault: Fault; node: string },
  act: () => Promise<void>,
  until: (holder: string | undefined) => boolean,
  waitMs: number,
): Promise<Measurement> {
  const probe = new ClientProbe();
  await probe.ready();
  const before = holder();
  const t0 = performance.now();
  await act();
  let moveMs: number | undefined;
  let after = before;
  while (performance.now() - t0 < waitMs) {
    after = holder();
    if (until(after)) {
      moveMs = performance.now() - t0;
      break;
    }
    await sleep(10);
  }
  // Backups whose Skew_Times differ by a few ms (priorities 99 and 98) can both take the VIP
  // for a moment: watch until the holder has been the same for 1.5 s (at most 6 s), so the
  // move is timed to the node that keeps it, the passing holders are reported, and the
  // client's blackout (ARP, the new holder's listener) has ended before the probe stops.
  const via: string[] = [];
  let stableSince = performance.now();
  while (performance.now() - stableSince < 1500 && performance.now() - t0 < waitMs + 6000) {
    await sleep(10);
    const h = holder();
    if (h === after) continue;
    if (after !== undefined && after !== before && !via.includes(after)) via.push(after);
    after = h;
    stableSince = performance.now();
    if (moveMs !== undefined && h !== undefined) moveMs = stableSince - t0;
  }
  const s = await probe.stop();
  return {
    ...what,
    before,
    after,
    moveMs: after !== before ? moveMs : undefined,
    via: via.filter((v) => v !== after),
    blackoutMs: s.longestMs,
    failures: s.failures,
    attempts: s.attempts,
    errors: [...s.errors],
  };
}

export function formatMeasurement(r: Measurement): string {
  const move =
    r.moveMs !== undefined
      ? `VIP moved ${r.before ?? 'none'} -> ${r.after ?? 'none'} in ${r.moveMs.toFixed(0)} ms` +
        (r.via.length ? ` (for a moment on ${r.via.join(', ')} first)` : '')
      : `VIP stayed on ${r.after ?? 'none'}`;
  const errs = r.errors.length ? ` (${r.errors.join(', ')})` : '';
  return (
    `${r.action} ${r.node} ${r.fault}: ${move}; client blackout ${r.blackoutMs.toFixed(0)} ms, ` +
    `${r.failures} of ${r.attempts} connections failed${errs}`
  );
}
