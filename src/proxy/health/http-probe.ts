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
  // HAProxy sends exactly the configured headers: no Host, no Connection (an HTTP/1.1
  // check without `hdr Host` gets a 400 from most servers, there as here).
  const has = (name: string) => headers.some(([h]) => h.toLowerCase() === name);
  if (body && !has('content-length'))
    headers.push(['Content-Length', String(Buffer.byteLength(body))]);
  const head = `${method} ${uri} ${version}\r\n${headers.map(([h, v]) => `${h}: ${v}\r\n`).join('')}\r\n`;
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
