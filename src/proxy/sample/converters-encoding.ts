// HAProxy 2.6's decoding and escaping converters: b64dec, ub64enc, ub64dec (base64.c's
// decoders, their padding rules kept), json (ASCII or UTF-8 input, strict or skipping bad
// sequences, as utf8_next() reads them) and url_dec/url_enc (http_conv.c). Byte strings
// in and out. Pure.

import { base64Dec } from '../../config/haproxy/sample-args.js';
import type { ConverterImpl } from './converter-types.js';
import { hexByte, intArg, strFn, textOf } from './converters-string.js';
import { bin } from './sample.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** base64urldec(): `-_`, no padding (a missing 1 or 2 chars implied); `=` reads as `_`. */
function base64UrlDec(v: string): string | undefined {
  const rem = v.length % 4;
  if (rem === 1) return undefined;
  const pad = rem === 0 ? 0 : 4 - rem;
  const vals: number[] = [];
  for (const c of v) {
    const b = c === '-' ? 62 : c === '_' || c === '=' ? 63 : B64.indexOf(c);
    if (b < 0) return undefined;
    vals.push(b);
  }
  for (let k = 0; k < pad; k++) vals.push(64);
  let out = '';
  for (let q = 0; q < vals.length; q += 4) {
    const [a, b, c, d] = vals.slice(q, q + 4) as [number, number, number, number];
    out += String.fromCharCode(
      ((a << 2) + (b >> 4)) & 255,
      ((b << 4) + (c >> 2)) & 255,
      ((c << 6) + d) & 255,
    );
  }
  return out.slice(0, out.length - pad);
}

function base64UrlEnc(v: string): string {
  return Buffer.from(v, 'latin1').toString('base64url');
}

/** url_decode(): `%XX`, `+` as a space in form mode (or after a `?`); a bad `%` fails. */
export function urlDecode(v: string, inForm: boolean): string | undefined {
  let form = inForm;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\0') break;
    if (c === '+') out += form ? ' ' : '+';
    else if (c === '%') {
      const h = v.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return undefined;
      out += String.fromCharCode(Number.parseInt(h, 16));
      i += 2;
    } else {
      if (c === '?') form = true;
      out += c;
    }
  }
  return out;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function urlEncode(v: string): string {
  let out = '';
  for (const c of v) out += UNRESERVED.test(c) ? c : `%${hexByte(c.charCodeAt(0))}`;
  return out;
}

/** json(): escapes for a JSON string; input read as ASCII or UTF-8 (strict or skipping). */
function json(mode: string): (v: string) => string | undefined {
  return (v) => {
    let out = '';
    for (let p = 0; p < v.length; ) {
      let c: number;
      if (mode === '' || mode === 'ascii') c = v.charCodeAt(p++);
      else {
        const r = utf8Next(v, p);
        p += r.length;
        c = r.c;
        const bad = mode === 'utf8' || mode === 'utf8s' ? r.code !== 0 : (r.code & 0x60) !== 0;
        if (bad) {
          if (mode === 'utf8' || mode === 'utf8p') return undefined;
          continue;
        }
        if (c > 0xffff) {
          if (mode === 'utf8' || mode === 'utf8p') return undefined;
          continue;
        }
      }
      out += jsonChar(c);
    }
    return out;
  };
}

const JSON_ESC: Readonly<Record<number, string>> = {
  34: '\\"',
  92: '\\\\',
  47: '\\/',
  8: '\\b',
  12: '\\f',
  13: '\\r',
  10: '\\n',
  9: '\\t',
};

function jsonChar(c: number): string {
  const e = JSON_ESC[c];
  if (e) return e;
  if (c > 0xff || c < 0x20 || c > 0x7e) return `\\u${c.toString(16).padStart(4, '0')}`;
  return String.fromCharCode(c);
}

/** utf8_next(): the code point at `p`, how many bytes it took, and HAProxy's flags. */
export function utf8Next(v: string, p: number): { c: number; length: number; code: number } {
  const b = v.charCodeAt(p);
  const left = v.length - p;
  const lead: [number, number, number][] = [
    [0xc0, 0xdf, 1],
    [0xe0, 0xef, 2],
    [0xf0, 0xf7, 3],
    [0xf8, 0xfb, 4],
    [0xfc, 0xfd, 5],
  ];
  if (b <= 0x7f) return { c: b, length: 1, code: 0 };
  const l = lead.find(([lo, hi]) => b >= lo && b <= hi);
  if (!l || left < l[2] + 1) return { c: b, length: 1, code: 0x40 };
  let c = b & (0x3f >> l[2]);
  let q = p + 1;
  for (let k = 0; k < l[2]; k++, q++) {
    const x = v.charCodeAt(q);
    if ((x & 0xc0) !== 0x80) return { c, length: (q - p) & 0x0f, code: 0x40 };
    c = (c << 6) | (x & 0x3f);
  }
  const n = q - p;
  let code = 0;
  if (
    (c <= 0x7f && n > 1) ||
    (c >= 0x80 && c <= 0x7ff && n > 2) ||
    (c >= 0x800 && c <= 0xffff && n > 3) ||
    (c >= 0x10000 && c <= 0x1fffff && n > 4)
  )
    code |= 0x10;
  if ((c >= 0xd800 && c <= 0xdfff) || (c >= 0xfffe && c <= 0xffff)) code |= 0x20;
  return { c, length: n & 0x0f, code };
}

export const ENCODING_CONVERTERS: Readonly<Record<string, ConverterImpl>> = {
  b64dec: () => (s) => {
    const r = base64Dec(textOf(s));
    return r === undefined ? undefined : bin(r);
  },
  ub64enc: strFn(base64UrlEnc),
  ub64dec: () => (s) => {
    const r = base64UrlDec(textOf(s));
    return r === undefined ? undefined : bin(r);
  },
  json: (conv) => strFn(json(conv.args[0] ?? ''))(conv),
  url_dec: (conv) => {
    const form = intArg(conv.args[0]) !== 0n;
    return strFn((v) => urlDecode(v, form))(conv);
  },
  url_enc: strFn(urlEncode),
};
