// `option httplog`, field for field as HAProxy 2.6 writes it:
// %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
// and the line HAProxy writes at accept time for a proxy with neither httplog nor tcplog
// (`Connect from 127.0.0.1:51264 to 127.0.0.1:18083 (fe/HTTP)`). Pure: the caller passes
// every date and counter.

import type { SessionLogFields } from './tcplog.js';
import { formatLogCounters, formatLogHead } from './tcplog.js';

export interface HttpLogFields extends SessionLogFields {
  /** Date the request started (%tr), epoch milliseconds. */
  readonly received: number;
  /** Time to receive the full request headers, -1 if they never came. */
  readonly tR: number;
  /** Time until the server's response headers, -1 if none came. */
  readonly tr: number;
  /** Active time of the request, from its start to the end of the response. */
  readonly ta: number;
  /** Status sent to the client. */
  readonly status: number;
  /** Response size as HAProxy counts it (htxResponseSize); 0 for raw error replies. */
  readonly bytes: number;
  /** Four characters: termination cause, phase, then the cookie flags (`--`). */
  readonly termination: string;
  /** `GET / HTTP/1.1`, or undefined for a request that could not be parsed (`<BADREQ>`). */
  readonly requestLine: string | undefined;
  /** `%hr` and `%hs`: `{a|b}`, absent when the frontend has no capture on that side. */
  readonly requestCaptures?: string;
  readonly responseCaptures?: string;
}

/** `%{+Q}r`: the request line in quotes, with `"` and control bytes escaped as HAProxy does. */
export function quoteRequestLine(line: string | undefined): string {
  if (line === undefined) return '"<BADREQ>"';
  let out = '"';
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x23 || c >= 0x7f) {
      out += `#${c.toString(16).padStart(2, '0').toUpperCase()}`;
    } else out += line[i];
  }
  return `${out}"`;
}

export function formatHttpLog(f: HttpLogFields): string {
  return (
    `${formatLogHead(f, f.received)} ${f.tR}/${f.tw}/${f.tc}/${f.tr}/${f.ta} ${f.status} ` +
    `${f.bytes} - - ${f.termination} ${formatLogCounters(f)} ` +
    (f.requestCaptures === undefined ? '' : `${f.requestCaptures} `) +
    (f.responseCaptures === undefined ? '' : `${f.responseCaptures} `) +
    quoteRequestLine(f.requestLine)
  );
}

/** HAProxy's default line for a proxy that logs without httplog/tcplog, written at accept. */
export function formatConnectLog(f: {
  clientIp: string;
  clientPort: number;
  localIp: string;
  localPort: number;
  frontend: string;
  mode: 'tcp' | 'http';
}): string {
  return (
    `Connect from ${f.clientIp}:${f.clientPort} to ${f.localIp}:${f.localPort} ` +
    `(${f.frontend}/${f.mode.toUpperCase()})`
  );
}

/**
 * `%B` in HTTP mode counts the response as HAProxy 2.6 holds it internally (HTX), not the
 * bytes on the wire: a 20-byte start-line header plus version, status and reason, each
 * header's name and value, one byte for the end of headers, the body without chunk
 * framing, and one more byte closing a chunked body. Measured: `200 OK` with
 * content-length 3 and content-type text/plain and a 3-byte body counts 74.
 */
export function htxResponseSize(r: {
  version: string;
  status: number;
  reason: string;
  /** Header names and values as sent (hop-by-hop ones included if sent). */
  headers: readonly (readonly [string, string])[];
  bodyBytes: number;
  chunked: boolean;
}): number {
  let n = 20 + r.version.length + String(r.status).length + r.reason.length + 1;
  for (const [name, value] of r.headers) n += name.length + value.length;
  return n + r.bodyBytes + (r.chunked ? 1 : 0);
}
