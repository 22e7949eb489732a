// A vrrp_script's rise/fall counting and log lines, as Keepalived 2.2.7 does them
// (vrrp_script_child_thread in keepalived/vrrp/vrrp_scheduler.c). Pure: the runner runs the
// script and reports how it ended; `record` says what to log and whether the tracked
// instances must hear about a change (VrrpInstance event `ScriptResult`).

import { kaLog } from './log-strings.js';

export type ScriptOutcome =
  | { readonly kind: 'exit'; readonly status: number }
  | { readonly kind: 'signal'; readonly signal: number }
  /** Killed by us after `timeout`. */
  | { readonly kind: 'timeout' };

export interface ScriptRecord {
  readonly logs: string[];
  /** Present when the instances must be told: the script is now good (true) or bad (false). */
  readonly changed?: boolean;
}

export interface VrrpScriptSettings {
  readonly name: string;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export class VrrpScriptTracker {
  readonly settings: VrrpScriptSettings;
  /** Keepalived's `result`: >= rise means good. */
  private result: number;
  private lastStatus = 0;
  private initState: 'init' | 'failed' | 'done';

  constructor(settings: VrrpScriptSettings) {
    this.settings = settings;
    this.initState = settings.initFail ? 'failed' : 'init';
    // One success is enough at start (rise - 1); init_fail starts from the bottom.
    this.result = settings.initFail ? 0 : settings.rise - 1;
  }

  /** 'init' until the first result that counts, then 'good' or 'bad'. */
  get status(): 'init' | 'good' | 'bad' {
    if (this.initState === 'init') return 'init';
    return this.result >= this.settings.rise ? 'good' : 'bad';
  }

  record(outcome: ScriptOutcome): ScriptRecord {
    const { name, rise, fall } = this.settings;
    const logs: string[] = [];
    let success = false;
    let failLog: string;
    if (outcome.kind === 'exit') {
      if (outcome.status !== this.lastStatus) {
        logs.push(kaLog.scriptNowReturning(name, outcome.status));
      }
      this.lastStatus = outcome.status;
      success = outcome.status === 0;
      failLog = kaLog.scriptFailed(name, { kind: 'status', code: outcome.status });
    } else if (outcome.kind === 'signal') {
      failLog = kaLog.scriptFailed(name, { kind: 'signal', code: outcome.signal });
    } else {
      failLog = kaLog.scriptTimedOut(name);
    }
    let changed: boolean | undefined;
    if (success) {
      if (this.result < rise - 1) {
        this.result++;
      } else if (this.result !== rise + fall - 1) {
        if (this.result < rise) {
          logs.push(kaLog.scriptSucceeded(name));
          changed = true;
        }
        this.result = rise + fall - 1;
      }
    } else if (this.result > rise) {
      this.result--;
    } else {
      if (this.result === rise || this.initState === 'init') {
        logs.push(failLog);
        changed = false;
      }
      this.result = 0;
    }
    this.initState = 'done';
    return changed === undefined ? { logs } : { logs, changed };
  }
}
