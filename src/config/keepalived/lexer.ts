// keepalived.conf lexing, following Keepalived 2.2's line reader: comments start at an
// unquoted `!` or `#`, a line is cut at every `{` and `}` outside double quotes, and words
// are split on blanks with `"..."` kept as one word. Pure: no I/O, never throws.

export interface Token {
  readonly text: string;
  /** 1-based column of the token's first character in the physical line. */
  readonly col: number;
  readonly quoted: boolean;
}

/** One lexical item of a line: a run of words, or a brace. */
export type LexItem =
  | { readonly kind: 'words'; readonly tokens: Token[]; readonly raw: string; readonly col: number }
  | { readonly kind: 'open'; readonly col: number }
  | { readonly kind: 'close'; readonly col: number };

export interface LexedLine {
  readonly items: LexItem[];
  /** Set when a double quote is left open (Keepalived: "Unmatched quote"). */
  readonly unmatchedQuote: boolean;
}

const BLANK = /[ \t\r\f\v]/;

/**
 * Strips a comment the way Keepalived does: `!` or `#` outside double quotes starts it;
 * `\#` and `\!` outside quotes stand for the character itself. Returns the kept text with
 * escapes still in place (columns stay aligned with the physical line).
 */
export function stripComment(line: string): { text: string; unmatchedQuote: boolean } {
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quote = !quote;
    else if (c === '\\') i++;
    else if (!quote && (c === '!' || c === '#'))
      return { text: line.slice(0, i), unmatchedQuote: false };
  }
  return { text: line, unmatchedQuote: quote };
}

/** Lexes one physical line (already comment-stripped) into words and braces. */
export function lexLine(text: string): LexedLine {
  const items: LexItem[] = [];
  let unmatchedQuote = false;
  let segStart = 0;
  let quote = false;
  const flush = (end: number): void => {
    const seg = text.slice(segStart, end);
    const words = splitWords(seg, segStart + 1);
    if (words.unmatchedQuote) unmatchedQuote = true;
    if (words.tokens.length > 0) {
      const lead = seg.length - seg.trimStart().length;
      items.push({
        kind: 'words',
        tokens: words.tokens,
        raw: seg.trim(),
        col: segStart + lead + 1,
      });
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quote = !quote;
    else if (!quote && (c === '{' || c === '}')) {
      flush(i);
      items.push({ kind: c === '{' ? 'open' : 'close', col: i + 1 });
      segStart = i + 1;
    }
  }
  flush(text.length);
  return { items, unmatchedQuote: unmatchedQuote || quote };
}

/** Splits on blanks; `"..."` is one word without its quotes; `\#`, `\!` lose the backslash. */
export function splitWords(seg: string, baseCol = 1): { tokens: Token[]; unmatchedQuote: boolean } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < seg.length) {
    while (i < seg.length && BLANK.test(seg[i] ?? '')) i++;
    if (i >= seg.length) break;
    const start = i;
    if (seg[i] === '"') {
      const end = seg.indexOf('"', i + 1);
      if (end < 0) {
        tokens.push({
          text: unescapeComment(seg.slice(i + 1)),
          col: baseCol + start,
          quoted: true,
        });
        return { tokens, unmatchedQuote: true };
      }
      tokens.push({ text: seg.slice(i + 1, end), col: baseCol + start, quoted: true });
      i = end + 1;
      continue;
    }
    while (i < seg.length && !BLANK.test(seg[i] ?? '') && seg[i] !== '"') i++;
    tokens.push({
      text: unescapeComment(seg.slice(start, i)),
      col: baseCol + start,
      quoted: false,
    });
  }
  return { tokens, unmatchedQuote: false };
}

function unescapeComment(s: string): string {
  return s.replace(/\\([#!])/g, '$1');
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Keepalived's word splitter for script command lines: single and double quotes group,
 * backslash escapes (`\n`, `\x41`, `\101`, `\cX`, `\"`). Returns undefined for an
 * unterminated quote or a trailing backslash, as Keepalived then drops the line.
 */
export function splitQuotedEscaped(src: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && BLANK.test(src[i] ?? '')) i++;
    if (i >= src.length) break;
    let word = '';
    let quote = '';
    for (;;) {
      if (i >= src.length) {
        if (quote) return undefined;
        break;
      }
      const c = src[i] ?? '';
      if (c === '\\') {
        const r = readEscape(src, i + 1);
        if (!r) return undefined;
        word += r.ch;
        i = r.next;
      } else if (quote) {
        if (c === quote) quote = '';
        else word += c;
        i++;
      } else if (c === '"' || c === "'") {
        quote = c;
        i++;
      } else if (BLANK.test(c)) {
        break;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

function readEscape(s: string, i: number): { ch: string; next: number } | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  if (c === 'x' && /[0-9a-fA-F]/.test(s[i + 1] ?? '')) {
    let j = i + 1;
    let v = 0;
    while (/[0-9a-fA-F]/.test(s[j] ?? ''))
      v = ((v << 4) | Number.parseInt(s[j++] ?? '0', 16)) & 0xff;
    return { ch: String.fromCharCode(v), next: j };
  }
  if (c === 'c' && s[i + 1] !== undefined) {
    return { ch: String.fromCharCode((s.charCodeAt(i + 1) ?? 0) & 0x1f), next: i + 2 };
  }
  if (c >= '0' && c <= '7') {
    let j = i;
    let v = 0;
    while (j < i + 3 && (s[j] ?? '') >= '0' && (s[j] ?? '') <= '7') v = v * 8 + Number(s[j++]);
    return { ch: String.fromCharCode(v & 0xff), next: j };
  }
  return { ch: ESCAPES[c] ?? c, next: i + 1 };
}
