// What halo parses as HAProxy does but does not apply yet, in two classes. A line whose
// absence only changes what an operator sees (a log format, an error page, persistence)
// is a warning, HALO_NOT_APPLIED. A line whose absence weakens security (traffic in clear
// that was meant to be TLS, a client allowed to spoof what the line would have set or
// checked, a request that a rule would have refused) is an error, HALO_NOT_APPLIED_SECURITY,
// until halo applies it: running such a config would look right and be open.

import type { Diagnostics, SourcePos } from '../../diagnostics.js';
import type { LineCtx } from '../draft.js';

export const NOT_APPLIED = 'HALO_NOT_APPLIED';
export const NOT_APPLIED_SECURITY = 'HALO_NOT_APPLIED_SECURITY';

/** halo accepts what HAProxy accepts, but says when a line will have no effect. */
export function notApplied(
  ctx: LineCtx,
  what: string,
  instead = 'as if this line were absent',
): void {
  ctx.diags.warning(
    ctx.pos,
    NOT_APPLIED,
    `halo does not apply ${what} yet: the proxy runs ${instead}`,
    'halo',
    `HAProxy accepts it, so this config stays valid for both; check the README's keyword table before relying on it under halo.`,
  );
}

/** A line halo cannot apply and must not run without: an error until halo applies it. */
export function refuseUnapplied(
  diags: Diagnostics,
  pos: SourcePos,
  what: string,
  reason: string,
): void {
  diags.error(
    pos,
    NOT_APPLIED_SECURITY,
    `halo refuses ${what}: ${reason}`,
    'halo',
    'HAProxy runs this line; halo refuses the config rather than run it open. Run it under HAProxy, or remove the line knowing what it protected.',
  );
}

const PROXY_IN =
  'halo does not read the PROXY protocol yet, so the header a client sends would reach the server unchecked as data, and connections without one would be accepted';

/** Bind options whose absence opens something; the reason says what. */
export const BIND_REFUSED: Readonly<Record<string, string>> = {
  'accept-netscaler-cip': PROXY_IN.replace('the PROXY protocol', 'NetScaler client-IP headers'),
  interface:
    'halo does not bind to an interface yet, so the port would accept connections arriving on every interface',
  namespace:
    "halo does not bind in another network namespace yet, so the port would listen on halo's own network instead",
};

/** Owner options of a UNIX-socket bind: without them other accounts may connect. */
export const BIND_UNIX_OWNER: readonly string[] = ['uid', 'gid', 'user', 'group'];
export const BIND_UNIX_OWNER_REASON =
  "halo does not set the owner of a UNIX-socket listener yet, so it would keep halo's own user and group, not the ones named";

/** Bind options halo applies (listen-sockets.ts, frontend-runtime.ts) or that change nothing seen. */
export const BIND_APPLIED: ReadonlySet<string> = new Set([
  'v4v6',
  'v6only',
  'accept-proxy',
  'backlog',
  'mode',
  'name',
  'id',
  'process',
  'thread',
  'shards',
  // TLS termination (proxy/tls/bind-context.ts, files read by config/haproxy/tls-files.ts).
  'ssl',
  'crt',
  'crt-list',
  'ca-file',
  'verify',
  'alpn',
  'ssl-min-ver',
  'ssl-max-ver',
  'ciphers',
  'ciphersuites',
  'no-sslv3',
  'no-tlsv10',
  'no-tlsv11',
  'no-tlsv12',
  'no-tlsv13',
]);

const PROXY_OUT =
  "halo does not send the PROXY protocol's SSL fields yet (it sends plain send-proxy-v2), so a server that relies on them would take the client for one without TLS or without its certificate";

/** Server options whose absence sends data in clear or lets a client pass as another. */
export const SERVER_REFUSED: Readonly<Record<string, string>> = {
  'send-proxy-v2-ssl': PROXY_OUT,
  'send-proxy-v2-ssl-cn': PROXY_OUT,
  namespace:
    "halo does not connect from another network namespace yet, so traffic would leave through halo's own network instead",
  socks4:
    'halo does not connect through a SOCKS4 proxy yet, so traffic would go straight to the server address instead',
};

/** Server options of OTHER_SERVER_OPTIONS that change nothing a client or operator sees. */
export const SERVER_DESCRIPTIVE: ReadonlySet<string> = new Set(['id']);

// Actions of http-request, http-response, tcp-request... rules that only log, count or
// schedule: the traffic is the same without them. Any other action (deny, auth, redirect,
// header rewrites, set-src, expect-proxy, and any action halo does not know) is refused,
// so a rule halo cannot read fails closed.
const HARMLESS_ACTIONS = new Set([
  'allow',
  'accept',
  'capture',
  'set-log-level',
  'set-var',
  'set-var-fmt',
  'unset-var',
  'track-sc0',
  'track-sc1',
  'track-sc2',
  'sc-inc-gpc',
  'sc-inc-gpc0',
  'sc-inc-gpc1',
  'sc-add-gpc',
  'sc-set-gpt',
  'sc-set-gpt0',
  'set-mark',
  'set-tos',
  'set-nice',
  'set-priority-class',
  'set-priority-offset',
  'set-timeout',
  'set-bandwidth-limit',
  'wait-for-body',
  'wait-for-handshake',
  'early-hint',
  'strict-mode',
  'cache-store',
  'set-status',
]);

const DENY = new Set(['deny', 'reject', 'tarpit', 'silent-drop', 'auth', 'close']);

/** Why a rule action may not be dropped, by what it does. */
function actionReason(keyword: string, action: string): string {
  const response = keyword !== 'http-request' && keyword !== 'tcp-request';
  if (DENY.has(action))
    return response
      ? 'halo does not apply it yet, so the responses this rule refuses would reach the client'
      : 'halo does not apply it yet, so the connections and requests this rule refuses would reach the server';
  if (action === 'redirect')
    return 'halo runs redirect rules with location, prefix or scheme, code, drop-query and append-slash in frontend, backend and listen sections, not this form yet (set-cookie, clear-cookie, ignore-empty, or a defaults section), so clients would be served instead of redirected (a redirect to https would leave them on plain HTTP)';
  if (action === 'use-service')
    return "halo has only the 'prometheus-exporter' service, in frontend and listen sections, so this rule's requests would go to a server instead";
  if (action === 'expect-proxy' || action === 'expect-netscaler-cip') return PROXY_IN;
  if (/header|value|^set-(src|dst)/.test(action))
    return response
      ? 'halo does not apply it yet, so the client would get the response without what this rule sets or removes (security headers, leaked server details)'
      : 'halo does not apply it yet, so the server would get what the client sent instead of what this rule sets or removes, so a client could spoof it';
  return 'halo does not apply it yet, and cannot tell what traffic would pass without it, so it refuses the rule rather than guess';
}

/**
 * `http-request <action> ...`, `tcp-request content <action> ...`, `stats http-request ...`:
 * `at` is the index of the action word. Harmless actions warn; the others are refused.
 */
export function ruleNotApplied(ctx: LineCtx, keyword: string, at: number): void {
  const action = ctx.arg(at);
  const what = `'${ctx.words.slice(0, at + 1).join(' ')}'`;
  if (action === '' || HARMLESS_ACTIONS.has(action)) {
    notApplied(ctx, what);
    return;
  }
  refuseUnapplied(ctx.diags, ctx.pos, what, actionReason(keyword, action));
}

/** The rule keywords of proxy sections: which word holds the action. */
export function proxyRuleNotApplied(ctx: LineCtx, keyword: string): void {
  if (keyword === 'tcp-request' || keyword === 'tcp-response') {
    // `tcp-request inspect-delay <time>` only waits; `tcp-request content <action> ...`.
    if (ctx.arg(1) === 'inspect-delay') notApplied(ctx, `'${keyword} inspect-delay'`);
    else ruleNotApplied(ctx, keyword, 2);
    return;
  }
  ruleNotApplied(ctx, keyword, 1);
}

/** Rule keywords of proxy sections that proxyRuleNotApplied classifies. */
export const RULE_KEYWORDS: ReadonlySet<string> = new Set([
  'http-request',
  'http-response',
  'http-after-response',
  'tcp-request',
  'tcp-response',
]);

/** Other proxy keywords refused until applied, and why. */
export const PROXY_REFUSED: Readonly<Record<string, string>> = {
  redirect:
    'halo runs redirect rules with location, prefix or scheme, code, drop-query and append-slash in frontend, backend and listen sections, not this form yet (set-cookie, clear-cookie, ignore-empty, or a defaults section), so clients would be served instead of redirected (a redirect to https would leave them on plain HTTP)',
};

/** `filter spoe` hands traffic to an agent (often a WAF or an authorizer); other filters only shape it. */
export function filterNotApplied(ctx: LineCtx): void {
  if (ctx.arg(1) === 'spoe')
    refuseUnapplied(
      ctx.diags,
      ctx.pos,
      "'filter spoe'",
      'halo does not speak SPOE yet, so the agent (a WAF, an authorizer) would never see the traffic it is there to check',
    );
  else notApplied(ctx, `'filter ${ctx.arg(1)}'`);
}

/** `option` names refused until applied: each keeps a client from passing a header as its own. */
export const OPTION_REFUSED: Readonly<Record<string, string>> = {};
