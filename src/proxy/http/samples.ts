// Sample expressions and log variables as HTTP rules' log-format arguments, set-var and
// log-format lines use them (`set-header X-Client %[src]`, `%[req.hdr(host),lower]`,
// `%ci:%cp`), evaluated on one request (and its response, for http-response rules) with
// the fetches and converters of proxy/sample/. Only what is listed there is evaluated;
// condition-checks.ts refuses a config that names anything else, at its line. Pure: the
// connection, TLS and process facts come in through SampleScope.

import type { LogFormat, SampleExpr } from '../../config/haproxy/http-rule-model.js';
import { stickFetch } from '../acl.js';
import type { RunConverter } from '../sample/converter-types.js';
import { buildConverter, whyNotEvaluated } from '../sample/converters.js';
import { toBytes } from '../sample/converters-string.js';
import { FETCHES, stickSample } from '../sample/fetches.js';
import type { Sample } from '../sample/sample.js';
import { sampleText } from '../sample/sample.js';
import type { SampleScope } from '../sample/scope.js';
import { HeaderList, RequestHead } from './http-head.js';

export type { SampleScope } from '../sample/scope.js';

const VARS: Readonly<Record<string, (s: SampleScope) => string>> = {
  ci: (s) => s.conn.clientIp,
  cp: (s) => String(s.conn.clientPort),
  fi: (s) => s.conn.localIp,
  fp: (s) => String(s.conn.localPort),
  f: (s) => s.frontend,
  ft: (s) => (s.frontendTls ? `${s.frontend}~` : s.frontend),
  b: (s) => s.backend,
};

/** Why a fetch with these arguments is not evaluated as HAProxy does, or undefined. */
function fetchProblem(expr: SampleExpr): string | undefined {
  const a = expr.args;
  if (!FETCHES[expr.fetch]) return stickFetch(expr.fetch, a.join(',')) ? undefined : 'unknown';
  if (expr.fetch === 'ssl_c_s_dn' && a.length > 0) return 'with arguments';
  if (expr.fetch === 'date' && a[1] === 'us') return 'in microseconds';
  if (expr.fetch === 'nbsrv' && (a[0] ?? '') === '') return "without a backend's name";
  return undefined;
}

/** The fetches and converters of `expr` that halo does not evaluate. */
export function unevaluatedIn(expr: SampleExpr): string[] {
  const out: string[] = [];
  if (fetchProblem(expr)) out.push(expr.fetch);
  for (const c of expr.convs) if (whyNotEvaluated(c)) out.push(c.name);
  return out;
}

/** The fetches, converters and variables of `format` that halo does not evaluate. */
export function unevaluated(format: LogFormat): string[] {
  const out: string[] = [];
  for (const n of format) {
    if (n.kind === 'var' && !VARS[n.name]) out.push(`%${n.name}`);
    if (n.kind === 'sample') out.push(...unevaluatedIn(n.expr));
  }
  return out;
}

interface Compiled {
  one(s: SampleScope): Sample | undefined;
  all(s: SampleScope): Sample[];
}

const compiled = new WeakMap<SampleExpr, Compiled>();

function compile(expr: SampleExpr): Compiled {
  const fetch = FETCHES[expr.fetch];
  const convs = expr.convs.map(buildConverter).filter((c): c is RunConverter => c !== undefined);
  const through = (v: Sample | undefined, s: SampleScope): Sample | undefined => {
    let out = v;
    const env = { vars: s.req.vars, localOffset: s.localOffset };
    for (const c of convs) {
      if (out === undefined) return undefined;
      out = c(out, env);
    }
    return out;
  };
  const one = (s: SampleScope) =>
    through(fetch ? fetch.one(s, expr.args) : stickSample(expr.fetch, expr.args, s), s);
  return {
    one,
    all: (s) => {
      if (!fetch?.all) {
        const v = one(s);
        return v === undefined ? [] : [v];
      }
      return fetch.all(s, expr.args).flatMap((v) => {
        const r = through(v, s);
        return r === undefined ? [] : [r];
      });
    },
  };
}

function compiledOf(expr: SampleExpr): Compiled {
  let c = compiled.get(expr);
  if (!c) {
    c = compile(expr);
    compiled.set(expr, c);
  }
  return c;
}

/** One expression's typed value, or undefined when the fetch finds nothing or a step fails. */
export function sampleOf(expr: SampleExpr, s: SampleScope): Sample | undefined {
  return compiledOf(expr).one(s);
}

/** Every value of an expression, as an ACL iterates over them (each header occurrence...). */
export function samplesOf(expr: SampleExpr, s: SampleScope): Sample[] {
  return compiledOf(expr).all(s);
}

/** One expression's value as text (cast to a string), or undefined. */
export function evalSample(expr: SampleExpr, s: SampleScope): string | undefined {
  return sampleText(sampleOf(expr, s));
}

/**
 * What HTTP rules' formats do to a sample's bytes (LOG_OPT_HTTP): the controls a header
 * cannot carry, 0x00-0x08, 0x0a-0x1f and 0x7f, as `%XX`.
 */
export function httpEncode(v: string): string {
  return v.replace(
    /[\x00-\x08\x0a-\x1f\x7f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/**
 * A log-format string's value as HTTP rules use it: a sample that finds nothing writes
 * nothing (HAProxy's logs write '-' there; its rule arguments, measured, do not). `http`:
 * an HTTP action's argument (header, line, reply), whose control bytes are `%XX`-encoded;
 * set-var-fmt's is not.
 */
export function evalFormat(format: LogFormat, s: SampleScope, http = true): string {
  let out = '';
  for (const n of format) {
    if (n.kind === 'text') out += toBytes(n.text);
    else if (n.kind === 'var') out += VARS[n.name]?.(s) ?? '';
    else {
      const v = evalSample(n.expr, s) ?? '';
      // Elsewhere the text is copied as a C string: it ends at a NUL byte.
      out += http ? httpEncode(v) : v.split('\0', 1)[0]!;
    }
  }
  return out;
}

/** A scope for a TCP session's log line: its addresses, no HTTP message. */
export function layer4Scope(
  conn: SampleScope['conn'],
  frontend: string,
  backend: string,
  extra: Partial<SampleScope> = {},
): SampleScope {
  return {
    ...extra,
    conn,
    ssl: undefined,
    req: new RequestHead('', '', '', new HeaderList()),
    frontend,
    frontendTls: false,
    backend,
  };
}
