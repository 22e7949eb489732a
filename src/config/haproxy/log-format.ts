// HAProxy's log-format strings, as the arguments of HTTP rules take them: text, `%%`,
// `%[fetch(args),conv(args)...]` sample expressions and `%name` log variables, with an
// optional `%{...}` flag block (halo keeps `+Q`, quoting, and drops the others). Pure: text in, nodes or an error
// message out; what the nodes mean is proxy/http/samples.ts's business.

import type { LogFormat, LogFormatNode, SampleExpr } from './http-rule-model.js';
import type { SampleFiles } from './sample-expr.js';
import { parseSampleAt } from './sample-expr.js';

/** Log variables HAProxy 2.6 knows (section 8.2.4), by their short names. */
const LOG_VARS = new Set(
  (
    'B CC CS H HM HP HPO HQ HU HV ID ST T Ta Tc Td Th Ti Tl Tq TR Tr Ts Tt Tu Tw U ac b bc bi bp ' +
    'bq ci cp f fc fi fp ft hr hrl hs hsl lc ms pid r rc rt s sc si sp sq sslc sslv t tr trg trl ts ' +
    'tsc'
  ).split(' '),
);

/**
 * Parses a whole word as one sample expression (`set-var(x) EXPR`, a track-sc key, an
 * ACL criterion); a string result is HAProxy's message.
 */
export function parseSampleExpr(text: string, files?: SampleFiles): SampleExpr | string {
  const r = parseSampleAt(text, 0, files);
  if ('error' in r) return `failed to parse sample expression <${text}> : ${r.error}`;
  if (r.end !== text.length)
    return `failed to parse sample expression <${text}> : missing comma after ${
      r.expr.convs.length
        ? `converter '${r.expr.convs.at(-1)!.name}'`
        : `fetch keyword '${r.expr.fetch}'`
    }`;
  return r.expr;
}

/** Parses a log-format string; a string result is the error message. */
export function parseLogFormat(text: string, files?: SampleFiles): LogFormat | string {
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
      // The expression decides where it ends (its arguments may hold a `]`); a `]` must follow.
      const r = parseSampleAt(text, i + 1, files);
      if ('error' in r)
        return `failed to parse sample expression <${text.slice(i + 1)}> : ${r.error}`;
      const c = text[r.end];
      if (c !== ']') {
        const v = text.slice(i + 1, r.end);
        return c !== undefined && /[\x20-\x7e]/.test(c)
          ? `expected ']' after '${v}', but found '${c}'`
          : `missing ']' after '${v}'`;
      }
      flush();
      out.push({ kind: 'sample', expr: r.expr, ...(quote ? { quote } : {}) });
      i = r.end + 1;
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
