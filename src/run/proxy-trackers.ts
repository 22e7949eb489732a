// `halo run`'s built-in trackers, pure: what the proxy workers report (UP servers per
// backend, bound frontends) and whether a worker serves, turned into one good/bad state per
// tracker source, and the changes since the last evaluation as TrackSourceChanged events.
// No clock and no polling: the supervisor calls `update` when a worker reports or dies.

import type { TrackProxyItem } from '../config/keepalived/model.js';
import { trackProxySource } from '../config/keepalived/track-proxy.js';

/** What one proxy worker reports about itself (sent over IPC on every change). */
export interface ProxyReport {
  /** UP servers (active + backup, weight > 0) per backend. */
  readonly backends: Readonly<Record<string, number>>;
  /** Whether each frontend has its listeners bound and accepting. */
  readonly frontends: Readonly<Record<string, boolean>>;
}

/** The proxy as the supervisor sees it: each serving worker's last report. */
export interface ProxyView {
  /** Reports of the workers that are up and serving (a dead worker's report is gone). */
  readonly workers: readonly ProxyReport[];
  /** The proxy half is stopping or stopped (SIGTERM/SIGUSR1): every tracker is bad. */
  readonly stopped: boolean;
}

export interface SourceState {
  readonly ok: boolean;
  /** Why, in words for the log (`backend kubernetes-apiserver: 0 of min 1 servers UP`). */
  readonly why: string;
}

/**
 * One tracker's state. A backend counts the best worker's UP servers (each worker checks
 * on its own; one that sees the servers is enough to serve); a frontend is good while any
 * worker has it bound; `worker` while at least one worker serves.
 */
export function evaluateTracker(
  t: Pick<TrackProxyItem, 'kind' | 'name' | 'minUp'>,
  view: ProxyView,
): SourceState {
  const key = trackProxySource(t);
  if (view.stopped) return { ok: false, why: `${key}: the proxy is stopping` };
  if (view.workers.length === 0) return { ok: false, why: `${key}: no proxy worker serving` };
  if (t.kind === 'worker') return { ok: true, why: `${view.workers.length} worker(s) serving` };
  if (t.kind === 'frontend') {
    const bound = view.workers.some((w) => w.frontends[t.name] === true);
    return { ok: bound, why: `frontend ${t.name} ${bound ? 'bound' : 'not bound'}` };
  }
  const up = Math.max(...view.workers.map((w) => w.backends[t.name] ?? 0));
  return {
    ok: up >= t.minUp,
    why: `backend ${t.name}: ${up} server(s) UP, min_up ${t.minUp}`,
  };
}

export interface SourceChange {
  readonly source: string;
  readonly ok: boolean;
  readonly why: string;
}

/** Keeps the last state of every tracker in use and reports which ones changed. */
export class ProxyTrackers {
  private readonly last = new Map<string, boolean>();
  private items: Pick<TrackProxyItem, 'kind' | 'name' | 'minUp'>[] = [];

  /** The trackers of a (re)loaded keepalived.conf; states of kept ones are remembered. */
  setItems(items: readonly Pick<TrackProxyItem, 'kind' | 'name' | 'minUp'>[]): void {
    const seen = new Map(items.map((t) => [trackProxySource(t), t]));
    this.items = [...seen.values()];
    for (const k of [...this.last.keys()]) if (!seen.has(k)) this.last.delete(k);
  }

  /** Every tracker's state now, by source key (for an instance's Startup). */
  states(view: ProxyView): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const t of this.items) out[trackProxySource(t)] = evaluateTracker(t, view).ok;
    return out;
  }

  /** The trackers whose state differs from the last call (the first call reports none). */
  update(view: ProxyView): SourceChange[] {
    const out: SourceChange[] = [];
    for (const t of this.items) {
      const key = trackProxySource(t);
      const s = evaluateTracker(t, view);
      const before = this.last.get(key);
      this.last.set(key, s.ok);
      if (before !== undefined && before !== s.ok) out.push({ source: key, ok: s.ok, why: s.why });
    }
    return out;
  }
}
