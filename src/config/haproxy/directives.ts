// Conditional blocks and message directives: `.if/.elif/.else/.endif`, `.warning`,
// `.notice`, `.diag`, `.alert`. Conditions support what configs commonly use:
// `defined(VAR)`, `streq(a,b)`, `strneq(a,b)`, `version_atleast(v)`, `version_before(v)`,
// `feature(X)`, integers, and a leading `!`.

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

function versionCmp(v: string): number {
  const parts = v.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const a = VERSION[i] as number;
    const b = parts[i] ?? 0;
    if (a !== b) return a - b;
  }
  return 0;
}

export function evalCondition(expr: string, env: Env): boolean | undefined {
  let e = expr.trim();
  let neg = false;
  while (e.startsWith('!')) {
    neg = !neg;
    e = e.slice(1).trim();
  }
  let r: boolean | undefined;
  const m = /^([a-z_]+)\((.*)\)$/.exec(e);
  if (/^-?[0-9]+$/.test(e)) r = Number(e) !== 0;
  else if (e === '') r = false;
  else if (m) {
    const args = (m[2] as string).split(',').map((a) => a.trim());
    switch (m[1]) {
      case 'defined':
        r = env[args[0] ?? ''] !== undefined;
        break;
      case 'streq':
        r = args[0] === args[1];
        break;
      case 'strneq':
        r = args[0] !== args[1];
        break;
      case 'version_atleast':
        r = versionCmp(args[0] ?? '') >= 0;
        break;
      case 'version_before':
        r = versionCmp(args[0] ?? '') < 0;
        break;
      case 'feature':
        r = ['OPENSSL', 'LUA', 'PCRE2', 'ZLIB', 'THREAD'].includes(args[0] ?? '');
        break;
      default:
        r = undefined;
    }
  }
  return r === undefined ? undefined : r !== neg;
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
