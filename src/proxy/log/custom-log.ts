// `log-format` lines: HAProxy 2.6's log variables (configuration.txt 8.2.4) filled from one
// session's or request's record, and its separator rule (a run of spaces is written once,
// and not after a variable that wrote nothing). Pure: the caller passes every date, counter
// and address, and a sample evaluator for `%[...]`.

import { hostname as osHostname } from 'node:os';
import type { LogFormat, SampleExpr } from '../../config/haproxy/http-rule-model.js';
import type { CaptureValues } from '../http/captures.js';
import { quoteRequestLine } from './httplog.js';
import type { SessionLogFields } from './tcplog.js';
import { formatAcceptDate, MONTHS, p2 } from './tcplog.js';

/** What a log line may show of one TCP session or HTTP request. */
export interface LogRecord extends SessionLogFields {
  readonly clientPort: number;
  readonly frontendIp: string;
  readonly frontendPort: number;
  readonly frontendTls: boolean;
  readonly serverIp?: string;
  readonly serverPort?: number;
  /** Accept date and, in HTTP, the request's date (epoch ms). */
  readonly accepted: number;
  readonly received?: number;
  readonly tt: number;
  readonly tR?: number;
  readonly tr?: number;
  readonly ta?: number;
  readonly bytes: number;
  readonly bytesIn: number;
  readonly status?: number;
  /** Two characters (`--`, `SC`...). */
  readonly termination: string;
  /** HTTP: the request line as received (undefined for `<BADREQ>`), its parts (absent too then). */
  readonly requestLine?: string | undefined;
  readonly method?: string;
  readonly uri?: string;
  readonly version?: string;
  readonly sslVersion?: string;
  readonly sslCipher?: string;
  readonly pid: number;
  readonly hostname: string;
  /** HTTP: the request's capture slots, when its frontend has any. */
  readonly captures?: CaptureValues;
}

/** `%T`: `04/Dec/2026:18:30:00 +0000`. */
function gmtDate(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(
    d.getUTCHours(),
  )}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

/** `%Tl`: the local date with its offset, `04/Dec/2026:19:30:00 +0100`. */
function localDate(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(
    d.getMinutes(),
  )}:${p2(d.getSeconds())} ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

const timer = (n: number | undefined) => (n === undefined ? -1 : n);

function path(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}

/** undefined writes '-'; null writes nothing and leaves the separator rule as it was. */
type Value = string | number | undefined | null;

/** An HTTP field of a request whose line could not be parsed: HAProxy writes `<BADREQ>`. */
const http =
  (get: (r: LogRecord) => Value) =>
  (r: LogRecord): Value =>
    r.requestLine === undefined && r.method === undefined ? '<BADREQ>' : get(r);

/** Each variable: its value; strings may be quoted (`%{+Q}`), numbers never are. */
const VARS: Readonly<Record<string, (r: LogRecord) => Value>> = {
  B: (r) => r.bytes,
  U: (r) => r.bytesIn,
  ST: (r) => r.status,
  CC: () => '-',
  CS: () => '-',
  H: (r) => r.hostname,
  HM: http((r) => r.method),
  HU: http((r) => r.uri),
  HP: http((r) => path(r.uri)),
  HPO: http((r) => path(r.uri?.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/, ''))),
  HQ: http((r) => {
    const q = r.uri?.indexOf('?') ?? -1;
    return q < 0 ? '' : r.uri!.slice(q);
  }),
  HV: http((r) => (r.version === undefined ? undefined : `HTTP/${r.version}`)),
  ID: () => undefined,
  T: (r) => gmtDate(r.accepted),
  Tl: (r) => localDate(r.accepted),
  t: (r) => formatAcceptDate(r.accepted),
  tr: (r) => formatAcceptDate(r.received ?? r.accepted),
  trg: (r) => gmtDate(r.received ?? r.accepted),
  trl: (r) => localDate(r.received ?? r.accepted),
  ms: (r) => String(new Date(r.accepted).getMilliseconds()).padStart(3, '0'),
  Ts: (r) => Math.floor(r.accepted / 1000),
  Ta: (r) => timer(r.ta),
  Tc: (r) => r.tc,
  Tw: (r) => r.tw,
  Tt: (r) => r.tt,
  Tu: (r) => r.tt,
  TR: (r) => timer(r.tR),
  Tr: (r) => timer(r.tr),
  Th: () => 0,
  Ti: () => 0,
  Tq: (r) => timer(r.tR),
  Td: (r) => {
    const parts = [timer(r.tR), r.tw, r.tc, timer(r.tr)];
    return parts.some((n) => n < 0) ? -1 : r.tt - parts.reduce((a, b) => a + b, 0);
  },
  ac: (r) => r.actconn,
  fc: (r) => r.feconn,
  bc: (r) => r.beconn,
  sc: (r) => r.srvconn,
  rc: (r) => (r.redispatched ? `+${r.retries}` : r.retries),
  sq: (r) => r.srvQueue,
  bq: (r) => r.beQueue,
  b: (r) => r.backend,
  f: (r) => r.frontend,
  ft: (r) => (r.frontendTls ? `${r.frontend}~` : r.frontend),
  s: (r) => r.server,
  ci: (r) => r.clientIp,
  cp: (r) => r.clientPort,
  fi: (r) => r.frontendIp,
  fp: (r) => r.frontendPort,
  si: (r) => r.serverIp,
  sp: (r) => r.serverPort,
  ts: (r) => r.termination,
  tsc: (r) => `${r.termination}--`,
  // No capture slot on that side: nothing at all, not even the separator after
  // (httplog's `%hr %hs`). %hrl and %hsl are written in renderLogFormat (quoted per value).
  hr: (r) => r.captures?.braced('request') ?? null,
  hs: (r) => r.captures?.braced('response') ?? null,
  pid: (r) => r.pid,
  sslv: (r) => r.sslVersion,
  sslc: (r) => r.sslCipher,
};

let host: string | undefined;
/** `%H`: the machine's name, read once (not a system call per log line). */
export function logHostname(): string {
  host ??= osHostname();
  return host;
}

/** Log variables halo does not fill yet (`%bi`, `%lc`...): what `halo check` warns about. */
export function unfilledLogVars(format: LogFormat): string[] {
  const filled = (name: string) => VARS[name] !== undefined || name === 'hrl' || name === 'hsl';
  return format.flatMap((n) => (n.kind === 'var' && !filled(n.name) ? [`%${n.name}`] : []));
}

/**
 * Renders `format` for `r`. `sample` evaluates `%[...]` (undefined: nothing found, `-`).
 * An empty value still counts as written (the separators around it both stay, as in
 * HAProxy: `/two  HTTP/1.1` for an empty `%HQ`); an absent capture writes nothing.
 */
export function renderLogFormat(
  format: LogFormat,
  r: LogRecord,
  sample: (expr: SampleExpr) => string | undefined = () => undefined,
): string {
  let out = '';
  let lastSpace = true;
  for (const n of format) {
    if (n.kind === 'text') {
      for (const ch of n.text) {
        if (ch === ' ') {
          if (!lastSpace) out += ' ';
          lastSpace = true;
        } else {
          out += ch;
          lastSpace = false;
        }
      }
      continue;
    }
    let v: Value;
    let isString = true;
    if (n.kind === 'sample') v = sample(n.expr);
    else if (n.name === 'hrl' || n.name === 'hsl') {
      const list = r.captures?.listed(n.name === 'hrl' ? 'request' : 'response', n.quote === true);
      if (list === undefined) continue;
      out += list;
      lastSpace = false;
      continue;
    } else if (n.name === 'r') {
      out += n.quote ? quoteRequestLine(r.requestLine) : (r.requestLine ?? '<BADREQ>');
      lastSpace = false;
      continue;
    } else {
      v = VARS[n.name]?.(r);
      isString = typeof v !== 'number';
    }
    if (v === null) continue;
    const text = v === undefined ? '-' : String(v);
    out += n.quote && isString ? `"${text}"` : text;
    lastSpace = false;
  }
  return out;
}
