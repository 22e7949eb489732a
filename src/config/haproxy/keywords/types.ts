// The shape of a keyword table entry and helpers shared by the tables.

import type { LineCtx } from '../draft.js';
import { atol, parseTime } from '../units.js';

export interface Keyword<T> {
  readonly name: string;
  /** Usage as written in configuration.txt, for `help` output and docs. */
  readonly args: string;
  parse(ctx: LineCtx, target: T): void;
}

export type KeywordTable<T> = ReadonlyMap<string, Keyword<T>>;

export function table<T>(entries: Keyword<T>[]): KeywordTable<T> {
  return new Map(entries.map((k) => [k.name, k]));
}

/** `'pidfile' already specified. Continuing.`: HAProxy's ALERT that does not fail (a warning). */
export function alreadySpecified(ctx: LineCtx, what = `'${ctx.words[0]}'`): void {
  ctx.warning('HAP_ALREADY_SPECIFIED', `${what} already specified. Continuing.`);
}

/** HAProxy's alertif_too_many_args(): true (and an error) if a word follows `max` args. */
export function tooManyArgs(ctx: LineCtx, max: number, index = 0): boolean {
  const extra = ctx.words[index + max + 1];
  if (extra === undefined) return false;
  const kw = ctx.words.slice(0, index + 1).join(' ');
  ctx.error('HAP_EXTRA_ARG', `'${kw}' cannot handle unexpected argument '${extra}'.`);
  return true;
}

/**
 * An integer HAProxy reads with atol(), without a word: `lots` is 0, `12abc` is 12. halo
 * warns (a halo finding); `effect` says what the value HAProxy uses means. Returns it.
 */
export function lenientInt(
  ctx: LineCtx,
  what: string,
  text: string,
  effect: (value: number) => string,
): number {
  const value = atol(text);
  if (!/^[+-]?[0-9]+$/.test(text)) {
    ctx.diags.warning(
      ctx.pos,
      'HALO_NOT_A_NUMBER',
      `'${what}' expects an integer but got '${text}': HAProxy silently reads it as ${value}`,
      'halo',
      `${effect(value)} Write the number you mean.`,
    );
  }
  return value;
}

/** A duration argument with HAProxy's messages; undefined after reporting an error. */
export function timeArg(
  ctx: LineCtx,
  text: string,
  messages: { char: (c: string) => string; overflow?: string; underflow?: string },
): number | undefined {
  const r = parseTime(text);
  if (r.ok) {
    if (r.trailing !== undefined) {
      ctx.warning(
        'HAP_TIME_TRAILING',
        `unexpected character '${r.trailing[0]}' after the timer value '${text}', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.`,
      );
    }
    return r.value;
  }
  if (r.reason === 'char') ctx.error('HAP_BAD_TIME', messages.char(r.char));
  else if (r.reason === 'overflow') {
    ctx.error(
      'HAP_BAD_TIME',
      messages.overflow ??
        `timer overflow in argument '${text}' to '${ctx.words[0]}' (maximum value is 2147483647 ms or ~24.8 days)`,
    );
  } else {
    ctx.error(
      'HAP_BAD_TIME',
      messages.underflow ??
        `timer underflow in argument '${text}' to '${ctx.words[0]}' (minimum non-null value is 1 ms)`,
    );
  }
  return undefined;
}
