// Regular expressions of HAProxy's converters and maps (`regsub`, `map_reg`, `map_regm`)
// run as JavaScript expressions, and its exp_replace() for `\1`-style substitutions.
// HAProxy compiles them with PCRE; where PCRE's syntax means something JavaScript reads
// otherwise (POSIX classes, \A \Z, inline flags, possessive or atomic groups), halo
// refuses the expression (regexProblem) rather than match something else. Pure.

/**
 * Why a PCRE expression would not mean the same in JavaScript, or undefined. Checked
 * where the config is read, so that the runtime only sees expressions it runs as written.
 */
export function regexProblem(src: string): string | undefined {
  if (/\[:[a-z]+:\]/.test(src)) return 'a POSIX character class ([:name:])';
  if (/(^|[^\\])(\\\\)*\\[AZzGKhHRvVX]/.test(src)) return 'a PCRE-only escape';
  if (/\(\?[a-zA-Z]*[imsxU-]+[a-zA-Z]*[:)]/.test(src)) return 'an inline option group';
  if (/\(\?>|\(\?\||[*+?}]\+/.test(src)) return 'an atomic group or a possessive quantifier';
  return undefined;
}

const cache = new Map<string, RegExp>();

/** A global-search RegExp for `src` (lastIndex sets where a search starts). */
export function jsRegex(src: string, icase: boolean): RegExp {
  const key = `${icase ? 'i' : '-'}${src}`;
  let re = cache.get(key);
  if (!re) {
    re = new RegExp(src, icase ? 'gi' : 'g');
    cache.set(key, re);
  }
  return re;
}

/** exp_replace(): `\0`..`\9` the groups (an unmatched one adds nothing), `\xHH` a byte. */
export function expReplace(subst: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < subst.length; i++) {
    const c = subst[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = subst[++i];
    if (n === undefined) return out;
    if (n >= '0' && n <= '9') out += m[Number(n)] ?? '';
    else if (n === 'x') {
      // toupper(c) - '0', less 7 past '9', in unsigned chars: a non-hex digit is garbage.
      const hex = (ch: string) => {
        let v = (ch.toUpperCase().charCodeAt(0) - 48) & 255;
        if (v > 9) v = (v - 7) & 255;
        return v;
      };
      const a = subst[++i];
      const b = subst[++i];
      if (a === undefined || b === undefined) return out;
      out += String.fromCharCode(((hex(a) << 4) + hex(b)) & 255);
    } else out += n;
  }
  return out;
}
