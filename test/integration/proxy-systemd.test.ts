// `halo proxy` as Debian's haproxy.service starts it: `-Ws -f CONFIG -p PIDFILE -S
// MASTER_SOCKET` (temporary paths here) with NOTIFY_SOCKET set, as root with `user haproxy`
// in the config so the pidfile and master socket are written before privileges drop (it
// exited 70 with EACCES on the pidfile). A python3 unix-datagram receiver plays systemd:
// READY=1 must arrive when the port already accepts, RELOADING=1/READY=1 frame a reload,
// STOPPING=1 comes at stop. The real HAProxy runs the same line as the reference.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import { HAPROXY, hasHaproxy } from './haproxy-child.js';
import { NotifyReceiver } from './notify-receiver.js';
import type { Backend } from './proxy-harness.js';
import { backend, runtimeCommand as cli, freePort, sleep, waitFor } from './proxy-harness.js';

const asRoot = process.getuid?.() === 0;
const haproxyUser = spawnSync('id', ['-u', 'haproxy'], { encoding: 'utf8' });
const dropTo = asRoot && haproxyUser.status === 0 ? Number(haproxyUser.stdout.trim()) : undefined;
if (dropTo === undefined)
  process.stderr.write(
    'proxy-systemd: NOT testing the privilege drop (needs root and a haproxy user)\n',
  );
const skipPython = existsSync('/usr/bin/python3') ? undefined : 'python3 is not installed';

/** One master-CLI exchange: the line, then everything until the server closes. */

function config(fePort: number, up: Backend, extra = ''): string {
  return `global
${dropTo !== undefined ? '    user haproxy\n    group haproxy\n' : ''}${extra}
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
    server k8s-master1 127.0.0.1:${up.port} check inter 500
`;
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(cmd: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stderr: () => err, exit };
}

describe("Debian's haproxy.service command line with NOTIFY_SOCKET", { skip: skipPython }, () => {
  let dir: string;
  let sharedDir: string;
  let up: Backend;
  const stops: (() => void)[] = [];

  before(async () => {
    // 0700 and root's (when root): the dropped-to user could not create anything here.
    dir = mkdtempSync(join(tmpdir(), 'halo-systemd-'));
    sharedDir = mkdtempSync(join(tmpdir(), 'halo-systemd-shared-'));
    chmodSync(sharedDir, 0o755);
    up = await backend('m1');
  });
  after(async () => {
    for (const s of stops.reverse()) s();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(sharedDir, { recursive: true, force: true });
  });

  async function debianLine(who: 'halo' | 'haproxy', extra = '', notify = '') {
    const port = await freePort();
    // Readable by the dropped-to user, as /etc/haproxy/haproxy.cfg is: a reload reads it.
    const file = join(sharedDir, `${who}-${port}.cfg`);
    writeFileSync(file, config(port, up, extra));
    const receiver = new NotifyReceiver(
      notify || join(sharedDir, `${who}-${port}.notify`),
      () => port,
    );
    stops.push(() => receiver.stop());
    await receiver.bound;
    const pidfile = join(dir, `${who}-${port}.pid`);
    const master = join(dir, `${who}-${port}-master.sock`);
    const line = ['-Ws', '-f', file, '-p', pidfile, '-S', master];
    const p =
      who === 'halo'
        ? start(process.execPath, [...halo, 'proxy', ...line], { NOTIFY_SOCKET: receiver.address })
        : start(HAPROXY, line, { NOTIFY_SOCKET: receiver.address });
    stops.push(() => {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    });
    await waitFor(
      () => receiver.messages.some((m) => m.accepting !== undefined) || p.child.exitCode !== null,
      8000,
      `READY=1 from ${who}`,
    ).catch(() => {});
    assert.equal(p.child.exitCode, null, `${who} runs: ${p.stderr()}`);
    return { port, receiver, pidfile, master, p };
  }

  it('halo: READY=1 once the port accepts, pidfile and master socket made before the drop', async () => {
    const { receiver, pidfile, master, p } = await debianLine('halo');
    const ready = receiver.messages.find((m) => m.text.startsWith('READY=1'));
    assert.equal(ready?.text, `READY=1\nMAINPID=${p.child.pid}`);
    assert.equal(ready?.accepting, true, 'the port accepts when READY=1 arrives');
    assert.equal(readFileSync(pidfile, 'utf8'), `${p.child.pid}\n`);
    if (dropTo !== undefined) {
      const status = readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
      assert.match(status, new RegExp(`^Uid:\\s+${dropTo}\\s`, 'm'), 'runs as user haproxy');
    }
    const proc = await cli(master, 'show proc');
    assert.match(proc, /^#<PID> {10}<type> {10}<reloads> {7}<uptime> {8}<version>/);
    assert.match(proc, new RegExp(`^${p.child.pid} +master +0 \\[failed: 0\\] `, 'm'));
    assert.match(proc, new RegExp(`# workers\\n${p.child.pid} +worker +0 `));
    const info = await cli(master, '@1 show info');
    assert.match(info, new RegExp(`^Pid: ${p.child.pid}$`, 'm'));
    assert.match(info, /^Release_date: \d{4}\/\d\d\/\d\d$/m);
    const stat = await cli(master, `@!${p.child.pid} show stat`);
    assert.match(stat, /^apiserver,k8s-master1,/m);
    assert.equal(
      await cli(master, '@2 show info'),
      "Can't find the target PID matching the prefix '@2'\n",
    );

    // A reload from the master CLI, then one from SIGHUP: each framed for systemd.
    assert.equal(await cli(master, 'reload'), '');
    await waitFor(() => receiver.texts().length >= 3, 5000, 'READY=1 after reload');
    p.child.kill('SIGHUP');
    await waitFor(() => receiver.texts().length >= 5, 5000, 'READY=1 after SIGHUP');
    assert.match(await cli(master, 'show proc'), / master +2 \[failed: 0\] /);
    p.child.kill('SIGTERM');
    assert.equal(await p.exit, 0, p.stderr());
    await waitFor(() => receiver.texts().length >= 6, 3000, 'STOPPING=1').catch(() => {});
    assert.deepEqual(receiver.texts(), [
      'READY=1',
      'RELOADING=1',
      'READY=1',
      'RELOADING=1',
      'READY=1',
      'STOPPING=1',
    ]);
    assert.doesNotMatch(p.stderr(), /EACCES|ALERT/);
  });

  it('haproxy (reference): same line, READY=1 with the port accepting, same show proc header', {
    skip: hasHaproxy ? undefined : `${HAPROXY} is not installed`,
  }, async () => {
    const { receiver, pidfile, master, p } = await debianLine('haproxy');
    const ready = receiver.messages.find((m) => m.text.startsWith('READY=1'));
    assert.equal(ready?.text, `READY=1\nMAINPID=${p.child.pid}`);
    assert.equal(ready?.accepting, true);
    assert.equal(readFileSync(pidfile, 'utf8'), `${p.child.pid}\n`);
    const proc = await cli(master, 'show proc');
    assert.match(proc, /^#<PID> {10}<type> {10}<reloads> {7}<uptime> {8}<version>/);
    assert.match(proc, /# workers\n\d+ +worker +0 /);
    assert.match(await cli(master, '@1 show info'), /^Release_date: \d{4}\/\d\d\/\d\d$/m);
    p.child.kill('SIGTERM');
    await p.exit;
    await waitFor(() => receiver.texts().includes('STOPPING=1'), 3000, 'STOPPING=1');
  });

  it('halo nbthread 2, abstract NOTIFY_SOCKET: READY=1; @1/@2 reach each worker', async () => {
    const abstract = `@halo-systemd-${process.pid}`;
    const { receiver, master, p } = await debianLine('halo', '    nbthread 2\n', abstract);
    const ready = receiver.messages.find((m) => m.text.startsWith('READY=1'));
    assert.equal(ready?.accepting, true);
    const proc = await cli(master, 'show proc');
    const workers = [...proc.matchAll(/^(\d+) +worker /gm)].map((m) => Number(m[1]));
    assert.equal(workers.length, 2, proc);
    assert.ok(!workers.includes(p.child.pid!), 'workers are child processes');
    for (const [i, pid] of workers.entries()) {
      const info = await cli(master, `@${i + 1} show info`);
      assert.match(info, new RegExp(`^Pid: ${pid}$`, 'm'));
      assert.match(info, new RegExp(`^Process_num: ${i + 1}$`, 'm'));
    }
    p.child.kill('SIGTERM');
    assert.equal(await p.exit, 0, p.stderr());
    await sleep(100);
    assert.deepEqual(receiver.texts(), ['READY=1', 'STOPPING=1']);
  });

  it("global 'master-worker' is -W: the -S socket answers show proc", async () => {
    const port = await freePort();
    const file = join(sharedDir, 'mw.cfg');
    writeFileSync(file, config(port, up, '    master-worker\n'));
    const master = join(dir, 'mw-master.sock');
    const p = start(process.execPath, [...halo, 'proxy', '-f', file, '-S', master], {});
    stops.push(() => {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    });
    await waitFor(() => /proxy started/.test(p.stderr()), 8000, 'start');
    assert.match(await cli(master, 'show proc'), new RegExp(`^${p.child.pid} +master `, 'm'));
    assert.doesNotMatch(p.stderr(), /master-worker mode \(-W\) is not enabled/);
    p.child.kill('SIGTERM');
    await p.exit;
  });

  it('-S without -W: warned as HAProxy does, no socket', async () => {
    const port = await freePort();
    const file = join(dir, 'plain.cfg');
    writeFileSync(file, config(port, up));
    const master = join(dir, 'plain-master.sock');
    const p = start(process.execPath, [...halo, 'proxy', '-f', file, '-S', master], {});
    stops.push(() => {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    });
    await waitFor(() => /proxy started/.test(p.stderr()), 8000, 'start');
    assert.match(
      p.stderr(),
      /\[WARNING\] +\(\d+\) : config : a master CLI socket was defined, but master-worker mode \(-W\) is not enabled\./,
    );
    assert.equal(existsSync(master), false);
    p.child.kill('SIGTERM');
    await p.exit;
  });
});
