// IP text as the C library reads and writes it (glibc's inet_pton/inet_ntop), which is
// what HAProxy's samples show: `::ffff:1.2.3.4` keeps its dotted tail, `::2` does not, no
// `%zone`. ip-address.ts is the RFC 5952 writer the OS side uses; this one matches
// HAProxy's bytes. Pure.

import { formatIpv4, parseIpv4 } from './ip-address.js';

/** inet_pton(AF_INET): four decimal octets, no leading zeros. */
export function inetPton4(text: string): Uint8Array | undefined {
  return parseIpv4(text);
}

const HEX = /^[0-9a-fA-F]{1,4}$/;

/** inet_pton(AF_INET6): hex groups, one `::`, a dotted IPv4 tail only at the very end. */
export function inetPton6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const words = part.split(':');
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (last && i === words.length - 1 && w.includes('.')) {
        const v4 = parseIpv4(w);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (HEX.test(w)) out.push(Number.parseInt(w, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** inet_ntop(AF_INET). */
export function inetNtop4(bytes: Uint8Array): string {
  return formatIpv4(bytes);
}

/**
 * inet_ntop(AF_INET6): the longest run of two or more zero groups (the first of equal
 * ones) as `::`, and a dotted tail for `::a.b.c.d` and `::ffff:a.b.c.d`.
 */
export function inetNtop6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let base = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > len) {
      base = i;
      len = j - i;
    }
    i = j;
  }
  if (len < 2) base = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (base >= 0 && i >= base && i < base + len) {
      if (i === base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && base === 0 && (len === 6 || (len === 5 && words[5] === 0xffff))) {
      out += formatIpv4(bytes, 12);
      return out;
    }
    out += words[i]!.toString(16);
  }
  if (base >= 0 && base + len === 8) out += ':';
  return out;
}

/**
 * HAProxy's buf2ip(): dotted decimal where each octet is at most 255 (leading zeros
 * allowed) and the text may go on after the fourth octet (`1.2.3.4:80`); what it read.
 */
export function bufToIpv4(text: string): { bytes: Uint8Array; length: number } | undefined {
  const out = new Uint8Array(4);
  let octets = 0;
  let sawDigit = false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c - 48;
    if ((digit < 0 || digit > 9) && c !== 46) break;
    if (digit >= 0 && digit <= 9) {
      const n = out[octets - (sawDigit ? 1 : 0)]! * 10 + digit;
      if (!sawDigit) {
        if (++octets > 4) return undefined;
        sawDigit = true;
        out[octets - 1] = digit;
        continue;
      }
      if (n > 255) return undefined;
      out[octets - 1] = n;
    } else if (sawDigit) {
      if (octets === 4) return undefined;
      sawDigit = false;
    } else return undefined;
  }
  if (octets < 4) return undefined;
  return { bytes: out, length: i };
}

/** HAProxy's buf2ip6(): inet_pton over at most INET6_ADDRSTRLEN (46) characters. */
export function bufToIpv6(text: string): Uint8Array | undefined {
  return text.length > 46 ? undefined : inetPton6(text);
}
