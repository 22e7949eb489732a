// The `log` line shared by `global` and proxy sections:
// `log <target> [len N] [format F] [sample R:S] <facility> [<level> [<minlevel>]]`.

import { parseBindAddress } from '../address.js';
import type { LineCtx } from '../draft.js';
import type { LogTarget } from '../model.js';
import { notApplied } from './not-applied.js';

export const LOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'auth2',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'cron2',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

export const LOG_LEVELS = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

const LOG_FORMATS = [
  'local',
  'rfc3164',
  'rfc5424',
  'priority',
  'short',
  'timed',
  'iso',
  'raw',
] as const;

type Format = NonNullable<LogTarget['format']>;

/** Parses the words after `log`; returns undefined after reporting an error. */
export function parseLogTarget(ctx: LineCtx, inGlobal: boolean): LogTarget | undefined {
  const w = ctx.words;
  if (!ctx.arg(1) || !ctx.arg(2)) {
    ctx.error(
      'HAP_MISSING_ARG',
      inGlobal
        ? 'log : expects <address> and <facility>  as arguments'
        : 'log : expects <address> and <facility> or global as arguments',
    );
    return undefined;
  }
  const target = parseTarget(ctx, ctx.arg(1));
  if (!target) return undefined;
  let i = 2;
  let format: Format | undefined;
  let len: number | undefined;
  for (;;) {
    const k = w[i];
    if (k === 'len') {
      const v = w[i + 1] ?? '';
      const n = /^[0-9]+$/.test(v) ? Number(v) : Number.NaN;
      if (!(n >= 80 && n <= 65535)) {
        ctx.error('HAP_BAD_VALUE', `log : invalid log length '${v}', must be > 80 and < 65535.`);
        return undefined;
      }
      len = n;
      i += 2;
    } else if (k === 'sample') {
      notApplied(ctx, "'log ... sample'", 'logging every line to this target, not a sample');
      i += 2;
    } else if (k === 'format') {
      const f = w[i + 1] ?? '';
      if (!(LOG_FORMATS as readonly string[]).includes(f)) {
        ctx.error('HAP_BAD_VALUE', `log : unknown log format '${f}'`);
        return undefined;
      }
      if (f !== 'local') format = f as Format;
      i += 2;
    } else break;
  }
  const facility = w[i] ?? '';
  if (!(LOG_FACILITIES as readonly string[]).includes(facility)) {
    ctx.error('HAP_BAD_VALUE', `log : unknown log facility '${facility}'`);
    return undefined;
  }
  const level = w[i + 1];
  const minLevel = w[i + 2];
  for (const l of [level, minLevel]) {
    if (l !== undefined && !(LOG_LEVELS as readonly string[]).includes(l)) {
      ctx.error('HAP_BAD_VALUE', `log : unknown optional log level '${l}'`);
      return undefined;
    }
  }
  if (w[i + 3] !== undefined) {
    ctx.error('HAP_EXTRA_ARG', `'log' cannot handle unexpected argument '${w[i + 3]}'.`);
    return undefined;
  }
  return {
    pos: ctx.pos,
    target,
    facility,
    ...(level !== undefined ? { level } : {}),
    ...(minLevel !== undefined ? { minLevel } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(len !== undefined ? { len } : {}),
  };
}

function parseTarget(ctx: LineCtx, spec: string): LogTarget['target'] | undefined {
  if (spec === 'stdout' || spec === 'fd@1') return { kind: 'stdout' };
  if (spec === 'stderr' || spec === 'fd@2') return { kind: 'stderr' };
  if (spec.startsWith('/')) return { kind: 'unix', path: spec };
  if (spec.startsWith('unix@')) return { kind: 'unix', path: spec.slice(5) };
  if (spec.startsWith('ring@')) return { kind: 'unix', path: spec };
  const bare = spec.replace(/^(udp|udp4|udp6|ipv4|ipv6)@/, '');
  const withPort = /:[0-9]*$/.test(bare) && !/^[0-9A-Fa-f:]+$/.test(bare) ? spec : `${spec}:514`;
  const r = parseBindAddress(withPort.endsWith(':') ? `${withPort}514` : withPort, 'log', ctx.env);
  if (!r.ok || r.value.kind !== 'inet') {
    ctx.error('HAP_BAD_ADDRESS', `log : invalid address: '${spec}'`);
    return undefined;
  }
  return { kind: 'udp', host: r.value.host, port: r.value.port };
}
