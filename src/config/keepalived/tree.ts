// Builds the statement tree from lexed items: a statement is one run of words; a `{`
// right after it (same line or the next) opens its block. Brace errors use Keepalived's
// wording. Pure; never throws.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { Token } from './lexer.js';
import type { SourceItem } from './source.js';

export interface Stmt {
  readonly pos: SourcePos;
  readonly keyword: Token;
  readonly args: Token[];
  /** The statement's text after the keyword, as written (quotes and escapes kept). */
  readonly rawArgs: string;
  block?: Stmt[];
  blockPos?: SourcePos;
  /** `{` and `}` on the same line, e.g. `authentication { auth_type PASS auth_pass X }`. */
  oneLine?: boolean;
}

interface Frame {
  readonly owner?: Stmt;
  readonly list: Stmt[];
  readonly openPos: SourcePos;
}

export function buildTree(items: SourceItem[], diags: Diagnostics): Stmt[] {
  const root: Stmt[] = [];
  const stack: Frame[] = [];
  let current: Stmt[] = root;
  let pending: Stmt | undefined;

  for (const it of items) {
    const pos: SourcePos = { file: it.file, line: it.line, col: it.item.col };
    if (it.item.kind === 'words') {
      const [keyword, ...args] = it.item.tokens;
      if (!keyword) continue;
      const rawArgs = it.item.raw.slice(rawKeywordLength(it.item.raw)).trim();
      const stmt: Stmt = { pos, keyword, args, rawArgs };
      current.push(stmt);
      pending = stmt;
    } else if (it.item.kind === 'open') {
      const list: Stmt[] = [];
      if (pending && !pending.block) {
        pending.block = list;
        pending.blockPos = pos;
        stack.push({ owner: pending, list, openPos: pos });
      } else {
        diags.error(pos, 'KA_UNEXPECTED_BOB', "Unexpected '{' - ignoring", 'keepalived');
        stack.push({ list, openPos: pos });
      }
      current = list;
      pending = undefined;
    } else {
      pending = undefined;
      const frame = stack.pop();
      if (!frame) {
        diags.error(pos, 'KA_EXTRA_EOB', "Extra '}' found", 'keepalived');
        continue;
      }
      if (frame.owner && frame.openPos.file === pos.file && frame.openPos.line === pos.line) {
        frame.owner.oneLine = true;
      }
      current = stack[stack.length - 1]?.list ?? root;
    }
  }
  const innermost = stack[stack.length - 1];
  if (innermost) {
    diags.error(
      innermost.openPos,
      'KA_MISSING_EOB',
      `There are ${stack.length} missing '}'s or extra '{'s`,
      'keepalived',
    );
  }
  return root;
}

function rawKeywordLength(raw: string): number {
  if (raw.startsWith('"')) {
    const end = raw.indexOf('"', 1);
    return end < 0 ? raw.length : end + 1;
  }
  const m = /^[^\s"]*/.exec(raw);
  return m ? m[0].length : 0;
}
