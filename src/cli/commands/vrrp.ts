// `halo vrrp`: runs every vrrp_instance of a keepalived.conf, with Keepalived's command line
// (-f, -n, -l, -D, -p, -r, -S) and signals: SIGTERM/SIGINT stop (priority-0 advert, VIPs
// removed), SIGHUP reloads, SIGUSR1 writes the state of every instance as JSON to the data
// file (Keepalived writes /tmp/keepalived.data on SIGUSR1). With $NOTIFY_SOCKET it tells
// systemd READY=1 once running, RELOADING=1/READY=1 around a reload and STOPPING=1, as
// keepalived.service (Type=notify) expects.

import { spawn } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { type KeepalivedConfig, parseKeepalived } from '../../config/keepalived/index.js';
import { VrrpDaemon } from '../../daemon/vrrp-daemon.js';
import { realTimers } from '../../daemon/vrrp-instance-runner.js';
import { consoleSink, createVrrpLog, type LogSink, syslogSink } from '../../daemon/vrrp-log.js';
import { killRunningChecks, spawnScript } from '../../daemon/vrrp-scripts.js';
import { missingCapabilities, openLinuxHost } from '../../os/linux-host.js';
import { systemdNotifier } from '../../os/sd-notify.js';
import type { Command, CommandIO } from '../command.js';
import { realHost } from '../host.js';
import { VERSION } from '../version.js';

export const DEFAULT_DATA_FILE = '/tmp/halo-vrrp.json';

const USAGE = `Usage: halo vrrp -f FILE [options]

Runs the VRRP instances of a keepalived.conf as Keepalived 2.2 does, on the wire with
Keepalived peers. Needs root (CAP_NET_RAW and CAP_NET_ADMIN).

Options (as keepalived's):
  -f, --use-file FILE      the keepalived.conf (default /etc/keepalived/keepalived.conf)
  -n, --dont-fork          stay in the foreground (default: run in the background)
  -l, --log-console        log to stderr too (Keepalived's console format)
  -D, --log-detail         also log the lines Keepalived logs only with -D
  -S, --log-facility N     syslog facility local0..local7 (default daemon)
  -p, --pid FILE           write the process id to FILE (removed on exit)
  -r, --vrrp_pid FILE      the same, for Keepalived's VRRP child pid file
  --data-file FILE         where SIGUSR1 writes the instances' state as JSON
                           (default ${DEFAULT_DATA_FILE})
Signals: TERM/INT stop (priority-0 advert, VIPs removed), HUP reloads the file,
USR1 writes the state file.`;

export interface VrrpOptions {
  file: string;
  fork: boolean;
  console: boolean;
  detail: boolean;
  facility?: number;
  pidFiles: string[];
  dataFile: string;
}

const WITH_VALUE = new Set(['-f', '--use-file', '-S', '--log-facility', '-p', '--pid']);

export function parseVrrpArgs(argv: string[], cwd: string): VrrpOptions | string {
  const o: VrrpOptions = {
    file: '/etc/keepalived/keepalived.conf',
    fork: true,
    console: false,
    detail: false,
    pidFiles: [],
    dataFile: DEFAULT_DATA_FILE,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i] ?? '';
    let value: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const need = (): string | undefined => value ?? argv[++i];
    if (a === '-n' || a === '--dont-fork') o.fork = false;
    else if (a === '-l' || a === '--log-console') o.console = true;
    else if (a === '-D' || a === '--log-detail') o.detail = true;
    else if (a === '-P' || a === '--vrrp') continue;
    else if (WITH_VALUE.has(a) || ['-r', '--vrrp_pid', '--data-file'].includes(a)) {
      const v = need();
      if (v === undefined) return `option '${a}' needs a value`;
      if (a === '-f' || a === '--use-file') o.file = resolve(cwd, v);
      else if (a === '-S' || a === '--log-facility') {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 7) return `invalid log facility '${v}'`;
        o.facility = n;
      } else if (a === '--data-file') o.dataFile = resolve(cwd, v);
      else o.pidFiles.push(resolve(cwd, v));
    } else return `unknown option '${a}'`;
  }
  return o;
}

function loadConfig(file: string): {
  config?: KeepalivedConfig;
  errors: string[];
  warnings: string[];
} {
  let text: string;
  try {
    text = realHost.readFile(file);
  } catch (e) {
    return { errors: [`cannot read ${file}: ${(e as Error).message}`], warnings: [] };
  }
  const { config, diagnostics } = parseKeepalived({ path: file, text }, realHost);
  const list = diagnostics.sorted();
  return {
    ...(config ? { config } : {}),
    errors: list.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: list.filter((d) => d.severity !== 'error').map(formatDiagnostic),
  };
}

/** Re-runs this command detached in the foreground mode, as keepalived forks by default. */
function daemonize(argv: string[]): number {
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] ?? '', 'vrrp', '-n', ...argv],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.unref();
  return 0;
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const o = parseVrrpArgs(argv, io.cwd);
  if (typeof o === 'string') {
    io.stderr(`halo vrrp: ${o}\n${USAGE}\n`);
    return 2;
  }
  const missing = missingCapabilities();
  if (missing) {
    io.stderr(`halo vrrp: ${missing}\n`);
    return 1;
  }
  const first = loadConfig(o.file);
  for (const w of first.warnings) io.stderr(`${w}\n`);
  if (!first.config || first.errors.length > 0) {
    for (const e of first.errors) io.stderr(`${e}\n`);
    io.stderr(`halo vrrp: ${o.file}: configuration has errors, not starting\n`);
    return 1;
  }
  if (o.fork) return daemonize(argv);
  return runForeground(o, first.config, io);
}

async function runForeground(
  o: VrrpOptions,
  config: KeepalivedConfig,
  io: CommandIO,
): Promise<number> {
  const sinks: LogSink[] = [];
  if (o.console) sinks.push(consoleSink(io.stderr));
  const syslog = syslogSink('halo_vrrp', o.facility);
  if (syslog) sinks.push(syslog);
  const log = createVrrpLog(sinks, o.detail);
  io.serving?.((m) => log.info(m));
  const systemd = systemdNotifier(io.env, (m) => log.info(m));
  log.info(`Starting halo vrrp ${VERSION} (Keepalived 2.2.7 compatible)`);
  log.info(`Configuration file ${o.file}`);
  for (const p of o.pidFiles) writeFileSync(p, `${process.pid}\n`);
  const host = openLinuxHost();
  const daemon = new VrrpDaemon({
    host,
    log,
    exec: spawnScript,
    scriptEnv: { path: io.env.PATH, root: process.getuid?.() === 0 },
    clock: () => performance.now(),
    timers: realTimers,
  });
  let stopping = false;
  let reloading = Promise.resolve();
  const done = new Promise<number>((resolveDone) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      systemd.notify('STOPPING=1');
      log.info('Stopping');
      void reloading
        .then(() => daemon.stop())
        .finally(() => {
          killRunningChecks();
          host.close();
          for (const p of o.pidFiles) rmSync(p, { force: true });
          log.info(`Stopped halo vrrp ${VERSION}`);
          systemd.close();
          resolveDone(0);
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', () => {
      if (stopping) return;
      reloading = reloading.then(async () => {
        systemd.notify('RELOADING=1');
        log.info('Reloading ...');
        try {
          const next = loadConfig(o.file);
          if (!next.config || next.errors.length > 0) {
            for (const e of next.errors) log.info(e);
            log.info('Reload failed: configuration has errors, keeping the running one');
          } else await daemon.reload(next.config);
        } finally {
          // The running instances serve either way.
          systemd.notify('READY=1');
        }
      });
    });
    process.on('SIGUSR1', () => {
      const tmp = `${o.dataFile}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(daemon.dump(), null, 2)}\n`);
      renameSync(tmp, o.dataFile);
    });
  });
  await daemon.start(config);
  log.info('Startup complete');
  systemd.notify('READY=1');
  return done;
}

export const vrrpCommand: Command = {
  name: 'vrrp',
  summary: "run keepalived.conf's VRRP instances (Keepalived 2.2 on the wire)",
  usage: USAGE,
  run,
};
