// Keyword tables and the generic block walker: each block of keepalived.conf is a table of
// `{ name, minArgs, maxArgs, block, parse }`; the walker dispatches statements, reports
// unknown keywords with a did-you-mean, and applies Keepalived's number syntax.

import { closest, distance } from 'fastest-levenshtein';
import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { Token } from './lexer.js';
import type { Stmt } from './tree.js';

export interface ParseEnv {
  readonly diags: Diagnostics;
  readonly offline: boolean;
  readonly interfaceExists?: (name: string) => boolean;
}

export interface KeywordSpec<C> {
  readonly name: string;
  /** Words required after the keyword (Keepalived aborts the line when one is missing). */
  readonly minArgs?: number;
  /** Words the keyword uses; used to split one-line blocks. Default: the rest of the line. */
  readonly maxArgs?: number;
  /** Takes a `{ ... }` block. */
  readonly block?: boolean;
  readonly parse: (ctx: C, s: Stmt, env: ParseEnv) => void;
}

export interface BlockOptions {
  /** Keepalived 2.2.7 keywords of this block that halo accepts but does not implement. */
  readonly unsupported?: ReadonlySet<string>;
  /** The block's owner when the block was written on one line. */
  readonly oneLineOwner?: Stmt;
  /** Called when a one-line block held several keywords that halo split apart. */
  readonly onOneLineSplit?: (owner: Stmt, parts: Stmt[]) => void;
}

export function runBlock<C>(
  stmts: readonly Stmt[],
  table: readonly KeywordSpec<C>[],
  ctx: C,
  env: ParseEnv,
  opts: BlockOptions = {},
): void {
  const byName = new Map(table.map((k) => [k.name, k]));
  for (const s of opts.oneLineOwner ? splitOneLine(stmts, byName, opts) : stmts) {
    const spec = byName.get(s.keyword.text);
    if (!spec) {
      unknownKeyword(s, [...byName.keys()], env, opts.unsupported);
      continue;
    }
    if (s.args.length < (spec.minArgs ?? 0)) {
      missingParameter(s, s.args.length + 2, env);
      continue;
    }
    if (spec.block && !s.block) {
      env.diags.error(
        s.pos,
        'KA_MISSING_BOB',
        "Missing '{' at beginning of configuration block",
        'keepalived',
      );
      continue;
    }
    if (!spec.block && s.block) {
      env.diags.error(
        s.blockPos ?? s.pos,
        'KA_UNEXPECTED_BOB',
        "Unexpected '{' - ignoring",
        'keepalived',
      );
    }
    spec.parse(ctx, s, env);
  }
}

/** Options for a block written on one line: halo splits it and warns for each split. */
export function oneLineOptions(s: Stmt, env: ParseEnv): BlockOptions {
  if (!s.oneLine) return {};
  return {
    oneLineOwner: s,
    onOneLineSplit: (owner, parts) => {
      const [first, second] = parts;
      if (!first || !second) return;
      env.diags.warning(
        second.pos,
        'HALO_ONE_LINE_BLOCK',
        `'${second.keyword.text}' follows '${first.keyword.text}' inside a one-line '${owner.keyword.text}' block: halo reads it, Keepalived 2.2.7 ignores it`,
        'halo',
        'Keepalived takes everything between the braces as one keyword with extra arguments; put each keyword on its own line',
      );
    },
  };
}

export function missingParameter(s: Stmt, wordPosition: number, env: ParseEnv): void {
  env.diags.error(
    s.pos,
    'KA_MISSING_PARAMETER',
    `*** Configuration line starting \`${s.keyword.text}\` is missing a parameter after keyword \`${s.keyword.text}\` at word position ${wordPosition}`,
    'keepalived',
  );
}

function unknownKeyword(
  s: Stmt,
  names: string[],
  env: ParseEnv,
  unsupported: ReadonlySet<string> | undefined,
): void {
  const word = s.keyword.text;
  if (unsupported?.has(word)) {
    env.diags.warning(
      s.pos,
      'HALO_UNSUPPORTED_KEYWORD',
      `'${word}' is a Keepalived 2.2.7 keyword that halo does not implement - ignored`,
      'halo',
      'Keepalived would apply it, halo runs as if it were absent; remove it or check that its absence is acceptable',
    );
    return;
  }
  const hint = didYouMean(word, [...names, ...(unsupported ?? [])]);
  env.diags.error(s.pos, 'KA_UNKNOWN_KEYWORD', `Unknown keyword '${word}'`, 'keepalived', hint);
}

export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word.length === 0) return undefined;
  const best = closest(word, [...candidates]);
  const limit = Math.max(2, Math.floor(word.length / 3));
  return distance(word, best) <= limit ? `did you mean '${best}'?` : undefined;
}

/**
 * Splits `auth_type PASS auth_pass X` (one statement to Keepalived) into one statement per
 * keyword, using each keyword's maxArgs.
 */
function splitOneLine<C>(
  stmts: readonly Stmt[],
  byName: ReadonlyMap<string, KeywordSpec<C>>,
  opts: BlockOptions,
): Stmt[] {
  const out: Stmt[] = [];
  for (const s of stmts) {
    const parts: Stmt[] = [];
    let words: Token[] = [s.keyword, ...s.args];
    for (;;) {
      const [kw, ...rest] = words;
      if (!kw) break;
      const max = byName.get(kw.text)?.maxArgs ?? Number.POSITIVE_INFINITY;
      const next = rest[max];
      const cut = next && byName.has(next.text) ? max : rest.length;
      const args = rest.slice(0, cut);
      parts.push({
        pos: { ...s.pos, col: kw.col },
        keyword: kw,
        args,
        rawArgs: args.map((a) => (a.quoted ? `"${a.text}"` : a.text)).join(' '),
      });
      words = rest.slice(cut);
    }
    if (parts.length > 1 && opts.oneLineOwner) {
      const last = parts[parts.length - 1];
      if (last && s.block) last.block = s.block;
      opts.onOneLineSplit?.(opts.oneLineOwner, parts);
      out.push(...parts);
    } else {
      out.push(s);
    }
  }
  return out;
}

// --- Keepalived's number syntax -------------------------------------------------------

/** Unsigned decimal in [min, max], or undefined. */
export function readUnsigned(t: Token | undefined, min: number, max: number): number | undefined {
  if (!t || !/^\+?\d+$/.test(t.text)) return undefined;
  const v = Number(t.text);
  return v >= min && v <= max ? v : undefined;
}

/** Signed decimal in [min, max], or undefined. */
export function readInt(t: Token | undefined, min: number, max: number): number | undefined {
  if (!t || !/^[-+]?\d+$/.test(t.text)) return undefined;
  const v = Number(t.text);
  return v >= min && v <= max ? v : undefined;
}

/** Seconds with up to 6 decimals, returned in microseconds, in [minUs, maxUs]. */
export function readMicros(t: Token | undefined, minUs: number, maxUs: number): number | undefined {
  if (!t || !/^\+?(\d+(\.\d*)?|\.\d+)$/.test(t.text)) return undefined;
  const v = Math.round(Number(t.text) * 1e6);
  return Number.isFinite(v) && v >= minUs && v <= maxUs ? v : undefined;
}

/** `on/true/yes` → true, `off/false/no` → false, absent → true (a bare flag). */
export function readFlag(t: Token | undefined): boolean | undefined {
  if (!t) return true;
  if (['on', 'true', 'yes'].includes(t.text)) return true;
  if (['off', 'false', 'no'].includes(t.text)) return false;
  return undefined;
}

export function arg(s: Stmt, i: number): string {
  return s.args[i]?.text ?? '';
}

export function posOf(s: Stmt, i?: number): SourcePos {
  const t = i === undefined ? undefined : s.args[i];
  return t ? { ...s.pos, col: t.col } : s.pos;
}
