// `halo run` under a Type=notify unit: READY=1 (with MAINPID) once the proxy listens and the
// VRRP instances run, RELOADING=1/READY=1 around SIGHUP, STOPPING=1 at SIGTERM, and the -p
// pidfile written before and removed after. Root (a namespace of its own); the receiver's
// socket is a path, which every network namespace reaches.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haloArgv } from '../halo-cli.js';
import { NotifyReceiver } from '../integration/notify-receiver.js';
import { waitFor } from '../integration/proxy-harness.js';
import { ip, Lab, labSkipReason, OutputWatcher } from './netns.js';
import { FRONTEND_PORT, haproxyConfig, keepalivedConfig } from './run-harness.js';

const skip = labSkipReason();

describe('halo run tells systemd', { skip }, () => {
  const lab = new Lab('hrs');
  let dir: string;
  let ns: string;
  let receiver: NotifyReceiver;
  let run: ChildProcess;
  let out: OutputWatcher;
  /** What the namespace showed when each message arrived. */
  const seen: { text: string; listening: boolean }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-run-systemd-'));
    chmodSync(dir, 0o755);
    ns = lab.namespace('n');
    ip(['-n', ns, 'link', 'add', 'hv0', 'type', 'veth', 'peer', 'name', 'hv1']);
    for (const d of ['hv0', 'hv1']) ip(['-n', ns, 'link', 'set', d, 'up']);
    ip(['-n', ns, 'addr', 'add', '198.51.100.11/24', 'dev', 'hv0']);
    writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(join(dir, 'sock')));
    // A lone node: MASTER at once, and no backend (its tracker is not weight 0 here).
    writeFileSync(
      join(dir, 'keepalived.conf'),
      keepalivedConfig('hv0', { priority: 100, trackers: ['frontend apiserver'] }).replace(
        'state BACKUP',
        'state MASTER',
      ),
    );
    receiver = new NotifyReceiver(join(dir, 'notify'), () => undefined);
    await receiver.bound;
    const look = () => {
      for (const m of receiver.messages.slice(seen.length)) {
        seen.push({
          text: m.text,
          listening: lab.exec(ns, 'ss', ['-ltn']).includes(`:${FRONTEND_PORT} `),
        });
      }
    };
    const poll = setInterval(look, 5);
    poll.unref();
    run = lab.spawn(
      ns,
      process.execPath,
      [
        ...haloArgv,
        'run',
        '-f',
        join(dir, 'haproxy.cfg'),
        '-f',
        join(dir, 'keepalived.conf'),
        '-p',
        join(dir, 'run.pid'),
      ],
      { env: { ...process.env, NOTIFY_SOCKET: receiver.address } },
    );
    out = new OutputWatcher(run);
    run.once('exit', () => setTimeout(() => clearInterval(poll), 500));
  });

  after(async () => {
    await lab.destroy();
    receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('READY=1 with MAINPID once serving, RELOADING=1/READY=1 around SIGHUP, STOPPING=1 at SIGTERM', async () => {
    await waitFor(() => receiver.texts().includes('READY=1'), 10_000, 'READY=1');
    const ready = receiver.messages[0]!.text;
    const mainpid = Number(/MAINPID=(\d+)/.exec(ready)?.[1]);
    assert.equal(Number(readFileSync(join(dir, 'run.pid'), 'utf8')), mainpid, ready);
    await waitFor(() => seen.length >= 1, 2000, 'the namespace looked at');
    assert.equal(seen[0]!.listening, true, 'the frontend listens at READY=1');
    run.kill('SIGHUP');
    await out.waitFor(/Reload done/, 10_000);
    await waitFor(() => receiver.texts().length >= 3, 5000, 'READY=1 after the reload');
    await waitFor(
      () => lab.exec(ns, 'ip', ['-4', '-o', 'addr']).includes('198.51.100.100/'),
      8000,
      'MASTER holds the VIP',
    );
    run.kill('SIGTERM');
    await new Promise((r) => run.once('exit', r));
    await waitFor(() => receiver.texts().length >= 4, 3000, 'STOPPING=1').catch(() => {});
    assert.deepEqual(receiver.texts(), ['READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1']);
    assert.equal(run.exitCode, 0, out.text);
    assert.equal(existsSync(join(dir, 'run.pid')), false, 'pidfile removed at stop');
  });
});
