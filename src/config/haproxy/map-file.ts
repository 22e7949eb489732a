// Map files (`map(/etc/haproxy/hosts.map)`) as HAProxy 2.6 loads them: one `key value`
// per line, blanks around them stripped, lines starting with `#` and empty ones skipped;
// then each key read for the converter's match (an integer range, an IPv4/IPv6 network,
// a regex) and each value for its output (a string, an integer, an address), refused
// with HAProxy's message and the line. Also the pattern readers the runtime shares
// (pat_parse_int, str2net, str62net). Pure.

import { bufToIpv4, bufToIpv6, inetPton4, inetPton6 } from '../../net/inet-text.js';
import type { MapEntry } from './http-rule-model.js';
import { regexError } from './keywords/sample-signatures.js';
import { readInt64, str2mask4 } from './sample-args.js';

/** pat_ref_read_from_file_smp(): the entries of a map file, in file order. */
export function readMapFile(data: Buffer): MapEntry[] {
  const out: MapEntry[] = [];
  const lines = data.toString('latin1').split('\n');
  lines.forEach((raw, n) => {
    if (n === lines.length - 1 && raw === '') return;
    // fgets keeps the line up to its newline; a NUL ends the string there.
    const text = raw.includes('\0') ? raw.slice(0, raw.indexOf('\0')) : raw;
    if (text.startsWith('#')) return;
    const m = /^[ \t]*([^ \t\r\n]*)[ \t]*([^\r\n]*)/.exec(text)!;
    if (m[1] === '') return;
    out.push({ key: m[1]!, value: m[2]!.replace(/[ \t]+$/, ''), line: n + 1 });
  });
  return out;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** strl2llrc(): the whole text as a 64-bit integer, or undefined (C's quirks kept). */
export function strl2llrc(text: string): bigint | undefined {
  if (text === '') return undefined;
  let i = 0n;
  const neg = text[0] === '-';
  for (let k = neg ? 1 : 0; k < text.length; k++) {
    // (*s - '0') > 9 rejects; a character below '0' counts as a negative digit.
    const j = BigInt(text.charCodeAt(k) - 48);
    if (j > 9n) return undefined;
    if (neg) {
      if (i < INT64_MIN / 10n) return undefined;
      i *= 10n;
      if (i - j > i || i - j < INT64_MIN) return undefined;
      i -= j;
    } else {
      if (i > INT64_MAX / 10n) return undefined;
      i *= 10n;
      if (i + j < i || i + j > INT64_MAX) return undefined;
      i += j;
    }
  }
  return i;
}

/** An integer pattern: `N`, `N:M`, `:M`, `N:` (or with `-`); a bound left out is open. */
export interface IntRange {
  readonly min?: bigint;
  readonly max?: bigint;
}

/** pat_parse_int(): the range, or HAProxy's message. */
export function parseIntRange(text: string): IntRange | string {
  const invalid = `'${text}' is not a valid number range`;
  if (text === '') return invalid;
  const sep = text.search(/[:-]/);
  if (sep < 0) {
    const n = strl2llrc(text);
    return n === undefined ? `'${text}' is not a number` : { min: n, max: n };
  }
  const before = text.slice(0, sep);
  const after = text.slice(sep + 1);
  if (sep === 0 && after !== '') {
    const max = strl2llrc(after);
    return max === undefined ? invalid : { max };
  }
  if (after === '') {
    const min = strl2llrc(before);
    return min === undefined ? invalid : { min };
  }
  const min = strl2llrc(before);
  const max = strl2llrc(after);
  if (min === undefined || max === undefined || min > max) return invalid;
  return { min, max };
}

/** An address pattern: IPv4 with a mask (any bits), or IPv6 with a prefix length. */
export type IpNet =
  | { readonly v: 4; readonly addr: Uint8Array; readonly mask: Uint8Array }
  | { readonly v: 6; readonly addr: Uint8Array; readonly bits: number };

/** pat_parse_ip(): str2net() without DNS, else str62net(); or HAProxy's message. */
export function parseIpNet(text: string): IpNet | string {
  const slash = text.lastIndexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const maskText = slash < 0 ? undefined : text.slice(slash + 1);
  const mask = maskText === undefined ? new Uint8Array([255, 255, 255, 255]) : str2mask4(maskText);
  const v4 = inetPton4(addr);
  if (mask && v4) return { v: 4, addr: v4, mask };
  const v6 = inetPton6(addr);
  let bits = 128;
  if (maskText !== undefined) bits = /^[ \t]*[+-]?\d+$/.test(maskText) ? Number(maskText) : -1;
  if (v6 && bits >= 0 && bits <= 128) return { v: 6, addr: v6, bits };
  return `'${text}' is not a valid IPv4 or IPv6 address`;
}

/** map_parse_ip(): the address a map value or default names (buf2ip, then buf2ip6). */
export function parseMapAddress(text: string): Uint8Array | undefined {
  return bufToIpv4(text)?.bytes ?? bufToIpv6(text);
}

/** What the keys of `conv` are matched as. */
export function mapMatch(conv: string): string {
  const m = /^map(?:_([a-z]+))?/.exec(conv);
  return m?.[1] ?? 'str';
}

/** What the values of `conv` are: `str`, `int` or `ip`. */
export function mapOutput(conv: string): 'str' | 'int' | 'ip' {
  if (conv.endsWith('_int') && conv !== 'map_int') return 'int';
  if (conv.endsWith('_ip') && conv !== 'map_ip') return 'ip';
  return 'str';
}

/** Each entry of a map for converter `conv`: HAProxy's message for the first bad one. */
export function checkMapFile(
  conv: string,
  path: string,
  entries: readonly MapEntry[],
  dflt: string | undefined,
): string | undefined {
  const match = mapMatch(conv);
  const out = mapOutput(conv);
  for (const e of entries) {
    const at = ` at line ${e.line} of file '${path}'`;
    const key = keyError(match, e.key);
    if (key) return key + at;
    const valueOk =
      out === 'str' ||
      (out === 'int' ? readInt64(e.value).end === e.value.length : parseMapAddress(e.value));
    if (!valueOk) return `unable to parse '${e.value}'${at}`;
  }
  if (out === 'ip' && dflt !== undefined && !parseMapAddress(dflt))
    return `map: cannot parse default ip <${dflt}>.`;
  return undefined;
}

function keyError(match: string, key: string): string | undefined {
  if (match === 'int') {
    const r = parseIntRange(key);
    return typeof r === 'string' ? r : undefined;
  }
  if (match === 'ip') {
    const r = parseIpNet(key);
    return typeof r === 'string' ? r : undefined;
  }
  if (match === 'reg' || match === 'regm') return regexError(key);
  return undefined;
}
