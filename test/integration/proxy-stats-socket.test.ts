// The runtime API over real sockets with socat, the way operators use it: `stats socket`
// on a unix path (mode, level admin) and on ipv4@ (level operator), served by ProxyDaemon
// for the same config the real HAProxy 2.6 runs next to it. The answers to the same
// commands are compared with HAProxy's byte for byte (errors, help lines, CSV header and
// which fields each row fills), and a server put in MAINT over the socket gets no traffic.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProxyDaemon } from '../../src/daemon/proxy-daemon.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import type { Backend } from './proxy-harness.js';
import { backend, exchange, freePort, parse, sleep, waitFor } from './proxy-harness.js';

const HAPROXY = '/usr/sbin/haproxy';
const socatMissing = spawnSync('socat', ['-V']).error
  ? 'socat is not installed (apt-get install socat)'
  : undefined;

function config(
  dir: string,
  ports: { fe: number; cli: number; servers: number[] },
  tag: string,
): string {
  return `
global
    maxconn 4000
    stats socket ${dir}/${tag}.sock mode 600 level admin
    stats socket ipv4@127.0.0.1:${ports.cli} level operator
    stats socket ${dir}/${tag}-owned.sock mode 660 level user user daemon group adm
    stats timeout 5s
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend apiserver
    bind 127.0.0.1:${ports.fe}
    default_backend apiserver
backend apiserver
    balance roundrobin
${ports.servers.map((p, i) => `    server k8s-master${i + 1} 127.0.0.1:${p} check inter 300 rise 2 fall 3`).join('\n')}
`;
}

/** One command line through socat, as `echo CMD | socat stdio unix-connect:PATH` does. */
function socat(target: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('socat', ['-t', '2', 'stdio', target]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    p.on('error', reject);
    p.on('close', () => resolve(out));
    p.stdin.end(input);
  });
}

describe('stats socket (runtime API) with socat', { skip: socatMissing }, () => {
  let dir: string;
  let servers: Backend[];
  let daemon: ProxyDaemon;
  let fePort: number;
  let cliPort: number;
  let ref: ReturnType<typeof spawn> | undefined;
  let refSock = '';
  const unix = () => `unix-connect:${dir}/halo.sock`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-stats-sock-'));
    servers = [await backend('m1'), await backend('m2')];
    const dead = await freePort(); // nothing listens: DOWN after the first check
    fePort = await freePort();
    cliPort = await freePort();
    const ports = { fe: fePort, cli: cliPort, servers: [servers[0]!.port, servers[1]!.port, dead] };
    daemon = new ProxyDaemon({ files: [], env: {}, log: new MemoryLog(), notify: () => {} });
    await daemon.start(parse(config(dir, ports, 'halo')));
    if (existsSync(HAPROXY)) {
      // The real HAProxy on the same servers, its own ports and socket.
      const refPorts = { fe: await freePort(), cli: await freePort(), servers: ports.servers };
      const file = join(dir, 'ref.cfg');
      writeFileSync(file, config(dir, refPorts, 'ref'));
      ref = spawn(HAPROXY, ['-db', '-f', file], { stdio: 'ignore' });
      refSock = `unix-connect:${dir}/ref.sock`;
      await waitFor(() => existsSync(`${dir}/ref.sock`), 5000, 'haproxy stats socket');
    }
    await sleep(1000); // a few checks: m3 DOWN on both sides
  });

  after(async () => {
    ref?.kill('SIGTERM');
    await daemon.hardStop();
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the unix socket with its mode', () => {
    assert.equal(statSync(`${dir}/halo.sock`).mode & 0o777, 0o600);
  });

  it('stats socket user/group: the unix socket is chowned to them, as by HAProxy', {
    skip: process.getuid?.() !== 0 ? 'needs root to chown' : false,
  }, () => {
    // daemon is uid 1, adm gid 4 on Debian; looked up by name, not taken from the numbers.
    const st = statSync(`${dir}/halo-owned.sock`);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1, 4, 0o660]);
    if (ref) {
      const theirs = statSync(`${dir}/ref-owned.sock`);
      assert.deepEqual([theirs.uid, theirs.gid], [st.uid, st.gid]);
    }
  });

  it('answers show servers state, show backend, get weight', async () => {
    const state = await socat(unix(), 'show servers state apiserver\n');
    const lines = state.split('\n');
    assert.equal(lines[0], '1');
    assert.match(lines[2]!, /^3 apiserver 1 k8s-master1 127\.0\.0\.1 2 0 1 1 \d+ 6 3 4 6 /);
    assert.match(lines[4]!, /^3 apiserver 3 k8s-master3 127\.0\.0\.1 0 0 1 1 \d+ 8 2 0 6 /);
    assert.equal(await socat(unix(), 'show backend\n'), '# name\napiserver\n\n');
    assert.equal(await socat(unix(), 'get weight apiserver/k8s-master2\n'), '1 (initial 1)\n\n');
  });

  it('levels: the ipv4 socket is operator, the unix one admin', async () => {
    const tcp = `tcp:127.0.0.1:${cliPort}`;
    assert.equal(await socat(tcp, 'show cli level\n'), 'operator\n\n');
    assert.equal(
      await socat(tcp, 'disable server apiserver/k8s-master1\n'),
      'Permission denied\n\n',
    );
    assert.equal(await socat(unix(), 'show cli level\n'), 'admin\n\n');
  });

  it('same texts as HAProxy 2.6 for the same commands', {
    skip: existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`,
  }, async () => {
    const commands = [
      'disable server apiserver/nope',
      'disable server nope/k8s-master1',
      'disable server apiserver',
      'get weight apiserver/k8s-master1',
      'get weight apiserver',
      'set weight apiserver/k8s-master1 300',
      'set weight apiserver/k8s-master1 abc',
      'set server apiserver/k8s-master1 state bogus',
      'set server apiserver/k8s-master1',
      'set server apiserver/k8s-master1 weight abc',
      'show servers state nope',
      'show backend',
      'show backend; get weight apiserver/k8s-master2',
      'help',
    ];
    for (const c of commands) {
      const theirs = await socat(refSock, `${c}\n`);
      const ours = await socat(unix(), `${c}\n`);
      if (c === 'help') {
        // HAProxy knows more commands: every line halo prints must be one of HAProxy's,
        // but for halo's own `show halo` (fault counters HAProxy has no field for) and
        // `show vrrp` / `set vrrp handover` (halo run's VRRP half).
        const known = new Set(theirs.split('\n'));
        const own = /^ {2}(show (halo|vrrp)|set vrrp handover) /;
        for (const l of ours.split('\n').filter((x) => !own.test(x)))
          assert.ok(known.has(l), `help line not in HAProxy's: ${JSON.stringify(l)}`);
        assert.match(ours, /^ {2}show halo +: /m);
        continue;
      }
      assert.equal(ours, theirs, c);
    }
  });

  it('show stat: same header, same fields filled per row', {
    skip: existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`,
  }, async () => {
    const shape = (csv: string) =>
      csv
        .trimEnd()
        .split('\n')
        .map((l, i) =>
          i === 0
            ? l
            : l
                .split(',')
                .map((v, j) =>
                  j < 2 || [17, 26, 27, 28, 32].includes(j) ? v : v === '' ? '' : '#',
                )
                .join(','),
        );
    const theirs = shape(await socat(refSock, 'show stat\n'));
    const ours = shape(await socat(unix(), 'show stat\n'));
    assert.equal(ours[0], theirs[0], 'header');
    assert.equal(ours.length, theirs.length);
    for (let i = 1; i < ours.length; i++) {
      const a = ours[i]!.split(',');
      const b = theirs[i]!.split(',');
      // Fields halo leaves empty where HAProxy fills them (or the reverse), by name.
      const header = ours[0]!.slice(2).split(',');
      const differ = header.filter((_f, j) => a[j] !== b[j]);
      // check_code and need_conn_est are estimates HAProxy fills that halo does not have.
      assert.deepEqual(
        differ.filter((f) => !['need_conn_est'].includes(f)),
        [],
        `row ${a.slice(0, 2).join(',')}`,
      );
    }
  });

  it('MAINT over the socket: no new connection reaches the server; READY brings it back', async () => {
    assert.equal(await socat(unix(), 'set server apiserver/k8s-master1 state maint\n'), '\n');
    const before = servers[0]!.accepted;
    for (let i = 0; i < 6; i++)
      assert.equal((await exchange(fePort, 'x')).data.split('\n')[0], 'm2');
    assert.equal(servers[0]!.accepted, before);
    assert.match(
      await socat(unix(), 'show stat\n'),
      /^apiserver,k8s-master1,(?:[^,]*,){15}MAINT,/m,
    );
    assert.equal(await socat(unix(), 'set server apiserver/k8s-master1 state ready\n'), '\n');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await exchange(fePort, 'x')).data.split('\n')[0]!);
    assert.deepEqual([...seen].sort(), ['m1', 'm2']);
  });

  it('prompt mode over one connection', async () => {
    const out = await socat(
      unix(),
      'prompt\nshow cli level\nget weight apiserver/k8s-master1\nquit\n',
    );
    assert.equal(out, '\n> admin\n\n> 1 (initial 1)\n\n> ');
  });
});

describe('stats socket fd@N (a socket inherited from a supervisor)', () => {
  it('serves the runtime API on the inherited listening socket', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const compiled = here.includes(join('dist', 'test'));
    const root = compiled ? join(here, '..', '..', '..') : join(here, '..', '..');
    const halo = compiled
      ? [join(root, 'dist', 'src', 'cli', 'main.js')]
      : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];
    const dir = mkdtempSync(join(tmpdir(), 'halo-stats-fd-'));
    // The supervisor's side: a listening socket, handed to halo as its descriptor 3.
    const sup = net.createServer();
    await new Promise<void>((r) => sup.listen(0, '127.0.0.1', r));
    const port = (sup.address() as net.AddressInfo).port;
    const fd = (sup as unknown as { _handle: { fd: number } })._handle.fd;
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      `global\n    stats socket fd@3 level admin\ndefaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:${await freePort()}\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${await freePort()}\n`,
    );
    const child = spawn(process.execPath, [...halo, 'proxy', '-q', '-f', cfg], {
      stdio: ['ignore', 'ignore', 'pipe', fd],
      cwd: root,
    });
    sup.close(); // only halo holds the socket now
    try {
      let answer = '';
      const end = Date.now() + 10_000;
      while (answer === '' && Date.now() < end && child.exitCode === null) {
        await sleep(200);
        answer = (await exchange(port, 'show cli level\n', { timeout: 1000 })).data;
      }
      assert.equal(answer, 'admin\n\n');
      assert.match(
        (await exchange(port, 'show servers state\n')).data,
        /^1\n# be_id be_name .*\n3 be 1 s1 127\.0\.0\.1 /,
      );
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stats timeout', () => {
  it('closes an idle runtime-API connection after stats timeout, not before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'halo-stats-timeout-'));
    const cfg = parse(
      `global\n    stats socket ${dir}/s.sock level admin\n    stats timeout 400ms\ndefaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:${await freePort()}\n    default_backend be\nbackend be\n    server s1 127.0.0.1:1\n`,
    );
    const daemon = new ProxyDaemon({ files: [], env: {}, log: new MemoryLog(), notify: () => {} });
    await daemon.start(cfg);
    try {
      const c = net.connect(join(dir, 's.sock'));
      let got = '';
      c.on('data', (d) => {
        got += d.toString();
      });
      const closed = new Promise<number>((r) => c.on('close', () => r(Date.now())));
      await new Promise((r) => c.on('connect', r));
      c.write('prompt\n');
      const t0 = Date.now();
      await sleep(200);
      c.write('show cli level\n'); // activity restarts the idle timer
      const at = await closed;
      assert.equal(got, '\n> admin\n\n> ');
      assert.ok(at - t0 >= 550, `closed after ${at - t0} ms`);
      assert.ok(at - t0 < 2000, `closed after ${at - t0} ms`);
    } finally {
      await daemon.hardStop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stats socket take-over', { skip: socatMissing }, () => {
  it('a new process binds the path atomically; the old one closing leaves it to the new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'halo-stats-takeover-'));
    const text = `global\n    stats socket ${dir}/s.sock level admin\ndefaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:${await freePort()}\n    default_backend be\nbackend be\n    server s1 127.0.0.1:1\n`;
    const cfg = parse(text);
    const { StatsSockets } = await import('../../src/proxy/cli-socket/stats-socket.js');
    const { ProxyEngine } = await import('../../src/proxy/engine.js');
    const engine = new ProxyEngine(cfg, { log: new MemoryLog() });
    const old = new StatsSockets({ global: cfg.global, engine: () => engine });
    const next = new StatsSockets({ global: cfg.global, engine: () => engine });
    try {
      await old.start();
      await next.start();
      old.close();
      await sleep(50);
      assert.ok(existsSync(join(dir, 's.sock')), 'the path is still there');
      assert.equal(
        await socat(`unix-connect:${join(dir, 's.sock')}`, 'show cli level\n'),
        'admin\n\n',
      );
      next.close();
      await sleep(50);
      assert.ok(existsSync(join(dir, 's.sock')), 'left in place at exit, as HAProxy does');
    } finally {
      old.close();
      next.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
