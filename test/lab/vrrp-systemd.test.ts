// `halo vrrp -n` under keepalived.service (Type=notify): with NOTIFY_SOCKET set it says
// READY=1 once its instances run, RELOADING=1 then READY=1 around a SIGHUP reload, and
// STOPPING=1 at SIGTERM, the messages keepalived 2.2.7 sends through libsystemd. Runs in a
// namespace of its own (root); the receiver's socket is a path, which every network
// namespace reaches (an abstract name would not).

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haloArgv } from '../halo-cli.js';
import { NotifyReceiver } from '../integration/notify-receiver.js';
import { waitFor } from '../integration/proxy-harness.js';
import { ip, Lab, labSkipReason, OutputWatcher } from './netns.js';

const skip = labSkipReason();

const CONFIG = `vrrp_instance VI_1 {
    state MASTER
    interface hv0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        198.51.100.100/24
    }
}
`;

describe('halo vrrp tells systemd', { skip }, () => {
  const lab = new Lab('hvs');
  let dir: string;
  let receiver: NotifyReceiver;
  let vrrp: ChildProcess;
  let out: OutputWatcher;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-vrrp-systemd-'));
    chmodSync(dir, 0o755);
    const ns = lab.namespace('n');
    ip(['-n', ns, 'link', 'add', 'hv0', 'type', 'veth', 'peer', 'name', 'hv1']);
    for (const d of ['hv0', 'hv1']) ip(['-n', ns, 'link', 'set', d, 'up']);
    ip(['-n', ns, 'addr', 'add', '198.51.100.11/24', 'dev', 'hv0']);
    writeFileSync(join(dir, 'keepalived.conf'), CONFIG);
    receiver = new NotifyReceiver(join(dir, 'notify'), () => undefined);
    await receiver.bound;
    vrrp = lab.spawn(
      ns,
      process.execPath,
      [
        ...haloArgv,
        'vrrp',
        '-n',
        '-l',
        '-f',
        join(dir, 'keepalived.conf'),
        '--data-file',
        join(dir, 'data.json'),
      ],
      { env: { ...process.env, NOTIFY_SOCKET: receiver.address } },
    );
    out = new OutputWatcher(vrrp);
  });

  after(async () => {
    await lab.destroy();
    receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('READY=1 after start-up, RELOADING=1/READY=1 around SIGHUP, STOPPING=1 at SIGTERM', async () => {
    await out.waitFor(/Startup complete/, 8000);
    await waitFor(() => receiver.texts().includes('READY=1'), 3000, 'READY=1');
    vrrp.kill('SIGHUP');
    await waitFor(() => receiver.texts().length >= 3, 5000, 'READY=1 after the reload');
    vrrp.kill('SIGTERM');
    await new Promise((r) => vrrp.once('exit', r));
    await waitFor(() => receiver.texts().length >= 4, 3000, 'STOPPING=1').catch(() => {});
    assert.deepEqual(receiver.texts(), ['READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1']);
    assert.equal(vrrp.exitCode, 0);
  });
});
