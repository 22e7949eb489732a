// `halo lab up|status|fail|recover|drill|down`: the article's cluster (three masters running
// `halo run` beside a fake kube-apiserver, a client) in network namespaces, without root
// when the kernel allows user namespaces. `up` starts a detached keeper; the other
// subcommands are requests on its control socket. Hidden: `keeper`, `inner`, `apiserver`
// (the processes the lab runs).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeApiserver } from '../../lab/fake-apiserver.js';
import { request, startKeeper, teardownLab } from '../../lab/lab-control.js';
import {
  type LabPaths,
  labPaths,
  liveKeeper,
  packageRoot,
  pathsIn,
  userNamespaceRefusal,
} from '../../lab/lab-host.js';
import { LabKeeper } from '../../lab/lab-keeper.js';
import { runOuterKeeper } from '../../lab/lab-relay.js';
import { APISERVER_PORT, FAULTS } from '../../lab/topology.js';
import type { Command, CommandIO } from '../command.js';

const USAGE = `Usage: halo lab up|status|fail NODE [FAULT]|recover NODE|drill|down

The article's cluster in network namespaces: master1..3 (198.51.100.11-13) on a bridge,
each with a fake kube-apiserver on :6443 and \`halo run\` on examples/article/ (addresses
rewritten, the mode trap fixed, track_script replaced by track_proxy), the VIP
198.51.100.100, a client (198.51.100.50) probing VIP:9443. No route out.
Without root it runs in an unprivileged user namespace (unshare -Urnm); as root in named
namespaces (ip netns list: halolab-*).
  up                 build it; prints the VIP holder and master1's stats page URL
  status             VIP holder; each node's state, priority, trackers, backend servers
  fail NODE [FAULT]  ${FAULTS.join('|')} (default proxy); prints the VIP move and blackout
                     proxy: the article's \`systemctl stop haproxy\`: halo run's proxy
                     releases its listeners (SIGTTOU) while its VRRP half keeps running
  recover NODE       undo NODE's fault; prints the same
  drill              fail+recover each fault on the VIP holder, a table
  down               remove everything (also what a crashed run left)`;

/** The host 127.0.0.1 URL of master1's stats page (the keeper's relay). */
export function statsUrl(p: LabPaths): string | undefined {
  try {
    const port = Number(readFileSync(p.statsPort, 'utf8').trim());
    return `http://127.0.0.1:${port}/haproxy-status`;
  } catch {
    return undefined;
  }
}

async function up(io: CommandIO, p: LabPaths): Promise<number> {
  const pid = liveKeeper(p);
  if (pid !== undefined) {
    io.stdout(`halo lab: already up (keeper PID ${pid}, ${p.dir})\n`);
    return 0;
  }
  const root = process.getuid?.() === 0;
  if (!root) {
    const why = userNamespaceRefusal();
    if (why) {
      io.stderr(`halo lab: this host refuses unprivileged user namespaces:\n  ${why}\n`);
      return 1;
    }
  }
  for (const l of await teardownLab(p)) io.stdout(`halo lab: from an earlier run: ${l}\n`);
  const r = await startKeeper(p);
  if (r.rc !== 0) {
    io.stderr(`halo lab: ${r.text}\n`);
    await teardownLab(p);
    return 1;
  }
  const notes = (r.data as { notes?: string[] } | undefined)?.notes ?? [];
  io.stdout(
    `halo lab: up ${root ? "as root (named namespaces: 'ip netns list' shows halolab-*)" : `without root (a user namespace of uid ${process.getuid?.()})`}\n`,
  );
  for (const n of notes) io.stdout(`  ${n}\n`);
  io.stdout(
    `  stats page of master1: ${statsUrl(p) ?? '(no relay)'} (user admin, password admin123)\n`,
  );
  io.stdout(`  keeper PID ${liveKeeper(p) ?? '?'}, state and logs in ${p.dir}\n`);
  const s = await request(p, { cmd: 'status' }, 10_000);
  io.stdout(`${s.text}\n`);
  return 0;
}

async function inner(argv: string[], io: CommandIO): Promise<number> {
  const dir = argv[0];
  if (!dir) return 2;
  io.serving?.((m) => io.stderr(`${m}\n`));
  const keeper = new LabKeeper(
    dir,
    join(packageRoot(io.cwd), 'examples', 'article'),
    argv.includes('--rootless'),
  );
  const stop = new Promise<void>((resolve) => {
    keeper.onDown = resolve;
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  try {
    await keeper.build();
  } catch (e) {
    io.stderr(`halo lab: ${(e as Error).message}\n`);
    await keeper.teardown();
    return 1;
  }
  await keeper.listen(join(dir, 'control.sock'));
  io.stdout(`halo lab: up, VIP on master1; ${keeper.notes.join('; ')}\n`);
  await stop;
  await keeper.teardown();
  io.stdout('halo lab: down\n');
  return 0;
}

function opt(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function apiserver(argv: string[], io: CommandIO): Promise<number> {
  const name = opt(argv, '--name') ?? 'apiserver';
  io.serving?.((m) => io.stderr(`${m}\n`));
  await startFakeApiserver({
    name,
    host: '0.0.0.0',
    port: APISERVER_PORT,
    keyFile: opt(argv, '--key') ?? '',
    certFile: opt(argv, '--cert') ?? '',
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  return 0;
}

async function simple(io: CommandIO, p: LabPaths, req: Parameters<typeof request>[1], ms: number) {
  if (!existsSync(p.control) || liveKeeper(p) === undefined) {
    io.stderr("halo lab: the lab is not up (run 'halo lab up')\n");
    return 1;
  }
  const r = await request(p, req, ms);
  (r.rc === 0 ? io.stdout : io.stderr)(`${r.text}\n`);
  return r.rc;
}

export const labCommand: Command = {
  name: 'lab',
  summary: "the article's cluster in network namespaces, without root (up, fail, recover...)",
  usage: USAGE,
  async run(argv, io) {
    const p = labPaths(io.env);
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'up':
        return up(io, p);
      case 'status':
        return simple(io, p, { cmd: 'status' }, 15_000);
      case 'fail':
      case 'recover':
        if (!rest[0]) break;
        return simple(io, p, { cmd: sub, node: rest[0], fault: rest[1] }, 60_000);
      case 'drill':
        return simple(io, p, { cmd: 'drill' }, 300_000);
      case 'down': {
        const done = await teardownLab(p);
        io.stdout(`halo lab: down${done.length ? `; ${done.join('; ')}` : ' (nothing was up)'}\n`);
        return 0;
      }
      case 'keeper':
        if (!rest[0]) break;
        return runOuterKeeper(pathsIn(rest[0]));
      case 'inner':
        return inner(rest, io);
      case 'apiserver':
        return apiserver(rest, io);
    }
    io.stderr(`${USAGE}\n`);
    return 2;
  },
};
