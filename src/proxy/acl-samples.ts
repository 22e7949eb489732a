// ACL criteria that are whole sample expressions (`hdr(host),lower`, `req.cook_cnt(sid)`,
// `str(f5),strcmp(txn.x) eq 0`) or ACL keywords on them (`cook_beg(lang) en`), matched as
// HAProxy 2.6's acl.c matches them: by `-m`, by the keyword's method, else by what the
// expression returns (a boolean is true, an integer is compared as a range or with
// eq/ne/lt/le/gt/ge, an address against networks, a string exactly); the sample is cast
// to the method's type first, and a multi-valued fetch (header occurrences, cookies)
// matches when one value does. Pure: the request comes in as a SampleScope.

import { ACL_KEYWORDS } from '../config/haproxy/keywords/sample-names.js';
import { parseSampleExpr } from '../config/haproxy/log-format.js';
import type { IpNet } from '../config/haproxy/map-file.js';
import { parseIpNet } from '../config/haproxy/map-file.js';
import { sampleType } from '../config/haproxy/sample-expr.js';
import { intMatcher } from './acl.js';
import { samplesOf, unevaluatedIn } from './http/samples.js';
import { ipNetLookup } from './sample/converters-map.js';
import { FETCHES } from './sample/fetches.js';
import { regexProblem } from './sample/regex.js';
import type { Sample } from './sample/sample.js';
import { cast } from './sample/sample.js';
import type { SampleScope } from './sample/scope.js';
import { matchWord } from './sample/words.js';

export type SampleTest = (s: SampleScope) => boolean;

const SUFFIX_METHODS = ['beg', 'end', 'sub', 'dir', 'dom', 'reg', 'len', 'found'];

/** `cook_beg(x)` -> `cook(x)` with method beg, for fetches the sample table has. */
function keywordForm(criterion: string): { text: string; method?: string } {
  const m = /^([a-z_.0-9]+)_([a-z]+)(?=[(,]|$)/.exec(criterion);
  if (
    !m ||
    !ACL_KEYWORDS.has(`${m[1]}_${m[2]}`) ||
    !SUFFIX_METHODS.includes(m[2]!) ||
    !FETCHES[m[1]!]
  )
    return { text: criterion };
  return { text: m[1]! + criterion.slice(m[0].length), method: m[2]! };
}

/** What a method matches against, and the sample type the value is cast to first. */
function matcher(
  method: string,
  values: readonly string[],
  icase: boolean,
): ((v: Sample) => boolean) | undefined {
  const norm = (x: string) => (icase ? x.toLowerCase() : x);
  const strOf = (v: Sample) => {
    const t = cast(v, method === 'bin' ? 'bin' : 'str');
    return t && (t.type === 'str' || t.type === 'bin') ? t.s : undefined;
  };
  const onStr = (test: (s: string) => boolean) => (v: Sample) => {
    const s = strOf(v);
    return s !== undefined && test(s);
  };
  const pats = values.map(norm);
  switch (method) {
    case 'found':
      return () => true;
    case 'bool':
      if (values.length > 0) return undefined;
      return (v) => {
        const n = cast(v, 'sint');
        return n?.type === 'sint' && n.n !== 0n;
      };
    case 'int': {
      const m = intMatcher([...values]);
      return (v) => {
        const n = cast(v, 'sint');
        return n?.type === 'sint' && m(Number(n.n));
      };
    }
    case 'len': {
      const m = intMatcher([...values]);
      return onStr((s) => m(s.length));
    }
    case 'ip': {
      const nets = values.map((x) => parseIpNet(x));
      if (nets.some((n) => typeof n === 'string')) return undefined;
      const find = ipNetLookup((nets as IpNet[]).map((n) => ({ n, value: true })));
      return (v) => {
        const a = cast(v, 'addr');
        return a !== undefined && find(a) === true;
      };
    }
    case 'str':
      return onStr((s) => pats.includes(norm(s)));
    case 'beg':
      return onStr((s) => pats.some((p) => norm(s).startsWith(p)));
    case 'end':
      return onStr((s) => pats.some((p) => norm(s).endsWith(p)));
    case 'sub':
      return onStr((s) => pats.some((p) => norm(s).includes(p)));
    case 'dir':
      return onStr((s) => values.some((p) => matchWord(s, p, '/?', icase)));
    case 'dom':
      return onStr((s) => values.some((p) => matchWord(s, p, '/?.:', icase)));
    case 'reg': {
      if (values.some((p) => regexProblem(p) !== undefined)) return undefined;
      const res = values.map((p) => new RegExp(p, icase ? 'i' : ''));
      return onStr((s) => res.some((r) => r.test(s)));
    }
    case 'bin': {
      const want = values.map((p) => Buffer.from(p, 'hex').toString('latin1'));
      return onStr((s) => want.includes(s));
    }
    default:
      return undefined;
  }
}

const DEFAULT_METHOD: Readonly<Record<string, string>> = {
  bool: 'bool',
  sint: 'int',
  addr: 'ip',
  ipv4: 'ip',
  ipv6: 'ip',
  str: 'str',
};

/**
 * The test of `criterion values...` with halo's fetches and converters, or undefined when
 * it uses something halo does not evaluate (or matches in a way it does not). `files`:
 * the map files the criterion names, read with the config.
 */
export function compileSampleAcl(
  criterion: string,
  values: readonly string[],
  flags: { ignoreCase: boolean; method: string | undefined },
  files: Readonly<Record<string, string>> = {},
): SampleTest | undefined {
  const form = keywordForm(criterion);
  if (form.method && flags.method) return undefined;
  const read = (path: string) => {
    const text = files[path];
    return text === undefined ? undefined : Buffer.from(text, 'latin1');
  };
  const expr = parseSampleExpr(form.text, { read });
  if (typeof expr === 'string' || unevaluatedIn(expr).length > 0) return undefined;
  const method = flags.method ?? form.method ?? DEFAULT_METHOD[sampleType(expr)];
  if (method === undefined) return undefined;
  const m = matcher(method, values, flags.ignoreCase);
  if (!m) return undefined;
  return (s) => samplesOf(expr, s).some(m);
}
