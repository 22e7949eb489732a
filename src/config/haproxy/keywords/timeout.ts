// `timeout <name> <time>` in proxy sections; values in milliseconds.

import type { LineCtx, ProxyDraft } from '../draft.js';
import type { Timeouts } from '../model.js';
import type { CapCheck } from './options.js';
import { timeArg } from './types.js';

const TIMEOUTS: Record<string, { field: keyof Timeouts; cap: 'fe' | 'be' | 'both' }> = {
  client: { field: 'client', cap: 'fe' },
  server: { field: 'server', cap: 'be' },
  connect: { field: 'connect', cap: 'be' },
  check: { field: 'check', cap: 'be' },
  queue: { field: 'queue', cap: 'be' },
  tunnel: { field: 'tunnel', cap: 'be' },
  'client-fin': { field: 'clientFin', cap: 'fe' },
  'server-fin': { field: 'serverFin', cap: 'be' },
  tarpit: { field: 'tarpit', cap: 'both' },
  'http-keep-alive': { field: 'httpKeepAlive', cap: 'both' },
  'http-request': { field: 'httpRequest', cap: 'both' },
};

export const TIMEOUT_NAMES = Object.keys(TIMEOUTS);

export function parseTimeout(ctx: LineCtx, px: ProxyDraft, hasCap: CapCheck): void {
  const name = ctx.arg(1);
  const t = TIMEOUTS[name];
  if (!t) {
    ctx.error(
      'HAP_BAD_VALUE',
      `'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '${name}')`,
    );
    return;
  }
  const text = ctx.arg(2);
  if (!text) {
    ctx.error('HAP_MISSING_ARG', `'timeout ${name}' expects an integer value (in milliseconds)`);
    return;
  }
  const value = timeArg(ctx, text, {
    char: (c) => `unexpected character '${c}' in 'timeout ${name}'`,
    overflow: `timer overflow in argument '${text}' to 'timeout ${name}' (maximum value is 2147483647 ms or ~24.8 days)`,
    underflow: `timer underflow in argument '${text}' to 'timeout ${name}' (minimum non-null value is 1 ms)`,
  });
  if (value === undefined) return;
  if (ctx.arg(3)) {
    ctx.error(
      'HAP_EXTRA_ARG',
      `'timeout ${name}' : unexpected extra argument '${ctx.arg(3)}' after value '${text}'.`,
    );
    return;
  }
  if (px.kind !== 'defaults') {
    const side = t.cap === 'be' ? 'backend' : 'frontend';
    const ok =
      t.cap === 'both' || (t.cap === 'be' ? px.kind !== 'frontend' : px.kind !== 'backend');
    if (!ok) {
      ctx.warning(
        'HAP_CAPABILITY_IGNORED',
        `'timeout ${name}' will be ignored because ${kindWord(px)} '${px.name}' has no ${side} capability`,
      );
    } else if (px.timeoutOwn?.[t.field] && px.timeouts[t.field] !== value) {
      ctx.warning(
        'HAP_TIMEOUT_OVERWRITE',
        `overwriting 'timeout ${name}' which was already specified`,
      );
    }
  }
  void hasCap;
  px.timeouts[t.field] = value;
  px.timeoutPos[t.field] = ctx.pos;
  px.timeoutOwn = { ...px.timeoutOwn, [t.field]: true };
}

export function kindWord(px: ProxyDraft): string {
  return px.kind === 'listen' ? 'proxy' : px.kind;
}
