// The second half of `halo demo` (npm start): the article's VIP, in `halo lab`'s namespaces,
// without root when user namespaces are allowed. The VIP on master1, master1's proxy stops
// (the article's `systemctl stop haproxy`), the VIP moves to master2 (timed, beside the
// article's ~12 s), the proxy comes back and the VIP returns. Ctrl-C tears the lab down; not
// on a terminal, it is torn down at the end.

import { request, startKeeper, teardownLab } from '../../lab/lab-control.js';
import type { Measurement } from '../../lab/lab-faults.js';
import { labPaths, liveKeeper, userNamespaceRefusal } from '../../lab/lab-host.js';
import type { CommandIO } from '../command.js';
import { statsUrl } from '../commands/lab.js';

const ms = (v: number | undefined) => (v === undefined ? '-' : `${(v / 1000).toFixed(2)} s`);

function blackout(r: Measurement): string {
  return `the client (halo probe, a TLS connection to VIP:9443 every 10 ms) saw ${ms(r.blackoutMs)} of errors, ${r.failures} of ${r.attempts} connections failed`;
}

async function story(io: CommandIO, say: (t: string) => void): Promise<number> {
  const p = labPaths(io.env);
  for (const l of await teardownLab(p)) say(`   (from an earlier run: ${l})`);
  const up = await startKeeper(p);
  if (up.rc !== 0) {
    say(`-> the lab did not come up: ${up.text}`);
    return 1;
  }
  for (const n of (up.data as { notes?: string[] }).notes ?? []) say(`   ${n}`);
  const s = await request(p, { cmd: 'status' }, 10_000);
  say(`-> ${s.text.split('\n')[0]}`);
  say("\n== master1's proxy stops (the article: `systemctl stop haproxy`)");
  const f = await request(p, { cmd: 'fail', node: 'master1', fault: 'proxy' }, 60_000);
  const fr = f.data as Measurement | undefined;
  if (!fr) {
    say(`-> ${f.text}`);
    return 1;
  }
  say(
    `-> the VIP moved ${fr.before} -> ${fr.after} in ${ms(fr.moveMs)} ` +
      "(the article's check_haproxy: about 12 s, interval 3 s x fall 3 + 3 adverts)",
  );
  say(`   ${blackout(fr)}`);
  say("\n== master1's proxy comes back");
  const r = await request(p, { cmd: 'recover', node: 'master1' }, 60_000);
  const rr = r.data as Measurement | undefined;
  if (!rr) {
    say(`-> ${r.text}`);
    return 1;
  }
  say(
    `-> the VIP returned ${rr.before} -> ${rr.after} in ${ms(rr.moveMs)} (preempt: master1 has priority 100)`,
  );
  say(`   ${blackout(rr)}`);
  say(`\n   stats page of master1 (VRRP state above the proxies): ${statsUrl(p)} (admin/admin123)`);
  say(`   more: halo lab status | fail NODE [proxy|apiserver|freeze|link] | recover NODE | drill`);
  return fr.after === 'master2' && rr.after === 'master1' ? 0 : 1;
}

/** Runs the VIP story when this host allows it, else says why it is missing. */
export async function runVipStory(io: CommandIO): Promise<number> {
  const say = (t: string) => io.stdout(`${t}\n`);
  const root = process.getuid?.() === 0;
  const refused = root ? undefined : userNamespaceRefusal();
  if (refused) {
    say(`== the VIP part is missing: this host refuses unprivileged user namespaces\n  ${refused}`);
    return 0;
  }
  const p = labPaths(io.env);
  if (liveKeeper(p) !== undefined) {
    say("== the VIP part is skipped: a 'halo lab' is already up (halo lab down, then npm start)");
    return 0;
  }
  say(
    `== the VIP: the article's three masters in network namespaces (halo lab up, ${root ? 'as root' : 'without root'})`,
  );
  let stopping: Promise<string[]> | undefined;
  const onInt = () => {
    stopping ??= teardownLab(p);
  };
  process.on('SIGINT', onInt);
  try {
    const status = await story(io, say);
    if (process.stdout.isTTY && stopping === undefined) {
      say('\n   the lab stays up for you to look at; Ctrl-C tears it down');
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (stopping) {
            clearInterval(t);
            resolve();
          }
        }, 200);
      });
    }
    return status;
  } finally {
    await (stopping ?? teardownLab(p));
    process.off('SIGINT', onInt);
    say('== the lab is torn down (halo lab down)');
  }
}
