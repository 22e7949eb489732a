// The `halo vrrp` process: every vrrp_instance of a keepalived.conf as an InstanceRunner on
// the host's ports, the vrrp_scripts on their schedule, link changes from netlink, notify
// scripts, reload (unchanged instances keep running untouched, so a SIGHUP makes no
// needless state change) and the state dump that SIGUSR1 writes.

import { splitQuotedEscaped } from '../config/keepalived/lexer.js';
import type {
  KeepalivedConfig,
  VrrpInstance as VrrpInstanceConfig,
} from '../config/keepalived/model.js';
import type { AddressManager, FrameSender, LinkMonitor, OpenVrrpTransport } from '../os/ports.js';
import {
  ignoredWeightMessages,
  instanceSettings,
  type VrrpScriptTracker,
  type VrrpSnapshot,
} from '../vrrp/index.js';
import { kaLog } from '../vrrp/log-strings.js';
import { type SyncGroupEffect, VrrpSyncGroup } from '../vrrp/sync-group.js';
import { InstanceRunner, type TimerPort } from './vrrp-instance-runner.js';
import type { VrrpLog } from './vrrp-log.js';
import type { ScriptExecutor } from './vrrp-scripts.js';
import { defaultScriptUser, planScripts, type ScriptEnv, ScriptScheduler } from './vrrp-track.js';
import { initTrackFiles, TrackFileMonitor } from './vrrp-track-file.js';

export interface VrrpHost {
  readonly addresses: AddressManager;
  readonly links: LinkMonitor;
  readonly frames: FrameSender;
  readonly openTransport: OpenVrrpTransport;
}

export interface VrrpDaemonOptions {
  readonly host: VrrpHost;
  readonly log: VrrpLog;
  readonly exec: ScriptExecutor;
  readonly scriptEnv: ScriptEnv;
  readonly clock: () => number;
  readonly timers: TimerPort;
  /** halo run: each built-in tracker's state now, for instances that start. */
  readonly trackSources?: () => Readonly<Record<string, boolean>>;
  /** halo run: every state change of an instance, with its reason. */
  readonly onTransition?: (instance: string, from: string, to: string, reason: string) => void;
}

export interface InstanceDump extends VrrpSnapshot {
  readonly interface: string;
  readonly vips: readonly string[];
  readonly trackScripts: readonly { name: string; status: string; weight: number }[];
  readonly trackFiles: readonly {
    name: string;
    value: number | undefined;
    weight: number;
    reverse: boolean;
  }[];
}

export interface VrrpDump {
  readonly pid: number;
  readonly time: string;
  readonly instances: readonly InstanceDump[];
}

/** The vrrp_sync_group an instance is a member of. */
function groupOf(config: KeepalivedConfig, name: string) {
  return config.syncGroups.find((g) => g.group.includes(name));
}

/**
 * An instance's identity for reload: everything but source positions; for a sync group
 * member, the group and every member (a changed member restarts the whole group).
 */
function instanceKey(config: KeepalivedConfig, inst: VrrpInstanceConfig): string {
  const g = groupOf(config, inst.name);
  if (!g) return ownKey(config, inst);
  const members = g.group.flatMap((n) => {
    const m = config.instances.find((i) => i.name === n);
    return m ? [ownKey(config, m)] : [];
  });
  return JSON.stringify([g.name, g.group, members]);
}

function ownKey(config: KeepalivedConfig, inst: VrrpInstanceConfig): string {
  const scripts = inst.trackScript.map((t) => config.scripts.find((s) => s.name === t.name));
  const files = inst.trackFile.map((t) => config.trackFiles.find((f) => f.name === t.name));
  return JSON.stringify([config.globalDefs, inst, scripts, files], (k, v) =>
    k === 'pos' || k === 'interfacePos' ? undefined : v,
  );
}

function scriptKey(s: KeepalivedConfig['scripts'][number] | undefined): string {
  return JSON.stringify(s, (k, v) => (k === 'pos' ? undefined : v));
}

/** A runner made but not started yet, with what it starts from. */
interface Created {
  readonly runner: InstanceRunner;
  readonly links: Record<string, boolean>;
  readonly files: Record<string, number>;
}

export class VrrpDaemon {
  private config: KeepalivedConfig | undefined;
  private readonly runners = new Map<string, InstanceRunner>();
  private scripts: ScriptScheduler | undefined;
  private files: TrackFileMonitor | undefined;
  private readonly links = new Map<string, boolean>();
  private offLink: (() => void) | undefined;

  constructor(private readonly opts: VrrpDaemonOptions) {}

  async start(config: KeepalivedConfig): Promise<void> {
    this.offLink = this.opts.host.links.onLink((ev) => {
      const up = ev.type === 'changed' && ev.link.up;
      this.linkChanged(ev.link.name, up);
    });
    await this.apply(config);
  }

  /** Applies a new, already validated configuration. */
  async reload(config: KeepalivedConfig): Promise<void> {
    await this.apply(config);
  }

  async stop(): Promise<void> {
    this.scripts?.stop();
    this.files?.stop();
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
    this.offLink?.();
  }

  dump(): VrrpDump {
    const instances = [...this.runners.values()].map((r) => ({
      ...r.snapshot(),
      interface: r.settings.interface,
      vips: r.settings.vips,
      trackScripts: r.settings.trackScripts.map((t) => ({
        name: t.name,
        status: this.scripts?.status(t.name) ?? 'unknown',
        weight: t.weight,
      })),
      trackFiles: r.settings.trackFiles.map((t) => ({
        name: t.name,
        value: this.files?.value(t.name),
        weight: t.weight,
        reverse: t.reverse,
      })),
    }));
    return { pid: process.pid, time: new Date().toISOString(), instances };
  }

  /** A built-in tracker turned good or bad: every instance tracking it hears it. */
  trackSourceChanged(source: string, ok: boolean, why: string): void {
    for (const r of this.runners.values()) {
      if (r.settings.trackSources?.some((t) => t.name === source))
        r.handle({ type: 'TrackSourceChanged', source, ok, why });
    }
  }

  /** `halo handover`: every instance takes its VIPs and keeps them (on), or stops (off). */
  handover(on: boolean): void {
    for (const r of this.runners.values()) r.handle({ type: 'Handover', on });
  }

  /** Each instance's state with its interface and VIPs (for `show vrrp`). */
  instances(): (VrrpSnapshot & { interface: string; vips: readonly string[]; address: string })[] {
    return [...this.runners.values()].map((r) => ({
      ...r.snapshot(),
      interface: r.settings.interface,
      vips: r.settings.vips,
      address: r.settings.primaryAddress,
    }));
  }

  runner(name: string): InstanceRunner | undefined {
    return this.runners.get(name);
  }

  private async apply(config: KeepalivedConfig): Promise<void> {
    const old = this.config;
    const { log } = this.opts;
    const plans = planScripts(config, this.opts.scriptEnv, log);
    const keep = new Map<string, VrrpScriptTracker>();
    for (const [name] of plans) {
      const before = old?.scripts.find((s) => s.name === name);
      const tracker = this.scripts?.tracker(name);
      const now = config.scripts.find((s) => s.name === name);
      if (tracker && scriptKey(before) === scriptKey(now)) keep.set(name, tracker);
    }
    this.scripts?.stop();
    const scripts = new ScriptScheduler(
      plans,
      {
        exec: this.opts.exec,
        log,
        timers: this.opts.timers,
        onChange: (script, ok) => {
          for (const r of this.runners.values()) r.handle({ type: 'ScriptResult', script, ok });
        },
      },
      keep,
    );
    this.scripts = scripts;
    this.startTrackFiles(config, old !== undefined);
    const wanted = new Map(config.instances.map((i) => [i.name, i]));
    for (const [name, runner] of [...this.runners]) {
      const next = wanted.get(name);
      if (old && next && instanceKey(old, runner.config) === instanceKey(config, next)) continue;
      await runner.stop();
      this.runners.delete(name);
    }
    this.config = config;
    const created: Created[] = [];
    for (const inst of config.instances) {
      if (this.runners.has(inst.name)) continue;
      try {
        created.push(await this.createRunner(config, inst));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        log.info(`(${inst.name}) cannot start: ${msg}`);
      }
    }
    const grouped = new Set<string>();
    for (const g of config.syncGroups) {
      const members = created.filter((c) => g.group.includes(c.runner.name));
      if (members.length === 0) continue;
      this.startGroup(g.name, members);
      for (const m of members) grouped.add(m.runner.name);
    }
    for (const c of created) {
      if (!grouped.has(c.runner.name))
        c.runner.start(c.links, c.files, this.opts.trackSources?.() ?? {});
    }
    // Scripts that already have a result (kept across a reload) tell the new instances.
    for (const { runner } of created) {
      for (const t of runner.settings.trackScripts) {
        const status = this.scripts?.status(t.name);
        if (status === 'good' || status === 'bad') {
          runner.handle({ type: 'ScriptResult', script: t.name, ok: status === 'good' });
        }
      }
    }
    // Instances kept running hear the files' current values (a change while reloading).
    for (const r of this.runners.values()) {
      for (const t of r.settings.trackFiles) {
        const value = this.files?.value(t.name);
        if (value !== undefined) r.handle({ type: 'TrackFileChanged', file: t.name, value });
      }
    }
    scripts.start();
  }

  private startTrackFiles(config: KeepalivedConfig, reload: boolean): void {
    const { log } = this.opts;
    initTrackFiles(config.trackFiles, reload, log);
    const tracked = new Set(config.instances.flatMap((i) => i.trackFile.map((t) => t.name)));
    this.files?.stop();
    const files = new TrackFileMonitor(
      config.trackFiles.filter((f) => tracked.has(f.name)),
      {
        log,
        onChange: (file, value) => {
          for (const r of this.runners.values())
            r.handle({ type: 'TrackFileChanged', file, value });
        },
      },
    );
    files.start();
    this.files = files;
  }

  private async primaryAddress(inst: VrrpInstanceConfig, family: 4 | 6): Promise<string> {
    if (inst.unicastSrcIp) return inst.unicastSrcIp;
    const addrs = await this.opts.host.addresses.list(inst.interface);
    const found =
      family === 4
        ? addrs.find((a) => a.family === 4 && !a.secondary)
        : addrs.find((a) => a.family === 6 && a.address.toLowerCase().startsWith('fe80:'));
    if (!found) throw new Error(`no IPv${family} address on interface ${inst.interface}`);
    return found.address;
  }

  /** A sync group's members start together and route their events through the group. */
  private startGroup(name: string, members: readonly Created[]): void {
    const group = new VrrpSyncGroup(
      name,
      members.map((m) => m.runner.instance),
    );
    const byName = new Map(members.map((m) => [m.runner.name, m.runner]));
    const route = (list: readonly SyncGroupEffect[]) => {
      for (const { member, effect } of list) byName.get(member)?.applyEffect(effect);
    };
    for (const m of members) {
      m.runner.router = (event) => route(group.handle(m.runner.name, event, this.opts.clock()));
    }
    const startup = Object.fromEntries(
      members.map((m) => [
        m.runner.name,
        {
          type: 'Startup' as const,
          links: m.links,
          files: m.files,
          sources: this.opts.trackSources?.() ?? {},
        },
      ]),
    );
    route(group.start(this.opts.clock(), startup));
  }

  private async createRunner(config: KeepalivedConfig, inst: VrrpInstanceConfig): Promise<Created> {
    const family = inst.virtualIpaddress[0]?.family ?? inst.family ?? 4;
    const primary = await this.primaryAddress(inst, family);
    const scripts = config.scripts.filter((s) => this.scripts?.has(s.name));
    const ctx = {
      globalDefs: config.globalDefs,
      scripts,
      trackFiles: config.trackFiles.filter((f) => this.files?.has(f.name)),
      inSyncGroup: groupOf(config, inst.name) !== undefined,
      primaryAddress: primary,
    };
    for (const line of ignoredWeightMessages(inst, ctx)) this.opts.log.info(line);
    const settings = instanceSettings(inst, ctx);
    const g = config.globalDefs;
    const group = family === 4 ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6;
    const unicast = settings.unicastPeers.length > 0;
    const transport = this.opts.host.openTransport({
      interface: inst.interface,
      family,
      sourceAddress: primary,
      ...(unicast ? {} : { multicastGroup: group }),
    });
    const siblings = () =>
      [...this.runners.values()].filter(
        (r) => r.settings.interface === inst.interface && r.settings.family === family,
      );
    const runner = new InstanceRunner(settings, inst, {
      transport,
      addresses: this.opts.host.addresses,
      frames: this.opts.host.frames,
      log: this.opts.log,
      clock: this.opts.clock,
      timers: this.opts.timers,
      garpIntervalMs: g.garpInterval,
      multicastGroup: group,
      foreignVrid: (vrid) => siblings().some((r) => r.settings.vrid === vrid),
      notify: (state, prio) => this.notify(config, inst, state, prio),
      ...(this.opts.onTransition
        ? {
            onTransition: (e: { from: string; to: string; reason: string }) =>
              this.opts.onTransition?.(inst.name, e.from, e.to, e.reason),
          }
        : {}),
    });
    this.runners.set(inst.name, runner);
    const links: Record<string, boolean> = {};
    for (const name of new Set([inst.interface, ...inst.trackInterface.map((t) => t.name)])) {
      const link = await this.opts.host.links.get(name);
      links[name] = link?.up ?? false;
      this.links.set(name, links[name]);
    }
    const files = this.files?.values(settings.trackFiles.map((t) => t.name)) ?? {};
    return { runner, links, files };
  }

  private linkChanged(name: string, up: boolean): void {
    const known = this.links.get(name);
    if (known === undefined || known === up) return;
    this.links.set(name, up);
    this.opts.log.info(kaLog.netlinkReports(name, up));
    for (const r of this.runners.values()) r.handle({ type: 'LinkChanged', ifname: name, up });
  }

  private notify(
    config: KeepalivedConfig,
    inst: VrrpInstanceConfig,
    state: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP',
    prio: number,
  ): void {
    const key = state.toLowerCase() as 'master' | 'backup' | 'fault' | 'stop';
    const user = inst.notify[key] || inst.notify.any ? this.notifyUser(config) : undefined;
    const run = (line: string | undefined, extra: string[]) => {
      const argv = line === undefined ? undefined : splitQuotedEscaped(line);
      if (!argv || argv.length === 0 || !user) return;
      void this.opts.exec([...argv, ...extra], { user });
    };
    run(inst.notify[key], []);
    run(inst.notify.any, ['INSTANCE', inst.name, state, String(prio)]);
  }

  private notifyUser(config: KeepalivedConfig) {
    const silent: VrrpLog = { info() {}, detail() {}, close() {} };
    return defaultScriptUser(config, this.opts.scriptEnv, silent);
  }
}
