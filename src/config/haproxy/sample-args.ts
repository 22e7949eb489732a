// The argument lists of sample fetches and converters, read as HAProxy 2.6's
// make_arg_list() reads them: `(a,b)` with '...' and "..." quoting, `\` escapes, at most
// as many arguments as the keyword takes, each checked against its type (an integer, an
// IPv4/IPv6 address or mask...), with HAProxy's messages. Also the number and mask
// readers HAProxy uses there and at run time (read_int64, str2mask). Pure.

import { inetPton4, inetPton6 } from '../../net/inet-text.js';

export type ArgType =
  | 'SINT'
  | 'STR'
  | 'IPV4'
  | 'MSK4'
  | 'IPV6'
  | 'MSK6'
  | 'TIME'
  | 'SIZE'
  | 'FE'
  | 'BE'
  | 'TAB'
  | 'SRV'
  | 'USR'
  | 'REG';

/** `ARGn(min, types...)`: how many arguments are mandatory, and each one's type. */
export interface ArgMask {
  readonly min: number;
  readonly types: readonly ArgType[];
}

const TYPE_NAMES: Readonly<Record<ArgType, string>> = {
  SINT: 'integer',
  STR: 'string',
  IPV4: 'IPv4 address',
  MSK4: 'IPv4 mask',
  IPV6: 'IPv6 address',
  MSK6: 'IPv6 mask',
  TIME: 'delay',
  SIZE: 'size',
  FE: 'frontend',
  BE: 'backend',
  TAB: 'table',
  SRV: 'server',
  USR: 'user list',
  REG: 'regex',
};

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * HAProxy's read_int64(): an optional sign then the digits there are, saturated to 64
 * bits; `end` is where it stopped (no digit: value 0, `end` after the sign).
 */
export function readInt64(text: string, from = 0): { value: bigint; end: number } {
  let i = from;
  let neg = false;
  if (text[i] === '-') {
    neg = true;
    i++;
  } else if (text[i] === '+') i++;
  let n = 0n;
  const start = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i > start) n = BigInt(text.slice(start, i));
  if (n > UINT64_MAX) n = UINT64_MAX;
  if (neg) return { value: n > -INT64_MIN ? INT64_MIN : -n, end: i };
  return { value: n > INT64_MAX ? INT64_MAX : n, end: i };
}

/** str2mask(): `24` or `255.255.255.0`, as 4 bytes. */
export function str2mask4(text: string): Uint8Array | undefined {
  if (text.includes('.')) return inetPton4(text);
  return lengthMask(text, 32);
}

/** str2mask6(): `64` or `ffff:ffff::`, as 16 bytes. */
export function str2mask6(text: string): Uint8Array | undefined {
  if (text.includes(':')) return inetPton6(text);
  return lengthMask(text, 128);
}

/** strtol() over the whole text, then the first `len` bits set. */
function lengthMask(text: string, bits: number): Uint8Array | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(text);
  if (!m) return undefined;
  const len = Number(m[1]);
  // (unsigned)len > bits: a negative length is a huge unsigned one.
  if (len < 0 || len > bits) return undefined;
  const out = new Uint8Array(bits / 8);
  for (let i = 0; i < len; i++) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** One parsed argument list: the decoded words, and where the list ended in the text. */
export interface ParsedArgs {
  readonly args: string[];
  readonly end: number;
}

/** A failure: HAProxy's message and the 0-based argument it names (`invalid arg N`). */
export interface ArgError {
  readonly error: string;
  readonly pos: number;
}

/**
 * The arguments at `text[at]` (a `(` opens them; anything else means none) as
 * make_arg_list() reads them for `mask`. `mask` undefined: a keyword whose types halo
 * does not know, read as strings with no limit on their number.
 */
export function parseArgs(
  text: string,
  at: number,
  mask: ArgMask | undefined,
): ParsedArgs | ArgError {
  const types = mask?.types ?? [];
  const nbarg = mask ? types.length : Number.POSITIVE_INFINITY;
  const min = mask?.min ?? 0;
  const empty = text[at] !== '(';
  let i = empty ? at : at + 1;
  const end = empty ? at : text.length;
  const args: string[] = [];
  const typeName = (p: number) => TYPE_NAMES[types[p]!] ?? 'end of arguments';
  if (nbarg === 0 || (empty && min === 0)) return finish(text, i, empty, args, min, typeName);
  while (args.length < nbarg) {
    let out = '';
    let squote = false;
    let dquote = false;
    while (i < end) {
      const c = text[i]!;
      if (c === '"' && !squote) {
        dquote = !dquote;
        i++;
      } else if (c === "'" && !dquote) {
        squote = !squote;
        i++;
      } else if (c === '\\' && !squote && i + 1 < end) {
        const n = text[i + 1]!;
        if (n === '\\' || n === ' ' || n === '"' || n === "'") {
          out += n;
          i++;
        } else if (n === 'r' || n === 'n' || n === 't') {
          out += n === 'r' ? '\r' : n === 'n' ? '\n' : '\t';
          i++;
        } else out += c;
        i++;
      } else if (!squote && !dquote && (c === ',' || c === ')')) break;
      else {
        out += c;
        i++;
      }
    }
    const pos = args.length;
    const type = types[pos] ?? 'STR';
    const checked = checkArg(type, out);
    if (checked === 'empty') {
      // An empty optional argument ends the list; `()` alone has none.
      if (pos >= min) return finish(text, i, empty, args, min, typeName);
      return {
        error: `expected type '${TYPE_NAMES[type]}' at position ${pos + 1}, but got nothing`,
        pos,
      };
    }
    if (checked === 'bad')
      return {
        error: `failed to parse '${out}' as type '${TYPE_NAMES[type]}' at position ${pos + 1}`,
        pos,
      };
    args.push(out);
    if (i >= end || text[i] === ')' || args.length >= nbarg) break;
    i++; // the comma
  }
  return finish(text, i, empty, args, min, typeName);
}

function finish(
  text: string,
  i: number,
  empty: boolean,
  args: string[],
  min: number,
  typeName: (p: number) => string,
): ParsedArgs | ArgError {
  const pos = args.length;
  if (pos < min)
    return {
      error: `missing arguments (got ${pos}/${min}), type '${typeName(pos)}' expected`,
      pos,
    };
  if (empty) return { args, end: i };
  if (text[i] === ')') return { args, end: i + 1 };
  const rest = text.slice(i);
  return {
    error: rest ? `expected ')' before '${rest}'` : "expected ')'",
    pos: pos > 1 ? pos - 1 : pos,
  };
}

/** An argument against its type: fine, empty (where that matters) or unreadable. */
function checkArg(type: ArgType, word: string): 'ok' | 'empty' | 'bad' {
  const numeric = type === 'SINT' || type === 'IPV4' || type === 'MSK4' || type === 'IPV6';
  if (word === '' && (numeric || type === 'MSK6' || type === 'TIME' || type === 'SIZE'))
    return 'empty';
  switch (type) {
    case 'SINT':
      return readInt64(word).end === word.length ? 'ok' : 'bad';
    case 'IPV4':
      return inetPton4(word) ? 'ok' : 'bad';
    case 'MSK4':
      return str2mask4(word) ? 'ok' : 'bad';
    case 'IPV6':
      return inetPton6(word) ? 'ok' : 'bad';
    case 'MSK6':
      return str2mask6(word) ? 'ok' : 'bad';
    default:
      return 'ok';
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** base64dec(): padding only at the end of a quartet, never `X===`. */
export function base64Dec(v: string): string | undefined {
  if (v.length % 4 !== 0) return undefined;
  let out = '';
  for (let q = 0; q < v.length; q += 4) {
    const t: number[] = [];
    let pad = 0;
    for (let k = 0; k < 4; k++) {
      const c = v[q + k]!;
      const b = c === '=' ? 64 : c === '+' ? 62 : c === '/' ? 63 : B64.indexOf(c);
      if (b < 0) return undefined;
      if (pad && b !== 64) return undefined;
      if (pad && k < 2) return undefined;
      if (b === 64) pad++;
      t.push(b);
    }
    // Bytes are written whole, then the count drops by the padding (the next quartet
    // overwrites them): what stays is the first 3 - pad of each.
    const bytes = [(t[0]! << 2) + (t[1]! >> 4), (t[1]! << 4) + (t[2]! >> 2), (t[2]! << 6) + t[3]!];
    out += String.fromCharCode(...bytes.slice(0, 3 - pad).map((x) => x & 255));
  }
  return out;
}
