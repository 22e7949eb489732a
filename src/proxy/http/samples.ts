// Sample fetches, converters and log variables as HTTP rules' log-format arguments use them
// (`set-header X-Client %[src]`, `%[req.hdr(host),lower]`, `%ci:%cp`), evaluated on one
// request (and its response, for http-response rules). Only what is listed here is
// evaluated; rule-checks.ts refuses a config that names anything else, at its line.
// Pure: the connection and TLS facts come in through SampleScope.

import type { LogFormat, SampleExpr } from '../../config/haproxy/http-rule-model.js';
import type { ConnectionFacts, StickFacts } from '../acl.js';
import { stickFetch } from '../acl.js';
import type { SslFacts } from '../tls/ssl-fetches.js';
import type { CaptureValues } from './captures.js';
import type { ResponseHead } from './http-head.js';
import { HeaderList, RequestHead } from './http-head.js';

/** What a sample may read for one request. */
export interface SampleScope {
  readonly conn: {
    readonly clientIp: string;
    readonly clientPort: number;
    readonly localIp: string;
    readonly localPort: number;
  };
  readonly ssl: SslFacts | undefined;
  readonly req: RequestHead;
  readonly res?: ResponseHead;
  readonly frontend: string;
  /** `~` after the frontend name on a TLS connection (`%ft`). */
  readonly frontendTls: boolean;
  readonly backend: string;
  /** Stick tables and what the request tracks, for `sc_*`/`src_*`. */
  readonly stick?: StickFacts;
  /** The request's capture slots (`capture.req.hdr(N)`, `http-request capture`). */
  readonly captures?: CaptureValues;
}

type Fetch = (s: SampleScope, args: readonly string[]) => string | undefined;

/** `hdr(name[,occ])`: occurrence `occ` (1 = first, -1 = last, the default). */
function occurrence(values: readonly string[], occ: string | undefined): string | undefined {
  if (values.length === 0) return undefined;
  const n = occ === undefined || occ.trim() === '' ? -1 : Number(occ);
  if (!Number.isInteger(n) || n === 0) return undefined;
  return n > 0 ? values[n - 1] : values[values.length + n];
}

/** Comma-separated values count as several occurrences for hdr(), not for fhdr(). */
const split = (values: readonly string[]) =>
  values.flatMap((v) => v.split(',').map((x) => x.trim()));

const reqHdr: Fetch = (s, a) => occurrence(split(s.req.header((a[0] ?? '').toLowerCase())), a[1]);
const reqFhdr: Fetch = (s, a) => occurrence(s.req.header((a[0] ?? '').toLowerCase()), a[1]);
const resHdr: Fetch = (s, a) =>
  s.res && occurrence(split(s.res.header((a[0] ?? '').toLowerCase())), a[1]);
const resFhdr: Fetch = (s, a) =>
  s.res && occurrence(s.res.header((a[0] ?? '').toLowerCase()), a[1]);
const bool = (b: boolean) => (b ? '1' : '0');

const FETCHES: Readonly<Record<string, Fetch>> = {
  src: (s) => s.conn.clientIp,
  // Port 0 (set-src-port to a non-number) is no port: the fetch finds nothing, as HAProxy's.
  src_port: (s) => (s.conn.clientPort ? String(s.conn.clientPort) : undefined),
  dst: (s) => s.conn.localIp,
  dst_port: (s) => (s.conn.localPort ? String(s.conn.localPort) : undefined),
  ssl_fc: (s) => bool(s.ssl !== undefined),
  ssl_fc_sni: (s) => (s.ssl?.sni ? s.ssl.sni : undefined),
  ssl_fc_protocol: (s) => s.ssl?.protocol,
  ssl_c_used: (s) => bool(s.ssl?.clientCertUsed === true),
  ssl_c_verify: (s) => (s.ssl ? String(s.ssl.clientVerify) : undefined),
  ssl_c_s_dn: (s) => (s.ssl?.clientDn ? s.ssl.clientDn : undefined),
  method: (s) => s.req.method,
  path: (s) => s.req.path,
  pathq: (s) => s.req.path + (s.req.query === undefined ? '' : `?${s.req.query}`),
  query: (s) => s.req.query,
  url: (s) => s.req.url,
  base: (s) => {
    const host = s.req.header('host')[0];
    return host === undefined ? s.req.path : host + s.req.path;
  },
  'req.ver': (s) => s.req.version,
  req_ver: (s) => s.req.version,
  hdr: reqHdr,
  'req.hdr': reqHdr,
  'req.fhdr': reqFhdr,
  hdr_cnt: (s, a) => String(split(s.req.header((a[0] ?? '').toLowerCase())).length),
  'req.hdr_cnt': (s, a) => String(split(s.req.header((a[0] ?? '').toLowerCase())).length),
  'res.hdr': resHdr,
  shdr: resHdr,
  'res.fhdr': resFhdr,
  status: (s) => (s.res ? String(s.res.status) : undefined),
  var: (s, a) => s.req.vars?.get((a[0] ?? '').trim()) ?? a[1],
  fe_name: (s) => s.frontend,
  be_name: (s) => s.backend,
  str: (_s, a) => a.join(','),
  'capture.req.hdr': (s, a) => s.captures?.request[Number(a[0] ?? '')],
  'capture.res.hdr': (s, a) => s.captures?.response[Number(a[0] ?? '')],
  int: (_s, a) => (a[0] !== undefined && /^-?\d+$/.test(a[0].trim()) ? a[0].trim() : undefined),
};

type Converter = (v: string, args: readonly string[]) => string | undefined;

const CONVERTERS: Readonly<Record<string, Converter>> = {
  lower: (v) => v.toLowerCase(),
  upper: (v) => v.toUpperCase(),
  length: (v) => String(Buffer.byteLength(v)),
  base64: (v) => Buffer.from(v, 'latin1').toString('base64'),
  hex: (v) => Buffer.from(v, 'latin1').toString('hex').toUpperCase(),
};

const VARS: Readonly<Record<string, (s: SampleScope) => string>> = {
  ci: (s) => s.conn.clientIp,
  cp: (s) => String(s.conn.clientPort),
  fi: (s) => s.conn.localIp,
  fp: (s) => String(s.conn.localPort),
  f: (s) => s.frontend,
  ft: (s) => (s.frontendTls ? `${s.frontend}~` : s.frontend),
  b: (s) => s.backend,
};

/** The fetches, converters and variables of `format` that halo does not evaluate. */
export function unevaluated(format: LogFormat): string[] {
  const out: string[] = [];
  for (const n of format) {
    if (n.kind === 'var' && !VARS[n.name]) out.push(`%${n.name}`);
    if (n.kind !== 'sample') continue;
    if (!FETCHES[n.expr.fetch] && !stickFetch(n.expr.fetch, n.expr.args.join(',')))
      out.push(n.expr.fetch);
    for (const c of n.expr.convs) if (!CONVERTERS[c.name]) out.push(c.name);
  }
  return out;
}

/** `sc_http_req_rate(0)` and the other stick-table fetches, read through the scope. */
function stickSample(expr: SampleExpr, s: SampleScope): string | undefined {
  const f = stickFetch(expr.fetch, expr.args.join(','));
  const v = f?.({ stick: s.stick, src: () => s.conn.clientIp } as ConnectionFacts);
  return v === undefined ? undefined : String(v);
}

/** One sample expression's value, or undefined when the fetch finds nothing. */
export function evalSample(expr: SampleExpr, s: SampleScope): string | undefined {
  const fetch = FETCHES[expr.fetch];
  let v = fetch ? fetch(s, expr.args) : stickSample(expr, s);
  for (const c of expr.convs) {
    if (v === undefined) return undefined;
    v = CONVERTERS[c.name]?.(v, c.args);
  }
  return v;
}

/**
 * A log-format string's value as HTTP rules use it: a sample that finds nothing writes
 * nothing (HAProxy's logs write '-' there; its rule arguments, measured, do not).
 */
export function evalFormat(format: LogFormat, s: SampleScope): string {
  let out = '';
  for (const n of format) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'var') out += VARS[n.name]?.(s) ?? '';
    else out += evalSample(n.expr, s) ?? '';
  }
  return out;
}

/** A scope for a TCP session's log line: its addresses, no HTTP message. */
export function layer4Scope(
  conn: SampleScope['conn'],
  frontend: string,
  backend: string,
): SampleScope {
  return {
    conn,
    ssl: undefined,
    req: new RequestHead('', '', '', new HeaderList()),
    frontend,
    frontendTls: false,
    backend,
  };
}
