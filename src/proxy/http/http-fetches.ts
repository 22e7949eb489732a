// The HTTP sample fetches users write most in ACLs, matched as HAProxy 2.6 matches them:
// `path`, `path_beg/end/sub/dir/reg/len`, `url` (and the same suffixes), `method`,
// `req.ver`, `hdr(name)`/`req.hdr(name)` with `_beg/_end/_sub/_dom/_reg/_len/_cnt`, and
// `-m str|beg|end|sub|dom|dir|reg|found|len`, `-i`. Pure: the request is a small port.

import type { Sample } from '../sample/sample.js';
import { sampleText } from '../sample/sample.js';

/** What an ACL may read of one HTTP request. */
export interface HttpRequestFacts {
  readonly method: string;
  /** The request target as received (`/a/b?x=1`, or an absolute URL). */
  readonly url: string;
  /** `1.1`, `1.0` */
  readonly version: string;
  /** Every value of a header (name in lower case), in order; [] when absent. */
  header(name: string): readonly string[];
  /** The response, for http-response and http-after-response rules. */
  readonly response?: HttpResponseFacts;
  /** The request's variables (`var(txn.x)`). */
  readonly vars?: { get(name: string): Sample | undefined } | undefined;
}

/** What an ACL may read of the response (`status`, `res.hdr`). */
export interface HttpResponseFacts {
  readonly status: number;
  header(name: string): readonly string[];
}

type Match = (sample: string) => boolean;
export type HttpTest = (r: HttpRequestFacts) => boolean;

/** The path part of a request target: no scheme/authority, no query string. */
export function pathOf(url: string): string {
  let p = url;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(p);
  if (abs) p = p.slice(abs[0].length) || '/';
  const q = p.indexOf('?');
  return q < 0 ? p : p.slice(0, q);
}

/** `-m str|beg|end|sub|reg...` over string samples (the ssl_* fetches share it). */
export function sampleMatcher(
  method: string,
  values: string[],
  ignoreCase: boolean,
): Match | undefined {
  return matcher(method, values, ignoreCase);
}

function matcher(method: string, values: string[], ignoreCase: boolean): Match | undefined {
  const norm = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const vals = values.map(norm);
  switch (method) {
    case 'str':
      return (s) => vals.includes(norm(s));
    case 'beg':
      return (s) => vals.some((v) => norm(s).startsWith(v));
    case 'end':
      return (s) => vals.some((v) => norm(s).endsWith(v));
    case 'sub':
      return (s) => vals.some((v) => norm(s).includes(v));
    case 'reg': {
      const res = values.map((v) => new RegExp(v, ignoreCase ? 'i' : ''));
      return (s) => res.some((r) => r.test(s));
    }
    case 'dir':
      return delimited(vals, '/', norm);
    case 'dom':
      return delimited(vals, '.', norm);
    case 'found':
      return () => true;
    case 'len':
      return (s) => values.some((v) => Number(v) === s.length);
    default:
      return undefined;
  }
}

/** `-m dir`/`-m dom`: the value appears as whole `/`- or `.`-delimited words. */
function delimited(vals: string[], sep: string, norm: (s: string) => string): Match {
  const trim = (s: string) => s.split(sep).filter((w) => w !== '');
  return (s) => {
    const words = trim(norm(s));
    return vals.some((v) => {
      const want = trim(v);
      if (want.length === 0) return false;
      for (let i = 0; i + want.length <= words.length; i++) {
        if (want.every((w, j) => words[i + j] === w)) return true;
      }
      return false;
    });
  };
}

// `_cnt` is a fetch of its own (an integer, matched as one: acl-samples.ts).
const SUFFIXES = ['beg', 'end', 'sub', 'dir', 'dom', 'reg', 'len', 'found'];

/** One fetch as `(request) -> samples`, or undefined when `name` is not an HTTP fetch. */
function fetcher(
  base: string,
  arg: string | undefined,
): ((r: HttpRequestFacts) => string[]) | undefined {
  switch (base) {
    case 'path':
      return (r) => [pathOf(r.url)];
    case 'url':
      return (r) => [r.url];
    case 'method':
      return (r) => [r.method];
    case 'req.ver':
    case 'req_ver':
      return (r) => [r.version];
    case 'hdr':
    case 'req.hdr': {
      const h = (arg ?? '').trim().toLowerCase();
      if (h === '') return undefined;
      // Comma-separated values count as several occurrences, as HAProxy's hdr() does.
      return (r) => r.header(h).flatMap((v) => v.split(',').map((x) => x.trim()));
    }
    case 'req.fhdr': {
      const h = (arg ?? '').trim().toLowerCase();
      return (r) => [...r.header(h)];
    }
    case 'res.hdr':
    case 'shdr': {
      const h = (arg ?? '').trim().toLowerCase();
      if (h === '') return undefined;
      return (r) => (r.response?.header(h) ?? []).flatMap((v) => v.split(',').map((x) => x.trim()));
    }
    case 'var': {
      const name = (arg ?? '').split(',')[0]!.trim();
      return (r) => {
        const v = sampleText(r.vars?.get(name));
        return v === undefined ? [] : [v];
      };
    }
    case 'res.fhdr': {
      const h = (arg ?? '').trim().toLowerCase();
      return (r) => [...(r.response?.header(h) ?? [])];
    }
    default:
      return undefined;
  }
}

/**
 * Compiles `name(arg) values` into a request test, or returns undefined when `name` is not
 * an HTTP fetch halo knows.
 */
export function compileHttpFetch(
  name: string,
  arg: string | undefined,
  values: string[],
  flags: { ignoreCase: boolean; method: string | undefined },
): HttpTest | undefined {
  let base = name;
  let suffix: string | undefined;
  const us = name.lastIndexOf('_');
  if (us > 0 && SUFFIXES.includes(name.slice(us + 1)) && fetcher(name.slice(0, us), arg ?? 'x')) {
    base = name.slice(0, us);
    suffix = name.slice(us + 1);
  }
  const fetch = fetcher(base, arg);
  if (!fetch) return undefined;
  const m = matcher(suffix ?? flags.method ?? 'str', values, flags.ignoreCase);
  if (!m) return undefined;
  return (r) => fetch(r).some(m);
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];

/** HAProxy's predefined HTTP ACLs, or undefined for another name. */
export function httpPredefined(name: string): HttpTest | undefined {
  if (name === 'HTTP') return () => true;
  if (name === 'HTTP_1.0') return (r) => r.version === '1.0';
  if (name === 'HTTP_1.1') return (r) => r.version === '1.1';
  if (name === 'HTTP_URL_ABS') return (r) => /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(r.url);
  if (name === 'HTTP_URL_SLASH') return (r) => r.url.startsWith('/');
  if (name === 'HTTP_URL_STAR') return (r) => r.url === '*';
  if (name === 'HTTP_CONTENT') return (r) => r.header('content-length').some((v) => v !== '0');
  if (name.startsWith('METH_') && METHODS.includes(name.slice(5))) return methodIs(name.slice(5));
  return undefined;
}

function methodIs(m: string): HttpTest {
  // METH_GET also matches HEAD, as in HAProxy.
  return m === 'GET' ? (r) => r.method === 'GET' || r.method === 'HEAD' : (r) => r.method === m;
}
