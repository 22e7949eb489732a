// `option httpchk` + `http-check send/expect/connect`: one HTTP/1.x request per check over
// TCP or TLS (check-ssl, `http-check connect ssl`). With no `expect` rule, any 2xx or 3xx
// passes, as in HAProxy. The response is read up to 16 KB (HAProxy's tune.chksize).

import type { HealthCheckConfig, HttpCheckRule } from '../../config/haproxy/model.js';
import type { Probe, ProbeTarget } from './probe.js';
import { connectForCheck } from './probe.js';
import type { CheckResult } from './result.js';

const MAX_RESPONSE = 16384;

type Expect = Extract<HttpCheckRule, { kind: 'expect' }>;

export interface HttpCheckPlan {
  readonly request: Buffer;
  readonly expect?: Expect | undefined;
  /** `http-check connect ssl` */
  readonly ssl: boolean;
  readonly port?: number | undefined;
  readonly sni?: string | undefined;
}

/** Methods that get no `content-length: 0` when the check sends no body (as HAProxy 2.6). */
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/**
 * The request head HAProxy 2.6 sends for a check (seen by capture beside it): names in
 * lower case, in the configured order, no Host of its own; the configured Content-Length is
 * replaced by the body's own, after the other headers (`content-length: 0` for a method
 * that may carry a body); a version other than HTTP/1.0 goes out as HTTP/1.1. Connection:
 * `close` and `keep-alive` tokens are taken out and the connection mode added back at the
 * end (HTTP/1.1 closes with `connection: close` unless keep-alive was asked; HTTP/1.0 says
 * `connection: keep-alive` when asked); any other token (`upgrade`) stays in place and no
 * mode is added.
 */
export function checkRequestHead(
  method: string,
  uri: string,
  version: string,
  headers: readonly (readonly [string, string])[],
  body: string,
): string {
  const v11 = version.toUpperCase() !== 'HTTP/1.0';
  let keepAlive: boolean | undefined;
  let otherTokens = false;
  const out: string[] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') continue;
    if (lower === 'connection') {
      const kept: string[] = [];
      for (const raw of value.split(',')) {
        const t = raw.trim();
        const tl = t.toLowerCase();
        if (tl === 'close') keepAlive = false;
        else if (tl === 'keep-alive') keepAlive ??= true;
        else if (t !== '') kept.push(t);
      }
      if (kept.length > 0) {
        otherTokens = true;
        out.push(`connection: ${kept.join(', ')}`);
      }
      continue;
    }
    out.push(`${lower}: ${value}`);
  }
  const length = Buffer.byteLength(body);
  if (length > 0 || !BODYLESS.has(method.toUpperCase())) out.push(`content-length: ${length}`);
  if (!otherTokens) {
    if (v11 && keepAlive !== true) out.push('connection: close');
    else if (!v11 && keepAlive === true) out.push('connection: keep-alive');
  }
  const line = `${method} ${uri} ${v11 ? 'HTTP/1.1' : 'HTTP/1.0'}`;
  return `${line}\r\n${out.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** Builds the request bytes and the expectation from the backend's check config. */
export function planHttpCheck(cfg: HealthCheckConfig): HttpCheckPlan {
  let method = cfg.method ?? 'OPTIONS';
  let uri = cfg.uri ?? '/';
  let version = cfg.version ?? 'HTTP/1.0';
  const headers: [string, string][] = [];
  let body = '';
  let expect: Expect | undefined;
  let ssl = false;
  let port: number | undefined;
  let sni: string | undefined;
  for (const r of cfg.rules) {
    if (r.kind === 'send') {
      method = r.method ?? method;
      uri = r.uri ?? uri;
      version = r.version ?? version;
      headers.push(...r.headers);
      body = r.body ?? body;
    } else if (r.kind === 'expect') {
      expect ??= r; // HAProxy evaluates rules in order; the first expect decides for halo.
    } else {
      ssl = r.ssl ?? ssl;
      port = r.port ?? port;
      sni = r.sni ?? sni;
    }
  }
  // `option httpchk GET / HTTP/1.1\r\nHost:\ x`: headers hidden after the version (HAProxy
  // 2.6 warns that this is deprecated, and sends them as headers).
  const blank = version.indexOf('\r\n\r\n');
  const [line, ...hidden] = (blank < 0 ? version : version.slice(0, blank)).split('\r\n');
  if (blank >= 0) body ||= version.slice(blank + 4);
  const fromVersion: [string, string][] = [];
  for (const h of hidden) {
    const colon = h.indexOf(':');
    if (colon > 0) fromVersion.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
  }
  const head = checkRequestHead(method, uri, line ?? version, [...fromVersion, ...headers], body);
  return { request: Buffer.from(head + body), expect, ssl, port, sni };
}

interface ParsedResponse {
  code: number;
  reason: string;
  body: string;
  /** Headers and body (per Content-Length) have all arrived. */
  complete: boolean;
}

export function parseResponse(raw: Buffer): ParsedResponse | undefined {
  const text = raw.toString('latin1');
  const m = /^HTTP\/\d\.\d (\d{3})(?: ([^\r\n]*))?\r?\n/.exec(text);
  if (!m) return undefined;
  const end = text.indexOf('\r\n\r\n');
  const body = end >= 0 ? text.slice(end + 4) : '';
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end >= 0 ? end : undefined));
  const complete = end >= 0 && length !== null && body.length >= Number(length[1]);
  return { code: Number(m[1]), reason: m[2] ?? '', body, complete };
}

function statusMatches(pattern: string, code: number): boolean {
  return pattern.split(',').some((part) => {
    const [lo, hi] = part.split('-');
    return hi === undefined ? Number(lo) === code : code >= Number(lo) && code <= Number(hi);
  });
}

/** Applies the expectation to a parsed response. */
export function evaluate(
  expect: Expect | undefined,
  res: ParsedResponse,
  durationMs: number,
): CheckResult {
  const base = { code: res.code, durationMs };
  if (!expect) {
    const ok = res.code >= 200 && res.code < 400;
    return ok
      ? { ...base, status: 'L7OK', ok }
      : { ...base, status: 'L7STS', ok, info: res.reason || undefined };
  }
  let matched: boolean;
  switch (expect.matcher) {
    case 'status':
      matched = statusMatches(expect.pattern, res.code);
      break;
    case 'rstatus':
      matched = new RegExp(expect.pattern).test(String(res.code));
      break;
    case 'string':
      matched = res.body.includes(expect.pattern);
      break;
    case 'rstring':
      matched = new RegExp(expect.pattern).test(res.body);
      break;
  }
  if (expect.negate) matched = !matched;
  if (matched) return { ...base, status: 'L7OK', ok: true };
  const onStatus = expect.matcher === 'status' || expect.matcher === 'rstatus';
  return onStatus
    ? { ...base, status: 'L7STS', ok: false, info: res.reason || undefined }
    : { ...base, status: 'L7RSP', ok: false, info: 'HTTP content check did not match' };
}

export function httpProbe(plan: HttpCheckPlan): Probe {
  return async (target: ProbeTarget) => {
    const t: ProbeTarget = {
      ...target,
      port: plan.port ?? target.port,
      ssl: plan.ssl ? { servername: plan.sni, verify: false } : target.ssl,
    };
    const c = await connectForCheck(t);
    if (!c.ok) return c.result;
    const { socket, started } = c;
    return new Promise<CheckResult>((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(() => finish(true), target.readTimeout);
      function finish(timedOut: boolean) {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        socket.destroy();
        const durationMs = performance.now() - started;
        const res = parseResponse(Buffer.concat(chunks));
        if (!res) {
          resolve(
            timedOut
              ? { status: 'L7TOUT', ok: false, durationMs }
              : { status: 'L7RSP', ok: false, info: 'Invalid HTTP response', durationMs },
          );
          return;
        }
        resolve(evaluate(plan.expect, res, durationMs));
      }
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        size += d.length;
        // Keep-alive servers (an HTTP/1.1 check) do not close: stop once the response is whole.
        if (size >= MAX_RESPONSE || parseResponse(Buffer.concat(chunks))?.complete) finish(false);
      });
      socket.once('end', () => finish(false));
      socket.once('error', () => finish(false));
      socket.write(plan.request);
    });
  };
}
