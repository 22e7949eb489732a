// The host half of the lab keeper (`halo lab keeper DIR`): detached from the terminal, in
// the host's network namespace. It starts the inner keeper (under `unshare -Urnm` without
// root) and relays a host 127.0.0.1 port to master1's stats page, which listens on a unix
// socket file in DIR (socket files work across network namespaces). It ends when the inner
// keeper ends, removing its pidfile, the port file and the control socket.

import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { LabPaths } from './lab-host.js';
import { haloArgv } from './lab-nodes.js';

export async function runOuterKeeper(p: LabPaths): Promise<number> {
  writeFileSync(p.pidfile, `${process.pid}\n`);
  const relay = createServer((c) => {
    const up = connect(join(p.dir, 'master1-stats.sock'));
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.pipe(up).pipe(c);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
  writeFileSync(p.statsPort, `${(relay.address() as AddressInfo).port}\n`);
  const rootless = process.getuid?.() !== 0;
  const inner = [process.execPath, ...haloArgv(), 'lab', 'inner', p.dir];
  if (rootless) inner.push('--rootless');
  const child = rootless
    ? spawn('unshare', ['-Urnm', ...inner], { stdio: 'inherit' })
    : spawn(inner[0]!, inner.slice(1), { stdio: 'inherit' });
  const forward = () => child.kill('SIGTERM');
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  process.on('SIGHUP', () => {});
  const code = await new Promise<number>((resolve) =>
    child.once('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))),
  );
  relay.close();
  for (const f of [p.statsPort, p.control, p.pidfile]) rmSync(f, { force: true });
  return code;
}
