// `errorfile CODE FILE`: the reply HAProxy sends instead of its own page for CODE, read
// once at start-up and checked as HAProxy 2.6 checks it (the codes it has a page for, a file
// that opens, a status line, a Content-Length that matches the payload), with its messages.
// The file is kept as HAProxy holds it: status line, headers (names lower-cased), payload.

import { readFileSync } from 'node:fs';
import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { LineCtx, ProxyDraft } from './draft.js';
import type { ErrorFileReply } from './model.js';

/** The codes `errorfile` takes: those HAProxy has a built-in page for. */
export const ERRORFILE_CODES = [
  200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 425, 429, 500, 501, 502, 503, 504,
];

/** `errorfile CODE FILE` in a proxy or defaults section: recorded, read by loadErrorFiles. */
export function parseErrorfileLine(ctx: LineCtx, px: ProxyDraft): void {
  if (ctx.words.length < 3) {
    ctx.error('HAP_BAD_ARGS', 'errorfile : <code> and <file> expected.');
    return;
  }
  const code = Number(ctx.arg(1));
  if (!ERRORFILE_CODES.includes(code)) {
    ctx.error('HAP_BAD_VALUE', `errorfile : status code '${ctx.arg(1)}' not handled.`);
    return;
  }
  // A copy: a section's own lines must not change the defaults it inherited from.
  px.errorFiles = { ...px.errorFiles, [code]: { path: ctx.arg(2), pos: ctx.pos } };
}

/** The reply a file holds, or HAProxy's reason for refusing it. Pure. */
export function parseErrorFile(data: Buffer): Omit<ErrorFileReply, 'pos'> | string {
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

/** Reads every `errorfile` of the parsed proxies (each file once). */
export function loadErrorFiles(proxies: readonly ProxyDraft[], diags: Diagnostics): void {
  const cache = new Map<string, Omit<ErrorFileReply, 'pos'> | string>();
  const load = (path: string, pos: SourcePos) => {
    let r = cache.get(path);
    if (r === undefined) {
      try {
        r = parseErrorFile(readFileSync(path));
      } catch {
        r = `error opening file '${path}'`;
      }
      cache.set(path, r);
      if (typeof r === 'string')
        diags.error(
          pos,
          'HAP_ERRORFILE',
          r.startsWith('error opening') ? `errorfile : ${r}.` : `errorfile : '${path}': ${r}`,
          'haproxy',
        );
    }
    return typeof r === 'string' ? undefined : { ...r, pos };
  };
  for (const px of proxies) {
    if (!px.errorFiles) continue;
    const out: Record<number, ErrorFileReply> = {};
    for (const [code, f] of Object.entries(px.errorFiles)) {
      const reply = load(f.path, f.pos);
      if (reply) out[Number(code)] = reply;
    }
    px.errorReplies = out;
  }
}
