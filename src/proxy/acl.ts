// ACL conditions of `use_backend`. On a TCP connection, with what layer 4 knows: `src`,
// `src_port`, `dst`, `dst_port`, `ssl_fc`, `ssl_fc_sni`, `ssl_fc_protocol`, `ssl_c_used`,
// `ssl_c_verify`, `ssl_c_s_dn` (on connections halo terminated TLS on),
// `nbsrv(backend)`, `always_true`/`always_false` and the predefined TRUE, FALSE and
// LOCALHOST. On an HTTP request (http-fetches.ts) also `path*`, `url*`, `hdr*`/`req.hdr`,
// `method`, `req.ver` and the predefined HTTP, METH_*, HTTP_1.0/1.1. Like HAProxy on a tcp
// frontend, an ACL on anything else never matches; `unsupported` lists them so the engine
// can say so at start-up. Conditions compile once per config.

import { BlockList, isIP } from 'node:net';
import type { Acl, Condition, Userlist } from '../config/haproxy/model.js';
import { compileSampleAcl } from './acl-samples.js';
import { authenticatedUser } from './http/basic-auth.js';
import type { HttpRequestFacts } from './http/http-fetches.js';
import { compileHttpFetch, httpPredefined, sampleMatcher } from './http/http-fetches.js';
import type { SampleScope } from './sample/scope.js';
import type { StickTable } from './stick/stick-table.js';
import type { Tracked } from './stick/trackers.js';
import type { SslFacts } from './tls/ssl-fetches.js';

/** What a condition may look at for one connection; addresses are read only if needed. */
export interface ConnectionFacts {
  src(): string;
  srcPort(): number;
  dst(): string;
  dstPort(): number;
  /** Usable servers of a backend (`nbsrv`), -1 when there is no such backend. */
  nbsrv(backend: string): number;
  /** The HTTP request being routed; absent on a TCP connection. */
  readonly http?: HttpRequestFacts;
  /** TLS of the client connection (`bind ... ssl`); absent on a plain one. */
  readonly ssl?: SslFacts;
  /** Stick tables and what this connection or request tracks (`sc_*`, `src_*`). */
  readonly stick?: StickFacts;
  /** What sample expressions read of this request (`hdr(host),lower`...); absent on TCP. */
  sampleScope?(): SampleScope | undefined;
}

/** What the `sc*_*` and `src_*` fetches read. */
export interface StickFacts {
  /** The entry tracked in slot N: the request's, else its connection's. */
  tracked(slot: number): Tracked | undefined;
  /** A table by name; undefined names the rule's own proxy's. */
  table(name: string | undefined): StickTable | undefined;
  now(): number;
}

const STICK_DATA = new Set([
  'conn_cnt',
  'conn_cur',
  'conn_rate',
  'sess_cnt',
  'sess_rate',
  'http_req_cnt',
  'http_req_rate',
]);

/**
 * `sc0_conn_cur`, `sc_http_req_rate(0)`, `src_conn_rate([table])`: the stored value, or
 * undefined (not tracked, not stored, no entry), or undefined as a whole when `name` is
 * not such a fetch.
 */
export function stickFetch(
  name: string,
  arg: string | undefined,
): ((f: ConnectionFacts) => number | undefined) | undefined {
  const args = (arg ?? '').split(',').map((a) => a.trim());
  const scN = /^sc([0-2])_(\w+)$/.exec(name);
  const sc = /^sc_(\w+)$/.exec(name);
  const src = /^src_(\w+)$/.exec(name);
  let slot: number | undefined;
  let data: string | undefined;
  if (scN) {
    slot = Number(scN[1]);
    data = scN[2];
  } else if (sc) {
    slot = Number(args[0]);
    data = sc[1];
    if (!/^[0-2]$/.test(args[0] ?? '')) return undefined;
  } else if (src) {
    const d = src[1]!;
    if (!STICK_DATA.has(d)) return undefined;
    const table = args[0] || undefined;
    return (f) => {
      const st = f.stick;
      const t = st?.table(table);
      return t?.lookup(f.src(), st!.now())?.value(d, st!.now());
    };
  }
  if (slot === undefined || data === undefined || !STICK_DATA.has(data)) return undefined;
  const s = slot;
  const d = data;
  return (f) => {
    const st = f.stick;
    return st?.tracked(s)?.entry.value(d, st.now());
  };
}

type Test = (f: ConnectionFacts) => boolean;

export interface CompiledCondition {
  readonly test: Test;
  /** Criteria that cannot be evaluated on a TCP connection (they never match). */
  readonly unsupported: string[];
  /** Criteria that cannot be evaluated on an HTTP request either (subset of `unsupported`). */
  readonly unsupportedOnHttp: string[];
}

/** `10.0.0.0/8`, `::1`, `127.0.0.1`: one address list for `src`/`dst`. */
function addressList(values: string[]): BlockList {
  const list = new BlockList();
  for (const v of values) {
    const [addr, bits] = v.split('/') as [string, string | undefined];
    const family = isIP(addr);
    if (family === 0) continue;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

function matchesAddress(list: BlockList, addr: string): boolean {
  const family = isIP(addr);
  if (family === 0) return false;
  return list.check(addr, family === 6 ? 'ipv6' : 'ipv4');
}

/** HAProxy's integer operators (`-m int`, `show table ... data.X OP V`). */
export const INT_OPS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};

/** Integer matching as HAProxy's `-m int`: `N`, `N:M`, `:M`, `N:`, or `eq|ne|lt|le|gt|ge N`. */
export function intMatcher(values: string[]): (n: number) => boolean {
  const ops = INT_OPS;
  const tests: ((n: number) => boolean)[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const op = ops[v];
    if (op && values[i + 1] !== undefined) {
      const b = Number(values[++i]);
      tests.push((n) => op(n, b));
      continue;
    }
    const range = /^(\d*):(\d*)$/.exec(v);
    if (range) {
      const lo = range[1] === '' ? -Infinity : Number(range[1]);
      const hi = range[2] === '' ? Infinity : Number(range[2]);
      tests.push((n) => n >= lo && n <= hi);
    } else if (/^\d+$/.test(v)) {
      const b = Number(v);
      tests.push((n) => n === b);
    }
  }
  return (n) => tests.some((t) => t(n));
}

/** The userlists `http_auth(LIST)` names; without them it is not evaluated. */
export type Userlists = ReadonlyMap<string, Userlist>;

/** `http_auth(LIST)` / `http_auth_group(LIST) GROUP...` on the request's credentials. */
function authTest(name: string, list: Userlist, groups: string[]): Test {
  return (f) => {
    if (!f.http) return false;
    const user = authenticatedUser(list, f.http.header('authorization')[0]);
    if (!user) return false;
    return name === 'http_auth' || user.groups.some((g) => groups.includes(g));
  };
}

/** One ACL: criterion and values (flags such as `-i` or `-m ip` dropped). */
function compileAcl(
  criterion: string,
  rawValues: string[],
  out: Unsupported,
  userlists?: Userlists,
  files?: Readonly<Record<string, string>>,
): Test {
  const values: string[] = [];
  let ignoreCase = false;
  let method: string | undefined;
  for (let i = 0; i < rawValues.length; i++) {
    const v = rawValues[i]!;
    if (v === '--') {
      values.push(...rawValues.slice(i + 1));
      break;
    }
    if (v === '-i') ignoreCase = true;
    else if (v === '-m') method = rawValues[++i];
    else if (v === '-f' || v === '-M') i++;
    else if (!v.startsWith('-')) values.push(v);
  }
  const fn = /^([a-z_.0-9]+)(?:\(([^)]*)\))?$/.exec(criterion);
  const name = fn?.[1] ?? criterion;
  // A whole sample expression (converters, or a fetch only the sample table has) reads
  // the request through the sample engine.
  const sample = () => {
    const t = compileSampleAcl(criterion, values, { ignoreCase, method }, files);
    if (!t) return undefined;
    out.tcp.push(criterion);
    return (f: ConnectionFacts) => {
      const scope = f.sampleScope?.();
      return scope ? t(scope) : false;
    };
  };
  if (!fn) return sample() ?? unsupported(criterion, out);
  const http = compileHttpFetch(name, fn?.[2], values, { ignoreCase, method });
  if (http) {
    out.tcp.push(criterion);
    return (f) => (f.http ? http(f.http) : false);
  }
  switch (name) {
    case 'src':
    case 'dst': {
      const list = addressList(values);
      return name === 'src'
        ? (f) => matchesAddress(list, f.src())
        : (f) => matchesAddress(list, f.dst());
    }
    case 'src_port':
    case 'dst_port': {
      const m = intMatcher(values);
      return name === 'src_port' ? (f) => m(f.srcPort()) : (f) => m(f.dstPort());
    }
    case 'nbsrv': {
      const backend = fn?.[2] ?? '';
      const m = intMatcher(values);
      return (f) => m(f.nbsrv(backend));
    }
    case 'ssl_fc':
      // A boolean fetch matches when true: a connection halo terminated TLS on.
      return (f) => f.ssl !== undefined;
    case 'ssl_c_used':
      return (f) => f.ssl?.clientCertUsed === true;
    case 'ssl_c_verify': {
      const m = intMatcher(values);
      return (f) => (f.ssl ? m(f.ssl.clientVerify) : false);
    }
    case 'ssl_fc_sni':
    case 'ssl_fc_protocol':
    case 'ssl_c_s_dn': {
      const m = sampleMatcher(method ?? 'str', values, ignoreCase);
      if (!m) break;
      const get =
        name === 'ssl_fc_sni'
          ? (s: SslFacts) => s.sni
          : name === 'ssl_c_s_dn'
            ? (s: SslFacts) => s.clientDn
            : (s: SslFacts) => s.protocol;
      return (f) => (f.ssl ? m(get(f.ssl)) : false);
    }
    case 'status': {
      // The response status, for http-response and http-after-response rules.
      const m = intMatcher(values);
      out.tcp.push(criterion);
      return (f) => (f.http?.response ? m(f.http.response.status) : false);
    }
    case 'http_auth':
    case 'http_auth_group': {
      const list = userlists?.get((fn?.[2] ?? '').trim());
      if (!list) break;
      out.tcp.push(criterion);
      return authTest(name, list, values);
    }
    case 'always_true':
      return () => true;
    case 'always_false':
      return () => false;
    default: {
      const stick = stickFetch(name, fn?.[2]);
      if (stick) {
        const m = intMatcher(values);
        return (f) => {
          const v = stick(f);
          return v !== undefined && m(v);
        };
      }
    }
  }
  return sample() ?? unsupported(criterion, out);
}

/** A criterion halo does not evaluate: false, and listed for the start-up checks. */
function unsupported(criterion: string, out: Unsupported): Test {
  out.tcp.push(criterion);
  out.http.push(criterion);
  return () => false;
}

interface Unsupported {
  readonly tcp: string[];
  readonly http: string[];
}

// Built on first use: node:net's isIP compiles its IPv6 expression on the first IPv6
// address it sees, some 10 ms that every start paid when this was built at load.
let localhost: BlockList | undefined;

function predefined(name: string): Test | undefined {
  switch (name) {
    case 'TRUE':
      return () => true;
    case 'FALSE':
      return () => false;
    case 'LOCALHOST': {
      localhost ??= addressList(['127.0.0.0/8', '::1']);
      const list = localhost;
      return (f) => matchesAddress(list, f.src());
    }
    default: {
      const h = httpPredefined(name);
      return h && ((f) => (f.http ? h(f.http) : false));
    }
  }
}

/**
 * Compiles `cond` against the proxy's ACLs. Named ACLs declared several times match when
 * any declaration does (HAProxy ORs them); `{ ... }` terms are anonymous ACLs.
 */
export function compileCondition(
  cond: Condition,
  acls: readonly Acl[],
  userlists?: Userlists,
): CompiledCondition {
  const out: Unsupported = { tcp: [], http: [] };
  const term = (name: string, files?: Readonly<Record<string, string>>): Test => {
    if (name.startsWith('{')) {
      const words = name.slice(1, -1).trim().split(/\s+/);
      return compileAcl(words[0] ?? '', words.slice(1), out, userlists, files);
    }
    // Only the ACLs this condition names: `unsupported` must not list another rule's.
    const decl = acls
      .filter((a) => a.name === name)
      .map((a) => compileAcl(a.criterion, a.values, out, userlists, a.files));
    if (decl.length > 0) return (f) => decl.some((t) => t(f));
    const pre = predefined(name);
    if (pre) {
      if (httpPredefined(name)) out.tcp.push(name);
      return pre;
    }
    out.tcp.push(name);
    out.http.push(name);
    return () => false;
  };
  const ors = cond.terms.map((and) =>
    and.map(({ name, negate, files }) => {
      const t = term(name, files);
      return negate ? (f: ConnectionFacts) => !t(f) : t;
    }),
  );
  const test: Test = (f) => ors.some((and) => and.every((t) => t(f)));
  return {
    test: cond.negate ? (f) => !test(f) : test,
    unsupported: out.tcp,
    unsupportedOnHttp: out.http,
  };
}
