// The proxy worker's side of `halo run`'s built-in trackers: after a server changes state
// or the listeners change (start, reload, pause, resume), the worker computes what the
// trackers look at and sends it to the supervisor, only when it differs from the last.
// Changes in one tick are sent once (a reload flips many servers at the same time).

import type { ProxyEngine } from '../proxy/engine.js';
import type { ProxyReport } from '../run/proxy-trackers.js';
import type { ToMaster } from './proxy-worker.js';

/** What the trackers see in one engine: UP servers per backend, bound frontends. */
export function proxyReport(engine: ProxyEngine | undefined): ProxyReport {
  const backends: Record<string, number> = {};
  const frontends: Record<string, boolean> = {};
  if (!engine) return { backends, frontends };
  for (const [name, be] of engine.backends) {
    const farm = be.farm();
    backends[name] = farm.active + farm.backup;
  }
  for (const fe of engine.frontends) frontends[fe.name] = fe.listeners.length > 0;
  return { backends, frontends };
}

export class RunReporter {
  private last = '';
  private queued = false;

  constructor(
    private readonly engine: () => ProxyEngine | undefined,
    private readonly send: (m: ToMaster) => void = (m) => process.send?.(m),
  ) {}

  /** Something the trackers read may have changed; report it once this tick ends. */
  readonly changed = (): void => {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      const report = proxyReport(this.engine());
      const text = JSON.stringify(report);
      if (text === this.last) return;
      this.last = text;
      this.send({ t: 'track', report });
    });
  };
}
