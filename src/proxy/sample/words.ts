// pattern.c's match_word(): `-m dir` and `-m dom`, and map_dir/map_dom. The pattern,
// without its leading and trailing delimiters, must appear in the sample between
// delimiters (or its ends): `/` and `?` for dir, those and `.` and `:` for dom. Pure.

export function matchWord(
  sample: string,
  pattern: string,
  delimiters: string,
  icase = false,
): boolean {
  const isDelim = (c: string | undefined) => c !== undefined && delimiters.includes(c);
  let ps = 0;
  let pl = pattern.length;
  while (pl > 0 && isDelim(pattern[ps])) {
    pl--;
    ps++;
  }
  while (pl > 0 && isDelim(pattern[ps + pl - 1])) pl--;
  // Only delimiters: the C compares the byte after them, a NUL, which no sample has.
  if (pl === 0 || pl > sample.length) return false;
  const want = icase ? pattern.slice(ps, ps + pl).toLowerCase() : pattern.slice(ps, ps + pl);
  const hay = icase ? sample.toLowerCase() : sample;
  let mayMatch = true;
  const end = sample.length - pl;
  for (let c = 0; c <= end; c++) {
    if (isDelim(hay[c])) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    // strncmp over pl bytes: a NUL in the sample ends the comparison there.
    if (hay.startsWith(want, c) && (c === end || isDelim(hay[c + pl]))) return true;
    mayMatch = false;
  }
  return false;
}
