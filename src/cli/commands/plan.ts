// `halo plan`: reads a group's configs (one keepalived.conf per node, with the node's
// haproxy.cfg), checks them against each other and prints the failover matrix simulated on
// the VRRP engine. Exit 0 clean, 1 when anything is flagged, 2 on bad usage.

import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { detectConfigKind } from '../../config/detect.js';
import { type Diagnostic, Diagnostics } from '../../config/diagnostics.js';
import { parseHaproxy } from '../../config/haproxy/index.js';
import { parseKeepalived } from '../../config/keepalived/index.js';
import { readConfigFile } from '../../config/read-config.js';
import { type PlanNode, planGroup } from '../../plan/index.js';
import { renderJson, renderText } from '../../plan/render.js';
import type { Command, CommandIO } from '../command.js';
import { realHost } from '../host.js';

const USAGE = `Usage: halo plan -f NODE [-f NODE ...] [--json] [--max-failures N]

Checks the configs of a group of nodes against each other and prints the failover matrix:
for every combination of failed trackers and stopped nodes, which node holds the VIP and
at which effective priority, simulated on halo's VRRP engine. Exits 0 when nothing is
flagged, 1 when a mismatch or a flagged row is found, 2 on bad usage.

A NODE is a folder (its keepalived.conf and haproxy.cfg, recognised by content; a folder
with several keepalived files is one node per file, sharing its haproxy files) or a file.

Options:
  -f FILE|DIR        a node's folder or file (repeatable; bare arguments too)
  --json             print the whole plan as JSON on stdout
  --max-failures N   only rows with at most N failed or stopped nodes`;

interface PlanOptions {
  paths: string[];
  json: boolean;
  maxChanges?: number;
}

function parseArgs(argv: string[]): PlanOptions | string {
  const o: PlanOptions = { paths: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-f') {
      const f = argv[++i];
      if (f === undefined) return "option '-f' needs a file or folder";
      o.paths.push(f);
    } else if (a === '--json') o.json = true;
    else if (a === '--max-failures') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) return "option '--max-failures' needs a whole number";
      o.maxChanges = n;
    } else if (a.startsWith('-')) return `unknown option '${a}'`;
    else o.paths.push(a);
  }
  if (o.paths.length === 0) return 'no node given';
  return o;
}

interface Read {
  path: string;
  text: string;
  kind: ReturnType<typeof detectConfigKind>;
}

function readOne(path: string, cwd: string): Read {
  const text = readConfigFile(resolve(cwd, path));
  return { path, text, kind: detectConfigKind(text) };
}

/** The files a -f argument stands for; throws when it cannot be read. */
function readArg(arg: string, cwd: string): { files: Read[]; folder: boolean } {
  if (!statSync(resolve(cwd, arg)).isDirectory())
    return { files: [readOne(arg, cwd)], folder: false };
  const files: Read[] = [];
  for (const name of readdirSync(resolve(cwd, arg)).sort()) {
    const p = join(arg, name);
    if (statSync(resolve(cwd, p)).isFile()) files.push(readOne(p, cwd));
  }
  return { files, folder: true };
}

function labelOf(path: string, folderArg: string | undefined): string {
  if (folderArg !== undefined) return basename(resolve(folderArg));
  const stem = basename(path).replace(/\.(conf|cfg)$/, '');
  const short = stem.replace(/^keepalived[-_.]?/, '');
  return short === '' ? basename(dirname(resolve(path))) : short;
}

/** A file given by name must be a config; one found in a folder is only mentioned. */
function unknownFile(path: string, inFolder: boolean, out: Diagnostic[]): void {
  const d = new Diagnostics();
  const message = inFolder
    ? 'skipped: neither a haproxy.cfg nor a keepalived.conf'
    : 'neither a haproxy.cfg nor a keepalived.conf: no HAProxy section and no Keepalived block found';
  if (inFolder) d.warning({ file: path, line: 1 }, 'HALO_UNKNOWN_LANGUAGE', message, 'halo');
  else d.error({ file: path, line: 1 }, 'HALO_UNKNOWN_LANGUAGE', message, 'halo');
  out.push(...d.list);
}

interface Loaded {
  nodes: PlanNode[];
  errors: Diagnostic[];
}

function load(paths: string[], cwd: string): Loaded {
  const keepalived: { read: Read; label: string; dir: string }[] = [];
  const haproxy: { read: Read; dir: string }[] = [];
  const errors: Diagnostic[] = [];
  for (const arg of paths) {
    const { files, folder } = readArg(arg, cwd);
    const kaFiles = files.filter((f) => f.kind === 'keepalived');
    for (const f of files) {
      const dir = resolve(cwd, dirname(f.path));
      if (f.kind === 'keepalived') {
        const own = folder && kaFiles.length === 1 ? arg : undefined;
        keepalived.push({ read: f, label: labelOf(f.path, own), dir });
      } else if (f.kind === 'haproxy') haproxy.push({ read: f, dir });
      else unknownFile(f.path, folder, errors);
    }
  }
  const nodes: PlanNode[] = [];
  const labels = new Set<string>();
  for (const k of keepalived) {
    const host = {
      readFile: (p: string) => realHost.readFile(resolve(cwd, p)),
      glob: (pattern: string, dir: string) => realHost.glob(pattern, resolve(cwd, dir)),
    };
    const r = parseKeepalived({ path: k.read.path, text: k.read.text }, host, {
      offline: true,
      cwd,
    });
    for (const d of r.diagnostics.list) if (d.severity === 'error') errors.push(d);
    if (!r.config) continue;
    const mine = haproxy.filter((h) => h.dir === k.dir).map((h) => h.read);
    let proxy: PlanNode['haproxy'];
    if (mine.length > 0) {
      const p = parseHaproxy(mine.map((m) => ({ path: m.path, text: m.text })));
      for (const d of p.diagnostics.list) if (d.severity === 'error') errors.push(d);
      proxy = p.config;
    }
    const label = labels.has(k.label) ? k.read.path : k.label;
    labels.add(label);
    nodes.push({
      label,
      file: k.read.path,
      keepalived: r.config,
      ...(proxy ? { haproxy: proxy } : {}),
    });
  }
  return { nodes, errors };
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'check a group of nodes against each other and print its failover matrix',
  usage: USAGE,
  async run(argv: string[], io: CommandIO) {
    const o = parseArgs(argv);
    if (typeof o === 'string') {
      io.stderr(`halo plan: ${o}\n\n${USAGE}\n`);
      return 2;
    }
    let loaded: Loaded;
    try {
      loaded = load(o.paths, io.cwd);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const what = e.code === 'ENOENT' ? `no such file or folder: ${e.path ?? ''}` : e.message;
      io.stderr(`halo plan: ${what}\n`);
      return 2;
    }
    if (loaded.nodes.length === 0) {
      io.stderr('halo plan: no keepalived.conf among the files given\n');
      return 2;
    }
    const report = planGroup(
      loaded.nodes,
      o.maxChanges === undefined ? {} : { maxChanges: o.maxChanges },
      loaded.errors,
    );
    io.stdout(o.json ? renderJson(report) : renderText(report));
    return report.flagged ? 1 : 0;
  },
};
