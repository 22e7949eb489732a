// `halo handover` and `halo drill` against a running `halo run` group in the lab: three
// nodes (100/99/98, advert_int 1, the harness's built-in trackers) and a client namespace
// on the same bridge that probes VIP:9443 (TCP connect every 10 ms, `halo probe`). The
// handover must cost the client no failed connection in any of HANDOVER_RUNS moves; each
// drill must inject its fault, move the VIP, and restore the node.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, type LabNode, labSkipReason, OutputWatcher } from './netns.js';
import { FRONTEND_PORT, type RunGroup, RunNode, vipOnly } from './run-harness.js';
import { haloCommand, VIP } from './vrrp-harness.js';

const skip = labSkipReason();
const HANDOVER_RUNS = 10;
const TARGET = `${VIP}:${FRONTEND_PORT}`;

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code ?? -1));
  });
}

describe('halo handover and halo drill on a running group (lab)', { skip }, () => {
  let lab: Lab | undefined;
  let dir = '';
  let g: RunGroup | undefined;
  let client: LabNode | undefined;

  /** Runs a halo command in namespace ns to its end; its output and exit code. */
  async function halo(ns: string, args: string[]): Promise<{ code: number; text: string }> {
    const child = lab!.spawn(ns, process.execPath, [...haloCommand(), ...args]);
    const out = new OutputWatcher(child);
    const code = await exited(child);
    return { code, text: out.text };
  }

  function probe(seconds: number): Promise<{ code: number; text: string }> {
    return halo(client!.ns, ['probe', TARGET, '--tcp', '--for', String(seconds), '--json']);
  }

  const failures = (probeText: string) =>
    probeText.split('\n').filter((l) => l.startsWith('{"attempt"')).length;

  before(async () => {
    lab = new Lab('hops');
    dir = mkdtempSync(join(tmpdir(), 'halo-hops-'));
    const lan = lab.bridgedNodes(['m1', 'm2', 'm3', 'c1']);
    client = lan[3];
    const nodes = [100, 99, 98].map(
      (priority, i) => new RunNode(lab!, lan[i]!, `master${i + 1}`, dir, { priority }),
    );
    g = { lab, dir, nodes };
    for (const n of nodes) await n.startBackend();
    nodes[0]!.start();
    await vipOnly(g, 'master1', 15_000);
    for (const n of nodes.slice(1)) {
      n.start();
      await n.out!.waitFor(/INIT -> BACKUP/, 10_000);
    }
  });
  after(async () => {
    if (g) await Promise.all(g.nodes.map((n) => n.stop()));
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sockets = () => g!.nodes.flatMap((n) => ['-s', n.sock]);

  let handoverFailures: number[] = [];

  test(`handover: ${HANDOVER_RUNS} planned moves to the named node, each within 2 s`, async () => {
    const targets = ['198.51.100.12', '198.51.100.13'];
    const failed: number[] = [];
    for (let run = 0; run < HANDOVER_RUNS; run++) {
      const to = targets[run % 2]!;
      const name = to.endsWith('12') ? 'master2' : 'master3';
      const p = probe(3);
      await new Promise((r) => setTimeout(r, 700));
      const h = await halo(g!.nodes[0]!.node.ns, ['handover', '--to', to, ...sockets()]);
      assert.equal(h.code, 0, h.text);
      assert.match(h.text, /VIP moved to .* in \d+ ms/);
      await vipOnly(g!, name, 2000);
      assert.match(
        g!.nodes[name === 'master2' ? 1 : 2]!.showVrrp(),
        /^VI_1 on no 198\.51\.100\.1[23]$/m,
        'show vrrp shows the override',
      );
      const pr = await p;
      failed.push(failures(pr.text));
      console.log(
        `# handover ${run + 1} to ${name}: ${h.text.trim()}; client: ${failed.at(-1)} failed`,
      );
      const errs = pr.text.split('\n').filter((l) => l.startsWith('{"attempt"'));
      if (errs.length > 0) console.log(`# failed attempts: ${errs.join(' ')}`);
    }
    const c = await halo(g!.nodes[0]!.node.ns, ['handover', '--cancel', ...sockets()]);
    assert.equal(c.code, 0, c.text);
    await vipOnly(g!, 'master1', 10_000);
    handoverFailures = failed;
  });

  // The target announces the VIP (GARP) 50 ms before its first advert makes the holder step
  // down: with the advert first, a SYN sent to the holder's MAC after it dropped the VIP and
  // before the client took the GARP was lost (a 1 s timeout in 3 of 6 runs).
  test('handover: zero failed client connections in every run', () => {
    assert.equal(handoverFailures.length, HANDOVER_RUNS, 'the handover runs did not complete');
    assert.deepEqual(
      handoverFailures,
      Array(HANDOVER_RUNS).fill(0),
      `failed attempts per run: ${handoverFailures}`,
    );
  });

  test('handover to a degraded node is refused', async () => {
    const m3 = g!.nodes[2]!;
    // weight-0 trackers fault the node: FAULT is refused as degraded is.
    await m3.stopBackend();
    await m3.out!.waitFor(/-> FAULT/, 5000, 0);
    const h = await halo(g!.nodes[0]!.node.ns, ['handover', '--to', '198.51.100.13', ...sockets()]);
    assert.equal(h.code, 1, h.text);
    assert.match(h.text, /not healthy \(VI_1 FAULT\); refused/);
    await m3.startBackend();
    await vipOnly(g!, 'master1', 5000);
  });

  interface DrillJson {
    drill: string;
    attempts: number;
    failures: number;
    longestMs: number;
    blackouts: { ms: number; errors: string[] }[];
  }

  /** Runs a drill on master1 (probing the VIP from there) while watching who holds it. */
  async function drill(
    kind: string,
    extra: string[],
  ): Promise<{ json: DrillJson; movedTo: Set<string> }> {
    const m1 = g!.nodes[0]!;
    const movedTo = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const n of g!.nodes) if (n !== m1 && n.hasVip()) movedTo.add(n.name);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const d = await halo(m1.node.ns, [
      'drill',
      kind,
      '-s',
      m1.sock,
      '--probe',
      TARGET,
      '--tcp',
      '--before',
      '0.5',
      '--after',
      '3',
      '--json',
      ...extra,
    ]);
    watching = false;
    await watch;
    assert.equal(d.code, 0, d.text);
    const line = d.text.split('\n').find((l) => l.startsWith('{"drill"'));
    assert.ok(line, d.text);
    const json = JSON.parse(line) as DrillJson;
    console.log(
      `# drill ${kind}: ${json.failures} failed of ${json.attempts}, longest blackout ${Math.round(json.longestMs)} ms, VIP seen on ${[...movedTo].join(',') || 'nobody else'}; errors ${[...new Set(json.blackouts.flatMap((b) => b.errors))].join(',') || '-'}`,
    );
    await vipOnly(g!, 'master1', 15_000); // restored: master1 takes the VIP back
    return { json, movedTo };
  }

  test('drill stop-proxy: SIGTTOU, the VIP moves on priority 0, SIGTTIN restores', async () => {
    const { json, movedTo } = await drill('stop-proxy', ['--hold', '3']);
    assert.ok(movedTo.has('master2'), 'the VIP moved to master2 during the drill');
    assert.equal(json.drill, 'stop-proxy');
    assert.ok(json.attempts > 100, `attempts ${json.attempts}`);
    assert.match(g!.nodes[0]!.log, /Tracker frontend apiserver is bad/);
  });

  test('drill kill-apiserver: servers to maint, the VIP moves, ready restores', async () => {
    const { movedTo } = await drill('kill-apiserver', ['--hold', '3']);
    assert.ok(movedTo.has('master2'));
    assert.match(g!.nodes[0]!.log, /Tracker backend kubernetes-apiserver min_up 1 is bad/);
  });

  test('drill freeze: SIGSTOP for 6 s, a backup takes over on its down timer, SIGCONT', async () => {
    // A TCP-connect probe sees no failure here: the frozen holder's kernel still completes
    // handshakes from the listen backlog until master2's GARP moves the clients (a TLS probe
    // would see the stall). What is asserted is the takeover and the restore.
    const { movedTo } = await drill('freeze', ['--hold', '6']);
    assert.ok(movedTo.has('master2'));
    assert.match(g!.nodes[1]!.log, /BACKUP -> MASTER: master down timer/);
  });

  test('drill cut-link: eth0 down for 6 s, then up', async () => {
    const { movedTo } = await drill('cut-link', ['--hold', '6']);
    assert.ok(movedTo.has('master2'));
    assert.match(
      g!.nodes[0]!.lab.exec(g!.nodes[0]!.node.ns, 'ip', ['link', 'show', 'eth0']),
      /state UP|,UP/,
    );
  });

  test('drill: Ctrl-C during the hold still restores', async () => {
    const m1 = g!.nodes[0]!;
    const child = lab!.spawn(m1.node.ns, process.execPath, [
      ...haloCommand(),
      'drill',
      'stop-proxy',
      '-s',
      m1.sock,
      '--probe',
      TARGET,
      '--tcp',
      '--hold',
      '30',
      '--before',
      '0.2',
      '--after',
      '0.5',
    ]);
    const out = new OutputWatcher(child);
    await out.waitFor(/^fault: /m, 10_000);
    await vipOnly(g!, 'master2', 5000);
    child.kill('SIGINT');
    assert.equal(await exited(child), 0, out.text);
    assert.match(out.text, /restored after \d/);
    await vipOnly(g!, 'master1', 15_000);
  });
});
