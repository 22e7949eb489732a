// HAProxy 2.6's string and binary converters, byte for byte as sample.c computes them:
// case, length, base64, hex, hex2i, be2dec, be2hex, bytes, field, word, ltrim, rtrim,
// cut_crlf, concat, add_item, strcmp, iif, regsub, htonl, ipmask (the decoders and
// escapers are converters-encoding.ts). Strings are byte strings (one char per byte). Pure.

import { readInt64, str2mask4, str2mask6 } from '../../config/haproxy/sample-args.js';
import type { ConvEnv, ConverterImpl } from './converter-types.js';
import { expReplace, jsRegex } from './regex.js';
import type { Sample } from './sample.js';
import { bin, cast, sint, str, v6ToV4 } from './sample.js';

export const textOf = (s: Sample) =>
  s.type === 'str' || s.type === 'bin' || s.type === 'meth' ? s.s : '';
export const intArg = (a: string | undefined, dflt = 0n) =>
  a === undefined ? dflt : readInt64(a).value;

/** A string converter: the input's bytes to a string sample (or undefined: it fails). */
export const strFn =
  (f: (v: string) => string | undefined): ConverterImpl =>
  () =>
  (s) => {
    const r = f(textOf(s));
    return r === undefined ? undefined : str(r);
  };

const HEX = '0123456789ABCDEF';
export const hexByte = (c: number) => HEX[c >> 4]! + HEX[c & 15]!;
const hexOf = (v: string) => {
  let out = '';
  for (let i = 0; i < v.length; i++) out += hexByte(v.charCodeAt(i));
  return out;
};

/** hex2i: every byte a hex digit, else it fails. */
function hexToInt(v: string): Sample | undefined {
  let n = 0n;
  for (const c of v) {
    const d = Number.parseInt(c, 16);
    if (Number.isNaN(d)) return undefined;
    n = BigInt.asIntN(64, (n << 4n) + BigInt(d));
  }
  return sint(n);
}

const be2dec: ConverterImpl = (conv) => {
  const sep = conv.args[0] ?? '';
  const size = Number(intArg(conv.args[1]));
  const trunc = intArg(conv.args[2]) !== 0n;
  return (s) => {
    const v = textOf(s);
    const last = trunc ? v.length - size + 1 : v.length;
    let out = '';
    for (let p = 0; p < last; ) {
      if (p) out += sep;
      let n = 0n;
      for (let i = 0; i < size && p < v.length; i++) n = (n << 8n) + BigInt(v.charCodeAt(p++));
      out += String(n);
    }
    return str(out);
  };
};

const be2hex: ConverterImpl = (conv) => {
  const sep = conv.args[0] ?? '';
  const trunc = intArg(conv.args[2]) !== 0n;
  const given = Number(intArg(conv.args[1]));
  return (s) => {
    const v = textOf(s);
    const size = sep === '' && !trunc ? v.length : given;
    const last = trunc ? v.length - size + 1 : v.length;
    let out = '';
    for (let p = 0; p < last; ) {
      if (p) out += sep;
      for (let i = 0; i < size && p < v.length; i++) out += hexByte(v.charCodeAt(p++));
    }
    return str(out);
  };
};

const bytes: ConverterImpl = (conv) => {
  const off = Number(intArg(conv.args[0]));
  const len = conv.args[1] === undefined ? undefined : Number(intArg(conv.args[1]));
  return (s) => {
    const v = textOf(s);
    if (v.length <= off) return bin('');
    const rest = v.slice(off);
    return bin(len !== undefined && len < rest.length ? rest.slice(0, len) : rest);
  };
};

/** field(): the `index`th run between delimiters (from the end when negative), `count` of them. */
function field(v: string, index: number, delims: string, count0: number): string | undefined {
  let count = count0;
  const isDelim = (c: string) => delims.includes(c);
  if (index < 0) {
    let f = -1;
    let end = v.length;
    let start = v.length;
    for (; start > 0; start--) {
      if (!isDelim(v[start - 1]!)) continue;
      if (f === index) {
        if (count === 1) return v.slice(start, end);
        if (count > 1) count--;
      } else {
        end = start - 1;
        f--;
      }
    }
    return f === index ? v.slice(start, end) : undefined;
  }
  let f = 1;
  let start = 0;
  let end = 0;
  for (; end < v.length; end++) {
    if (!isDelim(v[end]!)) continue;
    if (f === index) {
      if (count === 1) return v.slice(start, end);
      if (count > 1) count--;
    } else {
      start = end + 1;
      f++;
    }
  }
  return f === index ? v.slice(start, end) : undefined;
}

/** word(): like field() over runs of non-delimiters, empty words skipped; not found is "". */
function word(v: string, index: number, delims: string, count0: number): string {
  let count = count0;
  const isDelim = (c: string) => delims.includes(c);
  let w = 0;
  let inword = false;
  if (index < 0) {
    let end = v.length;
    let start = v.length;
    for (; start > 0; start--) {
      const sep = isDelim(v[start - 1]!);
      if (!inword) {
        if (!sep) {
          if (w !== index) {
            w--;
            end = start;
          }
          inword = true;
        }
      } else if (sep) {
        if (w === index) {
          if (count === 1) return v.slice(start, end);
          if (count > 1) count--;
        }
        inword = false;
      }
    }
    return w === index ? v.slice(start, end) : '';
  }
  let start = 0;
  let end = 0;
  for (; end < v.length; end++) {
    const sep = isDelim(v[end]!);
    if (!inword) {
      if (!sep) {
        if (w !== index) {
          w++;
          start = end;
        }
        inword = true;
      }
    } else if (sep) {
      if (w === index) {
        if (count === 1) return v.slice(start, end);
        if (count > 1) count--;
      }
      inword = false;
    }
  }
  return w === index ? v.slice(start, end) : '';
}

const fieldOrWord =
  (which: 'field' | 'word'): ConverterImpl =>
  (conv) => {
    const index = Number(intArg(conv.args[0]));
    const delims = conv.args[1] ?? '';
    const count = conv.args[2] === undefined ? 1 : Number(intArg(conv.args[2]));
    return (s) => {
      const v = textOf(s);
      const r = which === 'field' ? field(v, index, delims, count) : word(v, index, delims, count);
      return r === undefined ? undefined : str(r);
    };
  };

/** A variable as a string, when it exists and casts to one. */
function varText(env: ConvEnv, name: string): string | undefined {
  const v = name === '' ? undefined : env.vars?.get(name);
  const t = v && cast(v, 'str');
  return t && t.type === 'str' ? t.s : undefined;
}

const concat: ConverterImpl = (conv) => {
  const [pre = '', name = '', post = ''] = conv.args.map(toBytes);
  return (s, env) => str(textOf(s) + pre + (varText(env, name) ?? '') + post);
};

const addItem: ConverterImpl = (conv) => {
  const [delim = '', name = '', suffix = ''] = conv.args.map(toBytes);
  return (s, env) => {
    const v = textOf(s);
    const value = varText(env, name);
    const sep = v !== '' && ((value !== undefined && value !== '') || suffix !== '') ? delim : '';
    return str(v + sep + (value ?? '') + suffix);
  };
};

/** strcmp(): strncmp over the shorter length (stopping at a NUL), then the lengths. */
export function strcmp(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  for (let i = 0; i < max; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x - y;
    if (x === 0) return 0;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const strcmpConv: ConverterImpl = (conv) => {
  const name = conv.args[0] ?? '';
  return (s, env) => {
    const other = varText(env, name);
    return other === undefined ? undefined : sint(BigInt(strcmp(textOf(s), other)));
  };
};

const iif: ConverterImpl = (conv) => {
  const [yes = '', no = ''] = conv.args.map(toBytes);
  return (s) => str(s.type === 'bool' || s.type === 'sint' ? (s.n !== 0n ? yes : no) : no);
};

const trim =
  (side: 'l' | 'r'): ConverterImpl =>
  (conv) => {
    const chars = toBytes(conv.args[0] ?? '');
    return (s) => {
      const v = textOf(s);
      let a = 0;
      let b = v.length;
      if (side === 'l') while (a < b && chars.includes(v[a]!)) a++;
      else while (b > a && chars.includes(v[b - 1]!)) b--;
      return str(v.slice(a, b));
    };
  };

const ipmask: ConverterImpl = (conv) => {
  const m4 = str2mask4(conv.args[0] ?? '')!;
  const m6 = conv.args[1] === undefined ? undefined : str2mask6(conv.args[1]);
  const and = (ip: Uint8Array, m: Uint8Array) => ip.map((b, i) => b & m[i]!);
  return (s) => {
    if (s.type !== 'ipv4' && s.type !== 'ipv6') return undefined;
    const v4 = s.type === 'ipv4' ? s.ip : v6ToV4(s.ip);
    if (v4) return { type: 'ipv4', ip: and(v4, m4) };
    return m6 ? { type: 'ipv6', ip: and(s.ip, m6) } : undefined;
  };
};

const regsub: ConverterImpl = (conv) => {
  const flags = conv.args[2] ?? '';
  const re = jsRegex(conv.args[0] ?? '', flags.includes('i'));
  const subst = toBytes(conv.args[1] ?? '');
  const global = flags.includes('g');
  return (s) => {
    const v = textOf(s);
    let out = '';
    let start = 0;
    let first = true;
    for (;;) {
      let m: RegExpExecArray | null = null;
      if (global || first) {
        re.lastIndex = start;
        m = re.exec(v);
      }
      if (!m) {
        out += v.slice(start);
        break;
      }
      out += v.slice(start, m.index) + expReplace(subst, m);
      if (start >= v.length) break;
      let endRel = m.index + m[0].length - start;
      if (endRel === 0) {
        out += v[start] ?? '';
        endRel = 1;
      }
      start += endRel;
      first = false;
    }
    return str(out);
  };
};

const htonl: ConverterImpl = () => (s) => {
  if (s.type !== 'sint' && s.type !== 'bool') return undefined;
  const u = Number(BigInt.asUintN(32, s.n));
  return bin(String.fromCharCode(u >>> 24, (u >>> 16) & 255, (u >>> 8) & 255, u & 255));
};

/**
 * A config string as the bytes HAProxy has for it. The file is read as UTF-8 and `\xHH`
 * escapes give chars up to U+00FF, so those are taken as bytes and only chars past
 * U+00FF are written out in UTF-8 (a literal `é` in the file, U+00E9, stays one byte
 * where HAProxy has two: write it `\xc3\xa9`).
 */
export function toBytes(text: string): string {
  return /^[\x00-\xff]*$/.test(text)
    ? text
    : text.replace(/[^\x00-\xff]+/g, (x) => Buffer.from(x, 'utf8').toString('latin1'));
}

export const STRING_CONVERTERS: Readonly<Record<string, ConverterImpl>> = {
  lower: strFn((v) => v.replace(/[A-Z]+/g, (x) => x.toLowerCase())),
  upper: strFn((v) => v.replace(/[a-z]+/g, (x) => x.toUpperCase())),
  length: () => (s) => sint(BigInt(textOf(s).length)),
  base64: strFn((v) => Buffer.from(v, 'latin1').toString('base64')),
  hex: strFn(hexOf),
  hex2i: () => (s) => hexToInt(textOf(s)),
  be2dec,
  be2hex,
  bytes,
  field: fieldOrWord('field'),
  word: fieldOrWord('word'),
  ltrim: trim('l'),
  rtrim: trim('r'),
  cut_crlf: strFn((v) => v.replace(/[\r\n][\s\S]*$/, '')),
  concat,
  add_item: addItem,
  strcmp: strcmpConv,
  iif,
  htonl,
  ipmask,
  regsub,
};
