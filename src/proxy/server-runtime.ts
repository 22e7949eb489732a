// A server at run time: what the balancer sees (BalanceServer), where to connect, its
// health checker and its queue (used when a deterministic algorithm picks a full server).

import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import type { Server } from '../config/haproxy/model.js';
import type { BalanceServer } from './balance/types.js';
import type { ServerChecker } from './health/checker.js';
import type { CheckResult } from './health/result.js';
import type { PendingQueue } from './queue.js';
import type { ServerCounters } from './stats/counters.js';
import { newServerCounters } from './stats/counters.js';

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
  /** Numeric address to connect to; undefined until a host name is resolved. */
  address: string | undefined;
  /** `observe layer4`: consecutive failed connections of live traffic. */
  consecutiveErrors = 0;
  /** `observe layer4`: told about every connection attempt of live traffic. */
  observer: ((ok: boolean, info: string) => void) | undefined;
  /** Admin state (HAProxy's SRV_ADMF_MAINT / SRV_ADMF_DRAIN): config `disabled` or runtime API. */
  maint: boolean;
  /**
   * Resolution maintenance (SRV_ADMF_RMAINT): `init-addr none` and no address. Only an
   * address ends it, so `set server ... state ready` leaves it in place, as in HAProxy.
   */
  rmaint = false;
  drain = false;
  /** Weight set by the config or `set weight` (`uweight`); `weight` is the effective one. */
  uweight: number;
  /** Health checks turned off by `disable health` (the checker is paused). */
  healthDisabled = false;
  /** The last check's result, for the stats (`check_status`, `last_chk`). */
  lastCheck: CheckResult | undefined;
  readonly counters: ServerCounters = newServerCounters(Date.now());

  constructor(
    readonly id: number,
    readonly cfg: Server,
    queue: PendingQueue,
  ) {
    this.name = cfg.name;
    this.weight = cfg.weight;
    this.backup = cfg.backup;
    this.up = !cfg.disabled;
    this.maint = cfg.disabled;
    this.uweight = cfg.weight;
    this.maxconn = cfg.maxconn ?? 0;
    this.maxqueue = cfg.maxqueue ?? 0;
    this.host = cfg.host;
    this.port = cfg.port;
    this.queue = queue;
    this.address = isIP(cfg.host) ? cfg.host : undefined;
  }

  /** Resolves a host name once (as HAProxy does at start-up), then dials. */
  lookup(dialer: {
    dial(server: ServerRuntime, address: string): void;
    connectFailed(c: 'S', status: number): void;
  }): void {
    dnsLookup(this.host, (err, address) => {
      if (err) {
        dialer.connectFailed('S', -113);
        return;
      }
      this.address = address;
      dialer.dial(this, address);
    });
  }

  observeSuccess(): void {
    this.observer?.(true, '');
  }

  observeFailure(kind: 'timeout' | 'refused', status: number): void {
    this.observer?.(false, kind === 'timeout' ? 'Connection timeout' : errnoText(status));
  }

  /** In maintenance (`disabled`, `set server ... state maint`): never up, whatever the checks say. */
  get maintenance(): boolean {
    return this.maint || this.rmaint;
  }

  hasFreeSlot(): boolean {
    return this.maxconn === 0 || this.conns < this.maxconn;
  }
}

function errnoText(status: number): string {
  return status === -111
    ? 'Connection refused'
    : status === -113
      ? 'No route to host'
      : 'Connection error';
}
