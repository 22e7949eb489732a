// "did you mean" for unknown keywords, by edit distance over a section's keyword table.
// fastest-levenshtein is loaded on the first suggestion, not with the parser: a config
// without unknown keywords (every `halo proxy` start, usually) never reads it.

import { createRequire } from 'node:module';

let distanceFn: ((a: string, b: string) => number) | undefined;
function distance(a: string, b: string): number {
  distanceFn ??= (
    createRequire(import.meta.url)('fastest-levenshtein') as typeof import('fastest-levenshtein')
  ).distance;
  return distanceFn(a, b);
}

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function bestMatch(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length < 2) return undefined;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** `; did you mean 'balance' maybe ?` or '' when nothing is close enough. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = bestMatch(word, candidates);
  return best === undefined ? '' : `; did you mean '${best}' maybe ?`;
}
