// Keywords of the `global` section. Values keep HAProxy's "first one wins" rule for the
// settings it refuses to redefine (`'pidfile' already specified. Continuing.`).

import { parseBindAddress } from '../address.js';
import type { GlobalDraft, LineCtx } from '../draft.js';
import { atol } from '../units.js';
import { parseBindOptions } from './bind-options.js';
import { idSetting, nameSetting } from './global-accounts.js';
import { parseLogTarget } from './log.js';
import { refuseUnapplied } from './not-applied.js';
import {
  alreadySpecified as already,
  type Keyword,
  type KeywordTable,
  lenientInt,
  table,
  timeArg,
  tooManyArgs,
} from './types.js';

function pathSetting(name: 'chroot' | 'pidfile', expects: string): Keyword<GlobalDraft> {
  return {
    name,
    args: '<path>',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      if (g[name]) {
        already(ctx);
        return;
      }
      if (!ctx.arg(1)) {
        ctx.error('HAP_MISSING_ARG', `'${name}' expects ${expects} as an argument.`);
        return;
      }
      g[name] = { path: ctx.arg(1), pos: ctx.pos };
    },
  };
}

function intSetting(
  name: string,
  get: (g: GlobalDraft) => number | undefined,
  set: (g: GlobalDraft, v: number) => void,
  effect: (v: number) => string,
): Keyword<GlobalDraft> {
  return {
    name,
    args: '<number>',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      if (get(g)) {
        already(ctx);
        return;
      }
      if (!ctx.arg(1)) {
        ctx.error('HAP_MISSING_ARG', `'${name}' expects an integer argument.`);
        return;
      }
      set(g, lenientInt(ctx, name, ctx.arg(1), effect));
    },
  };
}

const statsGlobal: Keyword<GlobalDraft> = {
  name: 'stats',
  args: 'socket <address> [params*] | timeout <time> | maxconn <n> | bind-process ...',
  parse(ctx, g) {
    const sub = ctx.arg(1);
    if (sub === 'socket') {
      const spec = ctx.arg(2);
      if (!spec) {
        ctx.error(
          'HAP_MISSING_ARG',
          `'stats socket' in global section expects an address or a path to a UNIX socket`,
        );
        return;
      }
      const addr = parseBindAddress(spec, 'stats socket', ctx.env);
      if (!addr.ok) {
        ctx.error('HAP_BAD_ADDRESS', addr.message);
        return;
      }
      const options = parseSocketOptions(ctx, 3);
      if (!options) return;
      g.statsSockets.push({ pos: ctx.pos, address: addr.value, options });
    } else if (sub === 'timeout') {
      const v = timeArg(ctx, ctx.arg(2), {
        char: (c) => `'stats timeout' : unexpected character '${c}'`,
      });
      if (v === undefined) return;
      if (v === 0) {
        ctx.error('HAP_BAD_VALUE', `'stats timeout' expects a positive value`);
        return;
      }
      g.statsTimeout = v;
    } else if (sub === 'maxconn') {
      const v = atol(ctx.arg(2));
      if (v <= 0) {
        ctx.error('HAP_BAD_VALUE', `'stats maxconn' expects a positive value`);
        return;
      }
      g.statsMaxconn = v;
    } else if (sub !== 'bind-process') {
      ctx.error(
        'HAP_BAD_VALUE',
        `'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '${sub}')`,
      );
    }
  },
};

const SOCKET_LEVELS = ['user', 'operator', 'admin'];

/** `stats socket` / `bind` style options after the address: `mode 600 level admin ...`. */
function parseSocketOptions(ctx: LineCtx, from: number): Record<string, string | true> | undefined {
  const opts: Record<string, string | true> = {};
  const withValue = new Set([
    'mode',
    'level',
    'user',
    'group',
    'uid',
    'gid',
    'name',
    'process',
    'maxconn',
    'backlog',
    'severity-output',
    'id',
    'nice',
    'thread',
  ]);
  for (let i = from; i < ctx.words.length; i++) {
    const k = ctx.words[i] as string;
    if (k === 'expose-fd') {
      if (ctx.arg(i + 1) !== 'listeners') {
        ctx.error(
          'HAP_BAD_VALUE',
          `'stats socket' : ''expose-fd' only supports 'listeners' (got '${ctx.arg(i + 1)}')'`,
        );
        return undefined;
      }
      opts['expose-fd'] = 'listeners';
      i++;
    } else if (withValue.has(k)) {
      const v = ctx.arg(i + 1);
      if (k === 'level' && !SOCKET_LEVELS.includes(v)) {
        ctx.error(
          'HAP_BAD_VALUE',
          `'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '${v}')'`,
        );
        return undefined;
      }
      if (!v) {
        ctx.error('HAP_MISSING_ARG', `'stats socket' : '${k}' : missing value`);
        return undefined;
      }
      opts[k] = v;
      i++;
    } else {
      opts[k] = true;
    }
  }
  return opts;
}

const flag = (name: string, set: (g: GlobalDraft) => void, max = 0): Keyword<GlobalDraft> => ({
  name,
  args: '',
  parse(ctx, g) {
    if (tooManyArgs(ctx, max)) return;
    set(g);
  },
});

/** TLS defaults of every `bind ... ssl` and the directories relative file names start from. */
const TLS_GLOBALS = [
  {
    name: 'ssl-default-bind-options',
    args: '<option>...',
    parse(ctx: LineCtx, g: GlobalDraft) {
      g.sslDefaultBind ??= { options: {} };
      const d = g.sslDefaultBind;
      const r = parseBindOptions(ctx.words, 1, (kw) => ` : unknown option '${kw}'.`);
      if (!r.ok) ctx.error('HAP_BAD_VALUE', `'ssl-default-bind-options'${r.message}`);
      else Object.assign(d.options, r.options);
    },
  },
  ...(['ciphers', 'ciphersuites'] as const).map((which) => ({
    name: `ssl-default-bind-${which}`,
    args: '<list>',
    parse(ctx: LineCtx, g: GlobalDraft) {
      if (!ctx.arg(1)) {
        ctx.error(
          'HAP_MISSING_ARG',
          `'ssl-default-bind-${which}' expects a cipher suite as an argument.`,
        );
        return;
      }
      g.sslDefaultBind = { ...(g.sslDefaultBind ?? { options: {} }), [which]: ctx.arg(1) };
    },
  })),
  ...(['crt-base', 'ca-base'] as const).map((name) => ({
    name,
    args: '<dir>',
    parse(ctx: LineCtx, g: GlobalDraft) {
      if (!ctx.arg(1)) {
        ctx.error('HAP_MISSING_ARG', `'${name}' expects a directory path as an argument.`);
        return;
      }
      if (name === 'crt-base') g.crtBase = ctx.arg(1);
      else g.caBase = ctx.arg(1);
    },
  })),
];

/** Accepted and not modelled: tuning and TLS defaults that change nothing halo checks. */
const PASSTHROUGH = [
  'cpu-map',
  'description',
  'node',
  'quiet',
  'debug',
  'zero-warning',
  'log-send-hostname',
  'maxsslconn',
  'maxconnrate',
  'maxsessrate',
  'maxpipes',
  'server-state-file',
  'server-state-base',
  'setenv',
  'presetenv',
  'resetenv',
  'unsetenv',
  'spread-checks',
  'lua-load',
  'lua-prepend-path',
  'h1-case-adjust',
  'insecure-fork-wanted',
  'busy-polling',
  'set-dumpable',
  'strict-limits',
  'localpeer',
  'noepoll',
  'nopoll',
  'nosplice',
  'nogetaddrinfo',
  'expose-experimental-directives',
  'ssl-default-server-ciphers',
  'ssl-default-server-ciphersuites',
  'ssl-default-server-options',
  'ssl-dh-param-file',
  'ssl-engine',
  'ssl-mode-async',
  'external-check',
  'pp2-never-send-local',
  'numa-cpu-mapping',
  'fd-hard-limit',
  'mworker-max-reloads',
  'grace',
  'default-path',
  'issuers-chain-path',
  'localpeer',
  'log-send-hostname',
  'profiling.tasks',
  'tune.ssl.default-dh-param',
  'tune.ssl.cachesize',
  'tune.ssl.lifetime',
  'tune.maxaccept',
  'tune.maxpollevents',
  'tune.h2.max-concurrent-streams',
  'ssl-load-extra-files',
  'httpclient.resolvers.prefer',
  'httpclient.ssl.verify',
  'httpclient.ssl.ca-file',
];

/** `tune.*` sizes the HTTP layer applies (a later line overrides an earlier one, as in HAProxy). */
function tuneSetting(
  name: string,
  key: 'bufsize' | 'maxrewrite' | 'httpMaxhdr',
  min: number,
  max: number,
): Keyword<GlobalDraft> {
  return {
    name,
    args: '<number>',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      const a = ctx.arg(1);
      if (!/^[0-9]+$/.test(a)) {
        ctx.error('HAP_MISSING_ARG', `'${name}' expects an integer argument.`);
        return;
      }
      const v = Number(a);
      if (v < min || v > max) {
        ctx.error('HAP_BAD_VALUE', `'${name}' expects a value between ${min} and ${max}.`);
        return;
      }
      g.tune = { ...g.tune, [key]: v };
    },
  };
}

const passthrough = (name: string): Keyword<GlobalDraft> => ({ name, args: '...', parse() {} });

export const GLOBAL_KEYWORDS: KeywordTable<GlobalDraft> = table<GlobalDraft>([
  {
    name: 'log-tag',
    args: '<string>',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      if (ctx.arg(1) === '') {
        ctx.error('HAP_MISSING_ARG', "'log-tag' expects a tag for use in syslog.");
        return;
      }
      g.logTag = ctx.arg(1);
    },
  },
  {
    name: 'log',
    args: '<target> [len <n>] [format <f>] <facility> [<level> [<minlevel>]]',
    parse(ctx, g) {
      if (ctx.modifier === 'no') {
        g.logs = [];
        return;
      }
      const t = parseLogTarget(ctx, true);
      if (t) g.logs.push(t);
    },
  },
  pathSetting('chroot', 'a directory'),
  pathSetting('pidfile', 'a file name'),
  intSetting(
    'maxconn',
    (g) => g.maxconn,
    (g, v) => {
      g.maxconn = v;
    },
    (v) =>
      v === 0
        ? 'A global maxconn of 0 counts as not set: HAProxy derives the limit from the file-descriptor limit (ulimit -n) instead.'
        : `The process accepts at most ${v} connections.`,
  ),
  intSetting(
    'ulimit-n',
    (g) => g.ulimitN,
    (g, v) => {
      g.ulimitN = v;
    },
    (v) =>
      v === 0
        ? 'An ulimit-n of 0 counts as not set: HAProxy computes the descriptor limit from maxconn.'
        : `The descriptor limit becomes ${v}.`,
  ),
  tuneSetting('tune.bufsize', 'bufsize', 1024, 1 << 30),
  tuneSetting('tune.maxrewrite', 'maxrewrite', 0, 1 << 30),
  tuneSetting('tune.http.maxhdr', 'httpMaxhdr', 1, 32767),
  idSetting('uid'),
  idSetting('gid'),
  nameSetting('user'),
  nameSetting('group'),
  flag('noreuseport', (g) => {
    g.noReusePort = true;
  }),
  flag('daemon', (g) => {
    g.daemon = true;
  }),
  {
    name: 'master-worker',
    args: '[no-exit-on-failure]',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      if (ctx.arg(1) && ctx.arg(1) !== 'no-exit-on-failure') {
        ctx.error('HAP_BAD_VALUE', `'master-worker' only accepts 'no-exit-on-failure' argument.`);
        return;
      }
      g.masterWorker = true;
    },
  },
  {
    name: 'nbproc',
    args: '<number>',
    parse(ctx) {
      ctx.error(
        'HAP_REMOVED_KEYWORD',
        'nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.',
      );
    },
  },
  {
    name: 'nbthread',
    args: '<number>',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      const a = ctx.arg(1);
      const m = /^-?[0-9]+/.exec(a);
      if (!m || m[0] !== a) {
        ctx.error(
          'HAP_BAD_VALUE',
          `'nbthread' passed a missing or unparsable integer value in '${a}'`,
        );
        return;
      }
      const n = Number(a);
      if (n < 1 || n > 64) {
        ctx.error('HAP_BAD_VALUE', `'nbthread' value must be between 1 and 64 (was ${n})`);
        return;
      }
      g.nbthread = n;
    },
  },
  {
    name: 'hard-stop-after',
    args: '<time>',
    parse(ctx, g) {
      if (!ctx.arg(1)) {
        ctx.error('HAP_MISSING_ARG', `'hard-stop-after' expects <time> as argument.`);
        return;
      }
      const v = timeArg(ctx, ctx.arg(1), {
        char: (c) => `unexpected character '${c}' in argument to <hard-stop-after>.`,
      });
      if (v !== undefined) g.hardStopAfter = v;
    },
  },
  ...TLS_GLOBALS,
  {
    name: 'ssl-server-verify',
    args: 'none | required',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      const v = ctx.arg(1);
      if (!v) {
        // sic: HAProxy 2.6's wording for a missing argument here.
        ctx.error('HAP_MISSING_ARG', `'ssl-server-verify' expects an integer argument.`);
      } else if (v !== 'none' && v !== 'required') {
        ctx.error('HAP_BAD_VALUE', `'ssl-server-verify' expects 'none' or 'required' as argument.`);
      } else g.sslServerVerify = v;
    },
  },
  statsGlobal,
  {
    name: 'unix-bind',
    args: '[prefix <p>] [mode <m>] [user <u>] [uid <n>] [group <g>] [gid <n>]',
    parse(ctx) {
      refuseUnapplied(
        ctx.diags,
        ctx.pos,
        "'unix-bind'",
        'halo does not apply it yet, so UNIX-socket listeners would be created with default permissions and owner, and without the path prefix',
      );
    },
  },
  ...PASSTHROUGH.map(passthrough),
]);
