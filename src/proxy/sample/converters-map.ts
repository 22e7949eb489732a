// The map converters (`map`, `map_<match>`, `map_<match>_<output>`), looked up as HAProxy
// 2.6's pattern.c does: `str` an exact key (the first of equal ones), `beg` the longest
// prefix, `int` and `ip` a range or network (`ip` the longest matching prefix, an IPv4
// sample also against IPv4-mapped IPv6 keys), the others the first key in file order that
// matches; `regm` substitutes the key's groups into the value. No match: the default
// argument, else the converter fails. The file was read and checked with the config. Pure.

import type { MapFile, SampleConv } from '../../config/haproxy/http-rule-model.js';
import type { IntRange, IpNet } from '../../config/haproxy/map-file.js';
import {
  mapMatch,
  mapOutput,
  parseIntRange,
  parseIpNet,
  parseMapAddress,
} from '../../config/haproxy/map-file.js';
import { readInt64 } from '../../config/haproxy/sample-args.js';
import type { ConverterImpl } from './converter-types.js';
import { expReplace, jsRegex } from './regex.js';
import type { Sample } from './sample.js';
import { sint, str } from './sample.js';
import { matchWord } from './words.js';

type Lookup = (s: Sample) => { value: string; m?: RegExpExecArray } | undefined;

const textOf = (s: Sample) =>
  s.type === 'str' || s.type === 'bin' || s.type === 'meth' ? s.s : '';

function strLookup(match: string, map: MapFile): Lookup {
  const e = map.entries;
  switch (match) {
    case 'str': {
      const exact = new Map<string, string>();
      for (const x of e) if (!exact.has(x.key)) exact.set(x.key, x.value);
      return (s) => {
        const v = exact.get(textOf(s));
        return v === undefined ? undefined : { value: v };
      };
    }
    case 'beg':
      return (s) => {
        const v = textOf(s);
        let best: { value: string } | undefined;
        let len = -1;
        for (const x of e)
          if (x.key.length > len && v.startsWith(x.key)) {
            best = { value: x.value };
            len = x.key.length;
          }
        return best;
      };
    case 'end':
      return first(e, (v, k) => v.endsWith(k));
    case 'sub':
      return first(e, (v, k) => v.includes(k));
    case 'dir':
      return first(e, (v, k) => matchWord(v, k, '/?'));
    case 'dom':
      return first(e, (v, k) => matchWord(v, k, '/?.:'));
    default:
      return regexLookup(match === 'regm', map);
  }
}

function first(entries: MapFile['entries'], test: (v: string, key: string) => boolean): Lookup {
  return (s) => {
    const v = textOf(s);
    const x = entries.find((y) => test(v, y.key));
    return x ? { value: x.value } : undefined;
  };
}

function regexLookup(groups: boolean, map: MapFile): Lookup {
  const res = map.entries.map((x) => ({ re: jsRegex(x.key, false), value: x.value }));
  return (s) => {
    const v = textOf(s);
    for (const r of res) {
      r.re.lastIndex = 0;
      const m = r.re.exec(v);
      if (m) return groups ? { value: r.value, m } : { value: r.value };
    }
    return undefined;
  };
}

function intLookup(map: MapFile): Lookup {
  const ranges = map.entries.map((x) => ({ r: parseIntRange(x.key) as IntRange, value: x.value }));
  return (s) => {
    if (s.type !== 'sint' && s.type !== 'bool') return undefined;
    const n = s.n;
    const hit = ranges.find(
      ({ r }) => (r.min === undefined || r.min <= n) && (r.max === undefined || n <= r.max),
    );
    return hit ? { value: hit.value } : undefined;
  };
}

const prefixBits = (m: Uint8Array) => {
  let bits = 0;
  for (const b of m) bits += b === 255 ? 8 : Math.clz32(~(b << 24));
  return bits;
};
const contiguous = (m: Uint8Array) => {
  const bits = prefixBits(m);
  return m.every(
    (b, i) =>
      b === (i * 8 + 8 <= bits ? 255 : i * 8 >= bits ? 0 : (0xff00 >> (bits - i * 8)) & 255),
  );
};

function inPrefix(ip: Uint8Array, net: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const bit = 0x80 >> (i & 7);
    if ((ip[i >> 3]! & bit) !== (net[i >> 3]! & bit)) return false;
  }
  return true;
}

/** v4 of a v6 sample for the IPv4 keys: `::ffff:a.b.c.d`, `::a.b.c.d`, `2002:a.b.c.d::`. */
function embeddedV4(ip: Uint8Array): Uint8Array | undefined {
  const zero8 = ip.subarray(0, 8).every((b) => b === 0);
  const mid = ip.subarray(8, 12);
  if (
    zero8 &&
    (mid.every((b) => b === 0) ||
      (mid[0] === 0 && mid[1] === 0 && mid[2] === 255 && mid[3] === 255))
  )
    return ip.slice(12);
  return ip[0] === 0x20 && ip[1] === 0x02 ? ip.slice(2, 6) : undefined;
}

/**
 * pat_match_ip(): the first entry (by longest prefix for contiguous masks and IPv6, then
 * file order for the other IPv4 masks) whose network holds the address; IPv4 samples are
 * also looked up as `::ffff:a.b.c.d`, IPv6 ones that embed an IPv4 address as that.
 */
export function ipNetLookup<T>(
  nets: readonly { n: IpNet; value: T }[],
): (s: Sample) => T | undefined {
  type Entry = (typeof nets)[number];
  const tree4 = nets.filter((x) => x.n.v === 4 && contiguous(x.n.mask));
  const list4 = nets.filter((x) => x.n.v === 4 && !contiguous(x.n.mask));
  const tree6 = nets.filter((x) => x.n.v === 6);
  const longest = (list: readonly Entry[], ip: Uint8Array) => {
    let best: Entry | undefined;
    let len = -1;
    for (const x of list) {
      const bits = x.n.v === 4 ? prefixBits(x.n.mask) : x.n.bits;
      if (bits > len && inPrefix(ip, x.n.addr, bits)) {
        best = x;
        len = bits;
      }
    }
    return best;
  };
  const masked = (v4: Uint8Array) =>
    list4.find(
      (x) =>
        x.n.v === 4 &&
        x.n.addr.every((b, i) => ((b ^ v4[i]!) & (x.n as { mask: Uint8Array }).mask[i]!) === 0),
    );
  return (s) => {
    let hit: Entry | undefined;
    let v4: Uint8Array | undefined;
    if (s.type === 'ipv4') {
      v4 = s.ip;
      hit =
        longest(tree4, s.ip) ??
        longest(tree6, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, ...s.ip]));
    } else if (s.type === 'ipv6') {
      v4 = embeddedV4(s.ip);
      hit = longest(tree6, s.ip) ?? (v4 && longest(tree4, v4));
    } else return undefined;
    hit ??= v4 && masked(v4);
    return hit?.value;
  };
}

function ipLookup(map: MapFile): Lookup {
  const find = ipNetLookup(
    map.entries.map((x) => ({ n: parseIpNet(x.key) as IpNet, value: x.value })),
  );
  return (s) => {
    const value = find(s);
    return value === undefined ? undefined : { value };
  };
}

function lookupOf(conv: string, map: MapFile): Lookup {
  const match = mapMatch(conv);
  if (match === 'int') return intLookup(map);
  if (match === 'ip') return ipLookup(map);
  return strLookup(match, map);
}

/** The value (or default) as the converter's output type. */
function output(conv: string, text: string): Sample | undefined {
  const out = mapOutput(conv);
  if (out === 'str') return str(text);
  if (out === 'int') return sint(readInt64(text).value);
  const ip = parseMapAddress(text);
  if (!ip) return undefined;
  return ip.length === 4 ? { type: 'ipv4', ip } : { type: 'ipv6', ip };
}

const mapConverter: ConverterImpl = (conv: SampleConv) => {
  const lookup = lookupOf(conv.name, conv.map ?? { path: '', entries: [] });
  const dflt = conv.args[1];
  const regm = mapMatch(conv.name) === 'regm';
  return (s) => {
    const hit = lookup(s);
    if (hit) {
      if (regm && hit.m) return str(expReplace(hit.value, hit.m));
      return output(conv.name, hit.value);
    }
    return dflt === undefined ? undefined : output(conv.name, dflt);
  };
};

/** Every map converter name HAProxy 2.6 has, on one implementation. */
export const MAP_CONVERTERS: Readonly<Record<string, ConverterImpl>> = Object.fromEntries(
  ['str', 'beg', 'sub', 'dir', 'dom', 'end', 'reg', 'regm', 'int', 'ip'].flatMap((m) => [
    [`map_${m}`, mapConverter],
    ...(m === 'regm'
      ? []
      : [
          [`map_${m}_int`, mapConverter],
          [`map_${m}_ip`, mapConverter],
        ]),
    ...(m === 'str' ? [['map', mapConverter]] : []),
  ]),
);
