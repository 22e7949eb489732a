// A server at run time: what the balancer sees (BalanceServer), where to connect, its
// health checker and its queue (used when a deterministic algorithm picks a full server).

import type { Server } from '../config/haproxy/model.js';
import type { BalanceServer } from './balance/types.js';
import type { ServerChecker } from './health/checker.js';
import type { PendingQueue } from './queue.js';

export class ServerRuntime implements BalanceServer {
  readonly name: string;
  weight: number;
  readonly backup: boolean;
  up: boolean;
  conns = 0;
  readonly maxconn: number;
  readonly maxqueue: number;
  readonly host: string;
  readonly port: number | undefined;
  checker: ServerChecker | undefined;
  /** Total sessions sent here (stats `stot`). */
  total = 0;
  /** Sessions picked for this server while full: server queue. */
  readonly queue: PendingQueue;

  constructor(
    readonly id: number,
    readonly cfg: Server,
    queue: PendingQueue,
  ) {
    this.name = cfg.name;
    this.weight = cfg.weight;
    this.backup = cfg.backup;
    this.up = !cfg.disabled;
    this.maxconn = cfg.maxconn ?? 0;
    this.maxqueue = cfg.maxqueue ?? 0;
    this.host = cfg.host;
    this.port = cfg.port;
    this.queue = queue;
  }

  /** In maintenance (`disabled`): never up, whatever the checks say. */
  get maintenance(): boolean {
    return this.cfg.disabled;
  }

  hasFreeSlot(): boolean {
    return this.maxconn === 0 || this.conns < this.maxconn;
  }
}
