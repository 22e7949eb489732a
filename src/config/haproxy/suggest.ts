// "did you mean" for unknown keywords, by edit distance over a section's keyword table.
// The distance is computed here (keywords are short) rather than by fastest-levenshtein,
// which as a CommonJS module cost every `halo proxy` start a file read and a lexer pass.

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
export function distance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
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
