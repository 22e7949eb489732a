// Shared machinery of the HTTP-mode differential tests (proxy-http-differential.test.ts,
// proxy-http-rules.test.ts): the real HAProxy 2.6 as a child and halo in process run the
// same config text (ports differ per side) in front of one scripted backend that records
// every request it parsed, each side with its own UDP syslog receiver. A case sends the
// same raw bytes to each side in turn and collects what the client got, what the backend
// saw and the new log lines with dates, pids, ports and timer values masked.

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyslogSinks } from '../../src/proxy/log/sinks.js';
import type { HaproxyChild } from './haproxy-child.js';
import { startHaproxy } from './haproxy-child.js';
import type { Running } from './proxy-harness.js';
import { freePort, runtimeCommand, sleep, startProxy } from './proxy-harness.js';

/** One request the scripted backend parsed: its connection (1, 2...), head and body. */
export interface Seen {
  conn: number;
  head: string;
  body: string;
}

/** How the scripted backend answers one parsed request, by its request-target. */
export type Answer = (s: net.Socket, path: string) => void;

export interface ScriptedBackend {
  port: number;
  seen: Seen[];
  close(): void;
}

/** A scripted HTTP/1.1 server: answers by path, records every request head it parsed. */
export async function scriptedBackend(answer: Answer): Promise<ScriptedBackend> {
  const seen: Seen[] = [];
  let conns = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    const id = ++conns;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        const head = buf.subarray(0, i).toString('latin1');
        const len = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head)
          ? chunkedLength(buf, i + 4)
          : Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (len < 0 || buf.length < i + 4 + len) return;
        const body = buf.subarray(i + 4, i + 4 + len).toString('latin1');
        buf = buf.subarray(i + 4 + len);
        seen.push({ conn: id, head, body });
        answer(s, head.split(' ')[1] ?? '/');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/**
 * The length of the chunked body (framing and trailers, as received) at `from`, or -1
 * while it is incomplete: the proxies checked the framing, so only well-formed bodies come.
 */
export function chunkedLength(buf: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\n', at);
    if (eol < 0) return -1;
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    at = eol + 1;
    if (size === 0) break;
    const end = buf.indexOf('\n', at + size);
    if (end < 0) return -1;
    at = end + 1;
  }
  for (;;) {
    const eol = buf.indexOf('\n', at);
    if (eol < 0) return -1;
    const line = buf.subarray(at, eol).toString('latin1');
    at = eol + 1;
    if (line === '' || line === '\r') return at - from;
  }
}

/**
 * The scripted backend's answers: /404 (a 404 with X-Foo: bar), /slow (none), /head-keep
 * (a HEAD's answer, the connection kept), /bad (not HTTP), /reset (the connection reset),
 * /chunked, then `responses` (raw responses by path, each followed by the close), and for
 * any other path a 200 "ok\n" kept alive.
 */
export function answerByPath(responses: Readonly<Record<string, string>>): Answer {
  return (s, path) => {
    if (path === '/404')
      s.write('HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nX-Foo: bar\r\n\r\nno\n');
    else if (path === '/slow') return;
    // A HEAD's answer: its Content-Length, no body, the connection kept.
    else if (path === '/head-keep') s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n');
    else if (path === '/bad') s.write('garbage\r\n\r\n');
    else if (path === '/reset') s.destroy();
    else if (path === '/chunked')
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    else if (responses[path] !== undefined) s.end(Buffer.from(responses[path], 'latin1'));
    else s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n');
  };
}

export interface SyslogReceiver {
  port: number;
  lines: string[];
  close(): void;
}

/** A UDP syslog receiver on 127.0.0.1: every datagram, as text. */
export async function syslogReceiver(): Promise<SyslogReceiver> {
  const sock = dgram.createSocket('udp4');
  const lines: string[] = [];
  sock.on('message', (m) => lines.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: (sock.address() as AddressInfo).port, lines, close: () => sock.close() };
}

/** Sends `parts` (strings, or pauses in ms) and collects the reply until close or `ms`. */
export function rawExchange(
  port: number,
  parts: readonly (string | Uint8Array | number)[],
  ms: number,
): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(t);
      c.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const t = setTimeout(done, ms);
    c.on('data', (d) => chunks.push(d));
    c.on('error', () => {});
    c.on('close', done);
    c.on('connect', async () => {
      for (const p of parts) {
        if (typeof p === 'number') await sleep(p);
        else c.write(p);
      }
    });
  });
}

/**
 * True once no process holds a connection on `ports` (local side): a socket there that is
 * not listening and still has an inode is a connection its proxy has not closed yet, and
 * still counts in the next log line's actconn/feconn. Closed ones (TIME_WAIT, orphaned
 * FIN_WAIT) have inode 0.
 */
export function quiet(ports: readonly number[]): boolean {
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10 || c[3] === '0A' || c[9] === '0') continue;
      const port = Number.parseInt(c[1]!.slice(c[1]!.lastIndexOf(':') + 1), 16);
      if (ports.includes(port)) return false;
    }
  }
  return true;
}

/** `show info`'s CurrConns, or -1 when the socket does not answer. */
export async function currConns(sock: string): Promise<number> {
  const info = await runtimeCommand(sock, 'show info').catch(() => '');
  const m = /^CurrConns: (\d+)$/m.exec(info);
  return m ? Number(m[1]) : -1;
}

/** Masks what legitimately differs: syslog date and pid, client port, accept date, timers. */
export function mask(line: string): string {
  return (
    line
      .replace(/^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d ([^ [\]]+)\[\d+\]: /, '<$1>DATE $2[PID]: ')
      // The client's address: 127.0.0.1, or what `set-src` made of it.
      .replace(/: ([0-9a-fA-F.:]+?):\d+ \[[^\]]+\]/, ': $1:PORT [DATE]')
      // The timers before the status (-1 for a rejected request).
      .replace(/ (-?\d+(?:\/-?\d+){2,4}) (?=-?\d+ )/, (_m, t: string) => {
        const masked = t
          .split('/')
          .map((v) => (v === '-1' ? '-1' : 'N'))
          .join('/');
        return ` ${masked} `;
      })
      .replace(/Connect from 127\.0\.0\.1:\d+/, 'Connect from 127.0.0.1:PORT')
      // A line cut at `len` (1024) ends inside its request line; where exactly depends on
      // the digits of the masked timers, so only the cut itself is compared.
      .replace(/ "[^"\n]*\n?$/, ' "<cut at len>')
  );
}

/**
 * How every differential config begins: logs to the side's receiver, the stats socket
 * `run()` asks for CurrConns, HTTP mode logged with httplog, idle connections not logged,
 * server connections closed after each response. The test's own defaults lines follow.
 */
export const httpPreamble = (syslog: number, sock: string) => `
global
    log 127.0.0.1:${syslog} local0
    stats socket ${sock} level admin
defaults
    mode http
    log global
    option httplog
    option dontlognull
    option http-server-close`;

/** One side of a differential: its ports by name, stats socket and syslog receiver. */
export interface Side {
  readonly name: string;
  readonly ports: Record<string, number>;
  /** Its stats socket: CurrConns says when the previous case's sessions are gone. */
  readonly sock: string;
  readonly syslog: SyslogReceiver;
}

/** What one side did with one case. */
export interface Outcome {
  /** The client's bytes, as latin1. */
  reply: string;
  /** The request heads the backend parsed, in order. */
  heads: string[];
  bodies: string[];
  /** How many backend connections those requests came on. */
  conns: number;
  /** The new log lines, masked (health-check state changes left out). */
  logs: string[];
  /** Milliseconds from the connect until the reply ended (closed, or `ms` passed). */
  elapsed: number;
}

/** The config text of one side: its ports, the backend's, its syslog port and stats socket. */
export type ConfigText = (
  ports: Record<string, number>,
  backend: number,
  syslog: number,
  sock: string,
) => string;

export interface DiffOptions {
  /** The port names of the config, the first one a frontend HAProxy is up once it accepts. */
  readonly names: readonly string[];
  readonly config: ConfigText;
  readonly answer: Answer;
  /**
   * Whether halo's engine failing to start is kept in `haloError` instead of thrown, so
   * HAProxy's side of each case still runs.
   */
  readonly keepHaloError?: boolean;
  /**
   * Runs a second HAProxy as the "halo" side: the test checked against HAProxy itself
   * (every case must then pass; timing-dependent ones show as flaky).
   */
  readonly haproxyAsHalo?: boolean;
}

export interface Differential {
  readonly backend: ScriptedBackend;
  readonly hap: Side;
  readonly halo: Side;
  /** Why halo's engine did not start (with `keepHaloError`). */
  readonly haloError: Error | undefined;
  /** halo's engine, when it runs in this process. */
  readonly running: Running | undefined;
  /**
   * Runs one case on `side` once the previous case's sessions are gone; halo gets up to
   * a second to send `wantLogs` lines (a datagram may come late on a loaded machine).
   */
  run(
    side: Side,
    port: string,
    parts: readonly (string | Uint8Array | number)[],
    ms: number,
    wantLogs?: number,
  ): Promise<Outcome>;
  /** Runs one case on HAProxy then on halo (throws when halo did not start). */
  both(
    port: string,
    parts: readonly (string | Uint8Array | number)[],
    ms: number,
  ): Promise<{ hap: Outcome; halo: Outcome }>;
  stop(): Promise<void>;
}

/** Starts the backend, HAProxy and halo on `config`; `stop()` undoes what did start. */
export async function startDifferential(o: DiffOptions): Promise<Differential> {
  const dir = mkdtempSync(join(tmpdir(), 'halo-http-diff-'));
  const backend = await scriptedBackend(o.answer);
  const side = async (name: string): Promise<Side> => {
    const ports: Record<string, number> = {};
    for (const n of o.names) ports[n] = await freePort();
    return { name, ports, sock: join(dir, `${name}.sock`), syslog: await syslogReceiver() };
  };
  const hap = await side('haproxy');
  const halo = await side('halo');
  const text = (s: Side) => o.config(s.ports, backend.port, s.syslog.port, s.sock);
  const first = o.names[0]!;
  const children: HaproxyChild[] = [];
  let running: Running | undefined;
  let sinks: SyslogSinks | undefined;
  let haloError: Error | undefined;
  const stop = async () => {
    for (const c of children) c.stop();
    await running?.stop();
    sinks?.close();
    backend.close();
    hap.syslog.close();
    halo.syslog.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    children.push(await startHaproxy(text(hap), hap.ports[first]!));
    if (o.haproxyAsHalo) children.push(await startHaproxy(text(halo), halo.ports[first]!));
    else {
      sinks = new SyslogSinks();
      try {
        running = await startProxy(text(halo), { log: sinks, notify: () => {} });
      } catch (e) {
        if (!o.keepHaloError) throw e;
        haloError = e instanceof Error ? e : new Error(String(e));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }

  const run: Differential['run'] = async (s, port, parts, ms, wantLogs = 0) => {
    // Let the previous case's sessions end (actconn/feconn are compared): no socket of
    // theirs left open, then the proxy's own count at 0. Closed sockets alone were not
    // enough: HAProxy once logged the next case with 2/2 instead of 1/1.
    const ports = Object.values(s.ports);
    for (let t = 0; t < 100 && !quiet(ports); t++) await sleep(20);
    // halo runs in this process (no stats socket of its own): its engine counts the same.
    const conns = async () =>
      s === halo && running ? running.engine.activeSessions : await currConns(s.sock);
    let n = await conns();
    for (let t = 0; t < 100 && n !== 0; t++) {
      await sleep(20);
      n = await conns();
    }
    assert.notEqual(n, -1, `the stats socket of ${s.name} answers`);
    const seenFrom = backend.seen.length;
    const logFrom = s.syslog.lines.length;
    const t0 = Date.now();
    const reply = await rawExchange(s.ports[port]!, parts, ms);
    const elapsed = Date.now() - t0;
    await sleep(60);
    // Health-check state changes land whenever they happen: not per case.
    const logs = () =>
      s.syslog.lines
        .slice(logFrom)
        .filter((l) => !/ is (DOWN|UP)|has no server available/.test(l))
        .map(mask);
    for (let t = 0; t < 20 && logs().length < wantLogs; t++) await sleep(50);
    const seen = backend.seen.slice(seenFrom);
    return {
      reply,
      heads: seen.map((x) => x.head),
      bodies: seen.map((x) => x.body),
      conns: new Set(seen.map((x) => x.conn)).size,
      logs: logs(),
      elapsed,
    };
  };

  return {
    backend,
    hap,
    halo,
    haloError,
    running,
    run,
    both: async (port, parts, ms) => {
      if (haloError) throw haloError;
      const h = await run(hap, port, parts, ms);
      return { hap: h, halo: await run(halo, port, parts, ms, h.logs.length) };
    },
    stop,
  };
}
