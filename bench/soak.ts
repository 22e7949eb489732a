// Soak: issue 9's reproductions against halo and /usr/sbin/haproxy side by side, each case
// on fresh processes started from the same config text (proxy pinned to CPU 0). Prints,
// per case and proxy, the answer (first line received, or what happened), whether the
// process is still alive, RSS before/after, CPU seconds used, and case-specific numbers,
// then the ratios halo/HAProxy. It reports; it asserts nothing (several cases fail on halo
// while other work is under way). Bounded: every flood stops after FLOOD_MS, at
// MAX_FLOOD_BYTES per connection or when a proxy's RSS passes RSS_CAP_MB; about 3 min.
//   npm run build && node dist/bench/soak.js [--only=a,b,...] [--reloads=N] [--flood-conns=1,8]

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, sleep } from './proxy-bench-tools.js';
import type { Proc, Who } from './soak-tools.js';
import {
  connectAll,
  flood,
  freePort,
  kb,
  MB,
  mb,
  rawExchange,
  startProxy,
  WHO,
} from './soak-tools.js';

const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const ONLY = arg('only', 'a,b,c,d,e,f,g,h,i,j').split(',');
const RELOADS = Number(arg('reloads', '100'));
const FLOOD_CONNS = arg('flood-conns', '1,8').split(',').map(Number);
const FLOOD_MS = 5000;
const MAX_FLOOD_BYTES = 256 * MB;
const RSS_CAP = Number(arg('rss-cap-mb', '800')) * MB;
const here = dirname(fileURLToPath(import.meta.url));
const haloMain = join(here, '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'halo-soak-'));

interface Row {
  case: string;
  who: Who;
  answer: string;
  alive: boolean;
  rssBefore: number;
  rssAfter: number;
  cpu: number;
  extra: string;
  /** Numbers the ratio lines use. */
  n?: Record<string, number>;
}
const rows: Row[] = [];

const DEFAULTS = `defaults
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    timeout http-request 2s
`;

/** Backends of the run: `ok` answers 200 at once; `slow` reads requests, never answers. */
async function backends(): Promise<{ ok: number; slow: number; close(): void }> {
  const ok = http.createServer((_q, s) => s.end('ok\n'));
  const held = new Set<net.Socket>();
  const slow = net.createServer((s) => {
    held.add(s);
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => held.delete(s));
  });
  await new Promise<void>((r) => ok.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  return {
    ok: (ok.address() as AddressInfo).port,
    slow: (slow.address() as AddressInfo).port,
    close() {
      for (const s of held) s.destroy();
      ok.closeAllConnections();
      ok.close();
      slow.close();
    },
  };
}

function httpConfig(port: number, server: number, extraGlobal = '', extraDefaults = ''): string {
  return `global
    maxconn 1000
${extraGlobal}${DEFAULTS}${extraDefaults}frontend fe
    bind 127.0.0.1:${port}
    mode http
    default_backend be
backend be
    mode http
    server s1 127.0.0.1:${server}
`;
}

/** The article's shape: a tcp frontend whose backend is in mode http. */
function articleConfig(port: number, server: number): string {
  return `global
    maxconn 1000
${DEFAULTS}frontend apiserver
    bind 127.0.0.1:${port}
    mode tcp
    option tcplog
    default_backend apiserver
backend apiserver
    mode http
    balance roundrobin
    server k8s-master1 127.0.0.1:${server}
`;
}

function statsConfig(port: number, server: number): string {
  return `${httpConfig(0, server).replace(/frontend fe[\s\S]*$/, '')}listen stats
    bind 127.0.0.1:${port}
    mode http
    stats enable
    stats uri /stats
    stats auth admin:pw
    stats admin if TRUE
`;
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** One case on both proxies: start each on the config, run `body`, record a row, stop. */
async function both(
  id: string,
  config: (port: number, who: Who) => string,
  body: (
    p: Proc,
    port: number,
  ) => Promise<Omit<Row, 'case' | 'who' | 'alive' | 'rssAfter' | 'cpu'>>,
  opts: { masterWorker?: boolean; unreadStdout?: boolean; socket?: boolean } = {},
): Promise<void> {
  for (const who of WHO) {
    const port = await freePort();
    const sock = join(dir, `${id}-${who}.sock`);
    const text = config(port, who).replaceAll('@SOCK@', sock);
    let p: Proc | undefined;
    try {
      p = await startProxy({
        who,
        dir,
        name: id,
        config: text,
        ready: opts.socket ? [port, sock] : [port],
        haloMain,
        ...opts,
      });
      await sleep(300);
      const cpu0 = p.cpu();
      const r = await body(p, opts.socket ? Number.NaN : port);
      await sleep(200); // an exit caused by the last input shows by now
      rows.push({ case: id, who, alive: p.alive(), rssAfter: p.rss(), cpu: p.cpu() - cpu0, ...r });
    } catch (err) {
      rows.push({
        case: id,
        who,
        answer: `error: ${(err as Error).message.slice(0, 40)}`,
        alive: p?.alive() ?? false,
        rssBefore: 0,
        rssAfter: p?.rss() ?? 0,
        cpu: 0,
        extra: '',
      });
    } finally {
      await p?.stop('SIGKILL', 2000);
    }
  }
}

/** A raw request case: the first answer line within `waitMs`, then whether a plain GET works. */
async function rawCase(
  id: string,
  config: (port: number) => string,
  parts: (string | number | Buffer)[],
  waitMs = 3000,
): Promise<void> {
  await both(id, config, async (p, port) => {
    const rssBefore = p.rss();
    const a = await rawExchange(port, parts, waitMs);
    const after = await get(port, '/');
    return {
      answer: a.first,
      rssBefore,
      extra: `${a.closed ? `closed after ${a.ms} ms` : `still open after ${waitMs} ms`}; next GET ${after || 'failed'}`,
    };
  });
}

function throttled(f: () => boolean, ms: number): () => boolean {
  let at = 0;
  let last = false;
  return () => {
    const now = Date.now();
    if (now - at >= ms) {
      at = now;
      last = f();
    }
    return last;
  };
}

const PIPELINED = Buffer.from('GET / HTTP/1.1\r\nHost: flood\r\n\r\n'.repeat(64));

async function floodCase(slow: number, conns: number): Promise<void> {
  await both(
    `b${conns}`,
    (port) => httpConfig(port, slow),
    async (p, port) => {
      const rssBefore = p.rss();
      const socks = await connectAll(port, conns);
      const capped = throttled(() => p.rss() > RSS_CAP, 100);
      const f = await flood(socks, PIPELINED, FLOOD_MS, MAX_FLOOD_BYTES, capped);
      await sleep(200);
      const peak = p.rss();
      for (const s of socks) s.destroy();
      await sleep(2000);
      const left = p.rss();
      const perConn = (peak - rssBefore) / conns;
      return {
        answer: `${mb(f.bytes)} MB accepted`,
        rssBefore,
        extra: `RSS/conn ${kb(perConn)} KB; 2 s after clients left ${mb(left)} MB${capped() ? '; RSS cap hit' : ''}${f.closedByPeer ? `; ${f.closedByPeer} closed by proxy` : ''}`,
        n: { perConn, bytes: f.bytes / conns },
      };
    },
  );
}

async function sigtermCase(slow: number): Promise<void> {
  await both(
    'c',
    (port) => httpConfig(port, slow),
    async (p, port) => {
      const rssBefore = p.rss();
      const socks = await connectAll(port, 1);
      const capped = throttled(() => p.rss() > RSS_CAP, 100);
      const flooding = flood(socks, PIPELINED, 3000, MAX_FLOOD_BYTES, capped);
      await sleep(2000);
      const ms = await p.stop('SIGTERM', 10_000);
      await flooding;
      for (const s of socks) s.destroy();
      return {
        answer: ms === undefined ? 'no exit in 10 s (killed)' : `exited in ${ms} ms`,
        rssBefore,
        extra: '',
        ...(ms === undefined ? {} : { n: { exitMs: ms } }),
      };
    },
  );
}

async function runtimeApiCase(): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  await both(
    'd',
    (port) =>
      httpConfig(port, 1).replace('global\n', 'global\n    stats socket @SOCK@ level user\n'),
    async (p) => {
      const rssBefore = p.rss();
      const sock = join(dir, `d-${p.who}.sock`);
      const a = await rawExchange(sock, Array(512).fill(chunk), 10_000);
      await sleep(500);
      return {
        answer: a.closed ? `closed after ${mb(a.bytesWritten)} MB` : 'open after 10 s',
        rssBefore,
        extra: `${mb(a.bytesWritten)} MB of 32 written`,
      };
    },
    { socket: true },
  );
}

async function stalledStatsPost(ok: number): Promise<void> {
  const auth = Buffer.from('admin:pw').toString('base64');
  await both(
    'h',
    (port) => statsConfig(port, ok),
    async (p, port) => {
      const rssBefore = p.rss();
      const head =
        `POST /stats HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\n` +
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ns=be%2Fs1';
      const a = await rawExchange(port, [head], 8000);
      return {
        answer: a.first,
        rssBefore,
        extra: a.first === '(none)' ? 'no answer in 8 s' : `answered after ${a.ms} ms`,
      };
    },
  );
}

async function reloadCase(ok: number): Promise<void> {
  const stats = { haproxy: await freePort(), halo: await freePort() };
  await both(
    'i',
    (port, who) => `${httpConfig(port, ok)}listen stats
    bind 127.0.0.1:${stats[who]}
    mode http
    stats enable
    stats uri /stats
`,
    async (p, port) => {
      for (let k = 0; k < 5; k++) await get(port, '/');
      await sleep(1000);
      const rssBefore = p.rss();
      const idle0 = p.cpu();
      await sleep(3000);
      const idleBefore = p.cpu() - idle0;
      const signal = p.who === 'halo' ? 'SIGHUP' : 'SIGUSR2';
      let failed = 0;
      for (let i = 0; i < RELOADS && p.alive(); i++) {
        p.child.kill(signal);
        await sleep(100);
        if ((await get(port, '/')) !== 200) failed++;
        if ((await get(stats[p.who], '/stats')) !== 200) failed++;
      }
      await sleep(3000);
      const idle1 = p.cpu();
      await sleep(3000);
      const idleAfter = p.cpu() - idle1;
      const grown = p.rss() - rssBefore;
      return {
        answer: `${failed} failed requests`,
        rssBefore,
        extra: `idle CPU ${idleBefore.toFixed(2)} s/3 s before, ${idleAfter.toFixed(2)} after; +${mb(grown)} MB after ${RELOADS} reloads`,
        n: { grown, idleAfter },
      };
    },
    { masterWorker: true },
  );
}

async function unreadLogCase(ok: number): Promise<void> {
  const REQS = 3000;
  const uri = `/${'x'.repeat(7 * 1024)}`;
  await both(
    'j',
    (port) =>
      httpConfig(
        port,
        ok,
        '    log stdout format raw local0\n',
        '    log global\n    option httplog\n',
      ),
    async (p, port) => {
      const rssBefore = p.rss();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const end = Date.now() + 20_000;
      let answered = 0;
      let sent = 0;
      const worker = async () => {
        while (sent < REQS && Date.now() < end && p.alive() && p.rss() < RSS_CAP) {
          sent++;
          if ((await get(port, uri, agent)) === 200) answered++;
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      agent.destroy();
      return {
        answer: `${answered}/${sent} answered 200`,
        rssBefore,
        extra: `${REQS} requests with 7 KB URIs, log stdout unread`,
        n: { grown: p.rss() - rssBefore },
      };
    },
    { unreadStdout: true },
  );
}

function print(): void {
  const cols = ['case', 'who', 'alive', 'RSS MB before', 'after', 'CPU s', 'answer', 'notes'];
  const w = [5, 8, 6, 14, 8, 7, 32, 0];
  console.log(cols.map((c, i) => c.padEnd(w[i]!)).join(''));
  for (const r of rows) {
    const cells = [
      r.case,
      r.who,
      r.alive ? 'yes' : 'NO',
      mb(r.rssBefore),
      mb(r.rssAfter),
      Number.isNaN(r.cpu) ? '-' : r.cpu.toFixed(2),
      r.answer,
      r.extra,
    ];
    console.log(cells.map((c, i) => c.padEnd(w[i]!)).join(''));
  }
  const ratio = (c: string, key: string, what: string) => {
    const h = rows.find((r) => r.case === c && r.who === 'haproxy')?.n?.[key];
    const o = rows.find((r) => r.case === c && r.who === 'halo')?.n?.[key];
    if (h === undefined || o === undefined) return;
    const r = h > 0 ? `${(o / h).toFixed(2)}x` : 'n/a (HAProxy <= 0)';
    console.log(
      `${what.padEnd(48)} haproxy ${fmt(key, h).padStart(9)}  halo ${fmt(key, o).padStart(9)}  ${r}`,
    );
  };
  console.log('\nhalo/HAProxy');
  for (const n of FLOOD_CONNS) {
    ratio(`b${n}`, 'perConn', `flood, ${n} conn: RSS per flooded connection`);
    ratio(`b${n}`, 'bytes', `flood, ${n} conn: bytes accepted per connection`);
  }
  ratio('c', 'exitMs', 'SIGTERM during a flood: ms to exit');
  ratio('i', 'grown', `RSS growth over ${RELOADS} reloads`);
  ratio('j', 'grown', 'RSS growth, log stdout unread');
  console.log(`load average ${loadStart} -> ${loadAverage()}`);
}

function fmt(key: string, v: number): string {
  if (key === 'exitMs') return `${v} ms`;
  return key === 'perConn' ? `${kb(v)} KB` : `${mb(v)} MB`;
}

const loadStart = loadAverage();

async function main(): Promise<void> {
  const be = await backends();
  const dupHost = 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n';
  const manyHeaders = `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 300 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`;
  const badChunk =
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n';
  try {
    if (ONLY.includes('a')) await rawCase('a', (p) => articleConfig(p, be.ok), [dupHost]);
    if (ONLY.includes('b')) for (const n of FLOOD_CONNS) await floodCase(be.slow, n);
    if (ONLY.includes('c')) await sigtermCase(be.slow);
    if (ONLY.includes('d')) await runtimeApiCase();
    if (ONLY.includes('e')) await rawCase('e', (p) => httpConfig(p, be.ok), [manyHeaders]);
    if (ONLY.includes('f')) await rawCase('f', (p) => httpConfig(p, be.ok), ['GET /\r\n']);
    if (ONLY.includes('g')) await rawCase('g', (p) => httpConfig(p, be.ok), [badChunk]);
    if (ONLY.includes('h')) await stalledStatsPost(be.ok);
    if (ONLY.includes('i')) await reloadCase(be.ok);
    if (ONLY.includes('j')) await unreadLogCase(be.ok);
  } finally {
    be.close();
    rmSync(dir, { recursive: true, force: true });
  }
  print();
}

await main();
