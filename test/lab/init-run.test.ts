// What `halo init --tracker builtin` writes, run by `halo run` on two masters in namespaces
// (198.51.100.11/.12 on a bridge, VIP .100), each with a stand-in HTTPS apiserver on its
// own address:6443: master1 takes the VIP; every apiserver failing /readyz lowers both nodes
// by the same weight, so the VIP stays where it is; killing master1's proxy worker is FAULT
// (priority 0) and master2 takes over within a second, and the respawned worker brings
// the VIP back. Root (named namespaces).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haloArgv } from '../halo-cli.js';
import { selfSigned } from '../integration/init-apiservers.js';
import { Lab, type LabNode, labSkipReason, OutputWatcher } from './netns.js';
import { sleep, until } from './vrrp-harness.js';

const skip = labSkipReason();
const VIP = '198.51.100.100';

const APISERVER = `
const fs = require('node:fs');
const [key, cert, host, modeFile] = process.argv.slice(1);
require('node:https').createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (q, r) => {
  let ok = true;
  try { ok = fs.readFileSync(modeFile, 'utf8').trim() === 'ok'; } catch {}
  r.writeHead(ok ? 200 : 500).end(ok ? 'ok' : 'not ready');
}).listen(6443, host);
`;

describe('halo init --tracker builtin under halo run', { skip }, () => {
  const lab = new Lab('hir');
  let dir: string;
  let nodes: LabNode[];
  const outs: OutputWatcher[] = [];
  const mode = (i: number) => join(dir, `mode${i}`);
  const holders = () =>
    nodes
      .filter((n) =>
        lab.exec(n.ns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', n.dev]).includes(` ${VIP}/`),
      )
      .map((n) => n.address);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-init-run-'));
    chmodSync(dir, 0o755);
    nodes = lab.bridgedNodes(['m1', 'm2']);
    const { key, cert } = selfSigned();
    writeFileSync(join(dir, 'key.pem'), key);
    writeFileSync(join(dir, 'cert.pem'), cert);
    const init = spawnSync(
      process.execPath,
      [
        ...haloArgv,
        'init',
        '--vip',
        `${VIP}/24`,
        '--masters',
        nodes.map((n) => n.address).join(','),
        '--interface',
        'eth0',
        '--tracker',
        'builtin',
        '--out',
        join(dir, 'cluster'),
        '--yes',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(init.status, 0, init.stderr);
    nodes.forEach((n, i) => {
      writeFileSync(mode(i), 'ok');
      lab.spawn(n.ns, process.execPath, [
        '-e',
        APISERVER,
        join(dir, 'key.pem'),
        join(dir, 'cert.pem'),
        n.address,
        mode(i),
      ]);
    });
    nodes.forEach((n, i) => {
      const files = join(dir, 'cluster', `master${i + 1}`);
      const child = lab.spawn(n.ns, process.execPath, [
        ...haloArgv,
        'run',
        '-f',
        join(files, 'haproxy.cfg'),
        '-f',
        join(files, 'keepalived.conf'),
      ]);
      outs.push(new OutputWatcher(child));
    });
  });

  after(async () => {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const logs = () => outs.map((o, i) => `--- master${i + 1}\n${o.text}`).join('\n');

  it('master1 takes the VIP', async () => {
    await until(() => holders().join() === nodes[0]!.address, 15_000, `VIP on master1\n${logs()}`);
  });

  it('every apiserver failing /readyz lowers both nodes alike: the VIP stays on master1', async () => {
    for (let i = 0; i < nodes.length; i++) writeFileSync(mode(i), 'fail');
    // The backend tracker goes bad once both apiservers are DOWN (inter 500ms fall 2).
    await outs[0]!
      .waitFor(/effective priority from 110 to 90/, 8000)
      .catch((e) => assert.fail(`${e}\n${logs()}`));
    await outs[1]!
      .waitFor(/effective priority from 100 to 80/, 8000)
      .catch((e) => assert.fail(`${e}\n${logs()}`));
    // Longer than Master_Down_Interval (3.6 s at priority 80): a backup would have taken it.
    for (let t = 0; t < 40; t++) {
      assert.deepEqual(holders(), [nodes[0]!.address], logs());
      await sleep(100);
    }
    for (let i = 0; i < nodes.length; i++) writeFileSync(mode(i), 'ok');
  });

  it("master1's proxy worker killed: FAULT, master2 holds the VIP within a second, then it returns", async () => {
    const m = /proxy workers (\d+)/.exec(outs[0]!.text);
    assert.ok(m, outs[0]!.text);
    const t0 = performance.now();
    process.kill(Number(m[1]), 'SIGKILL');
    await until(() => holders().join() === nodes[1]!.address, 3000, 'VIP on master2').catch(
      async (e) => {
        await sleep(5000);
        assert.fail(`${e}\n${logs()}`);
      },
    );
    const moved = performance.now() - t0;
    assert.ok(moved < 1500, `moved after ${moved.toFixed(0)} ms (Skew_Time is 0.6 s)`);
    await until(() => holders().join() === nodes[0]!.address, 15_000, `VIP back\n${logs()}`);
  });
});
