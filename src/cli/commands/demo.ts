// `halo demo` (what `npm start` runs), without root and on loopback only: checks the
// article's configs, then runs its haproxy.cfg under `halo proxy` against three stand-in
// apiservers and walks through what the article tests: the mode trap that breaks kubectl,
// round-robin, a master going DOWN after `fall` checks and coming back UP after `rise`.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { packageRoot } from '../../lab/lab-host.js';
import { freePort } from '../../os/free-port.js';
import type { Command, CommandIO } from '../command.js';
import {
  type Apiserver,
  ask,
  csvServers,
  makeWorkDir,
  ProxyProcess,
  rewriteArticleConfig,
  runtimeApi,
  SyslogReceiver,
  sleep,
  startApiserver,
  statsPage,
  stopApiserver,
  tlsHandshake,
} from '../demo/article-lab.js';
import { runVipStory } from '../demo/vip-story.js';
import { checkFiles } from './check.js';

function checkArticle(io: CommandIO, dir: string): boolean {
  const files = [
    'haproxy.cfg',
    'keepalived-master1.conf',
    'keepalived-master2.conf',
    'keepalived-master3.conf',
  ];
  let valid = true;
  for (const f of files) {
    const path = relative(io.cwd, join(dir, f)) || join(dir, f);
    const r = checkFiles([path], io.cwd, io.env, true);
    io.stdout(`== halo check --offline -f ${path}: ${r.valid ? 'valid' : 'INVALID'}\n`);
    for (const d of r.diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
    io.stdout('\n');
    valid &&= r.valid;
  }
  return valid;
}

async function runProxyStory(io: CommandIO, root: string): Promise<number> {
  io.serving?.();
  const say = (t: string) => io.stdout(`${t}\n`);
  const work = makeWorkDir();
  const syslog = new SyslogReceiver();
  const masters: Apiserver[] = ['k8s-master1', 'k8s-master2', 'k8s-master3'].map((name) => ({
    name,
    port: 0,
  }));
  let proxy: ProxyProcess | undefined;
  try {
    for (const m of masters) await startApiserver(m);
    const ports = {
      frontend: await freePort(),
      stats: await freePort(),
      syslog: await syslog.start(),
      servers: masters.map((m) => m.port),
    };
    const article = readFileSync(join(root, 'examples', 'article', 'haproxy.cfg'), 'utf8');
    const cfg = join(work.dir, 'haproxy.cfg');
    writeFileSync(cfg, rewriteArticleConfig(article, ports, work.dir));
    say(
      `== halo proxy -f haproxy.cfg: the article's file, addresses moved to 127.0.0.1 (frontend :${ports.frontend})`,
    );
    say(
      `   stats page: http://127.0.0.1:${ports.stats}/haproxy-status (user admin, password admin123, ` +
        `realm 'welcome'); runtime API: ${join(work.dir, 'stats.sock')}`,
    );
    proxy = new ProxyProcess(join(root, 'dist', 'src', 'cli', 'main.js'), cfg);
    await proxy.start();
    // The proxy's data-path warning (data-path.ts), if any, and what it says about modes.
    for (const l of proxy.stderr.filter((l) => /public net API|mode/.test(l))) say(`   halo: ${l}`);
    say(`-> a TLS client (kubectl) through the frontend: ${await tlsHandshake(ports.frontend)}`);
    say(
      `   (HAProxy answers the same way: the backend inherits 'mode http', the stream is read as HTTP)\n`,
    );

    writeFileSync(
      cfg,
      readFileSync(cfg, 'utf8').replace(/^backend apiserver$/m, 'backend apiserver\n    mode tcp'),
    );
    say(
      `== the fix halo suggests: 'mode tcp' in backend apiserver, applied with a reload (SIGHUP)`,
    );
    proxy.signal('SIGHUP');
    await sleep(800);
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await ask(ports.frontend));
    say(
      `-> six connections, round-robin: ${answers.map((a) => a.replace('hello from ', '')).join(', ')}\n`,
    );

    const m1 = masters[0]!;
    say('== k8s-master1 stops answering (its apiserver is stopped)');
    await stopApiserver(m1);
    const down = await syslog.waitFor(/Server apiserver\/k8s-master1 is DOWN/, 15000);
    say(`-> syslog: ${down ?? '(no DOWN line within 15 s)'}`);
    const after: string[] = [];
    for (let i = 0; i < 4; i++) after.push(await ask(ports.frontend));
    say(`-> four connections: ${after.map((a) => a.replace('hello from ', '')).join(', ')}`);
    const sock = join(work.dir, 'stats.sock');
    const stat = csvServers(await runtimeApi(sock, 'show stat'));
    say(`-> runtime API (echo 'show stat' | socat stdio unix:${sock}): ${stat.join(', ')}`);
    const page = await statsPage(ports.stats, '/haproxy-status', 'admin:admin123');
    if (typeof page !== 'string' && page.status === 200)
      say(`-> stats page (;csv, admin:admin123): ${page.servers.join(', ')}`);
    say('');

    say('== k8s-master1 comes back');
    await startApiserver(m1);
    const up = await syslog.waitFor(/Server apiserver\/k8s-master1 is UP/, 15000);
    say(`-> syslog: ${up ?? '(no UP line within 15 s)'}\n`);
    return down && up ? 0 : 1;
  } finally {
    await proxy?.stop();
    for (const m of masters) await stopApiserver(m);
    syslog.close();
    work.cleanup();
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: "the article's system on loopback: check its configs, run its haproxy.cfg (npm start)",
  usage:
    "halo demo [--check-only] [--no-vip]\n\nChecks examples/article/ offline, then runs its haproxy.cfg on 127.0.0.1 with three\nstand-in apiservers, then (unless --no-vip) the VIP moving between the three masters in\n`halo lab`'s namespaces. Needs no root when user namespaces are allowed; sends nothing\noff loopback and the lab's own namespaces.",
  async run(argv, io) {
    const root = packageRoot(io.cwd);
    const valid = checkArticle(io, join(root, 'examples', 'article'));
    if (argv.includes('--check-only')) return valid ? 0 : 1;
    const status = await runProxyStory(io, root);
    if (argv.includes('--no-vip')) return valid ? status : 1;
    const vip = await runVipStory(io);
    return valid && status === 0 ? vip : 1;
  },
};
