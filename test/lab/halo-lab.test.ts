// `halo lab` as a user runs it, through the CLI: as root (named namespaces, visible to
// `ip netns list`) and without root (the same CLI as uid 65534 under setpriv, in an
// unprivileged user namespace). Each: up, status, fail master1 (the VIP moves to master2
// with a priority-0 handover, the client's blackout printed and bounded well under the
// 3.6 s Master_Down_Interval), recover (the VIP returns), down leaving nothing. As root
// also a crashed keeper: `down` removes its orphaned processes and named namespaces.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labNamespaces, processesUsing } from '../../src/lab/lab-netns.js';
import { labSkipReason } from './netns.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', '..', 'src', 'cli', 'main.js');
const NOBODY = 65534;

function lab(args: string[], runtimeDir: string, asNobody = false) {
  const env = { ...process.env, HOME: runtimeDir, XDG_RUNTIME_DIR: runtimeDir };
  const argv = [process.execPath, CLI, 'lab', ...args];
  const r = asNobody
    ? spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...argv], {
        encoding: 'utf8',
        env,
        cwd: runtimeDir,
        timeout: 120_000,
      })
    : spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env, timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function runtimeDir(owner?: number): string {
  const d = mkdtempSync(join(tmpdir(), 'halo-lab-test-'));
  if (owner !== undefined) chownSync(d, owner, owner);
  chmodSync(d, 0o700);
  return d;
}

const MOVE =
  /fail master1 proxy: VIP moved master1 -> master2 in (\d+) ms(?: \(for a moment on master3 first\))?; client blackout (\d+) ms, (\d+) of (\d+) connections failed/;

/** The story both modes share; returns the measured numbers for the log. */
function story(dir: string, asNobody: boolean): void {
  const upOut = lab(['up'], dir, asNobody);
  assert.equal(upOut.status, 0, upOut.out);
  assert.match(upOut.out, /^VIP 198\.51\.100\.100 on master1$/m);
  assert.match(upOut.out, /mode trap: backend 'apiserver' inherits 'mode http'/);
  assert.match(upOut.out, /stats page of master1: http:\/\/127\.0\.0\.1:\d+\/haproxy-status/);
  const st = lab(['status'], dir, asNobody);
  assert.equal(st.status, 0, st.out);
  assert.match(st.out, /^master1 198\.51\.100\.11: MASTER priority 100 \(base 100\)$/m);
  assert.match(st.out, /^master2 198\.51\.100\.12: BACKUP priority 99 \(base 99\)$/m);
  assert.match(
    st.out,
    /trackers: frontend apiserver good, worker good, backend apiserver min_up 1 good/,
  );
  assert.match(st.out, /backend apiserver: k8s-master1 UP, k8s-master2 UP, k8s-master3 UP/);

  const f = lab(['fail', 'master1'], dir, asNobody);
  assert.equal(f.status, 0, f.out);
  const m = MOVE.exec(f.out);
  assert.ok(m, f.out);
  console.log(`# ${asNobody ? 'rootless' : 'root'}: ${f.out.trim()}`);
  // A priority-0 handover, not master2's down timer (3.6 s): the bound is 2 s for both.
  assert.ok(Number(m[1]) < 2000, f.out);
  assert.ok(Number(m[2]) < 2000 && Number(m[3]) > 0, f.out);
  const st2 = lab(['status'], dir, asNobody);
  assert.match(st2.out, /^VIP 198\.51\.100\.100 on master2$/m);
  assert.match(st2.out, /^master1 198\.51\.100\.11: FAULT .*fault 'proxy' injected$/m);
  assert.match(st2.out, /trackers: frontend apiserver FAULT/);

  const r = lab(['recover', 'master1'], dir, asNobody);
  assert.equal(r.status, 0, r.out);
  console.log(`# ${asNobody ? 'rootless' : 'root'}: ${r.out.trim()}`);
  assert.match(r.out, /recover master1 proxy: VIP moved master2 -> master1 in \d+ ms/);
}

describe('halo lab as root: named namespaces', { skip: labSkipReason() }, () => {
  // As root the lab's state is always in /tmp/halo-lab-0 (XDG_RUNTIME_DIR is ignored).
  const dir = runtimeDir();
  const state = '/tmp/halo-lab-0';
  after(() => {
    lab(['down'], dir);
    rmSync(dir, { recursive: true, force: true });
  });

  test('up, status, fail master1, recover; ip netns list shows the lab; down leaves nothing', () => {
    story(dir, false);
    // The fake apiserver through the VIP, as kubectl reaches it from the client namespace.
    const curl = (path: string, secs = 3) =>
      spawnSync(
        'ip',
        [
          'netns',
          'exec',
          'halolab-client',
          'curl',
          '-sk',
          '--max-time',
          String(secs),
          `https://198.51.100.100:9443${path}`,
        ],
        { encoding: 'utf8' },
      ).stdout;
    for (const p of ['/healthz', '/readyz', '/livez']) assert.equal(curl(p), 'ok', p);
    assert.match(curl('/version'), /"gitVersion":"v1\.28\.0-halo-lab"/);
    const events = curl('/api/v1/watch/events', 2.5).trim().split('\n');
    assert.ok(events.length >= 2, `one event a second: ${events.join(' | ')}`);
    assert.match(events[0]!, /^\{"type":"ADDED","object":\{"kind":"Event"/);
    assert.deepEqual(labNamespaces().sort(), [
      'halolab-client',
      'halolab-master1',
      'halolab-master2',
      'halolab-master3',
      'halolab-sw',
    ]);
    const d = lab(['down'], dir);
    assert.equal(d.status, 0, d.out);
    assert.match(d.out, /keeper PID \d+ stopped/);
    assert.deepEqual(labNamespaces(), []);
    assert.deepEqual(processesUsing(state), []);
    assert.equal(existsSync(state), false);
  });

  test('drill: each fault on the holder, the VIP within Master_Down_Interval, a table', () => {
    const u = lab(['up'], dir);
    assert.equal(u.status, 0, u.out);
    const d = lab(['drill'], dir);
    assert.equal(d.status, 0, d.out);
    console.log(d.out.replace(/^/gm, '# '));
    const rows = d.out.split('\n').filter((l) => /^\| (proxy|apiserver|freeze|link) /.test(l));
    assert.equal(rows.length, 8, d.out);
    const cell = (fault: string, step: string) =>
      rows.find((r) => r.startsWith(`| ${fault} | master1 | ${step} |`))?.split(' | ') ?? [];
    // | fault | node | step | VIP | move ms | blackout ms | failed/attempts |
    assert.equal(cell('proxy', 'fail')[3], 'master1 -> master2');
    assert.ok(Number(cell('proxy', 'fail')[5]) < 2000, d.out);
    assert.equal(
      cell('apiserver', 'fail')[3],
      'master1 -> master1',
      'an apiserver fault keeps the VIP',
    );
    for (const f of ['freeze', 'link']) {
      assert.equal(cell(f, 'fail')[3], 'master1 -> master2', d.out);
      // Master_Down_Interval is 3 x 1 s + Skew_Time 0.61 s; stopping the node's processes
      // (ip netns pids, then a signal each) and the 10 ms polling come on top.
      assert.ok(Number(cell(f, 'fail')[4]) < 4000, d.out);
    }
    for (const f of ['proxy', 'freeze', 'link'])
      assert.equal(cell(f, 'recover')[3], 'master2 -> master1', d.out);
  });

  test('a crashed keeper: down kills what it left and deletes the named namespaces', () => {
    const u = lab(['up'], dir);
    assert.equal(u.status, 0, u.out);
    const keeper = Number(readFileSync(join(state, 'keeper.pid'), 'utf8'));
    // The crash: both keeper halves die at once; the nodes and namespaces stay behind.
    const inner = processesUsing(state).filter((p) =>
      readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('\0inner\0'),
    );
    for (const p of [keeper, ...inner]) process.kill(p, 'SIGKILL');
    execFileSync('sleep', ['0.3']);
    assert.ok(processesUsing(state).length > 0, 'the nodes outlive the keeper');
    assert.equal(labNamespaces().length, 5);
    const st = lab(['status'], dir);
    assert.notEqual(st.status, 0);
    assert.match(st.out, /the lab is not up/);
    const d = lab(['down'], dir);
    assert.equal(d.status, 0, d.out);
    assert.match(d.out, /stale pidfile .* removed/);
    assert.match(d.out, /left-over lab processes killed/);
    assert.match(d.out, /named namespaces deleted: halolab-/);
    assert.deepEqual(labNamespaces(), []);
    assert.deepEqual(processesUsing(state), []);
  });
});

function rootlessSkip(): string | undefined {
  if (labSkipReason()) return labSkipReason();
  const probe = spawnSync(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'unshare', '-Urnm', 'true'],
    { encoding: 'utf8', cwd: '/' },
  );
  if (probe.error) return 'setpriv is not installed';
  if (probe.status !== 0) return `user namespaces refused for uid ${NOBODY}: ${probe.stderr}`;
  const read = spawnSync(
    'setpriv',
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      process.execPath,
      CLI,
      '--version',
    ],
    { encoding: 'utf8', cwd: '/' },
  );
  if (read.status !== 0) return `uid ${NOBODY} cannot run ${CLI} (make dist readable)`;
  return undefined;
}

describe('halo lab without root: uid 65534 in a user namespace', { skip: rootlessSkip() }, () => {
  const dir = runtimeDir(NOBODY);
  after(() => {
    lab(['down'], dir, true);
    rmSync(dir, { recursive: true, force: true });
  });

  test('up, status, fail master1 (the VIP moves to master2), recover, down leaves nothing', () => {
    story(dir, true);
    const before = labNamespaces();
    const d = lab(['down'], dir, true);
    assert.equal(d.status, 0, d.out);
    assert.match(d.out, /keeper PID \d+ stopped/);
    assert.deepEqual(processesUsing(join(dir, 'halo-lab')), []);
    assert.equal(existsSync(join(dir, 'halo-lab')), false);
    // Its namespaces lived in its own user namespace: none ever showed on the host.
    assert.deepEqual(before, []);
    const ps = spawnSync('ps', ['-u', String(NOBODY), '-o', 'pid=,args='], { encoding: 'utf8' });
    assert.equal(ps.stdout.includes(dir), false, ps.stdout);
  });
});
