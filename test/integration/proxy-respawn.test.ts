// `nbthread N`: workers killed by PID (SIGKILL) are respawned with a growing back-off while
// the master keeps its sockets, even when every worker is dead at once; after too many
// deaths in a short window the master gives up, stops the rest and exits non-zero, so a
// supervisor (`Restart=on-failure`) restarts it. Before, it exited 0 with nothing listening.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import { backend, exchange, freePort, waitFor, workerPids } from './proxy-harness.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('halo proxy master: worker respawn and giving up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-respawn-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('respawns killed workers with back-off, then gives up with status 1', async () => {
    const b = await backend('echo');
    cleanup.push(() => b.close());
    const port = await freePort();
    const file = join(dir, 'r.cfg');
    writeFileSync(
      file,
      `global
    nbthread 2
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server ${b.name} 127.0.0.1:${b.port}
`,
    );
    const master = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    master.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => master.on('exit', r));
    cleanup.push(() => {
      if (master.exitCode === null) master.kill('SIGKILL');
    });
    await waitFor(() => /master started 2 workers/.test(stderr), 20_000, 'master start');
    const pid = master.pid!;
    const serves = async () => assert.equal((await exchange(port, 'hi\n')).data, 'echo\nhi\n');
    await serves();

    // Every worker dead at once: the master stays, respawns both, serves again.
    const first = workerPids(pid);
    assert.equal(first.length, 2);
    for (const w of first) process.kill(w, 'SIGKILL');
    await waitFor(
      () => workerPids(pid).filter((w) => !first.includes(w)).length === 2,
      20_000,
      'two replacements',
    );
    assert.equal(master.exitCode, null, 'the master is still running');
    await waitFor(() => /starting a new one in 200 ms/.test(stderr), 5000, 'second back-off');
    assert.match(stderr, /exited with code SIGKILL; starting a new one in 100 ms/);
    await serves();

    // Three more, one at a time: the delay doubles each time.
    for (const delay of [400, 800, 1600]) {
      const before = workerPids(pid);
      process.kill(before[0]!, 'SIGKILL');
      await waitFor(
        () => new RegExp(`starting a new one in ${delay} ms`).test(stderr),
        5000,
        `back-off ${delay}`,
      );
      await serves(); // the other worker serves meanwhile
      await waitFor(
        () => workerPids(pid).length === 2 && !workerPids(pid).includes(before[0]!),
        20_000,
        'replacement',
      );
    }

    // The sixth death within the window: the master gives up.
    const last = workerPids(pid);
    process.kill(last[0]!, 'SIGKILL');
    assert.equal(await exited, 1, stderr);
    assert.match(stderr, /6 workers died within 60 s: giving up/);
    await waitFor(() => last.every((w) => !alive(w)), 5000, 'every worker gone');
  });
});
