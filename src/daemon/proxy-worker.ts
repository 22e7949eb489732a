// The worker side of `nbthread N` (see proxy-master.ts): listening sockets arrive from the
// master over IPC and the engine listens on those instead of binding; the config text
// comes from the master too (what it validated, even if the files changed since), and
// control messages replace the signals a single process would get.

import type { BindAddress } from '../config/haproxy/model.js';
import { serverHandleFromFd } from '../proxy/io/stream-handle.js';
import { listenerKeys } from '../proxy/listen-sockets.js';
import type { Listener } from '../proxy/listener.js';
import { listenOnBound } from '../proxy/listener.js';
import type { ProxyReport } from '../run/proxy-trackers.js';
import type { VrrpStatus } from '../run/show-vrrp.js';
import type { ConfigSource } from './proxy-config.js';
import type { ProxyDaemon } from './proxy-daemon.js';

export type ToWorker =
  | { t: 'socket'; key: string }
  /** The public data path: the socket is descriptor `fd`, inherited at fork (stdio). */
  | { t: 'socket'; key: string; fd: number; unix: boolean }
  | { t: 'start'; sources: ConfigSource[] }
  | { t: 'reload'; sources: ConfigSource[] }
  | { t: 'stop'; hard: boolean }
  | { t: 'pause' }
  | { t: 'resume' }
  /** A runtime-API state change made on another worker. */
  | { t: 'cli'; words: string[] }
  /** A runtime-API line from the master CLI (`@1 <command>`), answered with cli-answer. */
  | { t: 'cli-run'; id: number; line: string }
  /** `halo run`: the VRRP state for the runtime API's `show vrrp`. */
  | { t: 'vrrp'; text: string; status: VrrpStatus };

export type ToMaster =
  | { t: 'ready' }
  | { t: 'failed'; message: string }
  | { t: 'reloaded'; ok: boolean }
  /** A runtime-API state change made here, for the master to hand to the other workers. */
  | { t: 'cli'; words: string[] }
  | { t: 'cli-answer'; id: number; text: string }
  /** `halo run`: what this worker's trackers see (UP servers, bound frontends). */
  | { t: 'track'; report: ProxyReport }
  /** `halo run`: a runtime-API VRRP command for the supervisor (`handover on|off`). */
  | { t: 'vrrp-control'; words: readonly string[] };

export interface WorkerHooks {
  /** Starts the daemon on the config text the master validated; rejects when it cannot serve. */
  start(sources: readonly ConfigSource[]): Promise<void>;
  /** Soft or hard stop; resolves when every session ended. */
  stop(hard: boolean): Promise<void>;
  /** After a start, reload, pause or resume: the listeners may have changed (halo run). */
  changed?(): void;
  /** `halo run`'s VRRP state text arrived. */
  vrrp?(text: string, status: VrrpStatus): void;
}

/** Receives sockets and commands from the master; `listen` is the engine's socket source. */
export class WorkerLink {
  private readonly sockets = new Map<string, object>();

  constructor(
    private readonly daemon: ProxyDaemon,
    private readonly hooks: WorkerHooks,
  ) {}

  readonly listen = async (addr: BindAddress, backlog: number): Promise<Listener[]> => {
    const out: Listener[] = [];
    for (const key of listenerKeys(addr)) {
      const h = this.sockets.get(key);
      if (!h)
        throw Object.assign(new Error(`no socket from the master for ${key}`), { code: 'ENOENT' });
      out.push(await listenOnBound(key, h, backlog));
    }
    return out;
  };

  /** Listens for the master's messages; the IPC channel closes when the worker is done. */
  attach(): void {
    process.on('message', (msg: ToWorker, handle?: object) => {
      void this.handle(msg, handle);
    });
  }

  private async handle(msg: ToWorker, handle?: object): Promise<void> {
    switch (msg.t) {
      case 'socket':
        if (handle) this.sockets.set(msg.key, handle);
        else if ('fd' in msg) {
          // A bad descriptor leaves the key without a socket: listen() reports it.
          try {
            this.sockets.set(msg.key, serverHandleFromFd(msg.fd, msg.unix));
          } catch {}
        }
        return;
      case 'start':
        try {
          await this.hooks.start(msg.sources);
          send({ t: 'ready' });
          this.hooks.changed?.();
        } catch (err) {
          send({ t: 'failed', message: (err as Error).message });
        }
        return;
      case 'reload':
        send({ t: 'reloaded', ok: await this.daemon.reload(msg.sources) });
        this.hooks.changed?.();
        return;
      case 'stop':
        await this.hooks.stop(msg.hard);
        return;
      case 'pause':
        this.daemon.pauseListeners();
        this.sockets.clear();
        this.hooks.changed?.();
        return;
      case 'resume':
        await this.daemon.resumeListeners();
        this.hooks.changed?.();
        return;
      case 'vrrp':
        this.hooks.vrrp?.(msg.text, msg.status);
        return;
      case 'cli':
        this.daemon.applyRelayed(msg.words);
        return;
      case 'cli-run':
        send({ t: 'cli-answer', id: msg.id, text: this.daemon.answerCli(msg.line) });
        return;
    }
  }
}

/** Hands a runtime-API state change to the master, which repeats it in the other workers. */
export function relayToMaster(words: string[]): void {
  send({ t: 'cli', words });
}

/** Hands a runtime-API VRRP command to the supervisor (`halo run`). */
export function vrrpControlToMaster(words: readonly string[]): void {
  send({ t: 'vrrp-control', words });
}

function send(m: ToMaster): void {
  process.send?.(m);
}
