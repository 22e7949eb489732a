// HTTP/1 request heads as HAProxy 2.6's h1 layer takes them, before node:http sees them.
//
// Why: llhttp inside node:http decides what a valid request is, and some heads it passes
// crash or fool the proxy (two Host headers reached http.request as an array and ended the
// process). This codec reads a complete head and either rejects it with HAProxy's status
// or returns one canonical head (CRLF line ends, folded lines joined, duplicate Host and
// Content-Length merged, Content-Length dropped beside Transfer-Encoding), so node's parser
// only ever sees unambiguous framing. Pure: no `node:` import, no clock.
//
// The size rule follows HAProxy's HTX accounting, measured against 2.6.12 with the default
// tune.bufsize 16384 and tune.maxrewrite 1024: a head is refused when 8 bytes per block
// (start line, each header, end of headers) plus the method, URI, version, names and values
// exceed bufsize - maxrewrite - 69. Header count: at most tune.http.maxhdr - 1 (101 -> 100).

export interface H1Limits {
  /** tune.bufsize */
  readonly bufsize: number;
  /** tune.maxrewrite */
  readonly maxrewrite: number;
  /** tune.http.maxhdr */
  readonly maxhdr: number;
}

export const DEFAULT_H1_LIMITS: H1Limits = { bufsize: 16384, maxrewrite: 1024, maxhdr: 101 };

/** The limits of a config's `tune.*` lines, HAProxy's defaults for the rest. */
export function h1Limits(tune?: {
  bufsize?: number;
  maxrewrite?: number;
  httpMaxhdr?: number;
}): H1Limits {
  const bufsize = tune?.bufsize ?? DEFAULT_H1_LIMITS.bufsize;
  // HAProxy caps maxrewrite at half the buffer.
  const maxrewrite = Math.min(tune?.maxrewrite ?? DEFAULT_H1_LIMITS.maxrewrite, bufsize / 2);
  return { bufsize, maxrewrite, maxhdr: tune?.httpMaxhdr ?? DEFAULT_H1_LIMITS.maxhdr };
}

/** HTX's fixed cost of a message (struct htx and the start-line block's own fields). */
export const HTX_FIXED = 69;
export const HTX_BLOCK = 8;

/** Most bytes a head may take before its end is seen (HAProxy answers 400 past that). */
export function maxHeadBytes(l: H1Limits): number {
  return l.bufsize - l.maxrewrite;
}

export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' };

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** Header [name, value] pairs in order, names as sent, values trimmed. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: BodyFraming;
  /** The head to hand on: request line and headers, CRLF line ends, ending in CRLF CRLF. */
  readonly canonical: string;
}

export type HeadResult =
  | { readonly ok: true; readonly head: RequestHead }
  | { readonly ok: false; readonly status: RefusalStatus; readonly reason: string };

/** 400 bad request; 413 a payload HTTP/1.0 does not allow; 422 a coding before chunked. */
export type RefusalStatus = 400 | 413 | 422;

function bad(reason: string, status: RefusalStatus = 400): HeadResult {
  return { ok: false, status, reason };
}

/** RFC 9110 tchar, as a lookup on char codes. */
export const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * URI bytes HAProxy takes: visible ASCII only (no CTL, no DEL, no 8-bit), and no '#': a
 * fragment never belongs in a request, and 2.6 refuses it (CVE-2023-45539).
 */
function isUri(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 35) return false;
  }
  return true;
}

const VERSION = /^HTTP\/[0-9]\.[0-9]$/;
const DIGITS = /^[0-9]+$/;

/** The head's lines (latin1, up to but without its final empty line), each with its line end. */
function splitLines(text: string): { text: string; crlf: boolean }[] {
  return text
    .split('\n')
    .map((l) =>
      l.endsWith('\r') ? { text: l.slice(0, -1), crlf: true } : { text: l, crlf: false },
    );
}

/** Why a request line is refused, or its method, target and version. */
export function parseRequestLine(line: string): [string, string, string] | string {
  // Runs of spaces or tabs between the parts are taken, as HAProxy's parser takes any
  // SP/HT there; a leading or a trailing one is not.
  if (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) return 'blank before the method';
  const parts = line.split(/[ \t]/).filter((p, i, a) => p !== '' || i === a.length - 1);
  if (parts.length < 3) return 'request line without an HTTP version (HTTP/0.9)';
  if (parts.length > 3) return 'spaces in the request line';
  const [method, target, version] = parts as [string, string, string];
  if (!isToken(method)) return 'invalid method';
  if (!isUri(target)) return 'invalid character in the URI';
  if (!VERSION.test(version)) return 'invalid HTTP version';
  return [method, target, version];
}

const MAX_NAME = 255;

/**
 * Header lines into pairs. A folded line joins the previous value with the line end that
 * came before it turned into spaces, as HAProxy rewrites obs-fold in place.
 */
function parseHeaderLines(
  lines: readonly { text: string; crlf: boolean }[],
): [string, string][] | string {
  const out: [string, string][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.text;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      const prev = out[out.length - 1];
      if (!prev) return 'folded line before any header';
      const end = lines[i - 1]!.crlf ? '  ' : ' ';
      // Trimmed at both ends as any value: folded onto an empty one, it would otherwise
      // keep leading blanks that the next parser drops (the canonical head must re-parse
      // to the same head).
      prev[1] = `${prev[1]}${end}${line}`.replace(/^[ \t]+|[ \t]+$/g, '');
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return 'header line without a name and a colon';
    const name = line.slice(0, colon);
    if (!isToken(name)) return 'invalid character in a header name';
    // HTX keeps a header name's length in 8 bits: HAProxy refuses longer names.
    if (name.length > MAX_NAME) return 'header name longer than 255 bytes';
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if ((c < 32 && c !== 9 && c !== 0) || c === 127) return 'control character in a header value';
    }
    out.push([name, value]);
  }
  return out;
}

function authorityOf(target: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(target);
  if (!m) return undefined;
  const auth = m[1]!;
  const at = auth.lastIndexOf('@');
  return at >= 0 ? auth.slice(at + 1) : auth;
}

/** An absolute URI without its scheme's default port, as HAProxy 2.6 normalises it. */
function withoutDefaultPort(target: string): string {
  return target
    .replace(/^(http:\/\/[^/?#]*?):80(?=[/?]|$)/i, '$1')
    .replace(/^(https:\/\/[^/?#]*?):443(?=[/?]|$)/i, '$1');
}

function sameAuthority(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/:80$/, '');
  return norm(a) === norm(b);
}

/** One Content-Length out of every header and comma list; undefined when none. */
function contentLength(values: readonly string[]): number | undefined | string {
  let found: string | undefined;
  for (const v of values) {
    for (const part of v.split(',')) {
      const p = part.trim();
      if (!DIGITS.test(p)) return 'invalid Content-Length';
      const n = p.replace(/^0+(?=.)/, '');
      if (found !== undefined && found !== n) return 'Content-Length values differ';
      found = n;
    }
  }
  if (found === undefined) return undefined;
  if (found.length > 15) return 'Content-Length too large';
  return Number(found);
}

/** Whether the Transfer-Encoding list ends in one `chunked`; a string says why not. */
function transferEncoding(values: readonly string[]): string | undefined {
  const codings = values.flatMap((v) => v.split(',')).map((c) => c.trim().toLowerCase());
  // An empty list element stays a coding: `Transfer-Encoding: ,chunked` is a coding before
  // chunked to HAProxy 2.6 (422), not a lone `chunked`.
  const chunked = codings.filter((c) => c === 'chunked').length;
  if (chunked !== 1 || codings[codings.length - 1] !== 'chunked')
    return "Transfer-Encoding without one final 'chunked'";
  if (codings.length > 1) return UNSUPPORTED_CODING;
  return undefined;
}

/** A well-formed list with a coding before `chunked`: HAProxy applies none and answers 422. */
const UNSUPPORTED_CODING = "a transfer coding other than 'chunked'";

/**
 * `Connection: upgrade` with `Upgrade: websocket` and no `Sec-WebSocket-Key`: HAProxy 2.6
 * refuses it with a 400 (measured), as no WebSocket server could take it.
 */
function websocketWithoutKey(headers: readonly (readonly [string, string])[]): boolean {
  let upgrade = false;
  let websocket = false;
  for (const [n, v] of headers) {
    const lower = n.toLowerCase();
    if (lower === 'sec-websocket-key') return false;
    if (lower === 'connection' && /(^|,)\s*upgrade\s*(,|$)/i.test(v)) upgrade = true;
    if (lower === 'upgrade' && /(^|,)\s*websocket\s*(,|$)/i.test(v)) websocket = true;
  }
  return upgrade && websocket;
}

/** HTTP/1.0 methods whose payload HAProxy refuses with a 413 (measured on 2.6.12). */
const NO_PAYLOAD_10 = new Set(['GET', 'HEAD', 'DELETE']);

/** A Connection header of only close / keep-alive: HAProxy's h1 layer consumes it. */
function consumedConnection(name: string, value: string): boolean {
  if (name.toLowerCase() !== 'connection') return false;
  return value.split(',').every((t) => /^(close|keep-alive)$/i.test(t.trim()));
}

/** The head's HTX size without the fixed part (compared against the room left after it). */
function htxCost(method: string, target: string, version: string, headers: [string, string][]) {
  let cost = HTX_BLOCK * (headers.length + 2);
  cost += method.length + target.length + version.length;
  for (const [n, v] of headers) cost += n.length + v.length;
  return cost;
}

/** The headers that take an HTX block (for the size and the count limits). */
function counted(headers: [string, string][]): [string, string][] {
  return headers.filter(([n, v]) => !consumedConnection(n, v));
}

/**
 * Parses one complete request head: `text` is its bytes as latin1, from the request line
 * up to (without) the empty line that ends it.
 */
export function parseRequestHead(text: string, limits: H1Limits = DEFAULT_H1_LIMITS): HeadResult {
  const lines = splitLines(text);
  const rl = parseRequestLine(lines[0]?.text ?? '');
  if (typeof rl === 'string') return bad(rl);
  const [method, target, version] = rl;
  const parsed = parseHeaderLines(lines.slice(1));
  if (typeof parsed === 'string') return bad(parsed);
  const blocks = counted(parsed);
  if (blocks.length > limits.maxhdr - 1) return bad('too many headers (tune.http.maxhdr)');
  if (htxCost(method, target, version, blocks) > maxHeadBytes(limits) - HTX_FIXED)
    return bad('request head larger than tune.bufsize - tune.maxrewrite');

  const headers: [string, string][] = [];
  const hosts: string[] = [];
  const lengths: string[] = [];
  const codings: string[] = [];
  for (const h of parsed) {
    const lower = h[0].toLowerCase();
    if (lower === 'host') {
      if (hosts.length > 0) {
        if (hosts[0]!.toLowerCase() !== h[1].toLowerCase())
          return bad('two different Host headers');
        hosts.push(h[1]);
        continue;
      }
      hosts.push(h[1]);
    } else if (lower === 'content-length') {
      lengths.push(h[1]);
      if (lengths.length > 1) continue;
    } else if (lower === 'transfer-encoding') codings.push(h[1]);
    headers.push(h);
  }
  if (websocketWithoutKey(parsed)) return bad('WebSocket upgrade without Sec-WebSocket-Key');
  const authority = authorityOf(target);
  if (authority !== undefined && hosts.length > 0 && !sameAuthority(authority, hosts[0]!))
    return bad('absolute URI and Host header name different hosts');

  let body: BodyFraming = { kind: 'none' };
  let final = headers;
  if (codings.length > 0) {
    const why = transferEncoding(codings);
    if (why) return bad(why, why === UNSUPPORTED_CODING ? 422 : 400);
    // A bad or ambiguous Content-Length is refused even though it is then dropped: HAProxy
    // checks every one as it parses, before it looks at Transfer-Encoding.
    const n = lengths.length > 0 ? contentLength(lengths) : undefined;
    if (typeof n === 'string') return bad(n);
    body = { kind: 'chunked' };
    // Transfer-Encoding wins; the Content-Length is dropped, as HAProxy does. A message
    // that carried both is a smuggling attempt or a broken client: HAProxy closes the
    // client connection after it, so nothing pipelined behind it is read.
    final = headers.filter(([n]) => n.toLowerCase() !== 'content-length');
    if (lengths.length > 0)
      final = [...final.filter(([n]) => n.toLowerCase() !== 'connection'), ['Connection', 'close']];
  } else if (lengths.length > 0) {
    const n = contentLength(lengths);
    if (typeof n === 'string') return bad(n);
    if (n !== undefined) {
      body = n > 0 ? { kind: 'length', length: n } : { kind: 'none' };
      // One plain value goes on as sent (`003` stays `003`, as HAProxy forwards it); a list
      // or repeated header becomes the one number.
      const single = lengths.length === 1 && !lengths[0]!.includes(',');
      final = headers.map((h) =>
        h[0].toLowerCase() === 'content-length' && !single
          ? ([h[0], String(n)] as [string, string])
          : h,
      );
    }
  }
  if (body.kind !== 'none' && version === 'HTTP/1.0' && NO_PAYLOAD_10.has(method))
    return bad(`an HTTP/1.0 ${method} with a payload`, 413);
  let canonical = `${method} ${withoutDefaultPort(target)} ${version}\r\n`;
  for (const [n, v] of final) canonical += `${n}: ${v}\r\n`;
  canonical += '\r\n';
  return { ok: true, head: { method, target, version, headers: final, body, canonical } };
}
