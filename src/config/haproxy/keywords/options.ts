// `option NAME` / `no option NAME` / `default option NAME` in proxy sections: the plain
// on/off flags (HAProxy's cfg_opts tables) and the options that take arguments.

import { isIPv4, isIPv6 } from '../address.js';
import type { LineCtx, ProxyDraft } from '../draft.js';
import { notApplied, OPTION_REFUSED, refuseUnapplied } from './not-applied.js';
import { tooManyArgs } from './types.js';

type Cap = 'fe' | 'be' | 'both';

/** Plain flags: capability, and whether HAProxy drops them outside `mode http`. */
export const FLAG_OPTIONS: Readonly<Record<string, { cap: Cap; http?: true }>> = {
  abortonclose: { cap: 'be' },
  allbackups: { cap: 'be' },
  checkcache: { cap: 'be', http: true },
  clitcpka: { cap: 'fe' },
  contstats: { cap: 'fe' },
  dontlognull: { cap: 'fe' },
  'http-buffer-request': { cap: 'both', http: true },
  'http-ignore-probes': { cap: 'fe', http: true },
  'idle-close-on-response': { cap: 'fe', http: true },
  'prefer-last-server': { cap: 'be', http: true },
  logasap: { cap: 'fe' },
  nolinger: { cap: 'both' },
  persist: { cap: 'be' },
  srvtcpka: { cap: 'be' },
  transparent: { cap: 'be' },
  'splice-request': { cap: 'both' },
  'splice-response': { cap: 'both' },
  'splice-auto': { cap: 'both' },
  'accept-invalid-http-request': { cap: 'fe', http: true },
  'accept-invalid-http-response': { cap: 'be', http: true },
  'dontlog-normal': { cap: 'fe' },
  'log-separate-errors': { cap: 'fe' },
  'log-health-checks': { cap: 'be' },
  'socket-stats': { cap: 'fe' },
  'tcp-smart-accept': { cap: 'fe' },
  'tcp-smart-connect': { cap: 'be' },
  'independent-streams': { cap: 'both' },
  'http-use-proxy-header': { cap: 'fe', http: true },
  'http-pretend-keepalive': { cap: 'be', http: true },
  'http-no-delay': { cap: 'both', http: true },
  'h1-case-adjust-bogus-client': { cap: 'fe' },
  'h1-case-adjust-bogus-server': { cap: 'be' },
  'disable-h2-upgrade': { cap: 'fe', http: true },
};

/**
 * The flags halo applies (allbackups, dontlognull, log-health-checks) or whose absence changes nothing it does
 * (kernel splicing and TCP tuning, HTTP/2 upgrades halo does not make): any other flag set
 * gets halo's not-applied warning at its line.
 */
const FLAGS_TAKEN: ReadonlySet<string> = new Set([
  'allbackups',
  'dontlognull',
  'log-health-checks',
  'splice-request',
  'splice-response',
  'splice-auto',
  'tcp-smart-accept',
  'tcp-smart-connect',
  'http-no-delay',
  'disable-h2-upgrade',
]);

/** HTTP connection modes: the last one set wins; `no` only clears its own. */
const HTTP_MODES = ['httpclose', 'http-server-close', 'http-keep-alive'];

/** Options with arguments (not negatable), and check types. */
const OTHER = [
  'redispatch',
  'httplog',
  'tcplog',
  'httpslog',
  'tcpka',
  'httpchk',
  'ssl-hello-chk',
  'smtpchk',
  'pgsql-check',
  'redis-check',
  'mysql-check',
  'ldap-check',
  'spop-check',
  'tcp-check',
  'external-check',
  'forwardfor',
  'originalto',
  'http-restrict-req-hdr-names',
];

const REMOVED: Record<string, string> = {
  forceclose:
    "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed.",
  'http-tunnel':
    "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.",
  http_proxy:
    "option 'http_proxy' is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if absolutely needed.",
};

export const OPTION_NAMES: readonly string[] = [
  ...Object.keys(FLAG_OPTIONS),
  ...HTTP_MODES,
  ...OTHER,
];

export type CapCheck = (ctx: LineCtx, px: ProxyDraft, cap: Cap, what: string) => boolean;

/** Parses one `option` line into the draft. `hasCap` warns and returns false when ignored. */
export function parseOption(
  ctx: LineCtx,
  px: ProxyDraft,
  hasCap: CapCheck,
  suggest: (w: string) => string,
): void {
  const name = ctx.arg(1);
  if (!name) {
    ctx.error('HAP_MISSING_ARG', `'option' expects an option name.`);
    return;
  }
  const set = (on: boolean) => {
    px.options[name] = { on, pos: ctx.pos };
  };
  const flag = FLAG_OPTIONS[name];
  if (flag) {
    if (tooManyArgs(ctx, 0, 1) || !hasCap(ctx, px, flag.cap, name)) return;
    if (ctx.modifier === 'default') delete px.options[name];
    else set(ctx.modifier === 'std');
    if (ctx.modifier === 'std' && !FLAGS_TAKEN.has(name)) notApplied(ctx, `'option ${name}'`);
    return;
  }
  const removed = REMOVED[name];
  if (removed) {
    ctx.error('HAP_REMOVED_KEYWORD', removed);
    return;
  }
  if (HTTP_MODES.includes(name)) {
    if (tooManyArgs(ctx, 0, 1)) return;
    if (ctx.modifier === 'std') for (const m of HTTP_MODES) delete px.options[m];
    if (ctx.modifier === 'default') delete px.options[name];
    else set(ctx.modifier === 'std');
    return;
  }
  if (name === 'redispatch') {
    if (!hasCap(ctx, px, 'be', name)) return;
    if (ctx.modifier === 'default') delete px.options[name];
    else
      set(ctx.modifier === 'std' && (ctx.arg(2) === '' || Number.parseInt(ctx.arg(2), 10) !== 0));
    return;
  }
  if (!OTHER.includes(name)) {
    if (ctx.modifier !== 'std') {
      ctx.error(
        'HAP_NEGATION_UNSUPPORTED',
        `negation/default is not supported for option '${name}'.`,
      );
      return;
    }
    const hint = suggest(name);
    ctx.error(
      'HAP_UNKNOWN_OPTION',
      hint ? `unknown option '${name}'${hint}` : `unknown option '${name}'.`,
    );
    return;
  }
  if (ctx.modifier !== 'std') {
    ctx.error(
      'HAP_NEGATION_UNSUPPORTED',
      `negation/default is not supported for option '${name}'.`,
    );
    return;
  }
  parseArgOption(ctx, px, name, hasCap);
}

function parseArgOption(ctx: LineCtx, px: ProxyDraft, name: string, hasCap: CapCheck): void {
  switch (name) {
    case 'httplog':
    case 'httpslog':
    case 'tcplog': {
      if (name === 'httplog' && ctx.arg(2) && ctx.arg(2) !== 'clf') {
        ctx.error('HAP_BAD_VALUE', `keyword '${name}' only supports option 'clf'.`);
        return;
      }
      if (tooManyArgs(ctx, name === 'httplog' && ctx.arg(2) ? 1 : 0, 1)) return;
      if (px.kind === 'defaults' && px.logFormat) {
        const old = px.logFormat.value === 'custom' ? 'log-format' : `option ${px.logFormat.value}`;
        ctx.warning(
          'HAP_LOGFORMAT_OVERRIDE',
          `'option ${name}' overrides previous '${old}' in 'defaults' section.`,
        );
      }
      px.logFormat = { value: name as 'httplog' | 'httpslog' | 'tcplog', pos: ctx.pos };
      set(px, name, ctx);
      if (px.kind === 'backend') {
        ctx.warning(
          'HAP_IGNORED_IN_BACKEND',
          `backend '${px.name}' : 'option ${name}' directive is ignored in backends.`,
        );
      }
      return;
    }
    case 'httpchk': {
      if (!hasCap(ctx, px, 'be', name)) return;
      const a = ctx.words.slice(2);
      const [method, uri, version] =
        a.length === 0
          ? []
          : a.length === 1
            ? [undefined, a[0]]
            : [a[0], a[1], a.slice(2).join(' ') || undefined];
      if (version?.includes('\r\n'))
        ctx.warning(
          'HAP_HTTPCHK_HIDDEN_HEADERS',
          "'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.",
        );
      px.check = { value: 'http', pos: ctx.pos };
      px.httpchk = {
        pos: ctx.pos,
        ...(method !== undefined ? { method } : {}),
        ...(uri !== undefined ? { uri } : {}),
        ...(version !== undefined ? { version } : {}),
      };
      set(px, name, ctx);
      return;
    }
    case 'ssl-hello-chk':
    case 'tcp-check':
    case 'smtpchk':
    case 'pgsql-check':
    case 'redis-check':
    case 'mysql-check':
    case 'ldap-check':
    case 'spop-check':
    case 'external-check': {
      if (!hasCap(ctx, px, 'be', name)) return;
      px.check = {
        value:
          name === 'ssl-hello-chk' ? 'ssl-hello' : name === 'tcp-check' ? 'tcp-check' : 'other',
        pos: ctx.pos,
      };
      set(px, name, ctx);
      return;
    }
    case 'forwardfor':
      parseForwardfor(ctx, px);
      return;
    case 'originalto':
      parseOriginalto(ctx, px);
      return;
    case 'http-restrict-req-hdr-names': {
      const v = ctx.arg(2);
      if (v !== 'preserve' && v !== 'delete' && v !== 'reject') {
        ctx.error(
          'HAP_BAD_VALUE',
          `${v === '' ? 'missing parameter' : `invalid parameter '${v}'`}. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.`,
        );
        return;
      }
      px.restrictHdrNames = v;
      set(px, name, ctx);
      return;
    }
    default: {
      set(px, name, ctx);
      const refused = OPTION_REFUSED[name];
      if (refused) refuseUnapplied(ctx.diags, ctx.pos, `'option ${name}'`, refused);
    }
  }
}

function set(px: ProxyDraft, name: string, ctx: LineCtx): void {
  px.options[name] = { on: true, pos: ctx.pos };
}

function isNet(s: string): boolean {
  const [addr, mask, extra] = s.split('/');
  if (extra !== undefined || addr === undefined) return false;
  if (isIPv4(addr))
    return mask === undefined || /^[0-9]+$/.test(mask) ? Number(mask ?? 32) <= 32 : isIPv4(mask);
  if (isIPv6(addr)) return mask === undefined || (/^[0-9]+$/.test(mask) && Number(mask) <= 128);
  return false;
}

/** `option originalto [except NET] [header NAME]`: X-Original-To with the address the client reached. */
function parseOriginalto(ctx: LineCtx, px: ProxyDraft): void {
  let except: string | undefined;
  let header = 'X-Original-To';
  for (let i = 2; i < ctx.words.length; i += 2) {
    const k = ctx.arg(i);
    if (k === 'except' && isNet(ctx.arg(i + 1))) except = ctx.arg(i + 1);
    else if (k === 'header' && ctx.arg(i + 1)) header = ctx.arg(i + 1);
    else {
      ctx.error(
        'HAP_BAD_VALUE',
        `'option originalto' only supports optional values: 'except' and 'header'.`,
      );
      return;
    }
  }
  px.originalto = {
    pos: ctx.pos,
    header,
    ifNone: false,
    ...(except !== undefined ? { except } : {}),
  };
  set(px, 'originalto', ctx);
}

function parseForwardfor(ctx: LineCtx, px: ProxyDraft): void {
  let except: string | undefined;
  let header = 'X-Forwarded-For';
  let ifNone = false;
  for (let i = 2; i < ctx.words.length; ) {
    const k = ctx.arg(i);
    if (k === 'except') {
      if (!isNet(ctx.arg(i + 1))) {
        ctx.error(
          'HAP_BAD_VALUE',
          `'option forwardfor except' expects <address>[/mask] as argument.`,
        );
        return;
      }
      except = ctx.arg(i + 1);
      i += 2;
    } else if (k === 'header') {
      if (!ctx.arg(i + 1)) {
        ctx.error(
          'HAP_MISSING_ARG',
          `'option forwardfor header' expects <header_name> as argument.`,
        );
        return;
      }
      header = ctx.arg(i + 1);
      i += 2;
    } else if (k === 'if-none') {
      ifNone = true;
      i++;
    } else {
      ctx.error(
        'HAP_BAD_VALUE',
        `'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.`,
      );
      return;
    }
  }
  px.forwardfor = { pos: ctx.pos, header, ifNone, ...(except !== undefined ? { except } : {}) };
  set(px, 'forwardfor', ctx);
}
