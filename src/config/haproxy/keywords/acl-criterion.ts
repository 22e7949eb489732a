// Checks the criterion of an ACL (`path_beg`, `hdr_sub(host)`, `req.hdr(host),lower`)
// against the fetch methods, ACL keywords and converters HAProxy 2.6 knows, with its
// messages (`unknown fetch method 'foo_bar' in ACL expression 'foo_bar'.`).

import { bestMatch } from '../suggest.js';
import { ACL_KEYWORDS, CONVERTERS, SAMPLE_FETCHES } from './sample-names.js';

export interface CriterionProblem {
  readonly message: string;
  readonly hint?: string;
}

/** HAProxy's is_idchar(): what a fetch or converter name is made of. */
const ID_CHAR = /[A-Za-z0-9._+-]/;

function nameAt(expr: string, from: number): string {
  let end = from;
  while (end < expr.length && ID_CHAR.test(expr[end] as string)) end++;
  return expr.slice(from, end);
}

/** Index just past the `(...)` argument list starting at `at`, or `at` if there is none. */
function skipArgs(expr: string, at: number): number {
  if (expr[at] !== '(') return at;
  let depth = 0;
  for (let i = at; i < expr.length; i++) {
    const c = expr[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return expr.length;
}

function suggestion(word: string, candidates: Iterable<string>): string | undefined {
  const best = bestMatch(word, candidates);
  return best === undefined ? undefined : `did you mean '${best}'?`;
}

function* fetchNames(): Iterable<string> {
  yield* SAMPLE_FETCHES;
  yield* ACL_KEYWORDS;
}

/** Undefined when HAProxy would accept the names in `expr`; else its message. */
export function checkCriterion(expr: string): CriterionProblem | undefined {
  const name = nameAt(expr, 0);
  const aclKeyword = ACL_KEYWORDS.has(name);
  if (!aclKeyword && !SAMPLE_FETCHES.has(name)) {
    const hint = suggestion(name, fetchNames());
    return {
      message: `unknown fetch method '${name}' in ACL expression '${expr}'.`,
      ...(hint ? { hint } : {}),
    };
  }
  let i = skipArgs(expr, name.length);
  while (expr[i] === ',') {
    const conv = nameAt(expr, i + 1);
    if (!CONVERTERS.has(conv)) {
      const hint = suggestion(conv, CONVERTERS);
      return {
        message: aclKeyword
          ? `ACL keyword '${name}' : unknown converter '${conv}'.`
          : `unknown converter '${conv}' in ACL expression '${expr}'.`,
        ...(hint ? { hint } : {}),
      };
    }
    i = skipArgs(expr, i + 1 + conv.length);
  }
  return undefined;
}
