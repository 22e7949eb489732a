// The HTTP message fetches: headers (hdr, req.hdr, res.hdr, shdr with _cnt, _ip and _val;
// req.fhdr and res.fhdr with _cnt), cookies (cook, req.cook, res.cook, scook with _cnt
// and _val) and URL parameters (url_param, urlp, urlp_val), read as http_fetch.c reads
// them. `one` is what a log-format argument, set-var or a converter chain sees (a
// header's last occurrence, a cookie's last, a URL parameter's first); `all` is what an
// ACL iterates over (every occurrence). Headers split at commas outside quotes for hdr()
// and cookies, not for fhdr(); a Connection header is what HAProxy's H1 parser leaves of
// it. Pure.

import { readInt64 } from '../../config/haproxy/sample-args.js';
import { bufToIpv4, inetPton6 } from '../../net/inet-text.js';
import type { Sample } from './sample.js';
import { sint, str } from './sample.js';
import type { SampleScope } from './scope.js';

export interface FetchImpl {
  one(s: SampleScope, args: readonly string[]): Sample | undefined;
  /** Every value, for ACLs; absent: the one value. */
  all?(s: SampleScope, args: readonly string[]): Sample[];
}

export const single = (
  f: (s: SampleScope, args: readonly string[]) => Sample | undefined,
): FetchImpl => ({
  one: f,
});

/**
 * http_find_header()'s values: each line's value, split at commas outside quoted
 * strings unless `full`, each trimmed of spaces and tabs; empty ones kept.
 */
export function headerValues(lines: readonly string[], full: boolean): string[] {
  const out: string[] = [];
  const trim = (v: string) => v.replace(/^[ \t]+|[ \t]+$/g, '');
  for (const line of lines) {
    if (full) {
      out.push(trim(line));
      continue;
    }
    let quoted = false;
    let pair = false;
    let start = 0;
    for (let i = 0; i <= line.length; i++) {
      const c = line[i];
      if (c === undefined) {
        out.push(trim(line.slice(start)));
        break;
      }
      if (pair) pair = false;
      else if (quoted) {
        if (c === '\\') pair = true;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        out.push(trim(line.slice(start, i)));
        start = i + 1;
        // A comma that ends the line is followed by one empty value, as in HAProxy.
      }
    }
  }
  return out;
}

type Side = 'req' | 'res';

/**
 * What HAProxy's H1 parser leaves of a Connection header (h1_parse_connection_header):
 * its `close` and `keep-alive` tokens dropped, the header with them when nothing is left.
 * While no token was dropped the text stays as sent; after one, kept tokens are appended
 * behind a comma.
 */
export function cleanConnection(value: string): string {
  let out = '';
  let p = 0;
  for (let i = 0; i < value.length; i++) {
    if (' \t\r\n'.includes(value[i]!)) continue;
    const n = valueEnd(value, i);
    const word = value.slice(i, n).replace(/[ \t\r\n]+$/, '');
    const lower = word.toLowerCase();
    if (lower !== 'keep-alive' && lower !== 'close') {
      if (out.length === p) out = value.slice(0, n);
      else out += (out === '' ? '' : ',') + word;
    }
    p = n;
    i = n;
  }
  return out;
}

function valueEnd(v: string, from: number): number {
  let quoted = false;
  let pair = false;
  for (let i = from; i < v.length; i++) {
    const c = v[i];
    if (pair) pair = false;
    else if (quoted) {
      if (c === '\\') pair = true;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') return i;
  }
  return v.length;
}

function headerLines(s: SampleScope, side: Side, name: string): readonly string[] | undefined {
  const head = side === 'req' ? s.req : s.res;
  if (!head) return undefined;
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of head.headers.lines) {
    if (want !== '' && n !== want) continue;
    if (n !== 'connection') out.push(v);
    else {
      const kept = cleanConnection(v);
      if (kept !== '') out.push(kept);
    }
  }
  return out;
}

/** http_get_htx_hdr(): occurrence `occ` (1 first, -1 last, at most 10 back). */
function occurrence(values: readonly string[], occ: number): string | undefined {
  if (occ > 0) return values[occ - 1];
  if (-occ > 10) return undefined;
  return values[values.length + occ];
}

const occArg = (a: string | undefined) => (a === undefined ? 0 : Number(readInt64(a).value));

function header(side: Side, full: boolean, as: (v: string) => Sample | undefined): FetchImpl {
  // No argument at all finds nothing; `hdr()` (an empty name) is any header.
  const values = (s: SampleScope, args: readonly string[]) => {
    const lines = args[0] === undefined ? undefined : headerLines(s, side, args[0]);
    return lines && headerValues(lines, full);
  };
  return {
    one: (s, args) => {
      const v = values(s, args);
      const occ = occArg(args[1]);
      const picked = v && occurrence(v, occ === 0 ? -1 : occ);
      return picked === undefined ? undefined : as(picked);
    },
    all: (s, args) => {
      const v = values(s, args) ?? [];
      const occ = occArg(args[1]);
      const picked = occ === 0 ? v : [occurrence(v, occ)].filter((x) => x !== undefined);
      return picked.map(as).filter((x): x is Sample => x !== undefined);
    },
  };
}

/** hdr_ip(): an IPv4 address (with an optional `:port`), else an IPv6 one. */
function headerIp(v: string): Sample | undefined {
  const v4 = bufToIpv4(v);
  if (v4 && v4.length === v.length) return { type: 'ipv4', ip: v4.bytes };
  if (v4 && v[v4.length] === ':') {
    const port = v.slice(v4.length + 1);
    if (/^\d+$/.test(port) && Number(port) <= 65535) return { type: 'ipv4', ip: v4.bytes };
  }
  const v6 = inetPton6(v);
  return v6 ? { type: 'ipv6', ip: v6 } : undefined;
}

/** strl2ic(): the leading digits as a wrapping 32-bit int (characters below '0' count too). */
export function strl2ic(v: string): number {
  let i = 0;
  const neg = v[0] === '-';
  for (let k = neg ? 1 : 0; k < v.length; k++) {
    const j = v.charCodeAt(k) - 48;
    if (j > 9) break;
    i = neg ? (Math.imul(i, 10) - j) | 0 : (Math.imul(i, 10) + j) | 0;
  }
  return i;
}

const intOf = (v: string) => sint(BigInt(strl2ic(v)));

/** http_extract_cookie_value(): the values of cookie `name` (any name: '') in one header value. */
export function cookieValues(value: string, name: string, list: boolean): string[] {
  const out: string[] = [];
  const end = value.length;
  const sp = (c: string | undefined) => c === ' ' || c === '\t';
  for (let att = 0; att + name.length + 1 < end; ) {
    while (att < end && sp(value[att])) att++;
    let eq = att;
    let attEnd = att;
    while (eq < end) {
      const c = value[eq]!;
      if (c === '=' || c === ';' || (list && c === ',')) break;
      eq++;
      if (!sp(c)) attEnd = eq;
    }
    let next = eq;
    let vBeg = eq;
    let vEnd = eq;
    if (eq < end && value[eq] === '=') {
      vBeg = eq + 1;
      while (vBeg < end && sp(value[vBeg])) vBeg++;
      next = cookieValueEnd(value, vBeg);
      vEnd = next;
      while (vEnd > vBeg && sp(value[vEnd - 1])) vEnd--;
    }
    const skip = value[att] === '$' || eq === next;
    if (!skip && (name === '' || value.slice(att, attEnd) === name)) {
      out.push(value.slice(vBeg, vEnd));
      if (!list) break;
    } else if (!skip && !list) break;
    att = next + 1;
  }
  return out;
}

function cookieValueEnd(v: string, from: number): number {
  let quoted = false;
  let pair = false;
  for (let i = from; i < v.length; i++) {
    const c = v[i];
    if (pair) pair = false;
    else if (quoted) {
      if (c === '\\') pair = true;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === ';') return i;
  }
  return v.length;
}

/** Every cookie value, in order, of the Cookie (request) or Set-Cookie (response) headers. */
function allCookies(s: SampleScope, side: Side, name: string): string[] | undefined {
  const head = side === 'req' ? s.req : s.res;
  if (!head) return undefined;
  const lines = head.header(side === 'req' ? 'cookie' : 'set-cookie');
  const out: string[] = [];
  for (const v of headerValues(lines, false)) {
    if (v.length < name.length + 1) continue;
    out.push(...cookieValues(v, name, side === 'req'));
  }
  return out;
}

function cookie(side: Side, as: (v: string) => Sample): FetchImpl {
  return {
    // Without a name the first cookie; with one, its last occurrence.
    one: (s, args) => {
      const name = args[0] ?? '';
      const v = allCookies(s, side, name);
      const picked = v && (name === '' ? v[0] : v.at(-1));
      return picked === undefined ? undefined : as(picked);
    },
    all: (s, args) => (allCookies(s, side, args[0] ?? '') ?? []).map(as),
  };
}

function cookieCount(side: Side): FetchImpl {
  return single((s, args) => {
    const v = allCookies(s, side, args[0] ?? '');
    return v ? sint(BigInt(v.length)) : undefined;
  });
}

/** http_find_next_url_param(): the values of parameter `name` after the first `delim`. */
export function urlParams(url: string, name: string, delim: string, all: boolean): string[] {
  const q = url.indexOf(delim);
  if (q < 0) return [];
  const end = url.length;
  const isDelim = (c: string | undefined) => c === '&' || c === ';' || c === delim;
  const out: string[] = [];
  let pos = q + 1;
  while (pos < end) {
    let vStart: number;
    if (name === '') {
      const eq = url.indexOf('=', pos);
      if (eq < 0) break;
      vStart = eq + 1;
    } else {
      const at = paramPos(url, pos, name, isDelim);
      if (at < 0) break;
      vStart = at + name.length + 1;
    }
    let vEnd = vStart;
    while (vEnd < end && !isDelim(url[vEnd])) vEnd++;
    out.push(url.slice(vStart, vEnd));
    if (!all) break;
    pos = vEnd;
  }
  return out;
}

function paramPos(
  url: string,
  from: number,
  name: string,
  isDelim: (c: string | undefined) => boolean,
): number {
  let pos = from;
  while (pos < url.length) {
    const eq = pos + name.length;
    if (eq >= url.length) return -1;
    if (url[eq] === '=') {
      if (url.startsWith(name, pos)) return pos;
      pos += name.length + 1;
    }
    while (pos < url.length && !isDelim(url[pos])) pos++;
    if (pos >= url.length) return -1;
    pos++;
  }
  return -1;
}

function urlParam(as: (v: string) => Sample): FetchImpl {
  const delim = (args: readonly string[]) => (args[1] === undefined ? '?' : (args[1][0] ?? '\0'));
  return {
    one: (s, args) => {
      const v = urlParams(s.req.url, args[0] ?? '', delim(args), false)[0];
      return v === undefined ? undefined : as(v);
    },
    all: (s, args) => urlParams(s.req.url, args[0] ?? '', delim(args), true).map(as),
  };
}

const HEADERS: Record<string, FetchImpl> = {};
for (const [p, side] of [
  ['hdr', 'req'],
  ['req.hdr', 'req'],
  ['res.hdr', 'res'],
  ['shdr', 'res'],
] as const) {
  HEADERS[p] = header(side, false, str);
  HEADERS[`${p}_ip`] = header(side, false, headerIp);
  HEADERS[`${p}_val`] = header(side, false, intOf);
  HEADERS[`${p}_cnt`] = single((s, a) => {
    const lines = headerLines(s, side, a[0] ?? '');
    return lines ? sint(BigInt(headerValues(lines, false).length)) : undefined;
  });
}
for (const [p, side] of [
  ['req.fhdr', 'req'],
  ['res.fhdr', 'res'],
] as const) {
  HEADERS[p] = header(side, true, str);
  HEADERS[`${p}_cnt`] = single((s, a) => {
    const lines = headerLines(s, side, a[0] ?? '');
    return lines ? sint(BigInt(lines.length)) : undefined;
  });
}
for (const [p, side] of [
  ['cook', 'req'],
  ['req.cook', 'req'],
  ['res.cook', 'res'],
  ['scook', 'res'],
] as const) {
  HEADERS[p] = cookie(side, str);
  HEADERS[`${p}_val`] = cookie(side, intOf);
  HEADERS[`${p}_cnt`] = cookieCount(side);
}

HEADERS.url_param = urlParam(str);
HEADERS.urlp = urlParam(str);
HEADERS.urlp_val = urlParam(intOf);

/** The header, cookie and URL-parameter fetches. */
export const HTTP_FETCHES: Readonly<Record<string, FetchImpl>> = HEADERS;
