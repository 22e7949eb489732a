// halo's log and stderr lines for `observe layer4` (Health analyze), `option log-health-checks` and
// `on-marked-down shutdown-sessions` (the D- termination state), next to the real
// HAProxy 2.6 running the same config and the same clients. Lines are compared after
// taking out what differs by nature: client ports, dates, timers, pids, check durations.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv, repoRoot as root } from '../halo-cli.js';
import { acceptQueue, backend, freePort, sleep, waitFor } from './proxy-harness.js';

const HALO = [process.execPath, ...haloArgv];
const HAPROXY = '/usr/sbin/haproxy';

interface Run {
  stdout: string;
  stderr: string;
  child: ChildProcess;
}

function start(argv: string[]): Run {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Run = { stdout: '', stderr: '', child };
  child.stdout!.on('data', (d) => {
    r.stdout += d;
  });
  child.stderr!.on('data', (d) => {
    r.stderr += d;
  });
  return r;
}

async function stop(r: Run): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const gone = new Promise((res) => r.child.once('exit', res));
  r.child.kill('SIGTERM');
  await gone;
}

/** Log lines (stdout) with client address, date and timers taken out. */
function logLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\d+\.\d+\.\d+\.\d+:\d+ \[|^Server |^backend |^Health check /.test(l))
    .map((l) =>
      l
        .replace(/^\d+\.\d+\.\d+\.\d+:\d+ \[[^\]]+\] /, '')
        .replace(/ -?\d+\/-?\d+\/\d+ /, ' T ')
        .replace(/check duration: \d+ms/, 'check duration: Nms'),
    );
}

/** stderr notices about servers and backends, pid taken out. */
function stderrLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /Server be\/|has no server available|Health check for/.test(l))
    .map((l) =>
      l.replace(/\(\d+\)/, '(pid)').replace(/check duration: \d+ms/, 'check duration: Nms'),
    );
}

/** Connects, waits for the proxy to close, returns what arrived. */
/** One client: resolves to what it received by the close; `onData` sees each arrival. */
function once(port: number, onData?: (got: string) => void): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const c = net.connect({ port, host: '127.0.0.1' });
    c.setTimeout(3000, () => c.destroy());
    c.on('data', (d) => {
      got += d;
      onData?.(got);
    });
    c.on('error', () => {});
    c.on('close', () => resolve(got));
  });
}

const skip = existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`;

describe('log lines next to HAProxy 2.6: Health analyze and D-', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-loglines-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('observe layer4 error-limit 2 on-error mark-down', async () => {
    const checked = await backend('chk'); // the check port answers; the traffic port is dead
    cleanup.push(() => checked.close());
    const dead = await freePort();
    const out: Record<string, Run> = {};
    for (const [who, argv] of [
      ['haproxy', (f: string) => [HAPROXY, '-d', '-f', f]],
      ['halo', (f: string) => [...HALO, 'proxy', '-f', f]],
    ] as const) {
      const port = await freePort();
      const file = join(dir, `observe-${who}.cfg`);
      writeFileSync(
        file,
        `global
    log stdout format raw local0
defaults
    mode tcp
    log global
    option tcplog
    retries 0
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s1 127.0.0.1:${dead} check port ${checked.port} inter 10s observe layer4 error-limit 2 on-error mark-down
`,
      );
      const r = start(argv(file));
      out[who] = r;
      cleanup.push(() => stop(r));
      await waitFor(() => acceptQueue(port) !== undefined, 10_000, `${who} listening`);
      await sleep(500); // the first check (UP: nothing logged)
      for (let i = 0; i < 3; i++) assert.equal(await once(port), '');
      await waitFor(() => logLines(r.stdout).length >= 5, 5000, `${who}: five lines`);
      await stop(r);
    }
    const expected = [
      'fe be/s1 T 0 SC 1/1/0/0/0 0/0',
      'Server be/s1 is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection". 0 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.',
      'backend be has no server available!',
      'fe be/s1 T 0 SC 1/1/0/0/0 0/0',
      'fe be/<NOSRV> T 0 SC 1/1/0/0/0 0/0',
    ];
    assert.deepEqual(logLines(out.haproxy!.stdout), expected, 'haproxy as recorded');
    assert.deepEqual(logLines(out.halo!.stdout), expected);
    assert.deepEqual(stderrLines(out.halo!.stderr), stderrLines(out.haproxy!.stderr));
  });

  it('on-marked-down shutdown-sessions: the cut session logs D-', async () => {
    const data = await backend('s1');
    cleanup.push(() => data.close());
    const out: Record<string, Run> = {};
    for (const [who, argv] of [
      ['haproxy', (f: string) => [HAPROXY, '-d', '-f', f]],
      ['halo', (f: string) => [...HALO, 'proxy', '-f', f]],
    ] as const) {
      const checked = await backend('chk');
      const port = await freePort();
      const file = join(dir, `down-${who}.cfg`);
      writeFileSync(
        file,
        `global
    log stdout format raw local0
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s1 127.0.0.1:${data.port} check port ${checked.port} inter 200 fall 1 rise 1 on-marked-down shutdown-sessions
`,
      );
      const r = start(argv(file));
      out[who] = r;
      cleanup.push(() => stop(r));
      await waitFor(() => acceptQueue(port) !== undefined, 10_000, `${who} listening`);
      await sleep(300);
      let greeted = false;
      const session = once(port, (got) => {
        greeted = got === 's1\n';
      });
      // The session must be established in the proxy before the check port closes, or
      // the DOWN line counts 0 sessions active: the client has the server's greeting only
      // once the proxy relayed it (the server's accept alone was not enough for HAProxy on
      // a loaded machine, nor a fixed 200 ms before that).
      await waitFor(() => greeted, 5000, `${who}: the server's greeting through the proxy`);
      await sleep(50);
      await checked.close(); // the next check is refused: DOWN, and the session is cut
      assert.equal(await session, 's1\n');
      await waitFor(() => logLines(r.stdout).length >= 3, 5000, `${who}: three lines`);
      await stop(r);
    }
    const expected = [
      'Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 0 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.',
      'backend be has no server available!',
      'fe be/s1 T 3 D- 1/1/0/0/0 0/0',
    ];
    // HAProxy counts the session being cut as active or not depending on whether its
    // stream was torn down before the DOWN line was written: on a loaded machine it wrote
    // "0 sessions active" in about 1 run of 4, even with the greeting relayed first. halo
    // counts it (it writes the line before cutting), as HAProxy does on an idle machine.
    const either = (l: string) => l.replace('. 0 sessions active,', '. 1 sessions active,');
    // HAProxy also writes the cut session's line before the DOWN pair now and then (the
    // stream's task ran first: seen in a CI run under load), so its order is checked as
    // "the DOWN pair in order, the session line on either side of it".
    const ref = logLines(out.haproxy!.stdout).map(either);
    const session = expected[2]!;
    const ordered = [...ref.filter((l) => l !== session), session];
    assert.equal(ref.length, expected.length, `haproxy as recorded:\n${out.haproxy!.stdout}`);
    assert.deepEqual(ordered, expected, `haproxy as recorded:\n${out.haproxy!.stdout}`);
    assert.ok(
      ref[1] !== session,
      `haproxy wrote the session line inside the DOWN pair:\n${out.haproxy!.stdout}`,
    );
    // The raw output in the message: a CI run on a loaded machine once had halo's session
    // line first, not reproduced since (4 runs beside two CPU hogs on Node 22).
    assert.deepEqual(logLines(out.halo!.stdout), expected, `halo wrote:\n${out.halo!.stdout}`);
    // The same DOWN line on stderr: the same either-way count for HAProxy.
    assert.deepEqual(stderrLines(out.halo!.stderr), stderrLines(out.haproxy!.stderr).map(either));
  });

  it('option log-health-checks: a line per check that changes something, DOWN without reason', async () => {
    const out: Record<string, Run> = {};
    for (const [who, argv] of [
      ['haproxy', (f: string) => [HAPROXY, '-d', '-f', f]],
      ['halo', (f: string) => [...HALO, 'proxy', '-f', f]],
    ] as const) {
      const checked = await backend('chk');
      const port = await freePort();
      const file = join(dir, `lhc-${who}.cfg`);
      writeFileSync(
        file,
        `global
    log stdout format raw local0
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    option log-health-checks
    server s1 127.0.0.1:${checked.port} check inter 150 fall 2 rise 2
`,
      );
      const r = start(argv(file));
      out[who] = r;
      cleanup.push(() => stop(r));
      await waitFor(() => logLines(r.stdout).length >= 1, 10_000, `${who}: the first check's line`);
      await checked.close(); // two refused checks: 1/2 UP, then DOWN
      await waitFor(() => logLines(r.stdout).length >= 5, 5000, `${who}: five lines`);
      await sleep(400); // nothing more: a failure that changes nothing is not logged
      await stop(r);
    }
    const expected = [
      'Health check for server be/s1 succeeded, reason: Layer4 check passed, check duration: Nms, status: 2/2 UP.',
      'Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 1/2 UP.',
      'Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 0/2 DOWN.',
      'Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'backend be has no server available!',
    ];
    assert.deepEqual(logLines(out.haproxy!.stdout), expected, `haproxy:\n${out.haproxy!.stdout}`);
    assert.deepEqual(logLines(out.halo!.stdout), expected, `halo:\n${out.halo!.stdout}`);
    assert.deepEqual(stderrLines(out.halo!.stderr), stderrLines(out.haproxy!.stderr));
  });
});
