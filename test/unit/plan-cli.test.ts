// `halo plan` as a child process: exit codes (0 clean, 1 flagged, 2 usage), --json for a
// deployment gate, --max-failures, and the command listed in `halo help`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haloArgv, repoRoot } from '../halo-cli.js';

function halo(args: string[]) {
  const r = spawnSync(process.execPath, [...haloArgv, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const F = 'test/fixtures/plan';
const scratch = mkdtempSync(join(tmpdir(), 'halo-plan-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('halo plan CLI', () => {
  it('exits 0 on a clean group (kubeadm 101/100, weight -2)', () => {
    const r = halo(['plan', '-f', `${F}/kubeadm/cp1`, '-f', `${F}/kubeadm/cp2`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /verdict: clean/);
  });

  it('exits 1 on the 100/90 weight -2 trap', () => {
    const r = halo(['plan', `${F}/trap/node1`, `${F}/trap/node2`]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /verdict: FLAGGED/);
  });

  it('exits 2 on bad usage, with the usage text', () => {
    for (const args of [['plan'], ['plan', '--frobnicate'], ['plan', '--max-failures', 'x']]) {
      const r = halo(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /Usage: halo plan/);
    }
  });

  it('exits 2 on a missing path or a folder without keepalived.conf', () => {
    const missing = halo(['plan', `${F}/does-not-exist`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or folder/);
    writeFileSync(join(scratch, 'haproxy.cfg'), 'frontend fe\n    bind *:9443\n');
    const none = halo(['plan', scratch]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no keepalived\.conf/);
  });

  it('a named file that is no config is an error (exit 1), one in a folder a warning', () => {
    const odd = join(scratch, 'notes.txt');
    writeFileSync(odd, 'hello\n');
    const named = halo(['plan', odd, `${F}/kubeadm/cp1`, `${F}/kubeadm/cp2`]);
    assert.equal(named.code, 1);
    assert.match(
      named.stdout,
      /notes\.txt:1: error: neither a haproxy\.cfg nor a keepalived\.conf/,
    );
    // cp2's file in a folder with a stray file beside it: still kubeadm's clean pair.
    const dir = join(scratch, 'cp2');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    copyFileSync(join(repoRoot, F, 'kubeadm/cp2/keepalived.conf'), join(dir, 'keepalived.conf'));
    const folder = halo(['plan', `${F}/kubeadm/cp1`, dir]);
    assert.match(folder.stdout, /cp2\/notes\.txt:1: warning: skipped: neither/);
    assert.equal(folder.code, 0, folder.stdout);
  });

  it('--json: the flag, its code, lines and order, for a pipeline to read', () => {
    const r = halo(['plan', '--json', `${F}/trap/node1`, `${F}/trap/node2`]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.flagged, true);
    assert.deepEqual(
      doc.nodes.map((n: { label: string }) => n.label),
      ['node1', 'node2'],
    );
    const rows = doc.routers[0].rows;
    assert.equal(rows.length, 9);
    const flagged = rows.filter((x: { flags: unknown[] }) => x.flags.length > 0);
    assert.equal(flagged.length, 1);
    assert.deepEqual(flagged[0].conditions, { node1: 'failed', node2: 'ok' });
    assert.deepEqual(flagged[0].outcomes, [{ holders: ['node1'], priority: 98 }]);
    assert.equal(flagged[0].flags[0].code, 'degraded-holds');
    assert.deepEqual(flagged[0].flags[0].at, [
      `${F}/trap/node1/keepalived.conf:8`,
      `${F}/trap/node1/keepalived.conf:17`,
      `${F}/trap/node2/keepalived.conf:17`,
    ]);
  });

  it('--json on a clean group: flagged false, every row unflagged, failover times', () => {
    const r = halo(['plan', '--json', `${F}/kubeadm/cp1`, `${F}/kubeadm/cp2`]);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.flagged, false);
    const rows = doc.routers[0].rows;
    assert.ok(rows.every((x: { flags: unknown[] }) => x.flags.length === 0));
    // cp1's tracker fails: interval 3 s x fall 10 + 3 x advert_int + skew of priority 101
    assert.equal(rows[1].failoverMs, 33_605.46875);
  });

  it('--max-failures 1 keeps the single failures only', () => {
    const r = halo(['plan', '--json', '--max-failures', '1', 'examples/article/']);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.routers[0].rows.length, 7);
    assert.equal(doc.flagged, false, 'the article flags nothing for a single failure');
    assert.equal(r.code, 0);
  });

  it('is listed in halo help', () => {
    const r = halo(['help']);
    assert.match(r.stdout, /\n {2}plan +check a group of nodes/);
  });
});
