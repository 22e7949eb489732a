// The runtime API's line bound, attacked over real unix sockets: `halo proxy` as a process
// and the real HAProxy 2.6 with the same config (`stats socket ... level user`). A command
// longer than HAProxy's CLI chunk (tune.bufsize) closes the connection with no answer on
// both; a 32 MB line with no newline leaves halo's RSS where it was; a long `;` list is
// answered command by command; other connections keep working throughout.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_CLI_COMMAND } from '../../src/proxy/cli-socket/session.js';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import { freePort, sleep, waitFor } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';
const noHaproxy = existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`;

function config(sock: string, fePort: number): string {
  return `global
    stats socket ${sock} mode 600 level user
    stats timeout 30s
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${fePort}
    default_backend be
backend be
    server s1 127.0.0.1:1
`;
}

export function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

export interface Outcome {
  /** Bytes the peer accepted before it closed (or all of them). */
  sent: number;
  answer: string;
  closed: boolean;
  ms: number;
}

/**
 * Sends `input` in `chunk`-byte pieces `gapMs` apart (a slow client), then waits up to
 * `waitMs` for an answer and a close, without ever shutting its own side down.
 */
export function send(
  path: string,
  input: Buffer,
  chunk: number,
  gapMs: number,
  waitMs = 2000,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const c = net.connect(path);
    let sent = 0;
    let answer = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      c.destroy();
      resolve({ sent, answer, closed, ms: Date.now() - t0 });
    };
    c.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
    });
    c.on('error', () => {});
    c.on('close', () => {
      closed = true;
      finish();
    });
    const next = () => {
      if (closed) return;
      if (sent >= input.length) {
        timer = setTimeout(finish, waitMs);
        return;
      }
      const piece = input.subarray(sent, sent + chunk);
      c.write(piece, (err) => {
        if (err) return;
        sent += piece.length;
        if (gapMs > 0) setTimeout(next, gapMs);
        else next();
      });
    };
    c.on('connect', next);
  });
}

const ask = async (path: string, line: string) =>
  (await send(path, Buffer.from(`${line}\n`), 65536, 0)).answer;

describe('runtime API line bound (halo proxy beside HAProxy 2.6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-cli-bounds-'));
  const haloSock = join(dir, 'halo.sock');
  const refSock = join(dir, 'ref.sock');
  let child: ChildProcess;
  let ref: ChildProcess | undefined;
  const notes: string[] = [];

  before(async () => {
    const file = join(dir, 'halo.cfg');
    writeFileSync(file, config(haloSock, await freePort()));
    child = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => notes.push(d.toString()));
    child.stdout?.on('data', (d: Buffer) => notes.push(d.toString()));
    if (!noHaproxy) {
      const refFile = join(dir, 'ref.cfg');
      writeFileSync(refFile, config(refSock, await freePort()));
      ref = spawn(HAPROXY, ['-db', '-f', refFile], { stdio: 'ignore' });
      await waitFor(() => existsSync(refSock), 5000, 'haproxy stats socket');
    }
    await waitFor(() => existsSync(haloSock), 10_000, 'halo stats socket');
  });

  after(() => {
    child.kill('SIGKILL');
    ref?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('long commands HAProxy answers, halo answers too', { skip: noHaproxy }, async () => {
    // HAProxy answers a 15360-byte command (tune.bufsize less its 1024-byte reserve) however
    // it arrives; up to 16383 only when it arrives slowly enough. halo takes all of those.
    const line = Buffer.from(`${'A'.repeat(15_359)}\n`);
    for (const path of [haloSock, refSock]) {
      const r = await send(path, line, 65536, 0);
      assert.match(r.answer, /^Unknown command/, path);
      assert.equal(r.closed, true, path);
    }
    const longest = await send(
      haloSock,
      Buffer.from(`${'A'.repeat(MAX_CLI_COMMAND - 1)}\n`),
      65536,
      0,
    );
    assert.match(longest.answer, /^Unknown command/);
  });

  it('one byte more: neither answers; halo closes at once', { skip: noHaproxy }, async () => {
    // A slow client (1 KB every 5 ms). HAProxy reads the whole chunk, finds no delimiter and
    // closes, or, when the bytes come faster than it reads (its buffer keeps a reserve), stops
    // reading and holds the connection until the client goes: it never answers either way.
    // halo closes in both cases.
    const line = Buffer.alloc(64 * 1024, 'A');
    const [h, r] = [await send(haloSock, line, 1024, 5), await send(refSock, line, 1024, 5)];
    assert.equal(r.answer, '', 'haproxy answers nothing');
    assert.equal(h.answer, '', 'halo answers nothing');
    assert.equal(h.closed, true, 'halo closes');
    assert.ok(h.sent < 32 * 1024, `halo closed after ${h.sent} bytes, not at the end`);
  });

  it('a 32 MB line with no newline: halo closes it and its RSS stays put', async () => {
    const before = rssKb(child.pid!);
    const r = await send(haloSock, Buffer.alloc(32 * 1024 * 1024, 'A'), 1024 * 1024, 0);
    assert.equal(r.closed, true);
    assert.equal(r.answer, '');
    assert.ok(r.sent < 32 * 1024 * 1024, `closed before the end (${r.sent} bytes taken)`);
    await sleep(200);
    const grown = rssKb(child.pid!) - before;
    assert.ok(grown < 30 * 1024, `RSS grew by ${grown} kB`);
    assert.equal(await ask(haloSock, 'show cli level'), 'user\n\n', 'the socket still serves');
    assert.ok(notes.join('').includes('longer than 16383 bytes'), 'logged');
  });

  it('ten long lines at once on ten connections: all closed, others still served', async () => {
    const before = rssKb(child.pid!);
    const floods = Array.from({ length: 10 }, () =>
      send(haloSock, Buffer.alloc(4 * 1024 * 1024, 'B'), 256 * 1024, 0),
    );
    const during = await ask(haloSock, 'show cli level');
    const all = await Promise.all(floods);
    assert.equal(during, 'user\n\n');
    for (const r of all) assert.deepEqual([r.closed, r.answer], [true, '']);
    assert.ok(rssKb(child.pid!) - before < 40 * 1024);
  });

  it('a 200 KB `;` list is answered command by command, as HAProxy does', {
    skip: noHaproxy,
  }, async () => {
    const list = Buffer.from(`${'show cli level;'.repeat(14_000)}\n`);
    const [h, r] = [await send(haloSock, list, 65536, 0), await send(refSock, list, 65536, 0)];
    const count = (s: string) => s.split('user\n\n').length - 1;
    assert.equal(count(r.answer), 14_000);
    assert.equal(count(h.answer), 14_000);
    assert.equal(h.closed, true);
  });

  it('halo is still alive', () => {
    assert.equal(child.exitCode, null);
    assert.equal(ref?.exitCode ?? null, null);
  });
});
