// `http-check send|expect|connect|...` rules (used with `option httpchk`).

import type { LineCtx, ProxyDraft } from '../draft.js';
import type { HttpCheckRule } from '../model.js';
import { notApplied } from './not-applied.js';

const EXPECT_MATCHERS = ['status', 'rstatus', 'string', 'rstring', 'string-lf', 'hdr', 'fhdr'];

export function parseHttpCheck(ctx: LineCtx, px: ProxyDraft): void {
  const sub = ctx.arg(1);
  if (sub === 'send') {
    parseSend(ctx, px);
    return;
  }
  if (sub === 'expect') {
    parseExpect(ctx, px);
    return;
  }
  if (sub === 'connect') {
    parseConnect(ctx, px);
    return;
  }
  if (['disable-on-404', 'send-state'].includes(sub)) {
    notApplied(ctx, `'http-check ${sub}'`);
    return;
  }
  if (sub === 'comment') return;
  if (/^(set-var(-fmt)?|unset-var)\(/.test(sub)) {
    notApplied(ctx, `'http-check ${sub.replace(/\(.*$/, '')}'`, 'with no check variables set');
    return;
  }
  ctx.error(
    'HAP_BAD_VALUE',
    `'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '${sub}'`,
  );
}

function parseSend(ctx: LineCtx, px: ProxyDraft): void {
  const rule: Extract<HttpCheckRule, { kind: 'send' }> = {
    pos: ctx.pos,
    kind: 'send',
    headers: [],
  };
  const w = ctx.words;
  for (let i = 2; i < w.length; i++) {
    const k = w[i];
    const v = w[i + 1] ?? '';
    if (k === 'meth') rule.method = v;
    else if (k === 'uri' || k === 'uri-lf') {
      rule.uri = v;
      if (k === 'uri-lf' && v.includes('%'))
        notApplied(ctx, "'http-check send uri-lf' formats", 'with the URI sent as written');
    } else if (k === 'ver') rule.version = v;
    else if (k === 'hdr') {
      rule.headers.push([v, w[i + 2] ?? '']);
      i++;
    } else if (k === 'body' || k === 'body-lf') {
      rule.body = v;
      if (k === 'body-lf' && v.includes('%'))
        notApplied(ctx, "'http-check send body-lf' formats", 'with the body sent as written');
    } else if (k === 'comment') {
      // ignored
    } else {
      ctx.error(
        'HAP_BAD_VALUE',
        `'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '${k}' as argument.`,
      );
      return;
    }
    if (v === '') {
      ctx.error('HAP_MISSING_ARG', `'http-check send' : '${k}' expects a value.`);
      return;
    }
    i++;
  }
  px.checkRules.push(rule);
}

function parseExpect(ctx: LineCtx, px: ProxyDraft): void {
  let i = 2;
  while (
    ctx.arg(i) === 'min-recv' ||
    ctx.arg(i) === 'comment' ||
    ctx.arg(i).endsWith('-status') ||
    ctx.arg(i) === 'on-success' ||
    ctx.arg(i) === 'on-error'
  )
    i += 2;
  let m = ctx.arg(i);
  const negate = m.startsWith('!');
  if (negate) m = m.slice(1);
  if (!EXPECT_MATCHERS.includes(m)) {
    ctx.error(
      'HAP_BAD_VALUE',
      `'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '${ctx.arg(i)}' as argument..`,
    );
    return;
  }
  const pattern = ctx.arg(i + 1);
  if (!pattern) {
    ctx.error('HAP_MISSING_ARG', `'http-check expect' : '${m}' expects <pattern> as an argument.`);
    return;
  }
  if (m === 'hdr' || m === 'fhdr') {
    // Not a body match: the check goes on as if this expect were absent, and says so.
    notApplied(ctx, `'http-check expect ${m}'`);
    return;
  }
  if (m === 'string-lf' && pattern.includes('%'))
    notApplied(ctx, "'http-check expect string-lf' formats", 'with the pattern matched as written');
  const matcher = m === 'string-lf' ? 'string' : (m as 'status');
  px.checkRules.push({ pos: ctx.pos, kind: 'expect', negate, matcher, pattern });
}

function parseConnect(ctx: LineCtx, px: ProxyDraft): void {
  const rule: Extract<HttpCheckRule, { kind: 'connect' }> = { pos: ctx.pos, kind: 'connect' };
  const w = ctx.words;
  for (let i = 2; i < w.length; i++) {
    const k = w[i];
    if (k === 'ssl') rule.ssl = true;
    else if (k === 'port') rule.port = Number.parseInt(w[++i] ?? '', 10) || 0;
    else if (k === 'sni') rule.sni = w[++i] ?? '';
    else if (k === 'alpn') rule.alpn = w[++i] ?? '';
    else if (['send-proxy', 'via-socks4', 'linger', 'default'].includes(k as string)) continue;
    else if (['addr', 'proto', 'comment'].includes(k as string)) i++;
    else {
      ctx.error(
        'HAP_BAD_VALUE',
        `'http-check connect' : expects 'comment', 'port', 'addr', 'send-proxy', 'via-socks4', 'ssl', 'sni', 'alpn', 'proto', 'linger' or 'default' but got '${k}' as argument.`,
      );
      return;
    }
  }
  px.checkRules.push(rule);
}
