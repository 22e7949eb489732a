// HAProxy's log-format strings, as the arguments of HTTP rules take them: text, `%%`,
// `%[fetch(args),conv(args)...]` sample expressions and `%name` log variables, with an
// optional `%{...}` flag block (halo keeps `+Q`, quoting, and drops the others). Pure: text in, nodes or an error
// message out; what the nodes mean is proxy/http/samples.ts's business.

import type { LogFormat, LogFormatNode, SampleExpr } from './http-rule-model.js';
import { CONVERTERS, SAMPLE_FETCHES } from './keywords/sample-names.js';

/** Log variables HAProxy 2.6 knows (section 8.2.4), by their short names. */
const LOG_VARS = new Set(
  (
    'B CC CS H HM HP HPO HQ HU HV ID ST T Ta Tc Td Th Ti Tl Tq TR Tr Ts Tt Tu Tw U ac b bc bi bp ' +
    'bq ci cp f fc fi fp ft hr hrl hs hsl lc ms pid r rc rt s sc si sp sq sslc sslv t tr trg trl ts ' +
    'tsc'
  ).split(' '),
);

/** Splits `a,b(c,d),e` at the commas outside parentheses. */
function splitTop(text: string): string[] | string {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') {
      if (--depth < 0) return `unbalanced ')' in '${text}'`;
    }
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) return `missing ')' in '${text}'`;
  out.push(cur);
  return out;
}

/** `name(a,b)` -> name and args; an error message when it is malformed. */
function call(text: string): { name: string; args: string[] } | string {
  const m = /^([A-Za-z0-9_.+-]+)(?:\((.*)\))?$/s.exec(text);
  if (!m) return `invalid sample expression '${text}'`;
  const args = m[2] === undefined ? [] : m[2] === '' ? [] : m[2].split(',');
  return { name: m[1]!, args };
}

/** Parses the inside of `%[...]`. */
export function parseSampleExpr(text: string): SampleExpr | string {
  const parts = splitTop(text);
  if (typeof parts === 'string') return parts;
  const [first, ...rest] = parts;
  const f = call((first ?? '').trim());
  if (typeof f === 'string') return f;
  const convs: SampleExpr['convs'][number][] = [];
  for (const p of rest) {
    const c = call(p.trim());
    if (typeof c === 'string') return c;
    convs.push(c);
  }
  return { fetch: f.name, args: f.args, convs, text };
}

/** Parses a log-format string; a string result is the error message. */
export function parseLogFormat(text: string): LogFormat | string {
  const out: LogFormatNode[] = [];
  let lit = '';
  const flush = () => {
    if (lit !== '') out.push({ kind: 'text', text: lit });
    lit = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '%') {
      lit += ch;
      i++;
      continue;
    }
    if (text[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    i++;
    let quote = false;
    if (text[i] === '{') {
      const end = text.indexOf('}', i);
      if (end < 0) return `missing '}' after '%{' in '${text}'`;
      // Flags such as `+Q` (quote) and `-Q`; only quoting changes what halo writes.
      quote = /\+Q/.test(text.slice(i + 1, end));
      i = end + 1;
    }
    if (text[i] === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) return `missing ']' after '%[' in '${text}'`;
      const expr = parseSampleExpr(text.slice(i + 1, end));
      if (typeof expr === 'string') return expr;
      flush();
      out.push({ kind: 'sample', expr, ...(quote ? { quote } : {}) });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z]+/.exec(text.slice(i));
    if (!m) return `unexpected character after '%' in '${text}' (write '%%' for a '%')`;
    if (!LOG_VARS.has(m[0]))
      return `no such format variable '${m[0]}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`;
    flush();
    out.push({ kind: 'var', name: m[0], ...(quote ? { quote } : {}) });
    i += m[0].length;
  }
  flush();
  return out;
}

/** HAProxy's message for the first unknown fetch or converter of `format`, if any. */
export function unknownSample(format: LogFormat): string | undefined {
  for (const n of format) {
    if (n.kind !== 'sample') continue;
    if (!SAMPLE_FETCHES.has(n.expr.fetch))
      return `failed to parse sample expression <${n.expr.text}]> : unknown fetch method '${n.expr.fetch}'`;
    for (const c of n.expr.convs)
      if (!CONVERTERS.has(c.name))
        return `failed to parse sample expression <${n.expr.text}]> : unknown converter '${c.name}'`;
  }
  return undefined;
}
