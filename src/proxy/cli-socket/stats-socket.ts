// `stats socket` listeners: a unix path (with `mode`, `uid`/`gid`/`user`/`group`), `ipv4@` /
// `ipv6@` host:port, or an inherited `fd@N`; `level` (default operator, as HAProxy 2.6) and
// `stats timeout` (default 10s of inactivity). Each connection runs a CliSession against
// whichever engine serves at that moment, so a reload keeps the socket open.

import { chmodSync, chownSync, renameSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import type { BindAddress, GlobalConfig } from '../../config/haproxy/model.js';
import { groupId, userId } from '../../os/accounts.js';
import type { ProxyEngine } from '../engine.js';
import { bindHost, removeStaleSocket } from '../listen-sockets.js';
import { buildSnapshot } from '../stats/build-snapshot.js';
import { HALO_STATS_VERSION, statsEnvironment } from '../stats/environment.js';
import type { Level } from './commands.js';
import { LEVELS } from './commands.js';
import { CliSession, cliCommandLimit } from './session.js';

export const DEFAULT_STATS_TIMEOUT = 10_000;

export interface StatsSocketsOptions {
  readonly global: GlobalConfig;
  readonly engine: () => ProxyEngine | undefined;
  readonly notify?: (level: 'NOTICE' | 'WARNING' | 'ALERT', message: string) => void;
  /** Successful state changes, for the other workers (`nbthread`). */
  readonly relay?: (words: string[]) => void;
}

export function listenOn(server: net.Server, a: BindAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.removeListener('error', reject);
      server.on('error', () => {});
      resolve();
    };
    if (a.kind === 'unix') {
      // Bound under a temporary name and renamed over the path, as HAProxy does: clients
      // never see the path missing, and closing (libuv unlinks the name it bound) leaves
      // the path to whichever process took it over.
      const tmp = `${a.path}.${process.pid}.tmp`;
      removeStaleSocket(tmp);
      server.listen({ path: tmp }, () => {
        try {
          renameSync(tmp, a.path);
        } catch (err) {
          server.close();
          reject(err);
          return;
        }
        done();
      });
    } else if (a.kind === 'fd') server.listen({ fd: a.fd }, done);
    else server.listen({ host: bindHost(a), port: a.port }, done);
  });
}

/** The owner an option names: `uid`/`gid` by number, `user`/`group` by name (looked up). */
function ownerId(o: Record<string, string | true>, kind: 'user' | 'group'): number | undefined {
  const name = o[kind];
  if (typeof name === 'string') {
    const id = kind === 'user' ? userId(name) : groupId(name);
    // halo check reports an unknown name; at start a socket must not stay open to everyone.
    if (id === undefined) throw new Error(`stats socket: unknown ${kind} name '${name}'`);
    return id;
  }
  const num = o[kind === 'user' ? 'uid' : 'gid'];
  return typeof num === 'string' ? Number(num) : undefined;
}

/** Applies `mode` (octal) and owner options to a unix socket, as HAProxy does after bind. */
export function applyUnixOptions(path: string, o: Record<string, string | true>): void {
  if (typeof o.mode === 'string') chmodSync(path, Number.parseInt(o.mode, 8));
  const uid = ownerId(o, 'user');
  const gid = ownerId(o, 'group');
  if (uid !== undefined || gid !== undefined) {
    const me = userInfo();
    chownSync(path, uid ?? me.uid, gid ?? me.gid);
  }
}

export class StatsSockets {
  private readonly servers: { server: net.Server }[] = [];
  private readonly conns = new Set<net.Socket>();
  /** Connections closed for a command longer than cliCommandLimit(tune). */
  readonly counters = { tooLong: 0 };

  constructor(private readonly opts: StatsSocketsOptions) {}

  /** Opens every `stats socket`; rejects with the OS error of the first that fails. */
  async start(): Promise<void> {
    const timeout = this.opts.global.statsTimeout ?? DEFAULT_STATS_TIMEOUT;
    try {
      for (const s of this.opts.global.statsSockets) {
        const level = (
          LEVELS.includes(s.options.level as Level) ? s.options.level : 'operator'
        ) as Level;
        // Half-open: a client that sends its commands and shuts its side down (socat, `nc -N`)
        // still gets every answer, as from HAProxy.
        const server = net.createServer({ allowHalfOpen: true }, (c) =>
          this.serve(c, level, timeout),
        );
        await listenOn(server, s.address);
        this.servers.push({ server });
        if (s.address.kind === 'unix') applyUnixOptions(s.address.path, s.options);
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  private serve(c: net.Socket, level: Level, timeout: number): void {
    this.conns.add(c);
    c.setEncoding('latin1');
    c.on('error', () => c.destroy());
    c.on('close', () => this.conns.delete(c));
    if (timeout > 0) c.setTimeout(timeout, () => c.destroy());
    const maxCommand = cliCommandLimit(this.opts.global.tune);
    const session = new CliSession({
      level,
      maxCommand,
      engine: this.opts.engine,
      snapshot: (e) => buildSnapshot(e, statsEnvironment(e)),
      version: HALO_STATS_VERSION,
      write: (t) => {
        // Past the socket's high-water mark the session holds its next commands and the
        // socket stops reading until 'drain', as HAProxy stops reading a client whose
        // answers it cannot send: a `;` list of `help` cannot queue output without bound.
        const ok = t === '' || c.write(t);
        if (!ok) c.pause();
        return ok;
      },
      end: () => c.end(() => c.destroy()),
      tooLong: () => {
        this.counters.tooLong++;
        this.opts.notify?.(
          'WARNING',
          `stats socket: a runtime API command was longer than ${maxCommand} bytes (tune.bufsize - 1); connection closed.`,
        );
        c.destroy();
      },
      ...(this.opts.relay ? { relay: this.opts.relay } : {}),
    });
    c.on('data', (d: string) => session.feed(d));
    c.on('drain', () => {
      c.resume();
      session.feed('');
    });
    c.on('end', () => session.inputEnded());
  }

  /** Addresses actually listened on (port 0 resolved), for tests and start-up notes. */
  addresses(): (string | net.AddressInfo | null)[] {
    return this.servers.map((s) => s.server.address());
  }

  /**
   * Stops listening. A unix socket's file stays, as HAProxy leaves it: after a `-sf`
   * take-over the path already belongs to the new process.
   */
  close(): void {
    for (const { server } of this.servers) server.close();
    this.servers.length = 0;
    for (const c of this.conns) c.destroy();
  }
}
