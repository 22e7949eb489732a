// `halo proxy`: HAProxy's command line, so systemd units and scripts written for `haproxy`
// run halo unchanged. -f FILE|DIR (repeatable), -c check, -q quiet, -d/-db foreground,
// -D daemon (+ pidfile), -p PIDFILE, -sf/-st PID... take-over, -v/-vv version, -W/-Ws
// master-worker (-Ws: systemd notify) with -S master CLI socket, as haproxy.service runs it.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { evalCondition } from '../../config/haproxy/directives.js';
import type { HaproxyConfig } from '../../config/haproxy/model.js';
import { resolveNames } from '../../config/haproxy/resolve-names.js';
import type { LoadedConfig } from '../../daemon/proxy-config.js';
import { loadConfig, parseConfig } from '../../daemon/proxy-config.js';
import { ProxyDaemon } from '../../daemon/proxy-daemon.js';
import { ProxyMaster, serveMaster, workerCount } from '../../daemon/proxy-master.js';
import {
  masterWorkers,
  openMasterSocket,
  ProxyService,
  singleProcessWorkers,
  writePidfile,
} from '../../daemon/proxy-service.js';
import { relayToMaster, vrrpControlToMaster, WorkerLink } from '../../daemon/proxy-worker.js';
import { RunReporter } from '../../daemon/run-worker-report.js';
import { startupDiagnostics } from '../../daemon/startup-diagnostics.js';
import { armStopDeadline } from '../../daemon/stop-deadline.js';
import type { ServiceNotifier } from '../../os/sd-notify.js';
import { noNotifier, systemdNotifier } from '../../os/sd-notify.js';
import type { MasterSocketSpec } from '../../proxy/cli-socket/master-socket.js';
import { parseMasterSocketArg } from '../../proxy/cli-socket/master-socket.js';
import { setVrrpControl, setVrrpStatus } from '../../proxy/cli-socket/vrrp-status.js';
import { DATA_PATH } from '../../proxy/io/data-path.js';
import { SyslogSinks } from '../../proxy/log/sinks.js';
import { processIdentity } from '../../proxy/stats/environment.js';
import { steerToOwnSockets } from '../../proxy/takeover-steering.js';
import type { Command, CommandIO } from '../command.js';
import { realResolver } from '../host.js';
import { FOLLOWS_HAPROXY, VERSION } from '../version.js';

/** SIGTERM ends the process within this, however busy it is (see stop-deadline.ts). */
const STOP_DEADLINE_MS = 3500;

function stopDeadlineMessage(): string {
  return `[ALERT]    (${process.pid}) : Hard stop did not finish within ${STOP_DEADLINE_MS / 1000} s (the process is too busy); killing it.\n`;
}

interface ProxyArgs {
  files: string[];
  check: boolean;
  quiet: boolean;
  daemon: boolean;
  foreground: boolean;
  pidfile?: string;
  softStopPids: number[];
  hardStopPids: number[];
  version: 0 | 1 | 2;
  /** -cc COND: evaluate a condition as `.if` does, exit 0 (true) or 1 (false). */
  condition?: string;
  ignored: string[];
  /** -W / -Ws (or `master-worker` in global): pidfile, master CLI. */
  masterWorker: boolean;
  /** -Ws: READY=1 etc. on $NOTIFY_SOCKET. */
  systemd: boolean;
  /** -S: the master CLI socket. */
  masterSocket?: MasterSocketSpec;
  /** Internal: started by a master for `nbthread` > 1 (sockets and commands over IPC). */
  worker: boolean;
}

const USAGE = `Usage: halo proxy -f <cfgfile|cfgdir>* [ -c ] [ -q ] [ -d | -db | -D | -W | -Ws ]
                  [ -p <pidfile> ] [ -S <address>[,<opt>,<val>]* ] [ -sf <pid>* | -st <pid>* ] [ -v | -vv ]
  -f  configuration file or directory (*.cfg), repeatable
  -c  check the configuration and exit (0 valid, 1 errors, 2 no listener)
  -q  quiet: no start-up messages
  -d, -db  stay in the foreground (the default)
  -D  daemonize; writes the pidfile of the config or of -p
  -W, -Ws  master-worker mode in the foreground (-Ws: tell systemd READY=1 on $NOTIFY_SOCKET)
  -S  master CLI socket (with -W/-Ws): show proc, reload, @<n>/@!<pid> <command>
  -p  pidfile, written before dropping privileges
  -sf/-st  ask these processes to finish (SIGUSR1) or stop (SIGTERM) once listening
  -v, -vv  version (and features)
  -cc COND  evaluate a condition as '.if' does (exit 0 true, 1 false, 2 unparsable)
  -dM[byte]  accepted and ignored (HAProxy's memory poisoning)
Signals: SIGUSR1 soft stop, SIGTERM/SIGINT hard stop, SIGHUP/SIGUSR2 reload.`;

export function parseProxyArgs(argv: string[]): ProxyArgs | string {
  const a: ProxyArgs = {
    files: [],
    check: false,
    quiet: false,
    daemon: false,
    foreground: false,
    softStopPids: [],
    hardStopPids: [],
    version: 0,
    ignored: [],
    masterWorker: false,
    systemd: false,
    worker: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`option '${arg}' needs an argument`);
      return v;
    };
    try {
      switch (arg) {
        case '-f':
          a.files.push(value());
          break;
        case '-c':
          a.check = true;
          break;
        case '-q':
          a.quiet = true;
          break;
        case '-d':
        case '-db':
          a.foreground = true;
          break;
        case '-Ws':
        case '-W':
          a.foreground = true;
          a.masterWorker = true;
          a.systemd ||= arg === '-Ws';
          break;
        case '-D':
          a.daemon = true;
          break;
        case '--halo-worker':
          a.worker = true;
          break;
        case '-p':
          a.pidfile = value();
          break;
        case '-v':
          a.version = 1;
          break;
        case '-vv':
          a.version = 2;
          break;
        case '-cc':
          a.condition = argv[i + 1] ?? '';
          i++;
          break;
        case '-S': {
          const spec = parseMasterSocketArg(value());
          if (typeof spec === 'string') return spec;
          a.masterSocket = spec;
          break;
        }
        case '-L':
          a.ignored.push(`${arg} ${value()}`);
          break;
        case '-sf':
        case '-st': {
          const list = arg === '-sf' ? a.softStopPids : a.hardStopPids;
          while (argv[i + 1] !== undefined && /^\d+$/.test(argv[i + 1]!))
            list.push(Number(argv[++i]));
          break;
        }
        default:
          // -dM[<byte>]: HAProxy's memory poisoning, a debugging aid with no meaning here.
          if (/^-dM(0x[0-9a-fA-F]+|[0-9]+)?$/.test(arg)) {
            a.ignored.push(arg);
            break;
          }
          if (arg.startsWith('-')) return `unknown option '${arg}'`;
          a.files.push(arg); // HAProxy also takes trailing file names
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  return a;
}

export function versionText(verbose: boolean): string {
  let s = `HAProxy version ${FOLLOWS_HAPROXY}-halo-${VERSION} - halo ${VERSION}, following HAProxy ${FOLLOWS_HAPROXY} behaviour\n`;
  if (verbose) {
    s +=
      'Running on: Node.js ' +
      process.version +
      '\n' +
      `Data path: ${DATA_PATH.kind === 'internal' ? "internal (Node.js's stream handles directly, checked at start-up)" : `public APIs (node:net sockets${DATA_PATH.missing.length > 0 ? `; missing internals: ${DATA_PATH.missing.join(', ')}` : ''})`}\n` +
      "Feature list : +TCP_MODE +HTTP_MODE(HTTP/1.1 on node:http behind halo's request gate; no HTTP/2) +HEALTH_CHECKS(tcp,http,https,ssl-hello) " +
      '+BALANCE(roundrobin,static-rr,leastconn,first,source,random) +QUEUES +RETRIES +REDISPATCH +TCPLOG ' +
      '+SYSLOG_UDP +STDOUT_LOG +UNIX_DGRAM_LOG(/dev/log) +SEAMLESS_RELOAD(in-process, SIGHUP/SIGUSR2) +NBTHREAD(worker processes sharing listeners) +MASTER_CLI(-S: show proc, reload, @<n> forwarding) +SYSTEMD_NOTIFY(-Ws) ' +
      `+OPENSSL(node:tls, OpenSSL ${process.versions.openssl}; binds and servers of the HTTP side, not the mode tcp relay) -CHROOT\n`;
  }
  return s;
}

function notifier(io: CommandIO, quiet: boolean) {
  return (level: 'NOTICE' | 'WARNING' | 'ALERT', message: string) => {
    if (quiet && level !== 'ALERT') return;
    io.stderr(
      `[${level}]${' '.repeat(Math.max(1, 9 - level.length))}(${process.pid}) : ${message}\n`,
    );
  };
}

function startupWarnings(cfg: HaproxyConfig, notify: ReturnType<typeof notifier>): void {
  if (cfg.global.chroot)
    notify(
      'WARNING',
      `'chroot ${cfg.global.chroot.path}' is not honoured by halo (Node.js cannot chroot); running without it.`,
    );
  if (cfg.global.daemon)
    notify('NOTICE', "'daemon' in global: halo stays in the foreground unless started with -D.");
  if (cfg.global.statsSockets.length > 0 && workerCount(cfg) > 1)
    notify(
      'NOTICE',
      `'stats socket' with nbthread ${workerCount(cfg)}: served by worker 1, showing its counters (each worker counts its own sessions); state changes made there apply in every worker.`,
    );
}

/** Reports the data path (data-path.ts): false when it forbids starting. */
function dataPathUsable(io: CommandIO, quiet: boolean): boolean {
  if (DATA_PATH.error) {
    io.stderr(`[ALERT]    (${process.pid}) : ${DATA_PATH.error}\n`);
    return false;
  }
  if (DATA_PATH.warning && !quiet)
    io.stderr(`[WARNING]  (${process.pid}) : ${DATA_PATH.warning}\n`);
  const lost = withheldSignalWarning(
    (process as { permission?: { has(scope: string): boolean } }).permission,
  );
  if (lost && !quiet) io.stderr(`[WARNING]  (${process.pid}) : ${lost}\n`);
  return true;
}

/**
 * Node's permission model keeps SIGUSR1 for the inspector and never hands it to a JS
 * handler unless the inspector is allowed (`--allow-inspector`, Node.js 24): HAProxy's
 * soft stop would be lost without a word. Node.js 20 and 22 have no way to allow it.
 */
export function withheldSignalWarning(
  permission: { has(scope: string): boolean } | undefined,
): string | undefined {
  if (!permission) return undefined;
  let allowed = false;
  try {
    allowed = permission.has('inspector');
  } catch {
    // an older permission model without the scope: the signal is withheld there too
  }
  if (allowed) return undefined;
  return (
    "Node.js's permission model withholds SIGUSR1 (kept for the inspector): a soft stop " +
    'by SIGUSR1 will not arrive; stop with SIGTERM, or allow the inspector (--allow-inspector, Node.js 24).'
  );
}

function dropPrivileges(cfg: HaproxyConfig, notify: ReturnType<typeof notifier>): void {
  try {
    if (cfg.global.group && process.setgid) process.setgid(cfg.global.group.name);
    if (cfg.global.user && process.setuid) process.setuid(cfg.global.user.name);
  } catch (err) {
    notify(
      'WARNING',
      `cannot drop privileges to ${cfg.global.user?.name ?? ''}:${cfg.global.group?.name ?? ''}: ${(err as Error).message}`,
    );
  }
}

function signalAll(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

async function run(args: ProxyArgs, io: CommandIO): Promise<number> {
  const notify = notifier(io, args.quiet);
  // A worker runs the config text its master validated, whatever the files say now.
  if (args.worker) return runWorker(args, io, notify);
  const loaded = loadConfig(args.files, io.env);
  if (loaded.readError) {
    io.stderr(`[ALERT]    (${process.pid}) : ${loaded.readError}\n`);
    return 1;
  }
  // Server and bind names resolve now, as HAProxy resolves them while reading its config.
  if (loaded.config)
    await resolveNames(loaded.config, io.resolver ?? realResolver, loaded.diagnostics);
  for (const line of startupDiagnostics(loaded.diagnostics.sorted(), args.files)) {
    if (line.level === undefined) io.stderr(`${line.text}\n`);
    // A haproxy.cfg has no Keepalived lines; should one come, it is a warning like the rest.
    else if (!args.check) notify(line.level === 'keepalived' ? 'WARNING' : line.level, line.text);
  }
  if (args.check && !args.quiet)
    for (const d of loaded.diagnostics.sorted())
      if (d.severity !== 'error') io.stderr(`${formatDiagnostic(d)}\n`);
  const cfg = loaded.config;
  if (!cfg || loaded.diagnostics.errors > 0) {
    io.stderr(`[ALERT]    (${process.pid}) : Fatal errors found in configuration.\n`);
    return 1;
  }
  const listeners = cfg.proxies.some((p) => p.binds.length > 0 && !p.disabled);
  if (args.check) {
    if (!listeners) {
      io.stderr(`[ALERT]    (${process.pid}) : config : no <listen> line. Nothing to do !\n`);
      return 2;
    }
    if (!args.quiet) io.stdout('Configuration file is valid\n');
    return 0;
  }
  if (!dataPathUsable(io, args.quiet)) return 1;
  if (args.daemon && !args.foreground) return daemonize(args, cfg, io);
  for (const w of args.ignored)
    notify('WARNING', `option '${w}' is accepted for compatibility and ignored.`);
  startupWarnings(cfg, notify);
  const masterWorker = args.masterWorker || cfg.global.masterWorker === true;
  if (args.masterSocket && !masterWorker)
    notify(
      'WARNING',
      'config : a master CLI socket was defined, but master-worker mode (-W) is not enabled.',
    );
  io.serving?.((m) => notify('ALERT', m));
  // HAProxy talks to systemd only with -Ws; the variable is cleared for what we start.
  const sdNotifier = args.systemd
    ? systemdNotifier(io.env, (m) => notify('WARNING', m))
    : noNotifier;
  const pidfile = args.pidfile ?? (masterWorker ? cfg.global.pidfile?.path : undefined);
  if (workerCount(cfg) > 1)
    return runMaster(args, cfg, loaded.sources, io, notify, {
      notifier: sdNotifier,
      pidfile,
      masterSocket: masterWorker ? args.masterSocket : undefined,
    });
  const log = new SyslogSinks();
  const daemon = new ProxyDaemon({ files: args.files, env: io.env, log, notify });
  const service = new ProxyService(sdNotifier, () => daemon.reload());
  if (!(await takeOver(args, io, () => daemon.start(cfg)))) return 1;
  // Both before dropping to `user`: /run/haproxy.pid and /run/haproxy-master.sock are
  // root's, as HAProxy opens them before setuid.
  const failed =
    writePidfile(pidfile) ??
    (await openMasterSocket(masterWorker ? args.masterSocket : undefined, () =>
      service.openMasterSocket(args.masterSocket!, singleProcessWorkers(daemon), async (_w, line) =>
        daemon.answerCli(line),
      ),
    ));
  if (failed) {
    io.stderr(`[ALERT]    (${process.pid}) : ${failed}\n`);
    service.close();
    await daemon.hardStop();
    log.close();
    return 1;
  }
  // READY=1 after the drop, as HAProxy's master waits for its worker's: whoever acts on
  // READY=1 sees the final user (sent before it, a CI run once read uid 0 from /proc just
  // after READY=1 arrived).
  dropPrivileges(cfg, notify);
  service.ready();
  return serve(daemon, log, notify, service);
}

/**
 * Starts listening; if another process holds our ports (`-sf`/`-st`), asks it to pause
 * (SIGTTOU) and retries, then tells it to finish. Returns false after reporting why not.
 */
async function takeOver(
  args: ProxyArgs,
  io: CommandIO,
  start: () => Promise<void>,
): Promise<boolean> {
  const others = [...args.softStopPids, ...args.hardStopPids];
  for (let attempt = 0; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      if (
        others.length === 0 ||
        attempt >= 20 ||
        (err as NodeJS.ErrnoException).code !== 'EADDRINUSE'
      ) {
        if (attempt > 0) signalAll(others, 'SIGTTIN');
        io.stderr(
          `[ALERT]    (${process.pid}) : Starting proxy: cannot bind socket: ${(err as Error).message}\n`,
        );
        return false;
      }
      if (attempt === 0) signalAll(others, 'SIGTTOU');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // From now on new connections go to our sockets only, so the predecessor's queue drains
  // instead of being reset when it closes (src/proxy/takeover-steering.ts).
  if (others.length > 0) steerToOwnSockets();
  signalAll(args.softStopPids, 'SIGUSR1');
  signalAll(args.hardStopPids, 'SIGTERM');
  return true;
}

/** `nbthread` > 1: this process binds the sockets and runs one worker per thread. */
async function runMaster(
  args: ProxyArgs,
  cfg: HaproxyConfig,
  sources: LoadedConfig['sources'],
  io: CommandIO,
  notify: ReturnType<typeof notifier>,
  svc: {
    notifier: ServiceNotifier;
    pidfile: string | undefined;
    masterSocket: MasterSocketSpec | undefined;
  },
): Promise<number> {
  const workerArgs = ['proxy', ...args.files.flatMap((f) => ['-f', f]), '--halo-worker'];
  if (args.quiet) workerArgs.push('-q');
  const master = new ProxyMaster({
    files: args.files,
    env: io.env,
    notify,
    main: process.argv[1]!,
    workerArgs,
  });
  const service = new ProxyService(svc.notifier, () => master.reload());
  if (!(await takeOver(args, io, () => master.start(cfg, sources)))) {
    await master.stop(true);
    return 1;
  }
  const failed =
    writePidfile(svc.pidfile) ??
    (await openMasterSocket(svc.masterSocket, () =>
      service.openMasterSocket(svc.masterSocket!, masterWorkers(master), (w, line) =>
        master.runCli(w.pid, line),
      ),
    ));
  if (failed) {
    io.stderr(`[ALERT]    (${process.pid}) : ${failed}\n`);
    service.close();
    await master.stop(true);
    return 1;
  }
  notify(
    'NOTICE',
    `halo ${VERSION} master started ${workerCount(cfg)} workers (${master.pids.join(', ')}).`,
  );
  service.ready();
  const code = await serveMaster(master, {
    reload: () => service.reload(),
    stopping: () => service.stopping(),
  });
  service.close();
  return code;
}

/** A worker: sockets and commands come from the master; SIGTERM/SIGUSR1 still work. */
/** A worker's number in the stats (`pid`/`Process_num`) and how many serve the config. */
function setProcessIdentity(num: number): void {
  processIdentity.num = num;
}

function runWorker(
  args: ProxyArgs,
  io: CommandIO,
  notify: ReturnType<typeof notifier>,
): Promise<number> {
  io.serving?.((m) => notify('ALERT', m));
  const log = new SyslogSinks();
  let link: WorkerLink | undefined;
  // `halo run` (HALO_RUN=1): report what the built-in VRRP trackers read to the supervisor.
  const reporter: RunReporter | undefined =
    io.env.HALO_RUN === '1' ? new RunReporter(() => daemon.engine) : undefined;
  const daemon: ProxyDaemon = new ProxyDaemon({
    files: args.files,
    env: io.env,
    log,
    notify,
    engine: {
      listen: (addr, backlog) => link!.listen(addr, backlog),
      // halo run's supervisor tells the config's warnings once, not each worker at each reload.
      ...(reporter ? { onServerState: reporter.changed, startWarnings: false } : {}),
    },
    statsSockets: io.env.HALO_WORKER_SLOT === '1',
    statsRelay: relayToMaster,
  });
  setProcessIdentity(Number(io.env.HALO_WORKER_SLOT ?? 1));
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      log.close();
      // The master may be gone already (that is one way here): no second disconnect.
      if (process.connected) process.disconnect?.();
      resolve(0);
    };
    const stop = (hard: boolean) => (hard ? daemon.hardStop() : daemon.softStop()).then(finish);
    link = new WorkerLink(daemon, {
      start: async (sources) => {
        const loaded = parseConfig(sources, io.env);
        const cfg = loaded.config;
        if (!cfg || loaded.diagnostics.errors > 0) throw new Error('the configuration has errors');
        processIdentity.nbproc = workerCount(cfg);
        await daemon.start(cfg);
        dropPrivileges(cfg, notify);
      },
      stop,
      ...(reporter ? { changed: reporter.changed, vrrp: setVrrpStatus } : {}),
    });
    link.attach();
    if (reporter) setVrrpControl(vrrpControlToMaster);
    process.on('disconnect', () => void stop(false)); // the master is gone
    const hard = () => {
      armStopDeadline(STOP_DEADLINE_MS, stopDeadlineMessage());
      void stop(true);
    };
    process.on('SIGTERM', hard);
    process.on('SIGINT', hard);
    process.on('SIGUSR1', () => void stop(false));
    for (const sig of ['SIGHUP', 'SIGUSR2', 'SIGTTOU', 'SIGTTIN'] as const)
      process.on(sig, () => {});
  });
}

function serve(
  daemon: ProxyDaemon,
  log: SyslogSinks,
  notify: ReturnType<typeof notifier>,
  service: ProxyService,
): Promise<number> {
  return new Promise((resolve) => {
    const handlers: [NodeJS.Signals, () => void][] = [];
    const on = (sig: NodeJS.Signals, fn: () => void) => {
      handlers.push([sig, fn]);
      process.on(sig, fn);
    };
    const finish = () => {
      for (const [sig, fn] of handlers) process.removeListener(sig, fn);
      service.close();
      log.close();
      resolve(0);
    };
    on('SIGHUP', () => void service.reload());
    on('SIGUSR2', () => void service.reload());
    on('SIGUSR1', () => {
      service.stopping();
      notify('NOTICE', 'Soft stop: no new connections, waiting for the current ones to finish.');
      void daemon.softStop().then(finish);
    });
    const hard = () => {
      service.stopping();
      notify('NOTICE', 'Hard stop.');
      armStopDeadline(STOP_DEADLINE_MS, stopDeadlineMessage());
      void daemon.hardStop().then(finish);
    };
    on('SIGTERM', hard);
    on('SIGINT', hard);
    on('SIGTTOU', () => daemon.pauseListeners());
    on('SIGTTIN', () => void daemon.resumeListeners());
    notify(
      'NOTICE',
      `halo ${VERSION} proxy started (following HAProxy ${FOLLOWS_HAPROXY} behaviour).`,
    );
  });
}

/** -D: re-run ourselves detached in the foreground and write its PID where asked. */
function daemonize(args: ProxyArgs, cfg: HaproxyConfig, io: CommandIO): number {
  const argv = process.argv.slice(1).filter((a) => a !== '-D');
  const child = spawn(process.execPath, [...process.execArgv, ...argv, '-db'], {
    detached: true,
    stdio: 'ignore',
    env: io.env,
  });
  child.unref();
  const pidfile = args.pidfile ?? cfg.global.pidfile?.path;
  if (pidfile && child.pid !== undefined) {
    try {
      writeFileSync(pidfile, `${child.pid}\n`);
    } catch (err) {
      io.stderr(
        `[ALERT]    (${process.pid}) : cannot write pidfile ${pidfile}: ${(err as Error).message}\n`,
      );
      return 1;
    }
  }
  return 0;
}

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'run the load balancer from haproxy.cfg (HAProxy command line)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseProxyArgs(argv);
    if (typeof args === 'string') {
      io.stderr(`halo proxy: ${args}\n${USAGE}\n`);
      return 1;
    }
    if (args.version > 0) {
      io.stdout(versionText(args.version === 2));
      return 0;
    }
    if (args.condition !== undefined) {
      const r = evalCondition(args.condition, io.env);
      if (r !== undefined) return r ? 0 : 1;
      io.stderr(
        `[ALERT]    (${process.pid}) : config : Failed to evaluate condition: unparsable conditional expression '${args.condition}'\n`,
      );
      return 2;
    }
    if (args.files.length === 0) {
      io.stderr(`halo proxy: no configuration file (-f)\n${USAGE}\n`);
      return 1;
    }
    return run(args, io);
  },
};
