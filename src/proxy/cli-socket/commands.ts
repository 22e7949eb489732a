// The runtime API's commands as a table (HAProxy's cli_kw list): the words that select a
// command, its usage and help line (`help` is generated from the table), the level it
// needs, and what it does. Answers and error texts are HAProxy 2.6's, checked with socat
// against the real haproxy.

import type { BackendRuntime } from '../backend-runtime.js';
import type { ProxyEngine } from '../engine.js';
import type { ServerRuntime } from '../server-runtime.js';
import { clearFrontendCounters, clearServerCounters } from '../stats/counters.js';
import { renderCsv } from '../stats/csv.js';
import { renderJson } from '../stats/json.js';
import {
  renderServersState,
  renderShowBackend,
  renderShowHalo,
  renderShowInfo,
} from '../stats/runtime-text.js';
import type { AdminState } from '../stats/server-admin.js';
import {
  parseWeight,
  setHealthChecks,
  setServerState,
  setServerWeight,
  shutdownServerSessions,
} from '../stats/server-admin.js';
import type { StatsSnapshot } from '../stats/snapshot.js';
import { clearTable, showTable } from '../stick/show-table.js';
import { vrrpControl, vrrpStatus } from './vrrp-status.js';

export const LEVELS = ['user', 'operator', 'admin'] as const;
export type Level = (typeof LEVELS)[number];

export interface CliContext {
  readonly engine: ProxyEngine;
  snapshot(): StatsSnapshot;
  level: Level;
  /** Toggles interactive mode; returns the new state. */
  togglePrompt(): boolean;
  quit(): void;
  readonly version: string;
}

export interface CliCommand {
  readonly words: readonly string[];
  readonly usage: string;
  readonly help: string;
  readonly level: Level;
  /** Changes server state: with `nbthread`, repeated in every worker (see session.ts). */
  readonly changes?: boolean;
  /** Output without the final empty line the session adds. */
  run(args: string[], ctx: CliContext): string;
}

export const PERMISSION_DENIED = 'Permission denied\n';

function serverRef(
  ctx: CliContext,
  ref: string | undefined,
): { be: BackendRuntime; s: ServerRuntime } | string {
  const i = ref?.indexOf('/') ?? -1;
  if (!ref || i < 0) return "Require 'backend/server'.\n";
  const be = ctx.engine.backends.get(ref.slice(0, i));
  if (!be) return 'No such backend.\n';
  const s = be.servers.find((x) => x.name === ref.slice(i + 1));
  if (!s) return 'No such server.\n';
  return { be, s };
}

/** A command on one server (`<verb> B/S ...`): resolves B/S, then runs `f`. */
function onServer(
  f: (be: BackendRuntime, s: ServerRuntime, args: string[], ctx: CliContext) => string,
): CliCommand['run'] {
  return (args, ctx) => {
    const r = serverRef(ctx, args[0]);
    return typeof r === 'string' ? r : f(r.be, r.s, args.slice(1), ctx);
  };
}

const SET_SERVER_USAGE =
  'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';

function setServer(be: BackendRuntime, s: ServerRuntime, args: string[]): string {
  const [what, value] = args;
  switch (what) {
    case 'state': {
      if (value !== 'ready' && value !== 'drain' && value !== 'maint')
        return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n";
      setServerState(be, s, value as AdminState);
      return '';
    }
    case 'weight': {
      const w = parseWeight(value ?? '', s.cfg.weight);
      if (typeof w === 'string') return w;
      setServerWeight(be, s, w);
      return '';
    }
    case 'health': {
      if (value !== 'up' && value !== 'stopping' && value !== 'down')
        return "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n";
      const ck = s.checker;
      if (!ck) return '';
      if (value === 'down') {
        ck.counter.health = 0;
        ck.counter.up = false;
        be.setServerDown(s, undefined);
      } else {
        ck.counter.health = s.cfg.rise + s.cfg.fall - 1;
        ck.counter.up = true;
        be.setServerUp(s, undefined);
      }
      return '';
    }
    case 'addr':
    case 'agent':
    case 'agent-addr':
    case 'agent-port':
    case 'agent-send':
    case 'check-addr':
    case 'check-port':
    case 'fqdn':
    case 'ssl':
      // HAProxy's subcommands that halo does not implement: say so rather than pretend.
      return `'set server <srv> ${what}' is not supported by halo.\n`;
    default:
      return SET_SERVER_USAGE;
  }
}

function showStat(args: string[], ctx: CliContext): string {
  const snap = ctx.snapshot();
  if (args.includes('json')) return renderJson(snap, true);
  const nums = args.filter((a) => /^-?\d+$/.test(a)).map(Number);
  return renderCsv(snap, {
    legends: ctx.level !== 'user',
    upOnly: args.includes('up'),
    noMaint: args.includes('no-maint'),
    ...(nums.length === 3 ? { iid: nums[0]!, types: nums[1]! & 7, sid: nums[2]! } : {}),
  });
}

function clearCounters(args: string[], ctx: CliContext): string {
  const all = args[0] === 'all';
  if (all && ctx.level !== 'admin') return PERMISSION_DENIED;
  const now = Date.now();
  for (const fe of ctx.engine.frontends) clearFrontendCounters(fe.counters, all);
  for (const be of ctx.engine.backends.values()) {
    clearServerCounters(be.counters, all, now);
    for (const s of be.servers) {
      clearServerCounters(s.counters, all, now);
      if (all) s.total = 0;
    }
  }
  return '';
}

/** Every command halo's runtime API knows, in `help` order (help/prompt/quit come last). */
export const CLI_COMMANDS: readonly CliCommand[] = [
  {
    words: ['clear', 'counters'],
    usage: 'clear counters [all]',
    help: 'clear max statistics counters (or all counters)',
    level: 'operator',
    run: clearCounters,
  },
  {
    words: ['disable', 'health'],
    changes: true,
    usage: 'disable health',
    help: 'disable health checks',
    level: 'admin',
    run: onServer((_be, s) => {
      setHealthChecks(s, false);
      return '';
    }),
  },
  {
    words: ['disable', 'server'],
    changes: true,
    usage: 'disable server (DEPRECATED)',
    help: "disable a server for maintenance (use 'set server' instead)",
    level: 'admin',
    run: onServer((be, s) => {
      setServerState(be, s, 'maint');
      return '';
    }),
  },
  {
    words: ['enable', 'health'],
    changes: true,
    usage: 'enable health',
    help: 'enable health checks',
    level: 'admin',
    run: onServer((_be, s) => {
      setHealthChecks(s, true);
      return '';
    }),
  },
  {
    words: ['enable', 'server'],
    changes: true,
    usage: 'enable server  (DEPRECATED)',
    help: "enable a disabled server (use 'set server' instead)",
    level: 'admin',
    run: onServer((be, s) => {
      setServerState(be, s, 'ready');
      return '';
    }),
  },
  {
    words: ['get', 'weight'],
    usage: 'get weight <bk>/<srv>',
    help: "report a server's current weight",
    level: 'user',
    run: onServer((_be, s) => `${s.drain ? 0 : s.uweight} (initial ${s.cfg.weight})\n`),
  },
  {
    words: ['operator'],
    usage: 'operator',
    help: 'lower the level of the current CLI session to operator',
    level: 'operator',
    run: (_a, ctx) => {
      ctx.level = 'operator';
      return '';
    },
  },
  {
    words: ['set', 'server'],
    changes: true,
    usage: 'set server <bk>/<srv> [opts]',
    help: "change a server's state, weight, address or ssl",
    level: 'admin',
    run: onServer((be, s, args) => setServer(be, s, args)),
  },
  {
    words: ['set', 'weight'],
    changes: true,
    usage: 'set weight <bk>/<srv>  (DEPRECATED)',
    help: "change a server's weight (use 'set server' instead)",
    level: 'admin',
    run: onServer((be, s, args) => {
      const w = parseWeight(args[0] ?? '', s.cfg.weight);
      if (typeof w === 'string') return w;
      setServerWeight(be, s, w);
      return '';
    }),
  },
  {
    words: ['clear', 'table'],
    usage: 'clear table <table> [<filter>]*',
    help: 'remove an entry from a table (filter: data/key)',
    level: 'operator',
    changes: true,
    run: (args, ctx) => clearTable(ctx.engine.ctx.tables ?? new Map(), args),
  },
  {
    words: ['show', 'backend'],
    usage: 'show backend',
    help: 'list backends in the current running config',
    level: 'user',
    run: (_a, ctx) => renderShowBackend(ctx.snapshot()),
  },
  {
    words: ['show', 'cli', 'level'],
    usage: 'show cli level',
    help: 'display the level of the current CLI session',
    level: 'user',
    run: (_a, ctx) => `${ctx.level}\n`,
  },
  {
    words: ['show', 'halo'],
    usage: 'show halo',
    help: 'report what this halo process survived (uncaught errors, dropped output)',
    level: 'user',
    run: (_a, ctx) => renderShowHalo(ctx.snapshot()),
  },
  {
    words: ['show', 'info'],
    usage: 'show info [desc|json|typed|float]*',
    help: 'report information about the running process',
    level: 'user',
    run: (_a, ctx) => renderShowInfo(ctx.snapshot()),
  },
  {
    words: ['show', 'servers', 'state'],
    usage: 'show servers state [<backend>]',
    help: 'dump volatile server information (all or for a single backend)',
    level: 'user',
    run: (args, ctx) => renderServersState(ctx.snapshot(), args[0]) ?? "Can't find backend.\n",
  },
  {
    words: ['show', 'stat'],
    usage: 'show stat [desc|json|no-maint|typed|up]*',
    help: 'report counters for each proxy and server',
    level: 'user',
    run: showStat,
  },
  {
    words: ['show', 'table'],
    usage: 'show table <table> [<filter>]*',
    help: "report table usage stats or dump this table's contents (filter: data/key)",
    level: 'operator',
    run: (args, ctx) => showTable(ctx.engine.ctx.tables ?? new Map(), args, Date.now()),
  },
  {
    words: ['show', 'version'],
    usage: 'show version',
    help: 'show version of the current process',
    level: 'user',
    run: (_a, ctx) => `${ctx.version}\n`,
  },
  {
    words: ['show', 'vrrp'],
    usage: 'show vrrp',
    help: "halo run: VRRP instances, priorities with each tracker's part, transitions",
    level: 'user',
    run: () => vrrpStatus(),
  },
  {
    words: ['set', 'vrrp', 'handover'],
    usage: 'set vrrp handover on|off',
    help: 'halo run: take the VIP and keep it (on) until cancelled (off)',
    level: 'admin',
    run: (args) => {
      const on = args[0] === 'on' ? true : args[0] === 'off' ? false : undefined;
      if (on === undefined || args.length !== 1)
        return "'set vrrp handover' expects 'on' or 'off'.\n";
      if (!vrrpControl(['handover', on ? 'on' : 'off']))
        return 'No VRRP in this process: `set vrrp handover` needs `halo run`.\n';
      return '';
    },
  },
  {
    words: ['shutdown', 'sessions', 'server'],
    changes: true,
    usage: 'shutdown sessions server <bk>/<srv>',
    help: 'kill sessions on a server',
    level: 'admin',
    run: onServer((be, s) => {
      shutdownServerSessions(be, s);
      return '';
    }),
  },
  {
    words: ['user'],
    usage: 'user',
    help: 'lower the level of the current CLI session to user',
    level: 'user',
    run: (_a, ctx) => {
      ctx.level = 'user';
      return '';
    },
  },
  {
    words: ['help'],
    usage: 'help [<command>]',
    help: 'list matching or all commands',
    level: 'user',
    run: (args) => helpText('The following commands are valid at this level:', args),
  },
  {
    words: ['prompt'],
    usage: 'prompt',
    help: 'toggle interactive mode with prompt',
    level: 'user',
    run: () => '',
  },
  {
    words: ['quit'],
    usage: 'quit',
    help: 'disconnect',
    level: 'user',
    run: (_a, ctx) => {
      ctx.quit();
      return '';
    },
  },
];

function helpLine(c: CliCommand): string {
  return `  ${c.usage.padEnd(40)}: ${c.help}\n`;
}

const ALWAYS = new Set(['help', 'prompt', 'quit']);

/** `help [words]`: the commands whose words start with the given ones, then help/prompt/quit. */
export function helpText(title: string, filter: string[] = []): string {
  const matching = CLI_COMMANDS.filter(
    (c) => !ALWAYS.has(c.words[0]!) && filter.every((w, i) => c.words[i] === w),
  );
  const list =
    matching.length > 0 ? matching : CLI_COMMANDS.filter((c) => !ALWAYS.has(c.words[0]!));
  const tail = CLI_COMMANDS.filter((c) => ALWAYS.has(c.words[0]!));
  return `${title}\n${[...list, ...tail].map(helpLine).join('')}`;
}

/** The command whose words start `words` (longest match), or undefined. */
export function findCommand(words: string[]): CliCommand | undefined {
  let best: CliCommand | undefined;
  for (const c of CLI_COMMANDS) {
    if (c.words.every((w, i) => words[i] === w) && (!best || c.words.length > best.words.length))
      best = c;
  }
  return best;
}

/** HAProxy's answer to an unknown command: the closest commands by their first words. */
export function unknownCommand(words: string[]): string {
  if (words.length === 0)
    return helpText('Unknown command. Please enter one of the following commands only:');
  const score = (c: CliCommand) =>
    c.words.filter((w, i) => words[i] === w || words.includes(w)).length;
  const close = CLI_COMMANDS.filter((c) => !ALWAYS.has(c.words[0]!) && score(c) > 0);
  const tail = CLI_COMMANDS.filter((c) => ALWAYS.has(c.words[0]!));
  return `Unknown command, but maybe one of the following ones is a better match:\n${[...close.slice(0, 5), ...tail].map(helpLine).join('')}`;
}
