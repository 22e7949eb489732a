// hatop, the curses monitor people point at HAProxy's stats socket, started the way a user
// starts it: in a terminal (a tmux pane of our own tmux server), against `halo proxy`'s
// socket and, as the reference, the real HAProxy's on the same config. It quits at once
// when `show info` lacks a field it parses (the `Release_date` it once lacked), so the
// screen showing the proxies and servers is the proof that every line parsed.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import { HAPROXY, hasHaproxy, listening } from './haproxy-child.js';
import type { Backend } from './proxy-harness.js';
import { backend, freePort, sleep } from './proxy-harness.js';

const HATOP = '/usr/bin/hatop';
const missing = [
  existsSync(HATOP) ? '' : `${HATOP} (apt-get install hatop)`,
  existsSync('/usr/bin/tmux') ? '' : '/usr/bin/tmux',
  hasHaproxy ? '' : HAPROXY,
].filter(Boolean);
const skip = missing.length > 0 ? `not installed: ${missing.join(', ')}` : undefined;
if (skip) process.stderr.write(`SKIPPED tools-hatop: ${skip}\n`);

/** Our own tmux server, so no session of anyone else is touched. */
const TMUX = ['-L', `halo-hatop-${process.pid}`];

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', [...TMUX, ...args], { encoding: 'utf8', timeout: 5000 });
  return r.stdout;
}

function config(sock: string, fePort: number, up: Backend, downPort: number): string {
  return `global
    stats socket ${sock} mode 600 level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout tunnel 1h
frontend apiserver
    bind 127.0.0.1:${fePort}
    default_backend apiserver
backend apiserver
    server k8s-master1 127.0.0.1:${up.port} check inter 200
    server k8s-master2 127.0.0.1:${downPort} check inter 200
`;
}

/** Starts hatop on `sock` in a 160x40 pane; returns the screen once it shows `want`. */
async function hatopScreen(name: string, sock: string, want: RegExp): Promise<string> {
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '160',
    '-y',
    '40',
    `${HATOP} -s ${sock} -i 1; echo "hatop exited: $?"; sleep 60`,
  );
  let screen = '';
  for (let i = 0; i < 50; i++) {
    await sleep(200);
    screen = tmux('capture-pane', '-p', '-t', name);
    if (want.test(screen) || /hatop exited/.test(screen)) break;
  }
  return screen;
}

describe('hatop on the stats socket (tmux)', { skip }, () => {
  let dir: string;
  let up: Backend;
  const children: ChildProcess[] = [];
  const socks = { halo: '', haproxy: '' };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-hatop-'));
    up = await backend('m1');
    const down = await freePort();
    for (const who of ['halo', 'haproxy'] as const) {
      socks[who] = join(dir, `${who}.sock`);
      const port = await freePort();
      const file = join(dir, `${who}.cfg`);
      writeFileSync(file, config(socks[who], port, up, down));
      const child =
        who === 'halo'
          ? spawn(process.execPath, [...halo, 'proxy', '-f', file], {
              cwd: root,
              stdio: 'ignore',
            })
          : spawn(HAPROXY, ['-db', '-f', file], { stdio: 'ignore' });
      children.push(child);
      assert.ok(await listening(port), `${who} listens`);
    }
    await sleep(600); // a few checks: k8s-master2 DOWN on both
  });

  after(async () => {
    spawnSync('tmux', [...TMUX, 'kill-server'], { timeout: 5000 });
    for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGTERM');
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const who of ['haproxy', 'halo'] as const) {
    it(`${who}: hatop shows the version, the frontend and both servers with their state`, async () => {
      const screen = await hatopScreen(who, socks[who], /k8s-master2\s+1 DOWN/);
      assert.doesNotMatch(screen, /hatop exited|runtime error/, screen);
      assert.match(screen, /HAProxy Version: \S+\s+\(released: \d{4}\/\d\d\//, screen);
      assert.match(screen, />>> apiserver/, screen);
      assert.match(screen, /FRONTEND\s+\d+ OPEN/, screen);
      assert.match(screen, /k8s-master1\s+1 UP\s+L4OK/, screen);
      assert.match(screen, /k8s-master2\s+1 DOWN\s+L4CON/, screen);
      assert.match(screen, /BACKEND\s+1 UP/, screen);
    });
  }

  it('halo: hatop keys work (2 = traffic view, q quits cleanly)', async () => {
    tmux('send-keys', '-t', 'halo', '2');
    await sleep(1200);
    const traffic = tmux('capture-pane', '-p', '-t', 'halo');
    assert.match(traffic, /LBTOT/, traffic);
    tmux('send-keys', '-t', 'halo', 'q');
    let screen = '';
    for (let i = 0; i < 25 && !/hatop exited/.test(screen); i++) {
      await sleep(200);
      screen = tmux('capture-pane', '-p', '-t', 'halo');
    }
    assert.match(screen, /hatop exited: 0/, screen);
  });
});
