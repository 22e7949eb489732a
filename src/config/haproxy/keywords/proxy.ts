// Keywords of `defaults`, `frontend`, `backend` and `listen` sections. Each entry says which
// side it configures (frontend/backend capability) and whether `defaults` may carry it, so
// the dispatcher reproduces HAProxy's "ignored because ... has no backend capability".

import { parseBindAddress, parseServerAddress } from '../address.js';
import type { DraftServer, LineCtx, ProxyDraft } from '../draft.js';
import { parseErrorfileLine, parseErrorfilesLine, parseHttpErrorLine } from '../error-files.js';
import type { HttpRuleKeyword, LogFormat } from '../http-rule-model.js';
import { parseLogFormat } from '../log-format.js';
import type { Bind, ProxyMode, Timeouts } from '../model.js';
import { atol } from '../units.js';
import { BIND_OPTION_NAMES, parseBindOptions } from './bind-options.js';
import { parseCaptureLine, parseDeclareLine } from './captures.js';
import { parseAcl, parseCondition } from './condition.js';
import { parseHttpCheck } from './http-check.js';
import { FETCH_NEEDS, parseHttpRule } from './http-rules.js';
import { parseLogTarget } from './log.js';
import {
  BIND_APPLIED,
  BIND_REFUSED,
  BIND_UNIX_OWNER,
  BIND_UNIX_OWNER_REASON,
  filterNotApplied,
  notApplied,
  PROXY_REFUSED,
  proxyRuleNotApplied,
  RULE_KEYWORDS,
  refuseUnapplied,
  SERVER_DESCRIPTIVE,
  SERVER_REFUSED,
} from './not-applied.js';
import { type CapCheck, OPTION_NAMES, parseOption } from './options.js';
import {
  applyServerOptions,
  OTHER_SERVER_OPTIONS,
  SERVER_OPTION_NAMES,
  serverOptionWords,
  warnServerLimits,
} from './server-options.js';
import { parseStats } from './stats.js';
import { parseStickTable, parseTrack } from './stick-table.js';
import { parseTimeout } from './timeout.js';
import type { Keyword } from './types.js';
import { lenientInt, tooManyArgs } from './types.js';

const HTTP_RULE_KEYWORDS = new Set([
  'http-request',
  'http-response',
  'http-after-response',
  'redirect',
]);

export type Cap = 'fe' | 'be' | 'both';

export interface ProxyKeyword extends Keyword<ProxyDraft> {
  readonly cap: Cap;
  /** `no`: refused in defaults; `named`: only in named defaults. Default: allowed. */
  readonly inDefaults?: 'no' | 'named';
  /** Out-of-capability use is an error (server lines), not a warning. */
  readonly capIsError?: boolean;
  readonly capHint?: string;
}

/** Helpers the table needs from the dispatcher (suggestions, capability checks). */
export interface ProxyEnv {
  readonly hasCap: CapCheck;
  readonly suggest: (word: string, candidates: readonly string[]) => string;
}

const BALANCE = [
  'roundrobin',
  'static-rr',
  'leastconn',
  'first',
  'source',
  'random',
  'uri',
  'url_param',
  'hdr',
  'rdp-cookie',
  'hash',
];

function parseMode(ctx: LineCtx, px: ProxyDraft): void {
  const m = ctx.arg(1);
  if (tooManyArgs(ctx, 1)) return;
  if (m !== 'tcp' && m !== 'http' && m !== 'health') {
    ctx.error('HAP_UNKNOWN_MODE', `unknown proxy mode '${m}'.`);
    return;
  }
  if (m === 'health') {
    ctx.error(
      'HAP_REMOVED_KEYWORD',
      `'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.`,
    );
    return;
  }
  px.mode = { value: m as ProxyMode, pos: ctx.pos };
}

function parseBalance(ctx: LineCtx, px: ProxyDraft): void {
  const a = ctx.arg(1);
  if (!a) return;
  const m = /^([a-z_-]+)(?:\((.*)\))?$/.exec(a);
  const algo = m?.[1] ?? a;
  if (!BALANCE.includes(algo)) {
    ctx.error(
      'HAP_BAD_VALUE',
      `balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.`,
    );
    return;
  }
  if (algo === 'random') {
    const n = m?.[2] === undefined ? 2 : atol(m[2]);
    if (n < 1) {
      ctx.error('HAP_BAD_VALUE', 'balance random : number of draws must be at least 1.');
      return;
    }
    px.balance = { pos: ctx.pos, algorithm: 'random', draws: n };
    return;
  }
  if (['roundrobin', 'static-rr', 'leastconn', 'first', 'source'].includes(algo)) {
    px.balance = { pos: ctx.pos, algorithm: algo as 'roundrobin' };
  } else {
    // Layer-7 hashes: halo balances these as roundrobin for now, and says so.
    px.balance = { pos: ctx.pos, algorithm: 'roundrobin' };
    if (px.kind !== 'frontend') notApplied(ctx, `'balance ${algo}'`, "with 'balance roundrobin'");
  }
}

function parseBind(ctx: LineCtx, px: ProxyDraft, env: ProxyEnv): void {
  px.bindLines = (px.bindLines ?? 0) + 1;
  const spec = ctx.arg(1);
  if (!spec) {
    ctx.error(
      'HAP_MISSING_ARG',
      `'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.`,
    );
    return;
  }
  const addresses: Bind['addresses'] = [];
  for (const one of spec.split(',')) {
    const r = parseBindAddress(one, 'bind', ctx.env);
    if (!r.ok) {
      ctx.error('HAP_BAD_ADDRESS', r.message);
      return;
    }
    addresses.push(r.value);
  }
  const section = px.kind === 'listen' ? 'listen' : px.kind;
  const opts = parseBindOptions(ctx.words, 2, (kw) => {
    const s = env.suggest(kw, BIND_OPTION_NAMES);
    return `: unknown keyword '${kw}'${s || '.'}`;
  });
  if (!opts.ok) {
    ctx.error('HAP_BAD_BIND_OPTION', `'bind ${spec}' in section '${section}'${opts.message}`);
    return;
  }
  px.binds.push({ pos: ctx.pos, spec, addresses, options: opts.options });
  bindNotApplied(ctx, opts.options, addresses);
}

/** One diagnostic per bind option halo does not apply; `ssl` and its kin are errors. */
function bindNotApplied(
  ctx: LineCtx,
  options: Record<string, string | true>,
  addresses: Bind['addresses'],
): void {
  const unix = addresses.some((a) => a.kind === 'unix');
  for (const name of Object.keys(options)) {
    const reason =
      BIND_REFUSED[name] ??
      (unix && BIND_UNIX_OWNER.includes(name) ? BIND_UNIX_OWNER_REASON : undefined);
    if (reason) refuseUnapplied(ctx.diags, ctx.pos, `'${name}' on a bind line`, reason);
    else if (!BIND_APPLIED.has(name)) {
      // TLS settings without `ssl` are ignored by HAProxy too; say so rather than nothing.
      notApplied(ctx, `'${name}' on a bind line`);
    }
  }
}

/** Server options halo does not apply: the security ones are errors, the others warnings. */
function serverNotApplied(ctx: LineCtx, from: number): void {
  for (const name of serverOptionWords(ctx.words, from)) {
    const reason = SERVER_REFUSED[name];
    if (reason) refuseUnapplied(ctx.diags, ctx.pos, `'${name}' on a server line`, reason);
    else if (name in OTHER_SERVER_OPTIONS && !SERVER_DESCRIPTIVE.has(name))
      notApplied(ctx, `'${name}' on a server line`);
  }
}

function parseServer(ctx: LineCtx, px: ProxyDraft, env: ProxyEnv, isDefault: boolean): void {
  const unknown = (kw: string) => {
    const s = env.suggest(kw, SERVER_OPTION_NAMES);
    return isDefault
      ? `unknown keyword '${kw}'. Hint: no address was expected for this server.`
      : `unknown keyword '${kw}'${s || '.'}`;
  };
  if (isDefault) {
    const ds = structuredClone(px.defaultServer);
    const err = applyServerOptions(ds, ctx.words, 1, 'default-server', unknown);
    if (err) {
      ctx.error(
        'HAP_BAD_SERVER_OPTION',
        err.endsWith('server.') ? err : `'default-server' : ${err}.`,
      );
      return;
    }
    px.defaultServer = { ...ds, pos: ctx.pos };
    serverNotApplied(ctx, 1);
    return;
  }
  const name = ctx.arg(1);
  const spec = ctx.arg(2);
  if (!name || !spec) {
    ctx.error('HAP_MISSING_ARG', `'server' expects <name> and <addr>[:<port>] as arguments.`);
    return;
  }
  const where = `'server ${px.name}/${name}'`;
  const addr = parseServerAddress(spec, where, ctx.env);
  if (!addr.ok) {
    ctx.error('HAP_BAD_ADDRESS', addr.message);
    return;
  }
  const { pos: _dpos, ...inherited } = px.defaultServer;
  const s = structuredClone(inherited);
  const err = applyServerOptions(s, ctx.words, 3, name, unknown);
  if (err) {
    ctx.error('HAP_BAD_SERVER_OPTION', `${where} : ${err}.`);
    return;
  }
  const server: DraftServer = {
    check: false,
    inter: 2000,
    rise: 2,
    fall: 3,
    weight: 1,
    backup: false,
    disabled: false,
    ssl: false,
    checkSsl: false,
    errorLimit: 10,
    onError: 'fail-check',
    ...s,
    pos: ctx.pos,
    name,
    host: addr.value.host,
    ...(addr.value.port !== undefined ? { port: addr.value.port } : {}),
    ...(addr.value.portOffset !== undefined ? { portOffset: addr.value.portOffset } : {}),
    ...(inherited.ssl ? { sslFromDefaults: true as const } : {}),
  };
  px.servers.push(server);
  warnServerLimits(ctx, name);
  serverNotApplied(ctx, 3);
}

function parseBackendRef(
  ctx: LineCtx,
  px: ProxyDraft,
  kind: 'default_backend' | 'use_backend',
): void {
  const name = ctx.arg(1);
  if (!name) {
    ctx.error('HAP_MISSING_ARG', `'${kind}' expects a backend name.`);
    return;
  }
  if (kind === 'default_backend') {
    if (tooManyArgs(ctx, 1)) return;
    px.defaultBackend = { name, pos: ctx.pos };
    return;
  }
  const w = ctx.arg(2);
  if (w && w !== 'if' && w !== 'unless') {
    ctx.error(
      'HAP_BAD_VALUE',
      `unexpected keyword '${w}' after switching rule, only 'if' and 'unless' are allowed.`,
    );
    return;
  }
  const cond = parseCondition(ctx, 2, (n) => px.acls.some((a) => a.name === n), 'switching rule');
  if (cond === 'error') return;
  px.useBackends.push({ pos: ctx.pos, backend: name, ...(cond ? { cond } : {}) });
}

const kw = (
  name: string,
  cap: Cap,
  parse: ProxyKeyword['parse'],
  extra: Partial<ProxyKeyword> = {},
): ProxyKeyword => ({ name, args: '', cap, parse, ...extra });

/**
 * Accepted as HAProxy accepts them, not applied by halo (HTTP rules, captures, cookies...):
 * each use gets a warning, except the purely descriptive ones. `http` = needs mode http.
 */
const PASSTHROUGH: [string, Cap, boolean][] = [
  ['http-request', 'both', true],
  ['http-response', 'both', true],
  ['http-after-response', 'both', true],
  ['tcp-request', 'both', false],
  ['tcp-response', 'be', false],
  ['capture', 'fe', true],
  ['cookie', 'be', false],
  ['errorfile', 'both', false],
  ['errorfiles', 'both', false],
  ['errorloc', 'both', false],
  ['errorloc302', 'both', false],
  ['errorloc303', 'both', false],
  ['monitor', 'fe', false],
  ['log-format', 'fe', false],
  ['log-format-sd', 'fe', false],
  ['error-log-format', 'fe', false],
  ['unique-id-format', 'fe', false],
  ['unique-id-header', 'fe', false],
  ['compression', 'both', false],
  ['http-reuse', 'be', false],
  ['hash-type', 'be', false],
  ['hash-balance-factor', 'be', false],
  ['fullconn', 'be', false],
  ['description', 'both', false],
  ['id', 'both', false],
  ['stick-table', 'both', false],
  ['stick', 'be', false],
  ['redirect', 'both', true],
  ['use-server', 'be', false],
  ['force-persist', 'both', false],
  ['ignore-persist', 'both', false],
  ['rate-limit', 'fe', false],
  ['http-send-name-header', 'be', false],
  ['server-template', 'be', false],
  ['source', 'be', false],
  ['max-keep-alive-queue', 'be', false],
  ['max-session-srv-conns', 'fe', false],
  ['declare', 'both', false],
  ['filter', 'both', false],
  ['email-alert', 'both', false],
  ['external-check', 'be', false],
  ['persist', 'be', false],
  ['load-server-state-from-file', 'be', false],
  ['server-state-file-name', 'be', false],
  ['dynamic-cookie-key', 'be', false],
  ['http-error', 'both', false],
  ['tcp-check', 'be', false],
  ['bind-process', 'both', false],
  ['dispatch', 'be', false],
  ['transparent', 'be', false],
  ['guid', 'both', false],
];

export function proxyKeywords(env: ProxyEnv): ProxyKeyword[] {
  const known = (px: ProxyDraft) => (n: string) => px.acls.some((a) => a.name === n);
  return [
    kw('mode', 'both', parseMode),
    kw('bind', 'fe', (ctx, px) => parseBind(ctx, px, env), { inDefaults: 'no' }),
    kw('balance', 'be', parseBalance),
    kw('server', 'be', (ctx, px) => parseServer(ctx, px, env, false), {
      inDefaults: 'no',
      capIsError: true,
    }),
    kw('default-server', 'be', (ctx, px) => parseServer(ctx, px, env, true), { capIsError: true }),
    kw('option', 'both', (ctx, px) =>
      parseOption(ctx, px, env.hasCap, (w) => env.suggest(w, OPTION_LIST.names)),
    ),
    kw('timeout', 'both', (ctx, px) => parseTimeout(ctx, px, env.hasCap)),
    kw('contimeout', 'both', (ctx) => removedTimeout(ctx, 'connect')),
    kw('clitimeout', 'both', (ctx) => removedTimeout(ctx, 'client')),
    kw('srvtimeout', 'both', (ctx) => removedTimeout(ctx, 'server')),
    kw('retries', 'be', (ctx, px) => {
      if (tooManyArgs(ctx, 1)) return;
      if (!ctx.arg(1)) {
        ctx.error(
          'HAP_MISSING_ARG',
          `'retries' expects an integer argument (dispatch counts for one).`,
        );
        return;
      }
      px.retries = lenientInt(ctx, 'retries', ctx.arg(1), (v) =>
        v === 0
          ? 'With 0 retries a failed connection attempt is neither retried nor redispatched: the client gets an error at once.'
          : `Failed connection attempts are retried ${v} times.`,
      );
    }),
    kw(
      'maxconn',
      'fe',
      (ctx, px) => {
        if (tooManyArgs(ctx, 1)) return;
        if (!ctx.arg(1)) {
          ctx.error('HAP_MISSING_ARG', `'maxconn' expects an integer argument.`);
          return;
        }
        const value = lenientInt(ctx, 'maxconn', ctx.arg(1), (v) =>
          v === 0
            ? 'A frontend maxconn of 0 means that the global maxconn applies.'
            : `The frontend accepts at most ${v} concurrent connections.`,
        );
        px.maxconn = { value, pos: ctx.pos };
      },
      { capHint: " Maybe you want 'fullconn' instead ?" },
    ),
    kw('backlog', 'fe', (ctx, px) => {
      if (tooManyArgs(ctx, 1)) return;
      if (!ctx.arg(1)) {
        ctx.error('HAP_MISSING_ARG', `'backlog' expects an integer argument.`);
        return;
      }
      const value = lenientInt(ctx, 'backlog', ctx.arg(1), (v) =>
        v === 0
          ? 'A backlog of 0 means that the frontend maxconn sizes the accept queue.'
          : `The kernel queues at most ${v} connections not yet accepted.`,
      );
      px.backlog = { value, pos: ctx.pos };
    }),
    kw('monitor-uri', 'fe', (ctx, px) => {
      if (tooManyArgs(ctx, 1)) return;
      if (!ctx.arg(1)) {
        ctx.error('HAP_MISSING_ARG', `'monitor-uri' expects an URI.`);
        return;
      }
      px.monitorUri = { value: ctx.arg(1), pos: ctx.pos };
    }),
    kw('default_backend', 'fe', (ctx, px) => parseBackendRef(ctx, px, 'default_backend')),
    kw('use_backend', 'fe', (ctx, px) => parseBackendRef(ctx, px, 'use_backend'), {
      inDefaults: 'no',
    }),
    kw(
      'acl',
      'both',
      (ctx, px) => {
        const a = parseAcl(ctx);
        if (a) px.acls.push(a);
      },
      { inDefaults: 'named' },
    ),
    kw('log', 'both', (ctx, px) => {
      if (ctx.modifier === 'no') {
        px.logs = [];
        return;
      }
      if (ctx.arg(1) === 'global') {
        if (tooManyArgs(ctx, 1)) return;
        px.logs.push({ kind: 'global', pos: ctx.pos });
        return;
      }
      const t = parseLogTarget(ctx, false);
      if (t) px.logs.push({ kind: 'target', target: t });
    }),
    kw('stats', 'both', (ctx, px) => parseStats(ctx, px, known(px))),
    kw('log-tag', 'both', (ctx, px) => {
      if (ctx.arg(1) === '') {
        ctx.error('HAP_MISSING_ARG', "'log-tag' expects a tag for use in syslog.");
        return;
      }
      px.logTag = ctx.arg(1);
    }),
    kw('http-check', 'be', (ctx, px) => parseHttpCheck(ctx, px)),
    kw('disabled', 'both', (ctx, px) => {
      if (!tooManyArgs(ctx, 0)) px.disabled = true;
    }),
    kw('enabled', 'both', (ctx, px) => {
      if (!tooManyArgs(ctx, 0)) px.disabled = false;
    }),
    ...PASSTHROUGH.map(([name, cap, http]) =>
      kw(
        name,
        cap,
        (ctx, px) => {
          if (http) px.httpOnly.push({ what: name, pos: ctx.pos });
          if (name === 'http-request' && parseUseService(ctx, px, known(px))) return;
          if (name === 'tcp-request' && parseExpectProxy(ctx, px, known(px))) return;
          if (name === 'tcp-request' && parseTcpRule(ctx, px, known(px))) return;
          if (name === 'stick-table' && px.kind !== 'defaults') {
            parseStickTable(ctx, px);
            return;
          }
          if (name === 'capture' && parseCaptureLine(ctx, px)) return;
          if (name === 'declare') {
            parseDeclareLine(ctx, px);
            return;
          }
          if (name === 'errorfile') {
            parseErrorfileLine(ctx, px);
            return;
          }
          if (name === 'errorfiles') {
            parseErrorfilesLine(ctx, px);
            return;
          }
          if (name === 'http-error') {
            parseHttpErrorLine(ctx, px);
            return;
          }
          if (name === 'log-format') {
            parseLogFormatLine(ctx, px);
            return;
          }
          if (
            HTTP_RULE_KEYWORDS.has(name) &&
            parseHttpRule(ctx, px, name as HttpRuleKeyword, known(px))
          )
            return;
          const refused = PROXY_REFUSED[name];
          if (RULE_KEYWORDS.has(name)) proxyRuleNotApplied(ctx, name);
          else if (refused) refuseUnapplied(ctx.diags, ctx.pos, `'${name}'`, refused);
          else if (name === 'filter') filterNotApplied(ctx);
          else if (!DESCRIPTIVE.has(name)) notApplied(ctx, `'${name}'`);
        },
        // HTTP rules in defaults: named ones only, as HAProxy 2.6 takes them; no redirect.
        name === 'redirect'
          ? { inDefaults: 'no' }
          : HTTP_RULE_KEYWORDS.has(name)
            ? { inDefaults: 'named' }
            : {},
      ),
    ),
  ];
}

/**
 * `tcp-request connection expect-proxy layer4 [if|unless COND]` in a frontend or listen
 * section; false leaves other forms to the not-applied checks (which refuse them).
 */
/** A sample of the HTTP messages: gone by the time the line is written (HAProxy refuses it). */
function messageSample(f: LogFormat): string | undefined {
  for (const n of f) {
    const need = n.kind === 'sample' ? FETCH_NEEDS[n.expr.fetch] : undefined;
    if (n.kind === 'sample' && need)
      return `sample fetch <${n.expr.text}]> may not be reliably used here because it needs '${need}' which is not available here`;
  }
  return undefined;
}

/** `log-format FMT`: the frontend's log lines take this format instead of httplog/tcplog. */
function parseLogFormatLine(ctx: LineCtx, px: ProxyDraft): void {
  if (ctx.words.length !== 2) {
    ctx.error(
      'HAP_BAD_ARGS',
      "log-format expects only one argument, don't forget to escape spaces!",
    );
    return;
  }
  const f = parseLogFormat(ctx.arg(1), ctx.files);
  const bad = typeof f === 'string' ? f : messageSample(f);
  if (bad !== undefined || typeof f === 'string') {
    ctx.error('HAP_BAD_LOG_FORMAT', `failed to parse log-format : ${bad}.`);
    return;
  }
  if (px.kind === 'defaults' && px.logFormat) {
    const old = px.logFormat.value === 'custom' ? 'log-format' : `option ${px.logFormat.value}`;
    ctx.warning(
      'HAP_LOGFORMAT_OVERRIDE',
      `'log-format' overrides previous '${old}' in 'defaults' section.`,
    );
  }
  px.logFormat = { value: 'custom', pos: ctx.pos };
  px.customLogFormat = { format: f, pos: ctx.pos };
}

/**
 * `tcp-request connection|content accept|reject [if|unless COND]` in a frontend or listen
 * section; false leaves other forms to the not-applied checks.
 */
function parseTcpRule(ctx: LineCtx, px: ProxyDraft, known: (n: string) => boolean): boolean {
  const kind = ctx.arg(1);
  const action = ctx.arg(2);
  if (kind !== 'connection' && kind !== 'content') return false;
  if (px.kind !== 'frontend' && px.kind !== 'listen') return false;
  if (/^track-sc[0-2]$/.test(action)) {
    const t = parseTrack(ctx, 2);
    if (t === 'error' || t === undefined) return true;
    const cond = parseCondition(ctx, t.next, known, `a 'tcp-request ${kind} ${action}' rule`);
    if (cond === 'error') {
      ctx.error(
        'HAP_BAD_CONDITION',
        `'tcp-request ${kind} ${action}' expects 'if' or 'unless' followed by a condition (got '${ctx.arg(t.next)}').`,
      );
      return true;
    }
    const { next: _, ...track } = t;
    px.tcpRules ??= { connection: [], content: [] };
    px.tcpRules[kind].push({
      pos: ctx.pos,
      action: 'track-sc',
      track,
      ...(cond ? { cond } : {}),
    });
    return true;
  }
  if (action !== 'accept' && action !== 'reject') return false;
  const cond = parseCondition(ctx, 3, known, `a 'tcp-request ${kind} ${action}' rule`);
  if (cond === 'error') {
    ctx.error(
      'HAP_BAD_CONDITION',
      `'tcp-request ${kind} ${action}' expects 'if' or 'unless' followed by a condition (got '${ctx.arg(3)}').`,
    );
    return true;
  }
  px.tcpRules ??= { connection: [], content: [] };
  px.tcpRules[kind].push({ pos: ctx.pos, action, ...(cond ? { cond } : {}) });
  return true;
}

function parseExpectProxy(ctx: LineCtx, px: ProxyDraft, known: (n: string) => boolean): boolean {
  if (ctx.arg(1) !== 'connection' || ctx.arg(2) !== 'expect-proxy') return false;
  if (px.kind !== 'frontend' && px.kind !== 'listen') return false;
  if (ctx.arg(3) !== 'layer4') return false;
  const cond = parseCondition(ctx, 4, known, "a 'tcp-request connection expect-proxy' rule");
  if (cond === 'error') {
    ctx.error(
      'HAP_BAD_CONDITION',
      `'tcp-request connection expect-proxy layer4' expects 'if' or 'unless' followed by a condition (got '${ctx.arg(4)}').`,
    );
    return true;
  }
  px.expectProxy ??= [];
  px.expectProxy.push({ pos: ctx.pos, ...(cond ? { cond } : {}) });
  return true;
}

/**
 * `http-request use-service prometheus-exporter [if|unless COND]` in a frontend or listen
 * section; false leaves every other rule to the not-applied checks (which refuse it).
 */
function parseUseService(ctx: LineCtx, px: ProxyDraft, known: (n: string) => boolean): boolean {
  if (ctx.arg(1) !== 'use-service' || ctx.arg(2) !== 'prometheus-exporter') return false;
  if (px.kind !== 'frontend' && px.kind !== 'listen') return false;
  const cond = parseCondition(ctx, 3, known, "an 'http-request use-service' rule");
  if (cond === 'error') {
    ctx.error(
      'HAP_BAD_CONDITION',
      `'http-request use-service prometheus-exporter' expects 'if' or 'unless' followed by a condition (got '${ctx.arg(3)}').`,
    );
    return true;
  }
  px.services ??= [];
  px.services.push({ pos: ctx.pos, service: 'prometheus-exporter', ...(cond ? { cond } : {}) });
  return true;
}

/** Passthrough keywords that change nothing a client or an operator sees. */
const DESCRIPTIVE = new Set(['description', 'id', 'guid', 'declare', 'bind-process', 'fullconn']);

function removedTimeout(ctx: LineCtx, which: keyof Timeouts): void {
  ctx.error(
    'HAP_REMOVED_KEYWORD',
    `the '${ctx.words[0]}' directive is not supported anymore since HAProxy 2.1. Use 'timeout ${which}'.`,
  );
}

const OPTION_LIST = { names: OPTION_NAMES };
