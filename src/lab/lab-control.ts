// The CLI side of the lab: starting the detached keeper, one request on its control socket,
// and removing what a lab (also a crashed one) left behind.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { type LabPaths, liveKeeper } from './lab-host.js';
import type { LabReply, LabRequest } from './lab-keeper.js';
import { deleteNamespaces, labNamespaces, namespacePids, processesUsing } from './lab-netns.js';
import { haloArgv } from './lab-nodes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function request(p: LabPaths, req: LabRequest, timeoutMs: number): Promise<LabReply> {
  return new Promise((resolve) => {
    const s = connect(p.control);
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ rc: 1, text: `no answer from the lab keeper within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    s.on('connect', () => s.write(`${JSON.stringify(req)}\n`));
    s.on('data', (d) => {
      got += d.toString();
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ rc: 1, text: `the lab is not up (${e.code ?? e.message} on ${p.control})` });
    });
    s.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(got) as LabReply);
      } catch {
        resolve({ rc: 1, text: `the lab keeper closed the connection: ${got.trim()}` });
      }
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (pidAlive(pid) && Date.now() - t0 < ms) await sleep(50);
  return !pidAlive(pid);
}

/** Starts the keeper detached and waits until it answers; the reply, or why not. */
export async function startKeeper(p: LabPaths, timeoutMs = 60_000): Promise<LabReply> {
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const log = openSync(p.log, 'w');
  const child = spawn(process.execPath, [...haloArgv(), 'lab', 'keeper', p.dir], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    await sleep(250);
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (!existsSync(p.control)) continue;
    const r = await request(p, { cmd: 'ping' }, 5000);
    if (r.rc === 0) return r;
  }
  const tail = existsSync(p.log)
    ? readFileSync(p.log, 'utf8').split('\n').slice(-15).join('\n')
    : '';
  if (child.pid !== undefined && pidAlive(child.pid)) child.kill('SIGTERM');
  return { rc: 1, text: `the lab did not come up; ${p.log}:\n${tail}` };
}

/**
 * Stops a live keeper (a `down` request, then SIGTERM/SIGKILL to its PID), then removes what
 * any earlier run left: processes started with the lab's files, named namespaces with the
 * lab's prefix (root), the state directory. Returns one line per thing removed.
 */
export async function teardownLab(p: LabPaths): Promise<string[]> {
  const done: string[] = [];
  const pid = liveKeeper(p);
  if (pid !== undefined) {
    await request(p, { cmd: 'down' }, 20_000);
    if (!(await waitGone(pid, 20_000))) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitGone(pid, 5000))) process.kill(pid, 'SIGKILL');
    }
    done.push(`keeper PID ${pid} stopped`);
  } else if (existsSync(p.pidfile)) done.push(`stale pidfile ${p.pidfile} removed`);
  const left = processesUsing(p.dir);
  for (const q of left) {
    try {
      process.kill(q, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  if (left.length) done.push(`left-over lab processes killed: ${left.join(' ')}`);
  if (process.getuid?.() === 0) {
    const names = labNamespaces();
    for (const ns of names) {
      for (const q of namespacePids(ns)) {
        try {
          process.kill(q, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
    }
    await sleep(names.length ? 200 : 0);
    deleteNamespaces(names);
    if (names.length) done.push(`named namespaces deleted: ${names.join(' ')}`);
  }
  if (existsSync(p.dir)) {
    rmSync(p.dir, { recursive: true, force: true });
    done.push(`state directory ${p.dir} removed`);
  }
  return done;
}
