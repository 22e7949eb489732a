// Header handling between the client and the server, as HAProxy 2.6's HTTP/1 layer does
// it: names in lower case, the hop-by-hop `connection` (and `proxy-connection`) dropped and
// set again for each side by the connection mode, everything else in order. Also the ACL
// view of a request.

import type http from 'node:http';
import type { ConnectionFacts } from '../acl.js';
import type { HttpRequestFacts } from './http-fetches.js';

export type HeaderMap = Record<string, string | string[]>;

const HOP = new Set(['connection', 'proxy-connection']);

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
    // Node's server already answered `Expect: 100-continue`.
    if (HOP.has(name) || name === 'expect') continue;
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

class RequestFacts implements ConnectionFacts, HttpRequestFacts {
  readonly http: HttpRequestFacts = this;
  constructor(
    private readonly conn: {
      clientIp: string;
      clientPort: number;
      localIp: string;
      localPort: number;
    },
    private readonly req: http.IncomingMessage,
    readonly nbsrv: (backend: string) => number,
  ) {}
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

/** What an ACL sees of a request on a connection. */
export function requestFacts(
  conn: { clientIp: string; clientPort: number; localIp: string; localPort: number },
  req: http.IncomingMessage,
  nbsrv: (backend: string) => number,
): ConnectionFacts {
  return new RequestFacts(conn, req, nbsrv);
}
