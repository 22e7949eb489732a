// One proxy section's `http-request`, `http-response` and `http-after-response` rules,
// compiled once per config and run on each message as HAProxy 2.6 runs them: in order,
// a rule whose condition is false is skipped, `allow` ends this section's list, a final
// action (deny, tarpit, return, redirect) ends everything with the answer it builds, and
// the edits change the head that later rules, ACLs and the next hop see. Pure.

import type {
  HttpReplySpec,
  HttpRule,
  HttpRuleAction,
} from '../../config/haproxy/http-rule-model.js';
import type { Acl, ErrorFileReply } from '../../config/haproxy/model.js';
import type { ConnectionFacts, Userlists } from '../acl.js';
import { compileCondition } from '../acl.js';
import type { Sample } from '../sample/sample.js';
import { str } from '../sample/sample.js';
import type { HeaderList, RequestHead, ResponseHead } from './http-head.js';
import { RULE_ERROR_PAGES, reasonOf } from './http-replies.js';
import type { SampleScope } from './samples.js';
import { evalFormat, evalSample, sampleOf } from './samples.js';

/** An answer a rule built: what goes to the client instead of the server's response. */
export interface RuleReply {
  readonly status: number;
  readonly reason: string;
  readonly headers: [string, string][];
  readonly body: string;
  /** Bytes HAProxy's log counts that are not sent (the content-length of a 204). */
  readonly logExtra?: number;
  /** One of HAProxy's built-in pages (deny or tarpit without a body). */
  readonly page?: boolean;
  /** An errorfile's reply, sent as written; null: an empty file (nothing is sent). */
  readonly file?: ErrorFileReply | null;
}

/** What a final rule decided; `tarpit` waits `timeout tarpit` before its reply. */
export interface RuleVerdict {
  /** `reject` closes the connection; its reply is never sent. */
  readonly action: 'deny' | 'tarpit' | 'return' | 'redirect' | 'auth' | 'reject';
  readonly reply: RuleReply;
  /** The rule's line, for messages. */
  readonly rule: HttpRule;
}

interface Compiled {
  readonly rule: HttpRule;
  readonly test: (f: ConnectionFacts) => boolean;
}

/** The facts and sample scope of one message under rules. */
export interface RuleInput {
  readonly facts: ConnectionFacts;
  readonly scope: SampleScope;
  /**
   * `set-src` and the other address actions: the connection takes `value` (an address, or
   * a port for the -port ones) when it is one.
   */
  readonly setAddress?: (
    which: 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port',
    value: string,
  ) => void;
  /** `track-scN KEY [table T]`: count this request in table T's entry for KEY. */
  /** A connection's address (tcp-request rules) or a rule's sample, cast to the table's type. */
  readonly track?: (slot: number, table: string, key: string | Sample) => void;
}

/**
 * The reply `spec` makes for this message: HAProxy's page (`errorPage`; the exchange then
 * gives way to the proxy's own reply for the status), an errorfile's bytes, or a reply
 * built from status, `hdr` lines (an empty value adds no header) and payload.
 */
export function buildReply(spec: HttpReplySpec, scope: SampleScope): RuleReply {
  const page = spec.errorPage ? RULE_ERROR_PAGES[spec.status] : undefined;
  if (page)
    return {
      status: page.status,
      reason: page.reason,
      headers: page.headers.map(([k, v]) => [k, v]),
      body: page.body,
      page: true,
    };
  const body = spec.body;
  if (body?.kind === 'errorfile')
    return {
      status: spec.status,
      reason: body.file?.reason ?? '',
      headers: [],
      body: '',
      page: false,
      file: body.file ?? null,
    };
  const headers: [string, string][] = [];
  for (const [n, f] of spec.headers) {
    const v = evalFormat(f, scope);
    if (v !== '') headers.push([n, v]);
  }
  const text =
    body === undefined ? '' : body.kind === 'string' ? body.text : evalFormat(body.format, scope);
  // A 204 or 304 has no body: HAProxy's h1 layer drops its `content-length: 0`, which
  // its log still counts (15 bytes of HTX).
  const bodyless = spec.status === 204 || spec.status === 304;
  if (!bodyless) headers.push(['content-length', String(Buffer.byteLength(text, 'latin1'))]);
  if (text !== '' && spec.contentType !== undefined)
    headers.push(['content-type', spec.contentType]);
  return {
    status: spec.status,
    reason: reasonOf(spec.status),
    headers,
    body: text,
    page: false,
    ...(bodyless ? { logExtra: 15 } : {}),
  };
}

/** The (unsent) reply of a `reject` verdict. */
const REJECTED: RuleReply = { status: -1, reason: '', headers: [], body: '', page: false };

/** `http-request auth`: HAProxy's 401 page and its challenge, after the page's headers. */
function authReply(realm: string): RuleReply {
  const page = RULE_ERROR_PAGES[401]!;
  return {
    status: 401,
    reason: page.reason,
    headers: [
      ...page.headers.map(([k, v]) => [k, v] as [string, string]),
      ['www-authenticate', `Basic realm="${realm}"`],
    ],
    body: page.body,
    page: true,
  };
}

/** HAProxy's redirect reasons; 301 and 308 (permanent) go without `cache-control`. */
const REDIRECT_REASONS: Readonly<Record<number, string>> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};

function redirectReply(
  a: Extract<HttpRuleAction, { type: 'redirect' }>,
  scope: SampleScope,
): RuleReply {
  const req = scope.req;
  const target = evalFormat(a.target, scope);
  let rest = req.path;
  if (a.appendSlash && a.dropQuery && !rest.endsWith('/')) rest += '/';
  if (!a.dropQuery && req.query !== undefined) rest += `?${req.query}`;
  let location = target;
  if (a.how === 'prefix') location = target === '/' ? rest : target + rest;
  else if (a.how === 'scheme') location = `${target}://${req.header('host')[0] ?? ''}${rest}`;
  const headers: [string, string][] = [
    ['content-length', '0'],
    ['location', location],
  ];
  if (a.code !== 301 && a.code !== 308) headers.push(['cache-control', 'no-cache']);
  return {
    status: a.code,
    reason: REDIRECT_REASONS[a.code] ?? reasonOf(a.code),
    headers,
    body: '',
    page: false,
  };
}

// Rule regexes come from the config: compiled once each, not per request.
const regexes = new Map<string, RegExp>();
function regexOf(source: string, flags = ''): RegExp {
  const key = `${flags}/${source}`;
  let re = regexes.get(key);
  if (!re) {
    re = new RegExp(source, flags);
    regexes.set(key, re);
  }
  return re;
}

/** `\1`..`\9` in a replacement: the groups of the match; the whole value is replaced. */
function expandGroups(replacement: string, m: RegExpExecArray): string {
  return replacement.replace(/\\([0-9])/g, (_x, d: string) => m[Number(d)] ?? '');
}

const DEL_MATCH = {
  str: (n: string, w: string) => n === w,
  beg: (n: string, w: string) => n.startsWith(w),
  end: (n: string, w: string) => n.endsWith(w),
  sub: (n: string, w: string) => n.includes(w),
};

/** Header edits, shared by request and response rules. */
function editHeaders(a: HttpRuleAction, headers: HeaderList, scope: SampleScope): boolean {
  switch (a.type) {
    case 'set-header':
      headers.set(a.name, evalFormat(a.value, scope));
      return true;
    case 'add-header':
      headers.add(a.name, evalFormat(a.value, scope));
      return true;
    case 'del-header': {
      if (a.match === 'reg') {
        const re = regexOf(a.name, 'i');
        headers.delete((n) => re.test(n));
      } else {
        const m = DEL_MATCH[a.match];
        headers.delete((n) => m(n, a.name));
      }
      return true;
    }
    case 'replace-header':
    case 'replace-value': {
      const re = regexOf(a.regex);
      const replacement = evalFormat(a.replace, scope);
      const one = (v: string) => {
        const m = re.exec(v);
        return m ? expandGroups(replacement, m) : v;
      };
      // replace-value: each comma-separated value on its own; one it rewrites loses the
      // blanks around it, the others stay as they were ("a, b, a" -> "z, b,z").
      const each = (v: string) =>
        v
          .split(',')
          .map((part) => {
            const m = re.exec(part.trim());
            return m ? expandGroups(replacement, m) : part;
          })
          .join(',');
      headers.map(a.name, a.type === 'replace-header' ? one : each);
      return true;
    }
    default:
      return false;
  }
}

/** `capture EXPR len|id N`; false for another action. A slot that is not there takes nothing. */
function capture(a: HttpRuleAction, scope: SampleScope, side: 'request' | 'response'): boolean {
  if (a.type !== 'capture') return false;
  const v = evalSample(a.expr, scope);
  if (v !== undefined) scope.captures?.set(side, a.slot, v);
  return true;
}

/** set-var, set-var-fmt, unset-var; false for another action. An empty sample sets nothing. */
function setVariable(a: HttpRuleAction, scope: SampleScope): boolean {
  const vars = scope.req.vars;
  if (a.type === 'set-var') {
    const v = sampleOf(a.expr, scope);
    if (v !== undefined) vars?.set(a.name, v);
    return true;
  }
  if (a.type === 'set-var-fmt') {
    vars?.set(a.name, str(evalFormat(a.format, scope, false)));
    return true;
  }
  if (a.type === 'unset-var') {
    vars?.unset(a.name);
    return true;
  }
  return false;
}

function editRequestLine(a: HttpRuleAction, req: RequestHead, scope: SampleScope): void {
  if (a.type === 'replace-path' || a.type === 'replace-pathq' || a.type === 'replace-uri') {
    const pq = req.path + (req.query === undefined ? '' : `?${req.query}`);
    const part = a.type === 'replace-path' ? req.path : a.type === 'replace-pathq' ? pq : req.url;
    const m = regexOf(a.regex).exec(part);
    if (!m) return;
    const v = expandGroups(evalFormat(a.replace, scope), m);
    if (a.type === 'replace-path') req.setPath(v);
    else if (a.type === 'replace-pathq') req.setPathQuery(v);
    else req.url = v;
    return;
  }
  if (!('value' in a) || a.type === 'set-header' || a.type === 'add-header') return;
  const v = evalFormat(a.value, scope);
  if (a.type === 'set-path') req.setPath(v);
  else if (a.type === 'set-pathq') req.setPathQuery(v);
  else if (a.type === 'set-query') req.setQuery(v);
  else if (a.type === 'set-uri') req.url = v;
  else if (a.type === 'set-method') req.method = v;
}

export class HttpRuleSet {
  private readonly request: Compiled[];
  private readonly redirect: Compiled[];
  private readonly response: Compiled[];
  private readonly afterResponse: Compiled[];

  constructor(
    rules: {
      readonly request: readonly HttpRule[];
      readonly redirect: readonly HttpRule[];
      readonly response: readonly HttpRule[];
      readonly afterResponse: readonly HttpRule[];
    },
    acls: readonly Acl[],
    userlists?: Userlists,
    /** The proxy the rules belong to: its table is the one `track-sc` uses by default. */
    private readonly owner = '',
  ) {
    const compile = (list: readonly HttpRule[]) =>
      list.map((rule) => ({
        rule,
        test: rule.cond
          ? compileCondition(rule.cond, rule.acls ?? acls, userlists).test
          : () => true,
      }));
    this.request = compile(rules.request);
    this.redirect = compile(rules.redirect);
    this.response = compile(rules.response);
    this.afterResponse = compile(rules.afterResponse);
  }

  get hasRequest(): boolean {
    return this.request.length > 0 || this.redirect.length > 0;
  }

  get hasResponse(): boolean {
    return this.response.length > 0 || this.afterResponse.length > 0;
  }

  /** http-request rules on `scope.req`: a verdict when a final rule answered. */
  runRequest(input: RuleInput): RuleVerdict | undefined {
    return this.runRequestRules(input) ?? this.runRedirects(input);
  }

  /** `redirect` rules: the first that matches answers. */
  private runRedirects({ facts, scope }: RuleInput): RuleVerdict | undefined {
    for (const { rule, test } of this.redirect) {
      if (rule.action.type === 'redirect' && test(facts))
        return { action: 'redirect', reply: redirectReply(rule.action, scope), rule };
    }
    return undefined;
  }

  private runRequestRules(input: RuleInput): RuleVerdict | undefined {
    const { facts, scope } = input;
    for (const { rule, test } of this.request) {
      if (!test(facts)) continue;
      const a = rule.action;
      if (a.type === 'allow') return undefined;
      if (a.type === 'reject') return { action: 'reject', reply: REJECTED, rule };
      if (a.type === 'deny' || a.type === 'tarpit' || a.type === 'return')
        return { action: a.type, reply: buildReply(a.reply, scope), rule };
      if (a.type === 'auth') return { action: 'auth', reply: authReply(a.realm), rule };
      if (a.type === 'redirect')
        return { action: 'redirect', reply: redirectReply(a, scope), rule };
      if (setVariable(a, scope) || capture(a, scope, 'request')) continue;
      if (
        a.type === 'set-src' ||
        a.type === 'set-dst' ||
        a.type === 'set-src-port' ||
        a.type === 'set-dst-port'
      ) {
        const v = evalSample(a.expr, scope);
        if (v !== undefined) input.setAddress?.(a.type, v);
        continue;
      }
      if (a.type === 'track-sc') {
        const key = sampleOf(a.key, scope);
        if (key !== undefined) input.track?.(a.slot, a.table ?? this.owner, key);
        continue;
      }
      if (!editHeaders(a, scope.req.headers, scope)) editRequestLine(a, scope.req, scope);
    }
    return undefined;
  }

  /** http-response rules on `res`: a verdict when `deny` answered instead. */
  runResponse(input: RuleInput, res: ResponseHead): RuleVerdict | undefined {
    return this.runOnResponse(this.response, input, res);
  }

  /** http-after-response rules: on every response, the proxy's own ones included. */
  runAfterResponse(input: RuleInput, res: ResponseHead): void {
    this.runOnResponse(this.afterResponse, input, res);
  }

  private runOnResponse(
    list: readonly Compiled[],
    input: RuleInput,
    res: ResponseHead,
  ): RuleVerdict | undefined {
    const { facts, scope } = input;
    for (const { rule, test } of list) {
      if (!test(facts)) continue;
      const a = rule.action;
      if (a.type === 'allow') return undefined;
      if (a.type === 'deny') return { action: 'deny', reply: buildReply(a.reply, scope), rule };
      if (a.type === 'set-status') {
        res.status = a.status;
        res.reason = a.reason ?? reasonOf(a.status);
        continue;
      }
      if (setVariable(a, scope) || capture(a, scope, 'response')) continue;
      editHeaders(a, res.headers, scope);
    }
    return undefined;
  }
}
