// Conditional blocks and message directives: `.if/.elif/.else/.endif`, `.warning`,
// `.notice`, `.diag`, `.alert`. Conditions support what configs commonly use:
// `defined(VAR)`, `streq(a,b)`, `strneq(a,b)`, `version_atleast(v)`, `version_before(v)`,
// `feature(X)`, integers, a leading `!`, and `&&`/`||` between terms (left to right, `&&`
// first), as `haproxy -cc` evaluates them.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { Env } from './tokenizer.js';

/** One open `.if` block: is its current branch taken, and was any branch taken yet. */
export type CondStack = {
  active: boolean;
  taken: boolean;
  sawElse: boolean;
  parentActive: boolean;
}[];

const VERSION = [2, 6, 12];

/**
 * HAProxy build features halo has (`feature(X)` in `.if` and `-cc`): TLS (node:tls), threads
 * (`nbthread` as worker processes), the Prometheus exporter. Not LUA, PCRE2, ZLIB: a config
 * that tests for them takes the branch written for a HAProxy without them.
 */
export const HALO_FEATURES: readonly string[] = ['OPENSSL', 'THREAD', 'PROMEX'];

function versionCmp(v: string): number {
  const parts = v.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const a = VERSION[i] as number;
    const b = parts[i] ?? 0;
    if (a !== b) return a - b;
  }
  return 0;
}

/** One term: `name(args)` or an integer; undefined when it cannot be read. */
function evalTerm(e: string, env: Env): boolean | undefined {
  if (/^-?[0-9]+$/.test(e)) return Number(e) !== 0;
  const m = /^([a-z_]+)\((.*)\)$/.exec(e);
  if (!m) return undefined;
  const args = (m[2] as string).split(',').map((a) => a.trim());
  switch (m[1]) {
    case 'defined':
      return env[args[0] ?? ''] !== undefined;
    case 'streq':
      return args[0] === args[1];
    case 'strneq':
      return args[0] !== args[1];
    case 'version_atleast':
      return versionCmp(args[0] ?? '') >= 0;
    case 'version_before':
      return versionCmp(args[0] ?? '') < 0;
    case 'feature':
      return HALO_FEATURES.includes(args[0] ?? '');
    default:
      return undefined;
  }
}

/**
 * Evaluates a condition: terms, `!`, parentheses, `&&` (binds tighter) and `||`. An empty
 * condition is false; undefined when it cannot be parsed.
 */
export function evalCondition(expr: string, env: Env): boolean | undefined {
  const text = expr.trim();
  if (text === '') return false;
  let i = 0;
  const skip = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  const fail = Symbol('fail');
  type R = boolean | typeof fail;
  const unary = (): R => {
    skip();
    if (text[i] === '!') {
      i++;
      const r = unary();
      return r === fail ? fail : !r;
    }
    if (text[i] === '(') {
      i++;
      const r = or();
      skip();
      if (r === fail || text[i] !== ')') return fail;
      i++;
      return r;
    }
    // A term runs to the end of its own parentheses (or of its word, for an integer).
    const from = i;
    while (i < text.length && /[a-z_0-9-]/.test(text[i] as string)) i++;
    if (text[i] === '(') {
      const close = text.indexOf(')', i);
      if (close < 0) return fail;
      i = close + 1;
    }
    const r = evalTerm(text.slice(from, i), env);
    return r === undefined ? fail : r;
  };
  const and = (): R => {
    let r = unary();
    for (;;) {
      skip();
      if (r === fail || !text.startsWith('&&', i)) return r;
      i += 2;
      const b = unary();
      r = b === fail ? fail : r && b;
    }
  };
  const or = (): R => {
    let r = and();
    for (;;) {
      skip();
      if (r === fail || !text.startsWith('||', i)) return r;
      i += 2;
      const b = and();
      r = b === fail ? fail : r || b;
    }
  };
  const r = or();
  skip();
  return r === fail || i < text.length ? undefined : r;
}

export function evalDirective(
  words: string[],
  pos: SourcePos,
  conds: CondStack,
  env: Env,
  diags: Diagnostics,
): void {
  const d = words[0] as string;
  const top = conds[conds.length - 1];
  const enclosingActive = conds.every((c) => c.active);
  const err = (msg: string) => diags.error(pos, 'HAP_DIRECTIVE', msg, 'haproxy');
  const cond = (): boolean => {
    const r = evalCondition(words.slice(1).join(' '), env);
    if (r === undefined) err(`unparsable condition in '${d}'`);
    return r === true;
  };
  switch (d) {
    case '.if': {
      const active = enclosingActive && cond();
      conds.push({ active, taken: active, sawElse: false, parentActive: enclosingActive });
      return;
    }
    case '.elif':
      if (!top) {
        err(`lone '.elif' with no matching '.if'.`);
        return;
      }
      if (top.sawElse) {
        err(`'.elif' after '.else' is not permitted.`);
        return;
      }
      top.active = top.parentActive && !top.taken && cond();
      top.taken ||= top.active;
      return;
    case '.else':
      if (!top) {
        err(`lone '.else' with no matching '.if'.`);
        return;
      }
      if (top.sawElse) {
        err(`'.else' after '.else' is not permitted.`);
        return;
      }
      top.sawElse = true;
      top.active = top.parentActive && !top.taken;
      top.taken = true;
      return;
    case '.endif':
      if (!top) {
        err(`lone '.endif' with no matching '.if'.`);
        return;
      }
      conds.pop();
      return;
  }
  if (!enclosingActive) return;
  if (['.alert', '.warning', '.notice', '.diag'].includes(d)) {
    if (words[2] !== undefined) {
      err(
        `Unexpected argument '${words[2]}' for '${d}'. Use quotes if the message should contain spaces.`,
      );
      return;
    }
    const msg = `'${words[1] ?? ''}'.`;
    if (d === '.alert') diags.error(pos, 'HAP_DIRECTIVE', msg, 'haproxy');
    else if (d === '.warning') diags.warning(pos, 'HAP_DIRECTIVE', msg, 'haproxy');
    else if (d === '.notice') {
      diags.notice(pos, 'HAP_DIRECTIVE', msg, 'haproxy');
      return;
    }
  }
  err(`unknown directive '${d}'.`);
}
