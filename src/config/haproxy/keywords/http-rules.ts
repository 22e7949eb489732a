// `http-request`, `http-response` and `http-after-response` rules halo runs: the actions as
// HAProxy 2.6 parses them, each into an HttpRule, with HAProxy's error messages. A rule
// whose action is not in ACTIONS (or uses an argument halo does not apply yet, such as
// `errorfile` or `set-cookie`) returns false and goes to the not-applied checks.

import type { LineCtx, ProxyDraft } from '../draft.js';
import { parseReply, type ReplyPort, replyPort } from '../http-reply.js';
import type {
  HttpReplySpec,
  HttpRuleAction,
  HttpRuleKeyword,
  LogFormat,
  SampleExpr,
} from '../http-rule-model.js';
import { parseLogFormat } from '../log-format.js';
import type { Condition } from '../model.js';
import { captureSlots } from './captures.js';
import { parseCondition } from './condition.js';
import { parseTrack } from './stick-table.js';

type Parsed = { action: HttpRuleAction; next: number } | 'unsupported' | 'error';
type ActionParser = (p: RuleParser) => Parsed;

const HEADER_EDITS = ['set-header', 'add-header', 'del-header', 'replace-header', 'replace-value'];

const VAR_ACTIONS = ['set-var', 'set-var-fmt', 'unset-var'];
const TRACK_ACTIONS = ['track-sc0', 'track-sc1', 'track-sc2'];
const ADDRESS_ACTIONS = ['set-src', 'set-dst', 'set-src-port', 'set-dst-port'];

/** The actions halo runs, per rule keyword. */
const ACTIONS: Record<HttpRuleKeyword, readonly string[]> = {
  'http-request': [
    'allow',
    'reject',
    'auth',
    'deny',
    'tarpit',
    'return',
    'redirect',
    ...HEADER_EDITS,
    'set-path',
    'set-pathq',
    'set-query',
    'set-uri',
    'set-method',
    'replace-path',
    'replace-pathq',
    'replace-uri',
    ...VAR_ACTIONS,
    ...TRACK_ACTIONS,
    'capture',
    ...ADDRESS_ACTIONS,
  ],
  'http-response': ['allow', 'deny', ...HEADER_EDITS, 'set-status', ...VAR_ACTIONS, 'capture'],
  'http-after-response': ['allow', ...HEADER_EDITS, 'set-status', ...VAR_ACTIONS],
  redirect: ['redirect'],
};

const REDIRECT_CODES = [301, 302, 303, 307, 308];

const REQ_HEADERS = 'HTTP request headers';
/** What an HTTP fetch needs, in HAProxy's words: a rule on the other side cannot use it. */
export const FETCH_NEEDS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'path',
      'pathq',
      'query',
      'url',
      'base',
      'hdr',
      'req.hdr',
      'req.fhdr',
      'hdr_cnt',
      'req.hdr_cnt',
      'req.ver',
      'req_ver',
      'url_param',
      'urlp',
      'urlp_val',
      'cook',
      'cook_cnt',
      'cook_val',
      'req.cook',
      'req.cook_cnt',
      'req.cook_val',
      'hdr_ip',
      'hdr_val',
      'req.hdr_ip',
      'req.hdr_val',
      'req.fhdr_cnt',
    ].map((n) => [n, REQ_HEADERS]),
  ),
  status: 'HTTP response',
  srv_name: 'server',
  ...Object.fromEntries(
    [
      'res.hdr',
      'res.hdr_cnt',
      'res.hdr_ip',
      'res.hdr_val',
      'shdr',
      'shdr_cnt',
      'shdr_ip',
      'shdr_val',
      'res.fhdr',
      'res.fhdr_cnt',
      'res.ver',
      'resp_ver',
      'res.cook',
      'res.cook_cnt',
      'res.cook_val',
      'scook',
      'scook_cnt',
      'scook_val',
    ].map((n) => [n, 'HTTP response headers']),
  ),
};

const ACL_SUFFIXES = /_(beg|end|sub|dir|dom|reg|len|cnt|found|ip|val)$/;

/** An ACL criterion's fetch: `path_beg` -> `path`, `hdr_sub(host)` -> `hdr`. */
function fetchOf(criterion: string): string {
  const name = criterion.replace(/\(.*$/, '');
  if (FETCH_NEEDS[name]) return name;
  const stem = name.replace(ACL_SUFFIXES, '');
  return FETCH_NEEDS[stem] ? stem : name;
}

class RuleParser {
  constructor(
    readonly ctx: LineCtx,
    readonly px: ProxyDraft,
    readonly keyword: HttpRuleKeyword,
  ) {}

  get action(): string {
    return this.ctx.arg(1);
  }

  /** HAProxy's prefix for rule errors. */
  fail(message: string): 'error' {
    const rule = this.keyword === 'redirect' ? 'redirect' : `${this.keyword} ${this.action}`;
    this.ctx.error(
      'HAP_BAD_RULE',
      `error detected in ${this.px.kind} '${this.px.name}' while parsing '${rule}' rule : ${message}`,
    );
    return 'error';
  }

  /** Words from `from` up to the condition (`if`/`unless`) or the end. */
  argsFrom(from: number): string[] {
    const out: string[] = [];
    for (let i = from; i < this.ctx.words.length; i++) {
      const w = this.ctx.words[i]!;
      if (w === 'if' || w === 'unless') break;
      out.push(w);
    }
    return out;
  }

  /** Whether a fetch needing `need` cannot be used by this rule's keyword. */
  otherSide(need: string | undefined): boolean {
    if (need === undefined) return false;
    const request = this.keyword === 'http-request' || this.keyword === 'redirect';
    return request ? need !== REQ_HEADERS : need === REQ_HEADERS;
  }

  format(text: string): LogFormat | 'error' {
    const f = parseLogFormat(text, this.ctx.files);
    if (typeof f === 'string') return this.fail(`${f}.`);
    for (const n of f) {
      if (n.kind !== 'sample') continue;
      const need = FETCH_NEEDS[n.expr.fetch];
      if (this.otherSide(need))
        return this.fail(
          `sample fetch <${n.expr.text}]> may not be reliably used here because it needs '${need}' which is not available here.`,
        );
    }
    return f;
  }

  /** Exactly `n` arguments after the action, as `set-header` and the others want. */
  exactly(n: number): string[] | 'error' {
    const args = this.argsFrom(2);
    if (args.length !== n) return this.fail(`expects exactly ${n} argument${n === 1 ? '' : 's'}.`);
    return args;
  }
}

function status(p: RuleParser, word: string, min = 200, max = 599): number | 'error' {
  const n = Number(word);
  if (!/^\d+$/.test(word) || n < min || n > max) return p.fail(`Unexpected status code '${word}'.`);
  return n;
}

/** deny, tarpit, return: HAProxy's http-reply arguments (config/haproxy/http-reply.ts). */
function reply(p: RuleParser, defaultStatus: number): Parsed {
  const args = p.argsFrom(2);
  const type = p.action as 'deny' | 'tarpit' | 'return';
  const port: ReplyPort = {
    ...replyPort(p.ctx, (m) => p.fail(`${m}.`)),
    format: (text) => p.format(text),
  };
  // A deny or tarpit with no argument, or only `deny_status N`: the proxy's error reply
  // for the status, as `default-errorfiles` would say.
  const legacy =
    type !== 'return' && (args.length === 0 || (args.length === 2 && args[0] === 'deny_status'));
  const words = legacy
    ? [...(args.length ? ['status', args[1]!] : []), 'default-errorfiles']
    : args;
  const statusWords = type === 'return' ? ['status'] : ['status', 'deny_status'];
  const r = parseReply(port, words, defaultStatus, statusWords);
  if (r === 'error') return r;
  return { action: { type, reply: r.spec }, next: 2 + (legacy ? args.length : r.used) };
}

function redirect(p: RuleParser): Parsed {
  const args = p.argsFrom(2);
  const how = args[0];
  if (how !== 'location' && how !== 'prefix' && how !== 'scheme')
    return p.fail(
      `expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (got '${how ?? ''}').`,
    );
  if (args[1] === undefined) return p.fail(`missing argument for '${how}'.`);
  const target = p.format(args[1]);
  if (target === 'error') return target;
  let code = 302;
  let dropQuery = false;
  let appendSlash = false;
  for (let i = 2; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'code') {
      const n = Number(args[i + 1]);
      if (!REDIRECT_CODES.includes(n))
        return p.fail(
          `'code': unsupported HTTP code '${args[i + 1] ?? ''}' (must be one of 301, 302, 303, 307 or 308).`,
        );
      code = n;
      i++;
    } else if (w === 'drop-query') dropQuery = true;
    else if (w === 'append-slash') appendSlash = true;
    else return 'unsupported'; // set-cookie, clear-cookie, ignore-empty
  }
  return {
    action: { type: 'redirect', how, target, code, dropQuery, appendSlash },
    next: 2 + args.length,
  };
}

const MATCHES = ['str', 'beg', 'end', 'sub', 'reg'] as const;

const VAR_SCOPES = ['proc', 'sess', 'txn', 'req', 'res', 'check'];

/** The variable of `set-var(NAME[,COND...])`, checked as HAProxy checks it. */
function variableOf(p: RuleParser): string | 'error' | 'unsupported' {
  const inner = /\((.*)\)$/.exec(p.action)?.[1] ?? '';
  const [name, ...conds] = inner.split(',');
  const scope = (name ?? '').split('.')[0] ?? '';
  if (!VAR_SCOPES.includes(scope) || !(name ?? '').includes('.'))
    return p.fail(
      `invalid variable name '${name}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'.`,
    );
  // Conditions on the variable (ifexists, ifgt...) are not applied yet.
  if (conds.length > 0) return 'unsupported';
  return name!;
}

function setVar(p: RuleParser): Parsed {
  const name = variableOf(p);
  if (name === 'error' || name === 'unsupported') return name;
  const args = p.argsFrom(2);
  if (args.length === 0) return p.fail('missing fetch method.');
  const f = p.format(`%[${args[0]}]`);
  if (f === 'error') return f;
  const node = f[0];
  if (f.length !== 1 || node?.kind !== 'sample') return p.fail(`invalid expression '${args[0]}'.`);
  return { action: { type: 'set-var', name, expr: node.expr }, next: 3 };
}

/** One sample expression argument (not a log-format string), with HAProxy's messages. */
function expression(p: RuleParser, text: string): SampleExpr | 'error' {
  const f = parseLogFormat(`%[${text}]`, p.ctx.files);
  if (typeof f === 'string') return p.fail(`${f}.`);
  const node = f[0];
  if (f.length !== 1 || node?.kind !== 'sample') return p.fail(`invalid expression '${text}'.`);
  const need = FETCH_NEEDS[node.expr.fetch];
  if (p.otherSide(need))
    return p.fail(
      `fetch method '${node.expr.text}' extracts information from '${need}', none of which is available here.`,
    );
  return node.expr;
}

/** `http-request capture EXPR len N|id N`, `http-response capture EXPR id N`. */
function capture(p: RuleParser): Parsed {
  const request = p.keyword === 'http-request';
  const usage = request
    ? "expects <expression> [ 'len' <length> | id <idx> ]."
    : 'expects <expression> id <idx>.';
  const args = p.argsFrom(2);
  if (args.length < 3) return p.fail(usage);
  const expr = expression(p, args[0]!);
  if (expr === 'error') return expr;
  const [, how, value] = args as [string, string, string];
  if (request && p.px.kind === 'backend')
    return p.fail(`proxy '${p.px.name}' has no frontend capability.`);
  if (how === 'id' || !request) {
    if (how !== 'id') return p.fail(`expects 'id', found '${how}'.`);
    if (!/^\d+$/.test(value)) return p.fail(`cannot parse id '${value}'.`);
    return { action: { type: 'capture', expr, slot: Number(value) }, next: 5 };
  }
  if (how !== 'len') return p.fail(`expects 'len' or 'id', found '${how}'.`);
  const len = Number.parseInt(value, 10) || 0;
  if (len <= 0) return p.fail('length must be > 0.');
  const slots = captureSlots(p.px, 'request');
  slots.push({ len });
  return { action: { type: 'capture', expr, slot: slots.length - 1 }, next: 5 };
}

/** `set-src|set-dst|set-src-port|set-dst-port EXPR`. */
function setAddress(p: RuleParser): Parsed {
  const args = p.argsFrom(2);
  if (args.length === 0) return p.fail('missing fetch method.');
  const expr = expression(p, args[0]!);
  if (expr === 'error') return expr;
  return { action: { type: p.action as 'set-src', expr }, next: 3 };
}

const PARSERS: Record<string, ActionParser> = {
  capture,
  ...Object.fromEntries(ADDRESS_ACTIONS.map((a) => [a, setAddress])),
  allow: () => ({ action: { type: 'allow' }, next: 2 }),
  reject: () => ({ action: { type: 'reject' }, next: 2 }),
  auth: (p) => {
    if (p.ctx.arg(2) !== 'realm') return { action: { type: 'auth', realm: p.px.name }, next: 2 };
    if (p.ctx.arg(3) === '') return p.fail('missing realm value.');
    return { action: { type: 'auth', realm: p.ctx.arg(3) }, next: 4 };
  },
  deny: (p) => reply(p, p.keyword === 'http-request' ? 403 : 502),
  tarpit: (p) => reply(p, 500),
  return: (p) => reply(p, 200),
  redirect,
  'set-header': headerSet,
  'add-header': headerSet,
  'del-header': (p) => {
    const args = p.argsFrom(2);
    let match: (typeof MATCHES)[number] = 'str';
    if (args.length === 3 && args[1] === '-m') {
      const m = MATCHES.find((x) => x === args[2]);
      if (!m) return p.fail(`-m with unsupported matching method '${args[2]}'.`);
      match = m;
    } else if (args.length !== 1) return p.fail('expects exactly 1 arguments.');
    return {
      // A regex keeps its case (`\D` is not `\d`); it is matched without case.
      action: {
        type: 'del-header',
        name: match === 'reg' ? args[0]! : args[0]!.toLowerCase(),
        match,
      },
      next: 2 + args.length,
    };
  },
  'replace-header': headerReplace,
  'replace-value': headerReplace,
  'set-path': lineSet,
  'set-pathq': lineSet,
  'set-query': lineSet,
  'set-uri': lineSet,
  'set-method': lineSet,
  'replace-path': lineReplace,
  'replace-pathq': lineReplace,
  'replace-uri': lineReplace,
  'set-var': setVar,
  ...Object.fromEntries(
    TRACK_ACTIONS.map((a) => [
      a,
      (p: RuleParser): Parsed => {
        const t = parseTrack(p.ctx, 1);
        if (t === 'error' || t === undefined) return 'error';
        const { next, ...track } = t;
        return { action: { type: 'track-sc', ...track }, next };
      },
    ]),
  ),
  'set-var-fmt': (p) => {
    const name = variableOf(p);
    if (name === 'error' || name === 'unsupported') return name;
    const args = p.exactly(1);
    if (args === 'error') return args;
    const format = p.format(args[0]!);
    if (format === 'error') return format;
    return { action: { type: 'set-var-fmt', name, format }, next: 3 };
  },
  'unset-var': (p) => {
    const name = variableOf(p);
    if (name === 'error' || name === 'unsupported') return name;
    return { action: { type: 'unset-var', name }, next: 2 };
  },
  'set-status': (p) => {
    const args = p.argsFrom(2);
    if (args.length === 0)
      return p.fail('expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>.');
    const s = status(p, args[0]!, 100, 999);
    if (s === 'error') return s;
    if (args.length === 3 && args[1] === 'reason')
      return { action: { type: 'set-status', status: s, reason: args[2]! }, next: 5 };
    if (args.length !== 1)
      return p.fail('expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>.');
    return { action: { type: 'set-status', status: s }, next: 3 };
  },
};

function headerSet(p: RuleParser): Parsed {
  const args = p.exactly(2);
  if (args === 'error') return args;
  const value = p.format(args[1]!);
  if (value === 'error') return value;
  return {
    action: {
      type: p.action as 'set-header' | 'add-header',
      name: args[0]!.toLowerCase(),
      value,
    },
    next: 4,
  };
}

function headerReplace(p: RuleParser): Parsed {
  const args = p.exactly(3);
  if (args === 'error') return args;
  try {
    new RegExp(args[1]!);
  } catch (err) {
    return p.fail(`invalid regex '${args[1]}': ${(err as Error).message}.`);
  }
  const replace = p.format(args[2]!);
  if (replace === 'error') return replace;
  return {
    action: {
      type: p.action as 'replace-header' | 'replace-value',
      name: args[0]!.toLowerCase(),
      regex: args[1]!,
      replace,
    },
    next: 5,
  };
}

function lineReplace(p: RuleParser): Parsed {
  const args = p.exactly(2);
  if (args === 'error') return args;
  try {
    new RegExp(args[0]!);
  } catch (err) {
    return p.fail(`invalid regex '${args[0]}': ${(err as Error).message}.`);
  }
  const replace = p.format(args[1]!);
  if (replace === 'error') return replace;
  return {
    action: {
      type: p.action as 'replace-path' | 'replace-pathq' | 'replace-uri',
      regex: args[0]!,
      replace,
    },
    next: 4,
  };
}

function lineSet(p: RuleParser): Parsed {
  const args = p.exactly(1);
  if (args === 'error') return args;
  const value = p.format(args[0]!);
  if (value === 'error') return value;
  return {
    action: { type: p.action as 'set-path', value },
    next: 3,
  };
}

/**
 * Parses one rule line of a frontend, backend or listen section into `px.httpRules`.
 * False when halo does not run this action (the caller refuses or warns); true when the
 * line was taken, with or without errors.
 */
export function parseHttpRule(
  line: LineCtx,
  px: ProxyDraft,
  keyword: HttpRuleKeyword,
  known: (name: string) => boolean,
): boolean {
  // `redirect ARGS` reads as `http-request redirect ARGS` would (its action word doubled).
  const words = keyword === 'redirect' ? ['redirect', ...line.words] : line.words;
  const ctx: LineCtx =
    keyword === 'redirect' ? { ...line, words, arg: (i) => words[i] ?? '' } : line;
  const action = ctx.arg(1);
  // `set-var(txn.x)`: the action's name, then its variable in parentheses.
  const base = /^(set-var|set-var-fmt|unset-var)\(.*\)$/.exec(action)?.[1] ?? action;
  if (!ACTIONS[keyword].includes(base)) return false;
  const p = new RuleParser(ctx, px, keyword);
  const parsed = PARSERS[base]!(p);
  if (parsed === 'unsupported') return false;
  if (parsed === 'error') return true;
  const cond = parseCondition(ctx, parsed.next, known, `a '${keyword} ${action}' rule`);
  if (cond === 'error') {
    ctx.error(
      'HAP_BAD_RULE',
      `'${keyword} ${action}' expects either 'if' or 'unless' followed by a condition but found '${ctx.arg(parsed.next)}'.`,
    );
    return true;
  }
  if (cond) warnNeverMatching(p, cond);
  const rule = { pos: ctx.pos, keyword, action: parsed.action, ...(cond ? { cond } : {}) };
  px.httpRules ??= { request: [], redirect: [], response: [], afterResponse: [] };
  const lists = {
    'http-request': px.httpRules.request,
    redirect: px.httpRules.redirect,
    'http-response': px.httpRules.response,
    'http-after-response': px.httpRules.afterResponse,
  };
  const list = lists[keyword];
  list.push(rule);
  return true;
}

/**
 * HAProxy's warnings for ACLs that can never match in this rule: an anonymous one on a
 * fetch of the other side, a named one whose every declaration is. (At run time the
 * response side sees no request, and the request side no response.)
 */
function warnNeverMatching(p: RuleParser, cond: Condition): void {
  const side = p.keyword === 'http-request' || p.keyword === 'redirect' ? 'request' : 'response';
  const where = `${p.px.kind} http-${side} header rule`;
  const incompatible = (criterion: string) => p.otherSide(FETCH_NEEDS[fetchOf(criterion)]);
  for (const and of cond.terms)
    for (const { name } of and) {
      if (name.startsWith('{')) {
        const criterion = name.slice(1, -1).trim().split(/\s+/)[0] ?? '';
        if (incompatible(criterion))
          p.ctx.warning(
            'HAP_ACL_NEVER_MATCHES',
            `anonymous acl will never match because it uses keyword '${fetchOf(criterion)}' which is incompatible with '${where}'`,
          );
        continue;
      }
      const decls = p.px.acls.filter((a) => a.name === name);
      if (decls.length > 0 && decls.every((a) => incompatible(a.criterion)))
        p.ctx.warning(
          'HAP_ACL_NEVER_MATCHES',
          `acl '${name}' will never match because it only involves keywords that are incompatible with '${where}'`,
        );
    }
}
