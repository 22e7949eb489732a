// Capture slots of a frontend: `capture request|response header NAME len N` and `declare
// capture request|response len N` (and the slots `http-request capture EXPR len N` adds,
// keywords/http-rules.ts), with HAProxy 2.6's messages. `%hr`/`%hs` log them in this order;
// `capture.req.hdr(N)` reads slot N. `capture cookie` is left to the not-applied warning.

import type { Diagnostics } from '../../diagnostics.js';
import type { LineCtx, ProxyDraft } from '../draft.js';

export type CaptureSide = 'request' | 'response';

/** The slots of `px`, made on first use. */
export function captureSlots(px: ProxyDraft, side: CaptureSide) {
  px.captures ??= { request: [], response: [] };
  return px.captures[side];
}

/** `capture ...`; false for `capture cookie`, which halo does not apply. */
export function parseCaptureLine(ctx: LineCtx, px: ProxyDraft): boolean {
  const what = ctx.arg(1);
  if (px.kind === 'defaults' && (what === 'cookie' || ctx.arg(2) === 'header')) {
    ctx.error('HAP_NOT_ALLOWED', `'capture ${what}' not allowed in 'defaults' section.`);
    return true;
  }
  if (what === 'cookie') return false;
  if ((what !== 'request' && what !== 'response') || ctx.arg(2) !== 'header') {
    ctx.error(
      'HAP_BAD_ARGS',
      "'capture' expects 'cookie' or 'request header' or 'response header'.",
    );
    return true;
  }
  if (ctx.arg(3) === '' || ctx.arg(4) !== 'len' || ctx.arg(5) === '') {
    ctx.error('HAP_BAD_ARGS', `'capture ${what}' expects 'header' <header_name> 'len' <len>.`);
    return true;
  }
  // HAProxy reads the length with atol: digits up to the first other character.
  const len = Number.parseInt(ctx.arg(5), 10) || 0;
  captureSlots(px, what).push({ len, header: ctx.arg(3).toLowerCase() });
  return true;
}

/** `declare capture request|response len N`. */
export function parseDeclareLine(ctx: LineCtx, px: ProxyDraft): void {
  const kw = ctx.arg(0);
  if (px.kind === 'defaults') {
    ctx.error('HAP_NOT_ALLOWED', `'${kw}' not available in default section`);
    return;
  }
  if (px.kind === 'backend') {
    ctx.error('HAP_NOT_ALLOWED', `'${kw}' only available in frontend or listen section`);
    return;
  }
  if (ctx.arg(1) === '') {
    ctx.error(
      'HAP_BAD_ARGS',
      `'${kw}' needs a second keyword that specify the type of declaration ('capture')`,
    );
    return;
  }
  if (ctx.arg(1) !== 'capture') {
    ctx.error('HAP_BAD_ARGS', `unknown declaration type '${ctx.arg(1)}'`);
    return;
  }
  const side = ctx.arg(2);
  const what = `'${kw} ${ctx.arg(1)}'`;
  if (side !== 'request' && side !== 'response') {
    ctx.error('HAP_BAD_ARGS', `${what} requires a direction ('request' or 'response')`);
    return;
  }
  if (ctx.arg(3) !== 'len') {
    ctx.error('HAP_BAD_ARGS', `${what} requires a capture length ('len')`);
    return;
  }
  const text = ctx.arg(4);
  if (text === '') {
    ctx.error(
      'HAP_BAD_ARGS',
      `${what}: 'len' requires a numeric value that represents the capture length`,
    );
    return;
  }
  if (!/^[+-]?\d+$/.test(text.trim())) {
    // HAProxy names the 'len' word here, not the value.
    ctx.error('HAP_BAD_ARGS', `${what}: cannot parse the length '${ctx.arg(3)}'.`);
    return;
  }
  const len = Number.parseInt(text, 10);
  if (len <= 0) {
    ctx.error('HAP_BAD_VALUE', 'length must be > 0');
    return;
  }
  captureSlots(px, side).push({ len });
}

/**
 * After parsing: every `capture ... id N` rule names a slot its frontend has, as HAProxy
 * checks it. An http-response rule of a backend writes into its frontend's slots at run
 * time (HAProxy checks it there), so only frontends are checked here.
 */
export function checkCaptureIds(proxies: readonly ProxyDraft[], diags: Diagnostics): void {
  for (const px of proxies) {
    if (px.kind === 'defaults' || px.kind === 'backend' || !px.httpRules) continue;
    const lists = [
      ['http-request', px.httpRules.request, px.captures?.request.length ?? 0],
      ['http-response', px.httpRules.response, px.captures?.response.length ?? 0],
    ] as const;
    for (const [keyword, rules, count] of lists)
      for (const r of rules)
        if (r.action.type === 'capture' && r.action.slot >= count)
          diags.error(
            r.pos,
            'HAP_UNKNOWN_CAPTURE',
            `Proxy '${px.name}': unable to find capture id '${r.action.slot}' referenced by ${keyword} capture rule.`,
            'haproxy',
          );
  }
}
