// What a proxy answers instead of HAProxy's own pages: `errorfile CODE FILE`, `errorfiles
// NAME [CODE...]` (from an `http-errors NAME` section of `errorfile` lines) and `http-error
// status CODE ...` (an http-reply), in defaults and proxies, applied in file order as
// HAProxy 2.6 applies them (a proxy starts from its defaults' lines; a later line wins),
// with HAProxy's messages. Files are read as their line is parsed; `errorfiles` names are
// looked up once every section is read, as HAProxy does after parsing.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { LineCtx, ProxyDraft } from './draft.js';
import { ERROR_CODES, loadErrorFile, parseReply, replyPort } from './http-reply.js';
import type { HttpReplySpec, HttpRules } from './http-rule-model.js';
import type { ErrorFileReply } from './model.js';

/** An `http-errors NAME` section: its files by status. */
export interface HttpErrorsSection {
  readonly name: string;
  readonly pos: SourcePos;
  readonly replies: Map<number, HttpReplySpec>;
}

/** The reply an errorfile makes (`file` undefined: an empty file). */
function fileReply(status: number, file: ErrorFileReply | undefined): HttpReplySpec {
  return { status, body: { kind: 'errorfile', file }, headers: [], errorPage: false };
}

function statusOf(word: string): number | undefined {
  const n = Number.parseInt(word, 10);
  return ERROR_CODES.includes(n) ? n : undefined;
}

function addEntry(px: ProxyDraft, entry: NonNullable<ProxyDraft['errorEntries']>[number]): void {
  px.errorEntries ??= [];
  px.errorEntries.push(entry);
}

/**
 * `errorfile CODE FILE`, in a proxy or an http-errors section: its code and the reply its
 * file makes, or undefined once HAProxy's message is given. `missing` is the message for
 * absent arguments (HAProxy words it apart in the two places).
 */
function errorfileLine(
  ctx: LineCtx,
  missing: { code: string; message: string },
): { code: number; reply: HttpReplySpec } | undefined {
  const fail = (m: string): 'error' => {
    ctx.error('HAP_ERRORFILE', `errorfile : ${m}`);
    return 'error';
  };
  if (ctx.arg(1) === '' || ctx.arg(2) === '') {
    ctx.error(missing.code, missing.message);
    return undefined;
  }
  const code = statusOf(ctx.arg(1));
  if (code === undefined) {
    fail(`status code '${Number.parseInt(ctx.arg(1), 10) || 0}' not handled.`);
    return undefined;
  }
  const file = loadErrorFile(replyPort(ctx, fail), ctx.arg(2));
  return file === 'error' ? undefined : { code, reply: fileReply(code, file) };
}

/** `errorfile CODE FILE` in a proxy or defaults section. */
export function parseErrorfileLine(ctx: LineCtx, px: ProxyDraft): void {
  const r = errorfileLine(ctx, {
    code: 'HAP_ERRORFILE',
    message: 'errorfile : expects <status_code> and <file> as arguments.',
  });
  if (r) addEntry(px, { kind: 'reply', ...r, pos: ctx.pos });
}

/** `errorfiles NAME [CODE...]` in a proxy or defaults section. */
export function parseErrorfilesLine(ctx: LineCtx, px: ProxyDraft): void {
  if (ctx.arg(1) === '') {
    ctx.error('HAP_BAD_ARGS', 'errorfiles : expects <name> as argument.');
    return;
  }
  let codes: number[] | undefined;
  for (const w of ctx.words.slice(2)) {
    const code = statusOf(w);
    if (code === undefined) {
      ctx.error(
        'HAP_BAD_VALUE',
        `errorfiles : status code '${Number.parseInt(w, 10) || 0}' not handled.`,
      );
      return;
    }
    codes = [...(codes ?? []), code];
  }
  addEntry(px, { kind: 'section', name: ctx.arg(1), codes, pos: ctx.pos });
}

/** `http-error status CODE [content-type T] [payload] [hdr NAME FMT]...`. */
export function parseHttpErrorLine(ctx: LineCtx, px: ProxyDraft): void {
  const fail = (m: string): 'error' => {
    ctx.error('HAP_BAD_HTTP_ERROR', `http-error : ${m}`);
    return 'error';
  };
  const args = ctx.words.slice(1);
  const r = parseReply(replyPort(ctx, fail), args, 0);
  if (r === 'error') return;
  const { spec } = r;
  if (spec.status === 0) {
    fail('expects at least a <status> as arguments.');
    return;
  }
  if (!ERROR_CODES.includes(spec.status)) {
    ctx.error('HAP_BAD_HTTP_ERROR', `http-error: status code '${spec.status}' not handled.`);
    return;
  }
  if (r.used < args.length) {
    fail(`unknown keyword '${args[r.used]}'.`);
    return;
  }
  if (spec.section !== undefined)
    addEntry(px, { kind: 'section', name: spec.section, codes: [spec.status], pos: ctx.pos });
  else
    addEntry(px, {
      kind: 'reply',
      code: spec.status,
      reply: spec.errorPage ? undefined : spec,
      pos: ctx.pos,
    });
}

/** `http-errors NAME`: a new section, or undefined when the name is missing. */
export function openHttpErrors(
  ctx: LineCtx,
  sections: Map<string, HttpErrorsSection>,
): HttpErrorsSection | undefined {
  const name = ctx.arg(1);
  if (name === '') {
    ctx.error('HAP_MISSING_NAME', 'missing name for http-errors section.');
    return undefined;
  }
  const bad = /[^A-Za-z0-9_.:-]/.exec(name)?.[0];
  if (bad)
    ctx.error(
      'HAP_BAD_NAME',
      `character '${bad}' is not permitted in 'http-errors' name '${name}'.`,
    );
  const earlier = sections.get(name);
  if (earlier)
    ctx.error(
      'HAP_DUPLICATE_SECTION',
      `http-errors section '${name}' already exists (declared at ${earlier.pos.file}:${earlier.pos.line}).`,
    );
  const section = { name, pos: ctx.pos, replies: new Map<number, HttpReplySpec>() };
  if (!earlier) sections.set(name, section);
  return section;
}

/** A line inside an `http-errors` section: `errorfile CODE FILE` only. */
export function httpErrorsLine(ctx: LineCtx, section: HttpErrorsSection): void {
  const kw = ctx.arg(0);
  if (kw !== 'errorfile') {
    ctx.error('HAP_UNKNOWN_KEYWORD', `unknown keyword '${kw}' in 'http-errors' section`);
    return;
  }
  const r = errorfileLine(ctx, {
    code: 'HAP_BAD_ARGS',
    message: 'errorfile: expects <status_code> and <file> as arguments.',
  });
  if (r) section.replies.set(r.code, r.reply);
}

/**
 * After parsing: each proxy's error replies from its entries in order, and the
 * `errorfiles NAME` of its rules' replies, with HAProxy's messages for unknown sections
 * and statuses a section does not have.
 */
export function resolveErrorReplies(
  proxies: readonly ProxyDraft[],
  sections: ReadonlyMap<string, HttpErrorsSection>,
  diags: Diagnostics,
): void {
  for (const px of proxies) {
    if (px.kind === 'defaults') continue;
    if (px.errorEntries) px.errorReplies = proxyReplies(px, sections, diags);
    if (px.httpRules) resolveRuleSections(px, px.httpRules, sections, diags);
  }
}

function proxyReplies(
  px: ProxyDraft,
  sections: ReadonlyMap<string, HttpErrorsSection>,
  diags: Diagnostics,
): Record<number, HttpReplySpec> {
  const out: Record<number, HttpReplySpec> = {};
  for (const e of px.errorEntries ?? []) {
    if (e.kind === 'reply') {
      if (e.reply) out[e.code] = e.reply;
      else delete out[e.code];
      continue;
    }
    const s = sections.get(e.name);
    if (!s) {
      diags.error(
        e.pos,
        'HAP_UNKNOWN_HTTP_ERRORS',
        `proxy '${px.name}': unknown http-errors section '${e.name}' (at ${e.pos.file}:${e.pos.line}).`,
        'haproxy',
      );
      continue;
    }
    for (const code of e.codes ?? ERROR_CODES) {
      const r = s.replies.get(code);
      if (r) out[code] = r;
      else if (e.codes)
        diags.warning(
          e.pos,
          'HAP_HTTP_ERRORS_STATUS',
          `config: proxy '${px.name}' : status '${code}' not declared in http-errors section '${e.name}' (at ${e.pos.file}:${e.pos.line}).`,
          'haproxy',
        );
    }
  }
  return out;
}

/** Rules whose reply is `errorfiles NAME`: the section's file for the status, or none. */
function resolveRuleSections(
  px: ProxyDraft,
  rules: HttpRules,
  sections: ReadonlyMap<string, HttpErrorsSection>,
  diags: Diagnostics,
): void {
  for (const list of [rules.request, rules.response] as HttpRules['request'][]) {
    const mutable = list as HttpRules['request'][number][];
    mutable.forEach((rule, i) => {
      const a = rule.action;
      if (!('reply' in a) || a.reply.section === undefined) return;
      const s = sections.get(a.reply.section);
      if (!s) {
        diags.error(
          rule.pos,
          'HAP_UNKNOWN_HTTP_ERRORS',
          `Proxy '${px.name}': unknown http-errors section '${a.reply.section}' referenced by an http reply .`,
          'haproxy',
        );
        return;
      }
      const found = s.replies.get(a.reply.status);
      if (!found)
        diags.warning(
          rule.pos,
          'HAP_HTTP_ERRORS_STATUS',
          `Proxy '${px.name}': status '${a.reply.status}' referenced by an http reply not declared in http-errors section '${a.reply.section}'.`,
          'haproxy',
        );
      const { section: _, ...rest } = a.reply;
      const reply: HttpReplySpec = found?.body ? { ...rest, body: found.body } : rest;
      mutable[i] = { ...rule, action: { ...a, reply } };
    });
  }
}
