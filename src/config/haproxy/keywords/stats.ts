// `stats ...` keywords inside proxy sections (the web page: uri, realm, auth, refresh...).

import type { LineCtx, ProxyDraft, StatsDraft } from '../draft.js';
import { parseTime } from '../units.js';
import { parseCondition } from './condition.js';
import { notApplied, refuseUnapplied, ruleNotApplied } from './not-applied.js';

const EXPECTS =
  "expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.";

export const STATS_SUBKEYWORDS = [
  'admin',
  'uri',
  'realm',
  'auth',
  'scope',
  'enable',
  'hide-version',
  'show-node',
  'show-desc',
  'show-legends',
  'show-modules',
  'refresh',
  'http-request',
] as const;

function stats(px: ProxyDraft, ctx: LineCtx): StatsDraft {
  px.stats ??= { enabled: false, auth: [], hideVersion: false, showLegends: false };
  px.stats.pos ??= ctx.pos;
  return px.stats;
}

export function parseStats(ctx: LineCtx, px: ProxyDraft, knownAcl: (n: string) => boolean): void {
  const sub = ctx.arg(1);
  const v = ctx.arg(2);
  switch (sub) {
    case '':
      ctx.error('HAP_MISSING_ARG', `missing keyword in 'stats', ${EXPECTS}`);
      return;
    case 'enable':
      stats(px, ctx).enabled = true;
      return;
    case 'uri':
      if (!v) {
        ctx.error('HAP_MISSING_ARG', `'uri' needs an URI prefix.`);
        return;
      }
      Object.assign(stats(px, ctx), { uri: v, enabled: true });
      return;
    case 'realm': {
      if (!v) {
        ctx.error('HAP_MISSING_ARG', `'realm' needs an realm name.`);
        return;
      }
      const s = stats(px, ctx);
      // HAProxy keeps only the first word: `stats realm welcome login\ Haproxy` -> `welcome`.
      s.realm = { value: v, pos: ctx.pos };
      s.realmWords = ctx.words.slice(2);
      s.enabled = true;
      return;
    }
    case 'auth': {
      if (!v) {
        ctx.error('HAP_MISSING_ARG', `'auth' needs a user:password account.`);
        return;
      }
      const s = stats(px, ctx);
      const colon = v.indexOf(':');
      const user = colon < 0 ? v : v.slice(0, colon);
      const password = colon < 0 ? '' : v.slice(colon + 1);
      s.enabled = true;
      if (s.auth.some((a) => a.user === user)) {
        ctx.warning('HAP_DUPLICATE_USER', `uri auth: ignoring duplicated user '${user}'.`);
        return;
      }
      s.auth.push({ user, password, pos: ctx.pos });
      return;
    }
    case 'refresh': {
      const r = parseTime(v, 's');
      if (!r.ok) {
        const c = r.reason === 'char' ? r.char : '';
        ctx.error(
          'HAP_BAD_TIME',
          `unexpected character '${c}' in argument to stats refresh interval.`,
        );
        return;
      }
      Object.assign(stats(px, ctx), { refresh: r.value * 1000, enabled: true });
      return;
    }
    case 'hide-version':
      Object.assign(stats(px, ctx), { hideVersion: true, enabled: true });
      return;
    case 'show-legends':
      Object.assign(stats(px, ctx), { showLegends: true, enabled: true });
      return;
    case 'show-node':
      Object.assign(stats(px, ctx), { showNode: v || true, enabled: true });
      notApplied(ctx, "'stats show-node'");
      return;
    case 'admin': {
      if (ctx.arg(2) !== 'if' && ctx.arg(2) !== 'unless') {
        ctx.error(
          'HAP_MISSING_ARG',
          `'stats admin' requires either 'if' or 'unless' followed by a condition.`,
        );
        return;
      }
      const cond = parseCondition(ctx, 2, knownAcl, "a 'stats admin' rule");
      if (cond === 'error') return;
      Object.assign(stats(px, ctx), { admin: cond, enabled: true });
      return;
    }
    case 'scope': {
      if (v === '') {
        ctx.error('HAP_MISSING_ARG', "'scope' needs a proxy name.");
        return;
      }
      const s = stats(px, ctx);
      s.enabled = true;
      s.scope = [...(s.scope ?? []), v];
      return;
    }
    case 'http-request':
      stats(px, ctx).enabled = true;
      ruleNotApplied(ctx, 'http-request', 2);
      return;
    case 'show-desc':
    case 'show-modules':
      stats(px, ctx).enabled = true;
      notApplied(ctx, `'stats ${sub}'`);
      return;
    default:
      ctx.error('HAP_BAD_VALUE', `unknown stats parameter '${sub}', ${EXPECTS}`);
  }
}
