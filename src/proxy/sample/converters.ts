// The one converter table of halo's sample expressions: HTTP rules' log-format
// arguments, set-var, log-format lines and ACL criteria all apply converters from here,
// after the cast HAProxy 2.6 does to each converter's input type. `whyNotEvaluated` names
// the uses of a converter halo does not run the same way as HAProxy (refused at start-up
// with the rest). Pure but for the digests (converters-hash.ts).

import type { SampleConv } from '../../config/haproxy/http-rule-model.js';
import { CONVERTER_SIGNATURES, DIGESTS } from '../../config/haproxy/keywords/sample-signatures.js';
import { readInt64 } from '../../config/haproxy/sample-args.js';
import type { ConverterImpl, RunConverter } from './converter-types.js';
import { ARITH_CONVERTERS } from './converters-arith.js';
import { ENCODING_CONVERTERS } from './converters-encoding.js';
import { HASH_CONVERTERS } from './converters-hash.js';
import { MAP_CONVERTERS } from './converters-map.js';
import { STRING_CONVERTERS } from './converters-string.js';
import { TIME_CONVERTERS } from './converters-time.js';
import { regexProblem } from './regex.js';
import { cast } from './sample.js';
import { formatProblem } from './strftime.js';

const IMPLS: Readonly<Record<string, ConverterImpl>> = {
  ...STRING_CONVERTERS,
  ...ENCODING_CONVERTERS,
  ...ARITH_CONVERTERS,
  ...HASH_CONVERTERS,
  ...MAP_CONVERTERS,
  ...TIME_CONVERTERS,
};

/** Names of the converters halo evaluates. */
export const EVALUATED_CONVERTERS: ReadonlySet<string> = new Set(
  Object.keys(IMPLS).filter((n) => CONVERTER_SIGNATURES[n]),
);

/**
 * Why halo would not compute `conv` as HAProxy does, or undefined when it does: an
 * unknown converter, a negative `bytes` offset (HAProxy reads outside the sample), a PCRE
 * expression JavaScript reads otherwise.
 */
export function whyNotEvaluated(conv: SampleConv): string | undefined {
  if (!EVALUATED_CONVERTERS.has(conv.name)) return 'not evaluated';
  const a = conv.args;
  if (conv.name === 'bytes' && a.some((x) => readInt64(x).value < 0n))
    return 'a negative offset or length';
  if (conv.name === 'regsub') return regexProblem(a[0] ?? '');
  if (conv.name === 'ltime' || conv.name === 'utime') return formatProblem(a[0] ?? '');
  if ((conv.name === 'map_reg' || conv.name === 'map_regm') && conv.map)
    for (const e of conv.map.entries) {
      const p = regexProblem(e.key);
      if (p) return p;
    }
  if (
    (conv.name === 'digest' || conv.name === 'hmac') &&
    !(DIGESTS as readonly string[]).includes(a[0] ?? '')
  )
    return 'a digest halo does not compute';
  return undefined;
}

/** `conv` built once, with the cast to its input type in front of it. */
export function buildConverter(conv: SampleConv): RunConverter | undefined {
  const impl = IMPLS[conv.name];
  const sig = CONVERTER_SIGNATURES[conv.name];
  if (!impl || !sig) return undefined;
  const run = impl(conv);
  const input = sig.in;
  return (s, env) => {
    const c = cast(s, input);
    return c === undefined ? undefined : run(c, env);
  };
}
