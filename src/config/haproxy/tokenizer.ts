// Splits haproxy.cfg text into lines and words the way HAProxy 2.6's parse_line() does:
// `#` comments outside quotes, backslash escapes, single quotes (literal), double quotes
// (escapes and `${VAR}` / `${VAR-default}` expansion), `\xHH` bytes.

export type Env = Record<string, string | undefined>;

export interface Word {
  readonly text: string;
  /** 1-based column of the word's first character in the raw line. */
  readonly col: number;
}

export type TokenizeErrorKind = 'quote' | 'brace' | 'varname' | 'hex' | 'expand';

export interface TokenizedLine {
  readonly words: Word[];
  readonly error?: { kind: TokenizeErrorKind; col: number };
}

export interface RawLine {
  readonly text: string;
  readonly line: number;
  /** The line ended without a line feed (last line of a file). */
  readonly missingLf: boolean;
  /** A NUL byte cut the line short at this 1-based position. */
  readonly nulAt?: number;
}

/** Lines as fgets() sees them: split on `\n`; a NUL ends what strlen() sees of a line. */
export function splitLines(text: string): RawLine[] {
  const out: RawLine[] = [];
  let start = 0;
  let n = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    let body = text.slice(start, end);
    n++;
    const nul = body.indexOf('\0');
    if (nul >= 0) {
      body = body.slice(0, nul);
      out.push({ text: body, line: n, missingLf: true, nulAt: nul + 1 });
    } else {
      out.push({ text: body, line: n, missingLf: nl < 0 });
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\v' || c === '\f';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/** Tokenizes one line (without its line feed). `\r` ends the line, as in HAProxy. */
export function tokenizeLine(line: string, env: Env = {}): TokenizedLine {
  const words: Word[] = [];
  let cur = '';
  let curCol = -1;
  let squote = false;
  let dquote = false;
  let quoteCol = 0;
  let i = 0;
  // Leading spaces are skipped before parsing, as readcfgfile() does.
  while (i < line.length && isSpace(line[i])) i++;
  const startWord = () => {
    if (curCol < 0) curCol = i + 1;
  };
  const emit = (s: string) => {
    startWord();
    cur += s;
  };
  const fail = (kind: TokenizeErrorKind, col: number): TokenizedLine => ({
    words,
    error: { kind, col },
  });
  while (i < line.length) {
    const c = line[i] as string;
    if (c === '\n' || c === '\r') break;
    if (c === '#' && !squote && !dquote) break;
    if (c === '"' && !squote) {
      startWord();
      dquote = !dquote;
      quoteCol = i + 1;
      i++;
      continue;
    }
    if (c === "'" && !dquote) {
      startWord();
      squote = !squote;
      quoteCol = i + 1;
      i++;
      continue;
    }
    if (c === '\\' && !squote) {
      const n = line[i + 1];
      let out = c;
      if (n === ' ' || n === '\\') {
        out = n;
        i++;
      } else if (n === 't' || n === 'n' || n === 'r') {
        out = n === 't' ? '\t' : n === 'n' ? '\n' : '\r';
        i++;
      } else if (n === '#' || n === "'" || n === '"') {
        out = n;
        i++;
      } else if (n === '$' && dquote) {
        out = n;
        i++;
      } else if (n === 'x') {
        if (!isHex(line[i + 2]) || !isHex(line[i + 3])) return fail('hex', i + 1);
        out = String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
        i += 3;
      }
      startWord();
      cur += out;
      i++;
      continue;
    }
    if (isSpace(c) && !squote && !dquote) {
      while (i < line.length && isSpace(line[i])) i++;
      words.push({ text: cur, col: curCol < 0 ? i + 1 : curCol });
      cur = '';
      curCol = -1;
      continue;
    }
    if (c === '$' && dquote) {
      const r = expandVar(line, i, env);
      if ('error' in r) return fail(r.error, r.col);
      startWord();
      cur += r.value;
      i = r.next;
      if (r.unset && line[i] === '"') {
        // HAProxy drops the closing quote and following spaces of an unset variable, so
        // `"${UNSET}"` vanishes instead of leaving an empty word.
        i++;
        while (i < line.length && isSpace(line[i])) i++;
        dquote = false;
      }
      continue;
    }
    emit(c);
    i++;
  }
  // As in HAProxy, an empty last word (`foo ""`, an unset `"${VAR}"`) is not counted.
  if (cur !== '') words.push({ text: cur, col: curCol });
  if (squote || dquote) return fail('quote', quoteCol);
  return { words };
}

type Expanded =
  | { value: string; next: number; unset: boolean }
  | { error: TokenizeErrorKind; col: number };

function expandVar(line: string, at: number, env: Env): Expanded {
  let i = at + 1;
  let brace = -1;
  if (line[i] === '{') brace = i++;
  const first = line[i];
  if (!isAlpha(first) && first !== '_' && first !== '.') return { error: 'varname', col: i + 1 };
  const nameStart = i;
  if (first === '.') i++;
  while (i < line.length && (isAlnum(line[i]) || line[i] === '_')) i++;
  const name = line.slice(nameStart, i);
  let value: string | undefined;
  if (name.startsWith('.')) {
    // .LINE/.FILE/.SECTION need parser context; halo does not expand them (rarely used).
    if (name !== '.LINE' && name !== '.FILE' && name !== '.SECTION') {
      return { error: 'varname', col: nameStart + 1 };
    }
    value = '';
  } else {
    value = Object.hasOwn(env, name) ? env[name] : undefined;
  }
  let wordExpand = false;
  if (line[i] === '[' && brace >= 0) {
    if (line[i + 1] !== '*' || line[i + 2] !== ']') return { error: 'expand', col: i + 1 };
    wordExpand = true;
    i += 3;
  }
  if (brace >= 0) {
    if (line[i] === '-') {
      const close = line.indexOf('}', i);
      if (close < 0) return { error: 'brace', col: brace + 1 };
      if (value === undefined) value = line.slice(i + 1, close);
      i = close;
    } else if (line[i] !== '}') {
      return { error: 'brace', col: brace + 1 };
    }
    i++;
  }
  // `${VAR[*]}` splits the value into words; halo keeps it as one word (documented gap).
  void wordExpand;
  return { value: value ?? '', next: i, unset: value === undefined && !name.startsWith('.') };
}
