// The vrrp_scripts of one running configuration: who runs each (script_user and its
// default), which are disabled by the security rules, and the schedule that runs each
// tracked script every `interval` and feeds its result to a VrrpScriptTracker. Results
// that change a script's state go to the instances through `onChange`.

import type { KeepalivedConfig, VrrpScript } from '../config/keepalived/model.js';
import { type ScriptOutcome, VrrpScriptTracker } from '../vrrp/index.js';
import type { TimerPort } from './vrrp-instance-runner.js';
import type { VrrpLog } from './vrrp-log.js';
import {
  insecurePath,
  lookupUser,
  resolveExecutable,
  type ScriptExecutor,
  type ScriptUser,
} from './vrrp-scripts.js';

const ROOT: ScriptUser = { name: 'root', uid: 0, gid: 0 };
export const DEFAULT_SCRIPT_USER = 'keepalived_script';

export interface ScriptPlan {
  readonly def: VrrpScript;
  readonly user: ScriptUser;
}

export interface ScriptEnv {
  readonly path: string | undefined;
  readonly etc?: string;
  /** Whether halo itself runs as root (scripts then run as script_user). */
  readonly root: boolean;
}

/** The default script user, with Keepalived's log line when it does not exist. */
export function defaultScriptUser(
  config: KeepalivedConfig,
  env: ScriptEnv,
  log: VrrpLog,
): ScriptUser {
  const su = config.globalDefs.scriptUser;
  if (su) {
    const u = lookupUser(su.user, su.group, env.etc);
    if (u) return u;
    log.info(`Unable to resolve script username '${su.user}' - ignoring`);
    return ROOT;
  }
  const u = lookupUser(DEFAULT_SCRIPT_USER, undefined, env.etc);
  if (u) return u;
  log.info(`Script user '${DEFAULT_SCRIPT_USER}' does not exist`);
  return ROOT;
}

/** The scripts some instance tracks, each with its user; insecure ones dropped as Keepalived does. */
export function planScripts(
  config: KeepalivedConfig,
  env: ScriptEnv,
  log: VrrpLog,
): Map<string, ScriptPlan> {
  const tracked = new Set(config.instances.flatMap((i) => i.trackScript.map((t) => t.name)));
  const defs = config.scripts.filter((s) => tracked.has(s.name));
  const plans = new Map<string, ScriptPlan>();
  if (defs.length === 0) return plans;
  const fallback = defaultScriptUser(config, env, log);
  const security = config.globalDefs.enableScriptSecurity;
  let asRoot = false;
  let insecure = false;
  for (const def of defs) {
    let user = fallback;
    if (def.user) {
      const u = lookupUser(def.user.user, def.user.group, env.etc);
      if (!u) {
        log.info(`Unable to resolve script username '${def.user.user}' - ignoring`);
      } else user = u;
    }
    if (!env.root)
      user = { name: 'self', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const argv0 = def.argv[0] ?? '';
    const exe = resolveExecutable(argv0, env.path);
    if (!exe) {
      log.info(`Cannot find script ${argv0} in path - disabling`);
      continue;
    }
    const runsAsRoot = env.root && user.uid === 0;
    const bad = runsAsRoot ? insecurePath(exe) : undefined;
    if (runsAsRoot) asRoot = true;
    if (bad) insecure = true;
    if (bad && security) {
      log.info(`Disabling track script ${def.name} due to insecure`);
      continue;
    }
    plans.set(def.name, { def, user });
  }
  if (asRoot && !security) {
    log.info(
      `SECURITY VIOLATION - scripts are being executed but script_security not enabled.${insecure ? ' There are insecure scripts.' : ''}`,
    );
  }
  return plans;
}

interface Scheduled {
  readonly plan: ScriptPlan;
  readonly tracker: VrrpScriptTracker;
  timer?: unknown;
  running: boolean;
}

export interface ScriptSchedulerDeps {
  readonly exec: ScriptExecutor;
  readonly log: VrrpLog;
  readonly timers: TimerPort;
  readonly onChange: (script: string, ok: boolean) => void;
}

export class ScriptScheduler {
  private readonly scripts = new Map<string, Scheduled>();
  private stopped = false;

  constructor(
    plans: ReadonlyMap<string, ScriptPlan>,
    private readonly deps: ScriptSchedulerDeps,
    /** Trackers carried over from before a reload, by name, for scripts that did not change. */
    keep: ReadonlyMap<string, VrrpScriptTracker> = new Map(),
  ) {
    for (const [name, plan] of plans) {
      const d = plan.def;
      const tracker =
        keep.get(name) ??
        new VrrpScriptTracker({ name, rise: d.rise, fall: d.fall, initFail: d.initFail });
      this.scripts.set(name, { plan, tracker, running: false });
    }
  }

  /** Each script's state ('init' until its first result). */
  status(name: string): 'init' | 'good' | 'bad' | undefined {
    return this.scripts.get(name)?.tracker.status;
  }

  has(name: string): boolean {
    return this.scripts.has(name);
  }

  tracker(name: string): VrrpScriptTracker | undefined {
    return this.scripts.get(name)?.tracker;
  }

  plan(name: string): ScriptPlan | undefined {
    return this.scripts.get(name)?.plan;
  }

  /** Keepalived runs every script once right after start, then every `interval`. */
  start(): void {
    for (const s of this.scripts.values()) this.run(s);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.scripts.values()) {
      if (s.timer !== undefined) this.deps.timers.clear(s.timer);
      s.timer = undefined;
    }
  }

  private run(s: Scheduled): void {
    if (this.stopped) return;
    const def = s.plan.def;
    s.timer = this.deps.timers.set(() => this.run(s), def.interval);
    if (s.running) return; // still running from last time: skip this round
    s.running = true;
    const timeoutMs = def.timeout ?? def.interval;
    void this.deps.exec(def.argv, { user: s.plan.user, timeoutMs }).then((outcome) => {
      s.running = false;
      if (!this.stopped) this.record(s, outcome);
    });
  }

  private record(s: Scheduled, outcome: ScriptOutcome): void {
    const r = s.tracker.record(outcome);
    for (const line of r.logs) this.deps.log.info(line);
    if (r.changed !== undefined) this.deps.onChange(s.plan.def.name, r.changed);
  }
}
