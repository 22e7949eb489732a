// halo's built-in trackers inside a vrrp_instance (`halo run` only): the proxy's own state
// feeds the priority with no script and no polling.
//
//   track_proxy {
//       backend kubernetes-apiserver min_up 1 weight -60
//       frontend apiserver              # no weight: FAULT while unbound, as track_script
//       worker
//       stable 2                        # flap damping: a recovered tracker counts after 2 s good
//       preempt_degraded                # off by default: a degraded node does not preempt
//   }
//
// A real Keepalived 2.2 reports `track_proxy` as an unknown keyword and skips the block,
// so the same file still runs there (with its vrrp_script trackers, if any).

import { type ParseEnv, readFlag, readInt, readMicros, readUnsigned } from './block.js';
import type { InstanceDraft } from './drafts.js';
import type { TrackProxyItem } from './model.js';
import type { Stmt } from './tree.js';

const KINDS = ['backend', 'frontend', 'worker'] as const;

/** Block-level settings (not trackers) inside track_proxy, as a keyword table. */
const BLOCK_OPTIONS: readonly {
  readonly name: string;
  readonly parse: (inst: InstanceDraft, s: Stmt) => string | undefined;
}[] = [
  {
    name: 'stable',
    parse: (inst, s) => {
      const us = readMicros(s.args[0], 0, 3_600_000_000);
      if (us === undefined || s.args.length !== 1)
        return `stable needs one duration in seconds (0 to 3600), got '${s.args.map((a) => a.text).join(' ')}'`;
      inst.trackProxyStableMs = us / 1000;
      return undefined;
    },
  },
  {
    name: 'preempt_degraded',
    parse: (inst, s) => {
      const on = s.args.length <= 1 ? readFlag(s.args[0]) : undefined;
      if (on === undefined) return `preempt_degraded takes no value or on/off`;
      inst.trackProxyPreemptDegraded = on;
      return undefined;
    },
  },
];

/** The source key a tracker reports under (unique per instance; `show vrrp` prints it). */
export function trackProxySource(t: Pick<TrackProxyItem, 'kind' | 'name' | 'minUp'>): string {
  if (t.kind === 'worker') return 'worker';
  if (t.kind === 'frontend') return `frontend ${t.name}`;
  return `backend ${t.name} min_up ${t.minUp}`;
}

function parseItem(inst: InstanceDraft, s: Stmt, env: ParseEnv): TrackProxyItem | undefined {
  const d = env.diags;
  const kind = s.keyword.text as (typeof KINDS)[number];
  if (!KINDS.includes(kind)) {
    const msg = `(${inst.name}) track_proxy: unknown tracker '${s.keyword.text}' (backend NAME, frontend NAME, worker, stable SECONDS or preempt_degraded)`;
    d.error(s.pos, 'HALO_TRACK_PROXY', msg, 'halo');
    return undefined;
  }
  const args = [...s.args];
  let name = '';
  if (kind !== 'worker') {
    const t = args.shift();
    if (!t) {
      d.error(
        s.pos,
        'HALO_TRACK_PROXY',
        `(${inst.name}) track_proxy: ${kind} needs a name`,
        'halo',
      );
      return undefined;
    }
    name = t.text;
  }
  let weight = 0;
  let minUp = 1;
  while (args.length > 0) {
    const opt = args.shift()!;
    const value = args.shift();
    const n =
      opt.text === 'weight'
        ? readInt(value, -253, 253)
        : opt.text === 'min_up' && kind === 'backend'
          ? readUnsigned(value, 1, 65535)
          : undefined;
    if (n === undefined) {
      const what =
        opt.text === 'weight' || opt.text === 'min_up'
          ? `invalid ${opt.text} '${value?.text ?? ''}'`
          : `unknown option '${opt.text}'`;
      d.error(s.pos, 'HALO_TRACK_PROXY', `(${inst.name}) track_proxy ${kind}: ${what}`, 'halo');
      return undefined;
    }
    if (opt.text === 'weight') weight = n;
    else minUp = n;
  }
  return { pos: s.pos, kind, name, minUp, weight };
}

/**
 * Keepalived ignores the `{` after the unknown `track_proxy`, so its `}` ends the
 * vrrp_instance there: whatever follows would be lost (or misread) on a real Keepalived.
 */
export function trackProxyPlacement(
  inst: InstanceDraft,
  block: readonly Stmt[],
  env: ParseEnv,
): void {
  const at = block.findIndex((s) => s.keyword.text === 'track_proxy');
  const next = at < 0 ? undefined : block[at + 1];
  if (!next) return;
  env.diags.warning(
    next.pos,
    'HALO_TRACK_PROXY_NOT_LAST',
    `(${inst.name}) '${next.keyword.text}' after track_proxy: a real Keepalived ends the vrrp_instance at track_proxy's closing brace and loses it`,
    'halo',
    'Keepalived reads track_proxy as an unknown keyword and ignores its `{`; put track_proxy last in the vrrp_instance so the same file runs on both',
  );
}

/** A `track_proxy` block of one instance. */
export function parseTrackProxyBlock(inst: InstanceDraft, s: Stmt, env: ParseEnv): void {
  for (const item of s.block ?? []) {
    const opt = BLOCK_OPTIONS.find((o) => o.name === item.keyword.text);
    if (opt) {
      const err = opt.parse(inst, item);
      if (err)
        env.diags.error(item.pos, 'HALO_TRACK_PROXY', `(${inst.name}) track_proxy: ${err}`, 'halo');
      continue;
    }
    const t = parseItem(inst, item, env);
    if (!t) continue;
    if (inst.trackProxy.some((o) => trackProxySource(o) === trackProxySource(t))) {
      const msg = `(${inst.name}) duplicate track_proxy ${trackProxySource(t)} - ignoring`;
      env.diags.error(item.pos, 'HALO_TRACK_PROXY', msg, 'halo');
      continue;
    }
    inst.trackProxy.push(t);
  }
}
