// HAProxy's http-reply arguments, shared by `http-request deny|tarpit|return`,
// `http-response deny` and `http-error status`: `status`, `content-type`, one payload
// (`string`, `lf-string`, `file`, `lf-file`, `errorfile`, `errorfiles`,
// `default-errorfiles`) and `hdr NAME FMT`, checked as HAProxy 2.6 checks them, with its
// messages. Files are read through the port when the line is parsed, as HAProxy reads
// them; `errorfiles NAME` is looked up once every section is known (error-files.ts).

import type { LineCtx } from './draft.js';
import type { HttpReplyBody, HttpReplySpec, LogFormat } from './http-rule-model.js';
import { parseLogFormat } from './log-format.js';
import type { ErrorFileReply } from './model.js';

/** The statuses HAProxy 2.6 has an error page for (its http_err_codes). */
export const ERROR_CODES: readonly number[] = [
  200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504,
];

/** What the reply parser needs from the line it reads. */
export interface ReplyPort {
  /** An error with the caller's prefix; returns 'error'. */
  fail(message: string): 'error';
  warning(message: string): void;
  /** A log-format string of this line, checked, or 'error' (already reported). */
  format(text: string): LogFormat | 'error';
  /** A file's bytes, or undefined when it does not open. */
  read(path: string): Buffer | undefined;
  /** tune.bufsize: the largest payload file HAProxy takes. */
  readonly bufsize: number;
}

/** The payload arguments (one per reply) and what each expects, in HAProxy's words. */
const EXPECTS: Readonly<Record<string, string>> = {
  errorfile: '<fmt>',
  errorfiles: '<name>',
  'default-errorfiles': '',
  file: '<file>',
  'lf-file': '<file>',
  string: '<str>',
  'lf-string': '<fmt>',
};

export interface ParsedReply {
  readonly spec: HttpReplySpec;
  /** How many words of `args` the reply took; the next one is not a reply argument. */
  readonly used: number;
}

/**
 * Reads reply arguments from `args` up to the first word that is not one (HAProxy stops
 * there and leaves it to the caller). `statusWords` names the status argument (`status`,
 * and `deny_status` for deny and tarpit).
 */
export function parseReply(
  p: ReplyPort,
  args: readonly string[],
  defaultStatus: number,
  statusWords: readonly string[] = ['status'],
): ParsedReply | 'error' {
  let status = defaultStatus;
  let contentType: string | undefined;
  let payload: string | undefined;
  let body: HttpReplyBody | undefined;
  let section: string | undefined;
  let defaultFiles = false;
  let raw: string | undefined;
  let lf: string | undefined;
  let headers: [string, LogFormat][] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const w = args[i]!;
    const v = args[i + 1];
    if (statusWords.includes(w)) {
      if (v === undefined || v === '') return p.fail(`'${w}' expects <status_code> as argument`);
      const n = Number.parseInt(v, 10);
      const code = Number.isNaN(n) ? 0 : n;
      if (code < 200 || code > 599) return p.fail(`Unexpected status code '${code}'`);
      status = code;
      i++;
      continue;
    }
    if (w === 'content-type') {
      if (v === undefined || v === '') return p.fail(`'${w}' expects <ctype> as argument`);
      contentType = v;
      i++;
      continue;
    }
    if (w === 'hdr') {
      const fmt = args[i + 2];
      if (v === undefined || v === '' || fmt === undefined || fmt === '')
        return p.fail(`'${w}' expects <name> and <value> as arguments`);
      i += 2;
      if (['content-length', 'transfer-encoding', 'content-type'].includes(v.toLowerCase())) {
        p.warning(`header '${v}' always ignored by the http reply.`);
        continue;
      }
      const f = p.format(fmt);
      if (f === 'error') return f;
      headers.push([v.toLowerCase(), f]);
      continue;
    }
    if (!Object.hasOwn(EXPECTS, w)) break;
    if (payload !== undefined)
      return p.fail(`unexpected '${w}' argument, '${payload}' already defined`);
    payload = w;
    if (w === 'default-errorfiles') {
      defaultFiles = true;
      continue;
    }
    if (v === undefined || v === '') return p.fail(`'${w}' expects ${EXPECTS[w]} as argument`);
    i++;
    if (w === 'errorfiles') section = v;
    else if (w === 'string') raw = v;
    else if (w === 'lf-string') lf = v;
    else if (w === 'errorfile') {
      const file = loadErrorFile(p, v);
      if (file === 'error') return file;
      body = { kind: 'errorfile', file };
    } else {
      const data = p.read(v);
      if (!data) return p.fail(`error opening file '${v}'`);
      if (data.length > p.bufsize)
        return p.fail(`file '${v}' exceeds the buffer size (${data.length} > ${p.bufsize})`);
      if (w === 'file') raw = data.toString('latin1');
      else lf = data.toString('latin1');
    }
  }
  const bodyless = status === 204 || status === 304;
  if (payload === undefined) {
    if (contentType !== undefined) {
      p.warning(
        `content-type '${contentType}' ignored by the http reply because neither errorfile nor payload defined.`,
      );
      contentType = undefined;
    }
  } else if (defaultFiles || section !== undefined || body?.kind === 'errorfile') {
    if (body?.kind !== 'errorfile' && !ERROR_CODES.includes(status))
      return p.fail(`status code '${status}' not handled by default with '${payload}' argument.`);
    if (contentType !== undefined) {
      p.warning(
        `content-type '${contentType}' ignored by the http reply when used with an erorrfile.`,
      );
      contentType = undefined;
    }
    if (headers.length > 0) {
      p.warning('hdr parameters ignored by the http reply when used with an erorrfile.');
      headers = [];
    }
  } else if (raw !== undefined) {
    if (bodyless && raw.length > 0) return p.fail(`No body expected for ${status} responses`);
    if (contentType === undefined && raw.length > 0)
      return p.fail('a content type must be defined when non-empty payload is configured');
    if (contentType !== undefined && raw.length === 0) {
      p.warning(
        `content-type '${contentType}' ignored by the http reply when used with an empty payload.`,
      );
      contentType = undefined;
    }
    body = { kind: 'string', text: raw };
  } else if (lf !== undefined) {
    if (bodyless) return p.fail(`No body expected for ${status} responses`);
    if (contentType === undefined)
      return p.fail('a content type must be defined with a log-format payload');
    const f = p.format(lf);
    if (f === 'error') return f;
    body = { kind: 'lf', format: f };
  }
  return {
    spec: {
      status,
      ...(contentType !== undefined ? { contentType } : {}),
      ...(body ? { body } : {}),
      headers,
      errorPage: defaultFiles,
      ...(section !== undefined ? { section } : {}),
    },
    used: i,
  };
}

/**
 * An errorfile, read and checked as HAProxy checks it: undefined for an empty file, or
 * 'error' (reported as HAProxy words it, with the caller's prefix).
 */
export function loadErrorFile(
  p: Pick<ReplyPort, 'fail' | 'read' | 'warning' | 'bufsize'>,
  path: string,
): ErrorFileReply | undefined | 'error' {
  const data = p.read(path);
  if (!data) return p.fail(`error opening file '${path}'.`);
  let bytes = data;
  if (bytes.length > p.bufsize) {
    p.warning(`custom error message file '${path}' larger than ${p.bufsize} bytes. Truncating.`);
    bytes = bytes.subarray(0, p.bufsize);
  }
  if (bytes.length === 0) return undefined;
  const r = parseErrorFile(bytes);
  if (typeof r === 'string') return p.fail(`'${path}': ${r}`);
  return r;
}

/** A port for the reply parser on `ctx`; `fail` reports with the caller's prefix. */
export function replyPort(ctx: LineCtx, fail: (m: string) => 'error'): ReplyPort {
  return {
    fail,
    warning: (m) => ctx.warning('HAP_REPLY_IGNORED', m),
    format(text) {
      const f = parseLogFormat(text, ctx.files);
      return typeof f === 'string' ? fail(f) : f;
    },
    read: (path) => ctx.files.read(path),
    bufsize: ctx.files.bufsize,
  };
}

/** The reply a file holds, or HAProxy's reason for refusing it. Pure. */
export function parseErrorFile(data: Buffer): ErrorFileReply | string {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const headEnd = end >= 0 ? end : text.indexOf('\n\n');
  if (headEnd < 0) return 'failed to parse the payload (no end of headers)';
  const sep = end >= 0 ? 4 : 2;
  const lines = text.slice(0, headEnd).split(/\r?\n/);
  const m = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return 'failed to parse the payload (invalid status line)';
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i <= 0) return `failed to parse the payload (invalid header line '${l}')`;
    headers.push([l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]);
  }
  const body = text.slice(headEnd + sep);
  const cl = headers.find(([n]) => n === 'content-length');
  if (cl && Number(cl[1]) !== body.length)
    return `payload size does not match the announced content-length (${body.length} != ${cl[1]})`;
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', headers, body };
}
