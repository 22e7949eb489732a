// Header handling between the client and the server, as HAProxy 2.6's HTTP/1 layer does
// it: names in lower case, the hop-by-hop `connection` (and `proxy-connection`) dropped and
// set again for each side by the connection mode, everything else in order. Also the ACL
// view of a request.

import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ConnectionFacts, StickFacts } from '../acl.js';
import type { SampleScope } from '../sample/scope.js';
import type { SslFacts } from '../tls/ssl-fetches.js';
import { sslFacts } from '../tls/ssl-fetches.js';
import type { H1Limits } from './h1-request.js';
import { HTX_BLOCK, HTX_FIXED, maxHeadBytes } from './h1-request.js';
import type { HttpRequestFacts } from './http-fetches.js';

export type HeaderMap = Record<string, string | string[]>;

const HOP = new Set(['connection', 'proxy-connection']);

/** The request's header lines for the server in order (hop-by-hop ones out, `xff` last). */
export function requestLines(raw: readonly string[], xff?: [string, string]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP.has(name)) out.push([name, raw[i + 1]!]);
  }
  if (xff) out.push(xff);
  return out;
}

/** Request headers for the server; `xff` appended last (its own line, as HAProxy). */
export function requestHeaders(raw: readonly string[], xff?: [string, string]): HeaderMap {
  const out: HeaderMap = {};
  const add = (name: string, value: string) => {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    // `expect` goes on as HAProxy forwards it: the server's own 100 is relayed.
    if (HOP.has(name)) continue;
    add(name, raw[i + 1]!);
  }
  if (xff) add(xff[0], xff[1]);
  return out;
}

/** Response headers for the client, in order; whether the body is chunked. */
export function responseHeaders(raw: readonly string[]): {
  headers: [string, string][];
  chunked: boolean;
} {
  const headers: [string, string][] = [];
  let chunked = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP.has(name) || name === 'keep-alive') continue;
    const value = raw[i + 1]!;
    if (name === 'transfer-encoding' && /chunked/i.test(value)) chunked = true;
    headers.push([name, value]);
  }
  return { headers, chunked };
}

/**
 * Why HAProxy's h1 layer would refuse this response head with its 502, or undefined: more
 * than tune.http.maxhdr - 1 headers, or a head whose HTX size (the request side's rule in
 * h1-request.ts, measured again on responses: the same thresholds) does not fit the buffer.
 * node's client takes up to 16 KB of head and any number of headers, so this is checked
 * before anything reaches the client, as is a Transfer-Encoding HAProxy does not take (llhttp
 * reads any coding list ending in chunked). A `connection: close|keep-alive` line is consumed by
 * HAProxy's h1 layer and takes no block.
 */
export function responseHeadProblem(
  version: string,
  reason: string,
  raw: readonly string[],
  limits: H1Limits,
): string | undefined {
  let blocks = 0;
  let cost = `HTTP/${version}`.length + 3 + reason.length;
  let codings = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    // Measured: HAProxy 2.6 takes one `chunked` and no other coding, nor an empty list
    // item; a Transfer-Encoding line left empty is passed on.
    if (lower === 'transfer-encoding' && value.trim() !== '') {
      for (const t of value.split(',')) {
        if (t.trim().toLowerCase() !== 'chunked' || ++codings > 1)
          return 'Transfer-Encoding other than one chunked';
      }
    }
    if (
      lower === 'connection' &&
      value.split(',').every((t) => /^(close|keep-alive)$/i.test(t.trim()))
    )
      continue;
    blocks++;
    cost += name.length + value.length;
  }
  if (blocks > limits.maxhdr - 1) return 'too many headers (tune.http.maxhdr)';
  cost += HTX_BLOCK * (blocks + 2);
  if (cost > maxHeadBytes(limits) - HTX_FIXED)
    return 'response head larger than tune.bufsize - tune.maxrewrite';
  return undefined;
}

/**
 * An interim (1xx) response as HAProxy relays it to the client: its status line, then its
 * headers with lower-case names, without the framing and hop-by-hop ones (it has no body).
 */
export function interimHead(status: number, reason: string, raw: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP.has(name) || INTERIM_DROPPED.has(name)) continue;
    head += `${name}: ${raw[i + 1]!}\r\n`;
  }
  return `${head}\r\n`;
}

const INTERIM_DROPPED = new Set(['content-length', 'transfer-encoding', 'keep-alive']);

/** An IncomingMessage as ACLs read it. */
class IncomingView implements HttpRequestFacts {
  constructor(private readonly req: http.IncomingMessage) {}
  get method(): string {
    return this.req.method ?? 'GET';
  }
  get url(): string {
    return this.req.url ?? '/';
  }
  get version(): string {
    return this.req.httpVersion;
  }
  header(name: string): readonly string[] {
    const raw = this.req.rawHeaders;
    const out: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
    }
    return out;
  }
}

type ConnAddresses = { clientIp: string; clientPort: number; localIp: string; localPort: number };

class RequestFacts implements ConnectionFacts {
  constructor(
    private readonly conn: ConnAddresses,
    readonly http: HttpRequestFacts,
    readonly nbsrv: (backend: string) => number,
    readonly stick?: StickFacts,
    private readonly scope?: () => SampleScope,
  ) {}
  sampleScope(): SampleScope | undefined {
    return this.scope?.();
  }
  private sslRead: SslFacts | undefined;
  get ssl(): SslFacts | undefined {
    const t = (this.conn as { tls?: TLSSocket }).tls;
    if (!t) return undefined;
    this.sslRead ??= sslFacts(t);
    return this.sslRead;
  }
  src(): string {
    return this.conn.clientIp;
  }
  srcPort(): number {
    return this.conn.clientPort;
  }
  dst(): string {
    return this.conn.localIp;
  }
  dstPort(): number {
    return this.conn.localPort;
  }
}

/** What an ACL sees of a request on a connection. */
export function requestFacts(
  conn: ConnAddresses,
  req: http.IncomingMessage,
  nbsrv: (backend: string) => number,
  scope?: () => SampleScope,
): ConnectionFacts {
  return new RequestFacts(conn, new IncomingView(req), nbsrv, undefined, scope);
}

/** The same for a head HTTP rules edit: ACLs after a rule see what it changed. */
export function headFacts(
  conn: ConnAddresses,
  head: HttpRequestFacts,
  nbsrv: (backend: string) => number,
  stick?: StickFacts,
  scope?: () => SampleScope,
): ConnectionFacts {
  return new RequestFacts(conn, head, nbsrv, stick, scope);
}
