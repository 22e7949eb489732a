// `halo check`: parse and validate haproxy.cfg and keepalived.conf files without opening a
// socket, like `haproxy -c` and `keepalived -t`, with every problem at its file:line.

import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectConfigKind } from '../../config/detect.js';
import { type Diagnostic, Diagnostics, formatDiagnostic } from '../../config/diagnostics.js';
import { parseHaproxy } from '../../config/haproxy/index.js';
import type { HaproxyConfig } from '../../config/haproxy/model.js';
import { type NameResolver, resolveNames } from '../../config/haproxy/resolve-names.js';
import { parseKeepalived } from '../../config/keepalived/index.js';
import type { KeepalivedConfig } from '../../config/keepalived/model.js';
import { ConfigLimitError, readConfigFile } from '../../config/read-config.js';
import { conditionChecks } from '../../proxy/condition-checks.js';
import { checkTrackProxy } from '../../run/cross-check.js';
import type { Command, CommandIO } from '../command.js';
import { realHost, realResolver } from '../host.js';

const USAGE = `Usage: halo check -f FILE [-f FILE ...] [options]

Checks haproxy.cfg and keepalived.conf files (recognised by content) and exits 0 when
they are valid (warnings allowed), 1 when they have errors, 2 on bad usage.
Several haproxy files are read as one configuration, in order, as 'haproxy -f' does;
a directory stands for its *.cfg files in name order.

Options:
  -f FILE|DIR   a file to check (repeatable; bare arguments are files too)
  --offline     skip host checks (interfaces, script programs, user and group names that
                must exist, server and bind host names that must resolve), for configs
                of other machines
  -q            quiet: print errors only, no warnings and no verdict line
  --json        print {"valid", "files", "diagnostics"} as JSON on stdout
  --dump        print the resolved model as JSON on stdout
  -c            accepted for compatibility with 'haproxy -c'`;

interface CheckOptions {
  files: string[];
  offline: boolean;
  quiet: boolean;
  json: boolean;
  dump: boolean;
}

function parseArgs(argv: string[]): CheckOptions | string {
  const o: CheckOptions = { files: [], offline: false, quiet: false, json: false, dump: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-f') {
      const f = argv[++i];
      if (f === undefined) return "option '-f' needs a file";
      o.files.push(f);
    } else if (a === '--offline') o.offline = true;
    else if (a === '-q') o.quiet = true;
    else if (a === '--json') o.json = true;
    else if (a === '--dump') o.dump = true;
    else if (a === '-c') continue;
    else if (a.startsWith('-')) return `unknown option '${a}'`;
    else o.files.push(a);
  }
  if (o.files.length === 0) return 'no file given';
  return o;
}

/** Expands directories to their *.cfg files, as HAProxy does with `-f DIR`. */
function expandFiles(files: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const f of files) {
    let isDir = false;
    try {
      isDir = statSync(resolve(cwd, f)).isDirectory();
    } catch {
      // a missing file is reported when it is read
    }
    if (!isDir) out.push(f);
    else
      for (const name of readdirSync(resolve(cwd, f)).sort())
        if (name.endsWith('.cfg')) out.push(join(f, name));
  }
  return out;
}

export interface CheckResult {
  valid: boolean;
  files: { path: string; kind: string }[];
  diagnostics: Diagnostic[];
  models: { haproxy?: unknown; keepalived: unknown[] };
}

export function checkFiles(
  paths: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  offline: boolean,
): CheckResult {
  const io = new Diagnostics();
  const files: CheckResult['files'] = [];
  const haproxySources: { path: string; text: string }[] = [];
  const models: CheckResult['models'] = { keepalived: [] };
  for (const path of expandFiles(paths, cwd)) {
    let text: string;
    try {
      text = readConfigFile(resolve(cwd, path));
    } catch (err) {
      if (err instanceof ConfigLimitError) {
        io.error({ file: path, line: err.line }, err.code, err.message, 'halo');
        continue;
      }
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'No such file or directory'
          : String(err);
      io.error(
        { file: path, line: 0 },
        'HALO_FILE_UNREADABLE',
        `cannot open configuration file: ${reason}`,
        'halo',
      );
      continue;
    }
    const kind = detectConfigKind(text);
    files.push({ path, kind });
    if (kind === 'keepalived') {
      const host = {
        ...realHost,
        readFile: (p: string) => realHost.readFile(resolve(cwd, p)),
        glob: (pattern: string, dir: string) => realHost.glob(pattern, resolve(cwd, dir)),
        fileAccessible: (p: string) => realHost.fileAccessible(resolve(cwd, p)),
      };
      const scriptPath = env.PATH;
      const r = parseKeepalived({ path, text }, host, {
        offline,
        cwd,
        ...(scriptPath !== undefined ? { scriptPath } : {}),
      });
      for (const d of r.diagnostics.list) io.add(d);
      models.keepalived.push(r.config);
    } else if (kind === 'haproxy') {
      haproxySources.push({ path, text });
    } else {
      io.error(
        { file: path, line: 1 },
        'HALO_UNKNOWN_LANGUAGE',
        'neither a haproxy.cfg nor a keepalived.conf: no HAProxy section and no Keepalived block found',
        'halo',
      );
    }
  }
  if (haproxySources.length > 0) {
    const r = parseHaproxy(haproxySources, { env, ...(offline ? {} : { host: realHost }) });
    if (r.config) conditionChecks(r.config, r.diagnostics);
    for (const d of r.diagnostics.list) io.add(d);
    models.haproxy = r.config;
    // halo run's built-in trackers name proxies of the haproxy files given beside them.
    for (const k of models.keepalived as (KeepalivedConfig | undefined)[])
      if (r.config && k) checkTrackProxy(r.config, k, io);
  }
  return { valid: io.errors === 0, files, diagnostics: io.sorted(), models };
}

/**
 * Resolves the server and bind names of a checked haproxy config, as `haproxy -c` does
 * (not with --offline); returns the result with what it found added.
 */
export async function checkNames(r: CheckResult, resolver: NameResolver): Promise<CheckResult> {
  const config = r.models.haproxy as HaproxyConfig | undefined;
  if (!config) return r;
  const d = new Diagnostics();
  for (const x of r.diagnostics) d.add(x);
  await resolveNames(config, resolver, d);
  return { ...r, valid: d.errors === 0, diagnostics: d.sorted() };
}

function report(r: CheckResult, o: CheckOptions, io: CommandIO): void {
  if (o.json) {
    io.stdout(
      `${JSON.stringify({ valid: r.valid, files: r.files, diagnostics: r.diagnostics }, null, 2)}\n`,
    );
    return;
  }
  for (const d of r.diagnostics) {
    if (o.quiet && d.severity !== 'error') continue;
    io.stderr(`${formatDiagnostic(d)}\n`);
  }
  if (o.dump) io.stdout(`${JSON.stringify(r.models, null, 2)}\n`);
  if (o.quiet) return;
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors > 0) {
    io.stderr(
      `${errors} error(s), ${warnings} warning(s).\nFatal errors found in configuration.\n`,
    );
    return;
  }
  if (warnings > 0) io.stdout('Warnings were found.\n');
  io.stdout('Configuration file is valid\n');
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check haproxy.cfg / keepalived.conf files (like haproxy -c, keepalived -t)',
  usage: USAGE,
  async run(argv, io) {
    const o = parseArgs(argv);
    if (typeof o === 'string') {
      io.stderr(`halo check: ${o}\n\n${USAGE}\n`);
      return 2;
    }
    let r = checkFiles(o.files, io.cwd, io.env, o.offline);
    if (!o.offline) r = await checkNames(r, io.resolver ?? realResolver);
    report(r, o, io);
    return r.valid ? 0 : 1;
  },
};
