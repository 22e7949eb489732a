// A client of the VIP, as kubectl or a kubelet would be: a new TCP (and by default TLS)
// connection every interval, each independent of the others (a slow one does not delay
// the next), each counted as failed on an error or when it has not completed within the
// timeout. Used by `halo drill`, `halo lab` and the failover benches; the blackouts are
// computed by the pure ./blackout.ts.

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type Attempt, type BlackoutSummary, summarize } from './blackout.js';

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  /** The local address to connect from (a client's address on this host); default any. */
  readonly localAddress?: string;
  /** TLS handshake (default) or plain TCP connect. */
  readonly tls?: boolean;
  /** Time between attempt starts (ms, default 10). */
  readonly intervalMs?: number;
  /** An attempt not complete after this long fails as `timeout` (ms, default 1000). */
  readonly timeoutMs?: number;
  /** Milliseconds clock (default performance.now-based epoch ms). */
  readonly now?: () => number;
  /** Called with every finished attempt (for live output). */
  readonly onAttempt?: (a: Attempt) => void;
}

export class VipProbe {
  readonly attempts: Attempt[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Socket>();
  private readonly now: () => number;

  constructor(private readonly o: ProbeOptions) {
    const origin = Date.now() - performance.now();
    this.now = o.now ?? (() => origin + performance.now());
  }

  start(): void {
    if (this.timer) return;
    this.attemptOnce();
    this.timer = setInterval(() => this.attemptOnce(), this.o.intervalMs ?? 10);
  }

  /** Stops starting attempts, waits for the outstanding ones (at most the timeout), sums up. */
  async stop(): Promise<BlackoutSummary> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = this.now() + (this.o.timeoutMs ?? 1000) + 100;
    while (this.pending.size > 0 && this.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const s of this.pending) s.destroy();
    return summarize(this.attempts);
  }

  /** The summary of what was seen so far, without stopping. */
  summary(): BlackoutSummary {
    return summarize(this.attempts);
  }

  private attemptOnce(): void {
    const at = this.now();
    const timeoutMs = this.o.timeoutMs ?? 1000;
    let done = false;
    const finish = (ok: boolean, error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.pending.delete(socket);
      socket.destroy();
      const a: Attempt = { at, ok, ms: this.now() - at, ...(error ? { error } : {}) };
      this.attempts.push(a);
      this.o.onAttempt?.(a);
    };
    const dest = {
      host: this.o.host,
      port: this.o.port,
      ...(this.o.localAddress ? { localAddress: this.o.localAddress } : {}),
    };
    const socket: Socket =
      this.o.tls === false
        ? netConnect(dest, () => finish(true))
        : tlsConnect({ ...dest, rejectUnauthorized: false }, () => finish(true));
    this.pending.add(socket);
    socket.on('error', (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
    socket.on('close', () => finish(false, 'closed'));
    const timer = setTimeout(() => finish(false, 'timeout'), timeoutMs);
  }
}
