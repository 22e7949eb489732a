// `halo run -f haproxy.cfg -f keepalived.conf`: one command per node. The files are told
// apart by content (as `halo check` does) and both are validated before anything starts.
// The proxy runs in worker processes under this process (as `halo proxy` with nbthread),
// VRRP runs here (daemon/run-supervisor.ts). Signals keep both tools' meanings:
//   HUP, USR2   reload both halves (both files validated first; an invalid one: nothing changes)
//   TERM, INT   stop: priority-0 adverts, VIPs removed, then the proxy stops (hard)
//   USR1        HAProxy's soft stop: VRRP hands over the same way, the proxy drains, exit
//   TTOU, TTIN  HAProxy's pause/resume of the listeners (the frontend trackers see it)
//   URG         Keepalived's state dump (its SIGUSR1): JSON to the data file

import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Diagnostic, formatDiagnostic } from '../../config/diagnostics.js';
import type { HaproxyConfig } from '../../config/haproxy/model.js';
import type { KeepalivedConfig } from '../../config/keepalived/model.js';
import { loadConfig } from '../../daemon/proxy-config.js';
import { ProxyMaster } from '../../daemon/proxy-master.js';
import { RunSupervisor } from '../../daemon/run-supervisor.js';
import { startupDiagnostics } from '../../daemon/startup-diagnostics.js';
import { VrrpDaemon } from '../../daemon/vrrp-daemon.js';
import { realTimers } from '../../daemon/vrrp-instance-runner.js';
import {
  consoleSink,
  createVrrpLog,
  type LogSink,
  syslogSink,
  type VrrpLog,
} from '../../daemon/vrrp-log.js';
import { killRunningChecks, spawnScript } from '../../daemon/vrrp-scripts.js';
import { missingCapabilities, openLinuxHost } from '../../os/linux-host.js';
import { type ServiceNotifier, systemdNotifier } from '../../os/sd-notify.js';
import { httpUpgradeWarnings } from '../../proxy/http-upgrade.js';
import type { Command, CommandIO } from '../command.js';
import { realResolver } from '../host.js';
import { VERSION } from '../version.js';
import { checkFiles, checkNames } from './check.js';

export const DEFAULT_RUN_DATA_FILE = '/tmp/halo-run.json';

const USAGE = `Usage: halo run -f haproxy.cfg -f keepalived.conf [options]

Runs a whole node: the proxy of the haproxy.cfg (in worker processes) and the VRRP
instances of the keepalived.conf (in this process), with built-in trackers (track_proxy)
that hand the VIP over at once when the proxy cannot serve. Needs root for VRRP.

Options:
  -f FILE          a configuration file, haproxy or keepalived (recognised by content;
                   several haproxy files are one configuration, in order)
  -D               also log the lines Keepalived logs only with -D
  -q               quiet: warnings of the configuration are not printed
  -p FILE          write this process's pid to FILE (removed at stop)
  --data-file FILE where SIGURG writes the VRRP state as JSON (default ${DEFAULT_RUN_DATA_FILE})
Signals: HUP/USR2 reload both, TERM/INT stop (priority 0 first), USR1 soft stop,
TTOU/TTIN pause/resume the listeners, URG writes the VRRP state file.
Under systemd (Type=notify) it sends READY=1 once the proxy listens and VRRP runs,
RELOADING=1/READY=1 around a reload and STOPPING=1 at stop.`;

interface RunOptions {
  files: string[];
  detail: boolean;
  quiet: boolean;
  dataFile: string;
  pidFiles: string[];
}

function parseArgs(argv: string[], cwd: string): RunOptions | string {
  const o: RunOptions = {
    files: [],
    detail: false,
    quiet: false,
    dataFile: DEFAULT_RUN_DATA_FILE,
    pidFiles: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-f' || a === '--data-file' || a === '-p') {
      const v = argv[++i];
      if (v === undefined) return `option '${a}' needs a value`;
      if (a === '-f') o.files.push(resolve(cwd, v));
      else if (a === '-p') o.pidFiles.push(resolve(cwd, v));
      else o.dataFile = resolve(cwd, v);
    } else if (a === '-D') o.detail = true;
    else if (a === '-q') o.quiet = true;
    else return `unknown option '${a}'`;
  }
  if (o.files.length === 0) return 'no file given';
  return o;
}

interface Validated {
  readonly haproxyFiles: string[];
  readonly keepalived: KeepalivedConfig;
  readonly haproxy: HaproxyConfig;
  readonly sources: ReturnType<typeof loadConfig>['sources'];
}

/** Both files checked as `halo check` does (and their cross-references); errors or the models. */
async function validate(
  files: string[],
  io: CommandIO,
): Promise<{ ok: Validated; diagnostics: Diagnostic[] } | { errors: string[] }> {
  let r = checkFiles(files, io.cwd, io.env, false);
  r = await checkNames(r, io.resolver ?? realResolver);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  const haproxyFiles = r.files.filter((f) => f.kind === 'haproxy').map((f) => f.path);
  const kaFiles = r.files.filter((f) => f.kind === 'keepalived').map((f) => f.path);
  if (haproxyFiles.length === 0) errors.push('halo run: no haproxy configuration among the files');
  if (kaFiles.length !== 1)
    errors.push(`halo run: needs exactly one keepalived.conf, got ${kaFiles.length}`);
  const keepalived = r.models.keepalived[0] as KeepalivedConfig | undefined;
  if (errors.length > 0 || !keepalived) return { errors };
  const loaded = loadConfig(haproxyFiles, io.env);
  if (!loaded.config) return { errors: [loaded.readError ?? 'cannot load the haproxy files'] };
  return {
    ok: { haproxyFiles, keepalived, haproxy: loaded.config, sources: loaded.sources },
    diagnostics: r.diagnostics,
  };
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const o = parseArgs(argv, io.cwd);
  if (typeof o === 'string') {
    io.stderr(`halo run: ${o}\n${USAGE}\n`);
    return 2;
  }
  const v = await validate(o.files, io);
  if ('errors' in v) {
    for (const e of v.errors) io.stderr(`${e}\n`);
    io.stderr('halo run: configuration has errors, not starting\n');
    return 1;
  }
  const missing = missingCapabilities();
  if (missing) {
    io.stderr(`halo run: ${missing}\n`);
    return 1;
  }
  return runNode(o, v, io);
}

type Notify = ReturnType<typeof notifier>;

function notifier(io: CommandIO) {
  return (level: 'NOTICE' | 'WARNING' | 'ALERT', message: string) =>
    io.stderr(
      `[${level}]${' '.repeat(Math.max(1, 9 - level.length))}(${process.pid}) : ${message}\n`,
    );
}

/**
 * Prints what the files' diagnostics say at start (startup-diagnostics.ts: HAProxy's lines
 * as HAProxy prints them, Keepalived's through the VRRP log, halo's advice as one summary)
 * and the proxy's start warnings, which the workers leave to this process. A reload prints
 * them again only when they changed.
 */
function startupPrinter(o: RunOptions, io: CommandIO, notify: Notify, log: VrrpLog) {
  let shown: string | undefined;
  return (diagnostics: readonly Diagnostic[], haproxy: HaproxyConfig): void => {
    const lines = [
      ...startupDiagnostics(diagnostics, o.files),
      ...httpUpgradeWarnings(haproxy).map((text) => ({ level: 'WARNING' as const, text })),
    ];
    const key = JSON.stringify(lines);
    if (key === shown) return;
    shown = key;
    if (o.quiet) return;
    for (const l of lines) {
      if (l.level === 'keepalived') log.info(l.text);
      else if (l.level === undefined) io.stderr(`${l.text}\n`);
      else notify(l.level, l.text);
    }
  };
}

async function runNode(
  o: RunOptions,
  v: { ok: Validated; diagnostics: Diagnostic[] },
  io: CommandIO,
): Promise<number> {
  const cfg = v.ok;
  const sinks: LogSink[] = [consoleSink(io.stderr)];
  const syslog = syslogSink('halo_run', undefined);
  if (syslog) sinks.push(syslog);
  const log = createVrrpLog(sinks, o.detail);
  const notify = notifier(io);
  const printStartup = startupPrinter(o, io, notify, log);
  printStartup(v.diagnostics, cfg.haproxy);
  io.serving?.((m) => log.info(m));
  // Before the workers' environment is copied: systemd talks to this process only.
  const systemd = systemdNotifier(io.env, (m) => log.info(m));
  log.info(`Starting halo run ${VERSION}: ${o.files.join(', ')}`);
  for (const p of o.pidFiles) writeFileSync(p, `${process.pid}\n`);
  const clock = () => performance.now();
  const sup = new RunSupervisor({ log, clock });
  const master = new ProxyMaster({
    files: cfg.haproxyFiles,
    env: { ...io.env, HALO_RUN: '1' },
    notify,
    main: process.argv[1]!,
    workerArgs: ['proxy', ...cfg.haproxyFiles.flatMap((f) => ['-f', f]), '--halo-worker'],
    onWorkerMessage: sup.onWorkerMessage,
    onWorkerServing: sup.onWorkerServing,
  });
  const host = openLinuxHost();
  const vrrp = new VrrpDaemon({
    host,
    log,
    exec: spawnScript,
    scriptEnv: { path: io.env.PATH, root: process.getuid?.() === 0 },
    clock,
    timers: realTimers,
    trackSources: sup.sourceStates,
    onTransition: sup.onTransition,
  });
  sup.master = master;
  sup.vrrp = vrrp;
  try {
    await master.start(cfg.haproxy, cfg.sources);
  } catch (err) {
    notify('ALERT', `Starting the proxy failed: ${(err as Error).message}`);
    await master.stop(true);
    host.close();
    removePidFiles(o);
    systemd.close();
    return 1;
  }
  await sup.startVrrp(cfg.keepalived);
  // The signal handlers first: a SIGHUP sent as soon as the line below (or READY=1) is
  // seen must reload, not find the default action and end the process.
  const done = serveSignals(o, sup, log, io, systemd, printStartup, () => host.close());
  log.info(`halo run serving: proxy workers ${master.pids.join(', ')}, VRRP in ${process.pid}`);
  systemd.notify(`READY=1\nMAINPID=${process.pid}`);
  return done;
}

function removePidFiles(o: RunOptions): void {
  for (const p of o.pidFiles) rmSync(p, { force: true });
}

function serveSignals(
  o: RunOptions,
  sup: RunSupervisor,
  log: ReturnType<typeof createVrrpLog>,
  io: CommandIO,
  systemd: ServiceNotifier,
  printStartup: ReturnType<typeof startupPrinter>,
  closeHost: () => void,
): Promise<number> {
  return new Promise((resolveDone) => {
    let stopping = false;
    let chain = Promise.resolve();
    const stop = (hard: boolean, code = 0) => {
      if (stopping) return;
      stopping = true;
      systemd.notify('STOPPING=1');
      log.info(hard ? 'Stopping' : 'Soft stop: VRRP hands over, the proxy drains');
      void chain
        .then(() => sup.stop(hard))
        .finally(() => {
          killRunningChecks();
          closeHost();
          removePidFiles(o);
          log.info(`Stopped halo run ${VERSION}`);
          systemd.close();
          resolveDone(code);
        });
    };
    process.on('SIGTERM', () => stop(true));
    process.on('SIGINT', () => stop(true));
    process.on('SIGUSR1', () => stop(false));
    const reload = () => {
      if (stopping) return;
      chain = chain.then(async () => {
        systemd.notify('RELOADING=1');
        log.info('Reloading both halves ...');
        try {
          const v = await validate(o.files, io);
          if ('errors' in v) {
            for (const e of v.errors) log.info(e);
            log.info('Reload failed: configuration has errors, everything keeps running');
            return;
          }
          printStartup(v.diagnostics, v.ok.haproxy);
          await sup.reload(v.ok.keepalived);
          log.info('Reload done');
        } finally {
          // Both halves serve either way.
          systemd.notify('READY=1');
        }
      });
    };
    process.on('SIGHUP', reload);
    process.on('SIGUSR2', reload);
    process.on('SIGTTOU', () => sup.master.pause());
    process.on('SIGTTIN', () => void sup.master.resume());
    process.on('SIGURG', () => {
      const tmp = `${o.dataFile}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(sup.vrrp.dump(), null, 2)}\n`);
      renameSync(tmp, o.dataFile);
    });
    void sup.master.gaveUp.then(() => stop(true, 1));
  });
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a whole node: the proxy and VRRP with built-in trackers (halo run)',
  usage: USAGE,
  run,
};
