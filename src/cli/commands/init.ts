// `halo init`: writes a control-plane load balancer's configs for every master (one
// folder each: haproxy.cfg, keepalived.conf) from a handful of flags, or asks for them at a
// prompt. The design lives in src/init/ (pure); this file reads answers and writes files.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  designCluster,
  type ExtraPort,
  type InitAnswers,
  validateAnswers,
  vridFor,
} from '../../init/cluster.js';
import { clusterFiles, summary } from '../../init/cluster-files.js';
import type { Command, CommandIO } from '../command.js';
import { createPrompter, type Prompter } from '../prompt.js';

const USAGE = `Usage: halo init --vip V --masters A,B,C --interface IF [options]

Writes one folder per master (master1/, master2/, ...) with its haproxy.cfg and
keepalived.conf, and a README.md. Without flags it asks for each value, defaults shown.

Options:
  --vip V                the virtual IP (IPv4, optionally V/PREFIX)
  --masters A,B,C        the control-plane nodes' addresses, the preferred one first (2..8)
  --interface IF         the interface that carries the VIP on every node
  --port N               the port clients use on the VIP (default 9443)
  --apiserver-port N     the apiservers' port (default 6443)
  --extra-port N[:PATH]  another port to balance with the same HTTPS checks, e.g. RKE2's
                         9345 or a machine-config port (PATH default /readyz; repeatable)
  --stats-port N         the stats page's port on each node's own address (default 9188)
  --vrrp-version 3|2     VRRPv3 without authentication (default), or VRRPv2 with a
                         generated PASS password
  --unicast              unicast adverts to the other masters (networks without multicast)
  --tracker script|builtin  how VRRP tracks the proxy: a vrrp_script (the default, for
                         Keepalived or halo vrrp) or halo run's built-in track_proxy
  --vrid N               virtual_router_id (default: derived from the VIP)
  --out DIR              where to write (default ./halo-cluster)
  --force                overwrite files that exist
  --yes                  take the defaults, ask nothing
  --prompt               ask for every value not given, even when stdin is not a
                         terminal (answers one per line); on a terminal halo init asks
                         by itself when --vip, --masters or --interface is missing`;

interface Given {
  vip?: string;
  masters?: string;
  interface?: string;
  port?: string;
  apiserverPort?: string;
  extraPorts: string[];
  statsPort?: string;
  vrrpVersion?: string;
  unicast?: boolean;
  tracker?: string;
  vrid?: string;
  out?: string;
  force: boolean;
  yes: boolean;
  prompt: boolean;
}

const VALUED: Record<string, keyof Given> = {
  '--vip': 'vip',
  '--masters': 'masters',
  '--interface': 'interface',
  '--port': 'port',
  '--apiserver-port': 'apiserverPort',
  '--stats-port': 'statsPort',
  '--vrrp-version': 'vrrpVersion',
  '--tracker': 'tracker',
  '--vrid': 'vrid',
  '--out': 'out',
};

export function parseInitArgs(argv: string[]): Given | string {
  const g: Given = { extraPorts: [], force: false, yes: false, prompt: false };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let value: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const field = VALUED[a];
    if (field !== undefined || a === '--extra-port') {
      const v = value ?? argv[++i];
      if (v === undefined) return `option '${a}' needs a value`;
      if (a === '--extra-port') g.extraPorts.push(v);
      else (g as unknown as Record<string, string>)[field!] = v;
    } else if (value !== undefined) return `option '${a}' takes no value`;
    else if (a === '--unicast') g.unicast = true;
    else if (a === '--force') g.force = true;
    else if (a === '--yes' || a === '-y') g.yes = true;
    else if (a === '--prompt') g.prompt = true;
    else return `unknown option '${a}'`;
  }
  return g;
}

function parseExtraPort(text: string): ExtraPort {
  const colon = text.indexOf(':');
  if (colon < 0) return { port: Number(text), path: '/readyz' };
  return { port: Number(text.slice(0, colon)), path: text.slice(colon + 1) };
}

const list = (s: string): string[] =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The answers from flags and defaults; a required value that is missing stays ''. */
function answersOf(g: Given): InitAnswers {
  return {
    vip: g.vip ?? '',
    masters: list(g.masters ?? ''),
    interface: g.interface ?? '',
    port: Number(g.port ?? 9443),
    apiserverPort: Number(g.apiserverPort ?? 6443),
    extraPorts: g.extraPorts.flatMap(list).map(parseExtraPort),
    statsPort: Number(g.statsPort ?? 9188),
    vrrpVersion: g.vrrpVersion === '2' ? 2 : 3,
    unicast: g.unicast ?? false,
    tracker: g.tracker === 'builtin' ? 'builtin' : 'script',
    vrid: g.vrid === undefined ? undefined : Number(g.vrid),
  };
}

function flagProblems(g: Given): string[] {
  const p: string[] = [];
  if (g.vrrpVersion !== undefined && g.vrrpVersion !== '2' && g.vrrpVersion !== '3')
    p.push(`--vrrp-version must be 3 or 2 (got '${g.vrrpVersion}')`);
  if (g.tracker !== undefined && g.tracker !== 'script' && g.tracker !== 'builtin')
    p.push(`--tracker must be script or builtin (got '${g.tracker}')`);
  return p;
}

type Question = {
  key: keyof Given;
  text: string;
  fallback: (g: Given) => string | undefined;
  /** Problems with this answer alone, so the prompt can ask again at once. */
  check: (g: Given) => string[];
};

const mine =
  (flag: string) =>
  (g: Given): string[] =>
    validateAnswers(answersOf(g)).filter((p) => p.startsWith(flag));

const QUESTIONS: readonly Question[] = [
  {
    key: 'vip',
    text: 'Virtual IP for the API (V or V/PREFIX)',
    fallback: () => undefined,
    check: mine('--vip'),
  },
  {
    key: 'masters',
    text: 'Control-plane addresses, preferred first (A,B,C)',
    fallback: () => undefined,
    check: mine('--masters'),
  },
  {
    key: 'interface',
    text: 'Interface that carries the VIP',
    fallback: () => undefined,
    check: mine('--interface'),
  },
  { key: 'port', text: 'Port on the VIP', fallback: () => '9443', check: mine('--port') },
  {
    key: 'apiserverPort',
    text: "Apiservers' port",
    fallback: () => '6443',
    check: mine('--apiserver-port'),
  },
  {
    key: 'vrrpVersion',
    text: 'VRRP version (3, or 2 with a password)',
    fallback: () => '3',
    check: flagProblems,
  },
  {
    key: 'unicast',
    text: 'Unicast adverts, for networks without multicast (y/N)',
    fallback: () => 'n',
    check: () => [],
  },
  {
    key: 'extraPorts',
    text: 'Extra ports with the same checks (N[:PATH],... or empty)',
    fallback: () => '',
    check: mine('--extra-port'),
  },
  {
    key: 'vrid',
    text: 'virtual_router_id',
    fallback: (g) => {
      const vip = (g.vip ?? '').split('/')[0] ?? '';
      return vip ? String(vridFor(vip)) : undefined;
    },
    check: mine('--vrid'),
  },
  { key: 'out', text: 'Folder to write', fallback: () => 'halo-cluster', check: () => [] },
];

function setAnswer(g: Given, q: Question, answer: string): void {
  if (q.key === 'unicast') g.unicast = /^y(es)?$/i.test(answer);
  else if (q.key === 'extraPorts') g.extraPorts = list(answer);
  else if (q.key === 'vrid') {
    // Taking the derived default keeps it "derived" (and said so).
    const vip = (g.vip ?? '').split('/')[0] ?? '';
    if (answer !== String(vridFor(vip))) g.vrid = answer;
  } else (g as unknown as Record<string, string>)[q.key] = answer;
}

/** Asks every question whose flag was not given; false when the input ended first. */
async function askAll(g: Given, prompter: Prompter, io: CommandIO): Promise<boolean> {
  const given = new Set(
    Object.keys(g).filter((k) => (g as unknown as Record<string, unknown>)[k] !== undefined),
  );
  if (g.extraPorts.length === 0) given.delete('extraPorts');
  for (const q of QUESTIONS) {
    if (given.has(q.key)) continue;
    for (;;) {
      const answer = await prompter.ask(q.text, q.fallback(g));
      if (answer === undefined) return false;
      setAnswer(g, q, answer);
      const problems =
        answer === '' && q.fallback(g) === undefined ? ['an answer is needed'] : q.check(g);
      if (problems.length === 0) break;
      for (const p of problems) io.stderr(`  ${p}\n`);
    }
  }
  return true;
}

function writeFiles(
  dir: string,
  files: ReturnType<typeof clusterFiles>,
  force: boolean,
): string | undefined {
  const existing = files.map((f) => join(dir, f.path)).filter((p) => existsSync(p));
  if (existing.length > 0 && !force)
    return `refusing to overwrite ${existing.join(', ')} (use --force)`;
  try {
    for (const f of files) {
      const path = join(dir, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.text, { mode: f.mode });
      chmodSync(path, f.mode);
    }
  } catch (err) {
    return `cannot write ${dir}: ${(err as Error).message}`;
  }
  return undefined;
}

export interface InitDeps {
  readonly random?: (n: number) => Uint8Array;
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export async function runInit(argv: string[], io: CommandIO, deps: InitDeps = {}): Promise<number> {
  const g = parseInitArgs(argv);
  const usage = (message: string): number => {
    io.stderr(`halo init: ${message}\n\n${USAGE}\n`);
    return 2;
  };
  if (typeof g === 'string') return usage(g);
  const stdin = deps.stdin ?? process.stdin;
  // On a terminal it asks only when a required value is missing (then for every value not
  // given); --prompt asks for every value not given, terminal or not.
  const required = !g.vip || !g.masters || !g.interface;
  if (!g.yes && (g.prompt || (stdin.isTTY && required))) {
    const prompter = createPrompter(stdin, io.stdout);
    try {
      if (!(await askAll(g, prompter, io)))
        return usage('the input ended before every value was answered');
    } finally {
      prompter.close();
    }
  }
  const missing = (['vip', 'masters', 'interface'] as const).filter((k) => !g[k]);
  if (missing.length > 0)
    return usage(
      `${missing.map((k) => `--${k}`).join(', ')} needed (stdin is not a terminal${g.yes ? ' and --yes asks nothing' : '; --prompt asks anyway'})`,
    );
  const problems = [...flagProblems(g), ...validateAnswers(answersOf(g))];
  if (problems.length > 0) return usage(problems.join('\n'));
  const design = designCluster(answersOf(g), deps.random ?? ((n) => randomBytes(n)));
  const dir = resolve(io.cwd, g.out ?? 'halo-cluster');
  const files = clusterFiles(design);
  const failed = writeFiles(dir, files, g.force);
  if (failed) {
    io.stderr(`halo init: ${failed}\n`);
    return 1;
  }
  for (const f of files) io.stdout(`wrote ${join(dir, f.path)}\n`);
  for (const line of summary(design)) io.stdout(`${line}\n`);
  return 0;
}

export const initCommand: Command = {
  name: 'init',
  summary: "write every master's haproxy.cfg and keepalived.conf for an apiserver VIP",
  usage: USAGE,
  run: (argv, io) => runInit(argv, io),
};
