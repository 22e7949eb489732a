// What tracking does to one VRRP instance, as Keepalived 2.2.7 does it (vrrp_track.c:
// initialise_tracking_priorities, update_script_priorities, process_script_update_priority,
// update_interface_priorities; track_file.c: process_update_vrrp_track_file_status). Pure:
// it keeps the weighted total and each tracked item's last state, and answers every change
// with the steps the instance takes, in order. Weight 0 items fault the instance (`down` /
// `up`); weighted items move the total the effective priority is clamped from.
// halo's built-in trackers (track_proxy) are damped against flapping: a tracker going bad
// counts at once (fast failover), one coming back good only once it has stayed good for its
// stability window, so a flapping check cannot pull the VIP back and forth.

import { VRRP_PRIORITY_OWNER } from './codec.js';
import { kaLog } from './log-strings.js';
import { clampedStatus, TRACK_FILE_FAULT, trackFileStatus } from './track-file.js';
import type { VrrpInstanceSettings } from './types.js';

/** What the instance does for a tracking change, in this order. */
export type TrackStep =
  | { readonly type: 'log'; readonly text: string; readonly detail: boolean }
  /** The total moved to `total`: set the effective priority from it (logs "Changing
   *  effective priority"). */
  | { readonly type: 'reweigh'; readonly total: number }
  /** The total moved to `total` as a file left FAULT: Keepalived sets the priority without a
   *  log line. */
  | { readonly type: 'setPriority'; readonly total: number }
  /** A weight-0 item went bad (down_instance); `reason` names it in the transition. */
  | { readonly type: 'down'; readonly reason?: string }
  /** A weight-0 item came good (try_up_instance, not leaving init). */
  | { readonly type: 'up' }
  /** A weight-0 script's result: `first` when it is the script's first, `good` as weighed. */
  | { readonly type: 'script'; readonly first: boolean; readonly good: boolean };

/** What tracking finds at start: log lines, faults and scripts still to report. */
export interface TrackingStart {
  readonly logs: readonly string[];
  readonly faults: number;
  readonly scriptsInInit: number;
}

type ScriptInit = 'init' | 'failed' | 'done';

interface LinkTrack {
  readonly weight: number;
  readonly reverse: boolean;
}

/** track_proxy's default stability window: a recovered tracker counts after 2 s good. Long
 *  enough to cover a health check flapping at HAProxy's default `inter 2s`, short against a
 *  planned recovery. */
export const DEFAULT_TRACK_STABLE_MS = 2000;

/** The effective priority a weighted total gives (never 0, never the owner's 255). */
export function clampPriority(total: number): number {
  return Math.min(Math.max(total, 1), VRRP_PRIORITY_OWNER - 1);
}

export class PriorityTracking {
  /** Keepalived's total_priority: base priority plus every weight in force. */
  total: number;
  private readonly settings: VrrpInstanceSettings;
  private readonly scriptInit = new Map<string, ScriptInit>();
  private readonly links = new Map<string, boolean>();
  /** Each tracked file's last value (Keepalived's last_status). */
  private readonly fileValues = new Map<string, number>();
  /** Each built-in tracker's last state (good or bad). */
  private readonly sourceStates = new Map<string, boolean>();
  /** Built-in trackers good again but not yet counted: when they will be. */
  private readonly stableAt = new Map<string, number>();

  constructor(settings: VrrpInstanceSettings) {
    this.settings = settings;
    this.total = settings.priority;
    for (const s of settings.trackScripts)
      this.scriptInit.set(s.name, s.initFail ? 'failed' : 'init');
  }

  private get name(): string {
    return this.settings.name;
  }

  /** initialise_tracking_priorities: links and files as found at start, scripts not yet run. */
  start(
    links: Readonly<Record<string, boolean>>,
    files: Readonly<Record<string, number>>,
    owner: boolean,
    sources: Readonly<Record<string, boolean>> = {},
  ): TrackingStart {
    const s = this.settings;
    const logs: string[] = [];
    let faults = 0;
    let scriptsInInit = 0;
    const ifnames = new Set([s.interface, ...s.trackInterfaces.map((t) => t.name)]);
    for (const ifname of ifnames) {
      const up = links[ifname] ?? true;
      this.links.set(ifname, up);
      for (const t of this.linkTracks(ifname)) {
        const mult = t.reverse ? -1 : 1;
        if (t.weight === 0) {
          if (up !== (mult === 1)) {
            logs.push(kaLog.faultInterfaceDown(this.name, ifname));
            faults++;
          }
        } else if (up ? t.weight > 0 : t.weight < 0) {
          this.total += t.weight * mult;
        }
      }
    }
    for (const t of s.trackFiles) {
      const value = files[t.name] ?? 0;
      this.fileValues.set(t.name, value);
      const status = trackFileStatus(value, t.weight, t.reverse, true);
      if (status <= TRACK_FILE_FAULT) {
        logs.push(kaLog.faultTrackedFile(this.name, t.name, status));
        faults++;
      } else this.total += Math.min(status, 253);
    }
    for (const t of s.trackScripts) {
      const init = this.scriptInit.get(t.name);
      if (t.weight === 0) {
        if (init === 'init') scriptsInInit++;
        else if (init === 'failed') {
          faults++;
          logs.push(kaLog.faultDueToScript(this.name, t.name));
        }
      } else if (init === 'failed' && t.weight < 0 && !owner) {
        this.total += t.weight;
      }
    }
    for (const t of s.trackSources ?? []) {
      const ok = sources[t.name] ?? true;
      this.sourceStates.set(t.name, ok);
      if (t.weight === 0) {
        if (!ok) {
          logs.push(`(${this.name}) entering FAULT state (${t.name} is down)`);
          faults++;
        }
      } else if (!owner && (ok ? t.weight > 0 : t.weight < 0)) this.total += t.weight;
    }
    return { logs, faults, scriptsInInit };
  }

  /**
   * A built-in tracker turned good or bad at `now`: bad counts at once; good only after it
   * stayed good for the tracker's stability window (`stableDue` then counts it). Weight 0
   * faults the instance (or lifts the fault); a weight counts as a track_script's does
   * (added while good if positive, while bad if negative). Repeats of the known state do
   * nothing.
   */
  sourceChanged(
    source: string,
    ok: boolean,
    owner: boolean,
    stopped: boolean,
    now = 0,
  ): TrackStep[] {
    const track = (this.settings.trackSources ?? []).find((t) => t.name === source);
    const known = this.sourceStates.get(source);
    if (!track || known === undefined || stopped) return [];
    if (!ok) this.stableAt.delete(source); // a flap inside the window: still bad, not counted
    if (known === ok || (ok && this.stableAt.has(source))) return [];
    const windowMs = track.stableMs ?? DEFAULT_TRACK_STABLE_MS;
    if (ok && windowMs > 0) {
      this.stableAt.set(source, now + windowMs);
      const text = `(${this.name}) ${source} is good again; it counts after ${windowMs / 1000} s stable`;
      return [{ type: 'log', text, detail: false }];
    }
    return this.applySource(track, ok, owner);
  }

  /** The earliest moment a recovered tracker's window ends (the `trackStable` timer). */
  nextStableAt(): number | undefined {
    let at: number | undefined;
    for (const t of this.stableAt.values()) if (at === undefined || t < at) at = t;
    return at;
  }

  /** Counts every recovered tracker whose stability window has ended by `now`. */
  stableDue(now: number, owner: boolean, stopped: boolean): TrackStep[] {
    const steps: TrackStep[] = [];
    for (const [source, at] of [...this.stableAt]) {
      if (at > now + 1e-6) continue;
      this.stableAt.delete(source);
      const track = (this.settings.trackSources ?? []).find((t) => t.name === source);
      if (!track || stopped) continue;
      const text = `(${this.name}) ${source} stayed good: counted`;
      steps.push({ type: 'log', text, detail: false }, ...this.applySource(track, true, owner));
    }
    return steps;
  }

  /** A weighted built-in tracker is bad (or not yet counted good): the node is degraded. */
  degraded(): boolean {
    return (this.settings.trackSources ?? []).some(
      (t) => t.weight !== 0 && this.sourceStates.get(t.name) === false,
    );
  }

  private applySource(
    track: { readonly name: string; readonly weight: number },
    ok: boolean,
    owner: boolean,
  ): TrackStep[] {
    this.sourceStates.set(track.name, ok);
    if (track.weight === 0) return ok ? [{ type: 'up' }] : [{ type: 'down', reason: track.name }];
    if (owner) return [];
    this.total += (ok ? 1 : -1) * Math.abs(track.weight);
    return [{ type: 'reweigh', total: this.total }];
  }

  /** Each built-in tracker's state and its part in the total now (for `show vrrp`). */
  sourceParts(): { name: string; weight: number; ok: boolean; part: number; stableAt?: number }[] {
    return (this.settings.trackSources ?? []).map((t) => {
      const ok = this.sourceStates.get(t.name) ?? true;
      const part = t.weight > 0 && ok ? t.weight : t.weight < 0 && !ok ? t.weight : 0;
      const at = this.stableAt.get(t.name);
      return {
        name: t.name,
        weight: t.weight,
        ok,
        part,
        ...(at !== undefined ? { stableAt: at } : {}),
      };
    });
  }

  /** A vrrp_script's result (after its rise/fall). `stopped`: the instance is in STOP. */
  scriptResult(script: string, ok: boolean, owner: boolean, stopped: boolean): TrackStep[] {
    const init = this.scriptInit.get(script);
    const track = this.settings.trackScripts.find((t) => t.name === script);
    if (!track || init === undefined) return [];
    const mult = track.reverse ? -1 : 1;
    const w = track.weight;
    this.scriptInit.set(script, 'done');
    if (stopped) return [];
    if (w === 0) return [{ type: 'script', first: init === 'init', good: ok === (mult === 1) }];
    if (owner) return [];
    if (init === 'init') {
      if (ok ? w > 0 : w < 0) this.total += w * mult;
    } else {
      this.total += (ok ? 1 : -1) * Math.abs(w) * mult;
    }
    return [{ type: 'reweigh', total: this.total }];
  }

  /** A tracked (or the instance's own) interface went up or down. */
  linkChanged(ifname: string, up: boolean, owner: boolean, stopped: boolean): TrackStep[] {
    const known = this.links.get(ifname);
    if (known === up || stopped) return [];
    this.links.set(ifname, up);
    const steps: TrackStep[] = [];
    for (const t of this.linkTracks(ifname)) {
      const mult = t.reverse ? -1 : 1;
      if (t.weight !== 0) {
        if (owner) continue;
        this.total += (up ? 1 : -1) * Math.abs(t.weight) * mult;
        steps.push({ type: 'reweigh', total: this.total });
      } else steps.push({ type: up === (mult === 1) ? 'up' : 'down' });
    }
    return steps;
  }

  /** process_update_vrrp_track_file_status, for each of our entries tracking the file. */
  fileChanged(file: string, value: number, stopped: boolean): TrackStep[] {
    const last = this.fileValues.get(file);
    if (last === undefined || last === value || stopped) return [];
    this.fileValues.set(file, value);
    const steps: TrackStep[] = [];
    const log = (text: string) => steps.push({ type: 'log', text, detail: true });
    for (const t of this.settings.trackFiles) {
      if (t.name !== file) continue;
      const next = clampedStatus(value, t.weight, t.reverse, false);
      const prev = clampedStatus(last, t.weight, t.reverse, true);
      if (next === prev) continue;
      if (next === TRACK_FILE_FAULT) {
        log(kaLog.trackedFileFault(this.name, file));
        if (t.weight) this.total -= prev;
        steps.push({ type: 'down' });
      } else if (prev === TRACK_FILE_FAULT) {
        if (t.weight) {
          this.total += next;
          steps.push({ type: 'setPriority', total: this.total });
        }
        log(kaLog.trackedFileLeavingFault(this.name, file));
        // Only a weighted file has a non-zero status here: the priority was just set.
        if (next) log(kaLog.settingEffectivePriority(this.name, clampPriority(this.total)));
        steps.push({ type: 'up' });
      } else {
        this.total += next - prev;
        steps.push({ type: 'reweigh', total: this.total });
      }
    }
    return steps;
  }

  private linkTracks(ifname: string): LinkTrack[] {
    const out: LinkTrack[] = this.settings.trackInterfaces
      .filter((t) => t.name === ifname)
      .map((t) => ({ weight: t.weight, reverse: t.reverse }));
    if (ifname === this.settings.interface && !this.settings.dontTrackPrimary) {
      out.push({ weight: 0, reverse: false });
    }
    return out;
  }
}
