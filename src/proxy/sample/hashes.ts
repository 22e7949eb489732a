// The hash functions of HAProxy's hash converters, over byte strings (one char per byte):
// CRC-32 and CRC-32C (reflected, as zlib and RFC 4960), djb2, sdbm, wt6 (HAProxy's own),
// Bob Jenkins' full avalanche (`crc32(1)`...), and xxHash's XXH32 and XXH64 with a seed.
// Each returns what HAProxy stores: an unsigned 32-bit value, or XXH64's 64 bits as a
// signed integer. Pure.

function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

let crc32Table: Uint32Array | undefined;
let crc32cTable: Uint32Array | undefined;

function crc(table: Uint32Array, s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = table[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function crc32(s: string): number {
  crc32Table ??= crcTable(0xedb88320);
  return crc(crc32Table, s);
}

export function crc32c(s: string): number {
  crc32cTable ??= crcTable(0x82f63b78);
  return crc(crc32cTable, s);
}

export function djb2(s: string): number {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 33) + s.charCodeAt(i)) >>> 0;
  return h;
}

export function sdbm(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (s.charCodeAt(i) + (h << 6) + (h << 16) - h) >>> 0;
  return h;
}

const rotl = (v: number, n: number) => ((v << n) | (v >>> (32 - n))) >>> 0;

export function wt6(s: string): number {
  let h0 = 0xa53c965a;
  let h1 = 0x5ca6953a;
  let step0 = 6;
  let step1 = 18;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h0 = ~(h0 ^ c) >>> 0;
    h1 = ~(h1 + c) >>> 0;
    // C shifts by 32 are undefined; x86 takes the count mod 32, as `rotl` of 0 does here.
    const t = step0 === 0 ? h1 : rotl(h1, step0);
    h1 = step1 === 0 ? h0 : rotl(h0, step1);
    h0 = t;
    const u = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = u & 0x1f;
    step1 = u >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

/** Bob Jenkins' 32-bit full avalanche hash (HAProxy's full_hash). */
export function fullHash(v: number): number {
  let a = v >>> 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  // Then spread by a prime close to 3/4 of the 32-bit space.
  return Math.imul(a, 3221225473) >>> 0;
}

const P32 = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1];

const read32 = (s: string, i: number) =>
  (s.charCodeAt(i) |
    (s.charCodeAt(i + 1) << 8) |
    (s.charCodeAt(i + 2) << 16) |
    (s.charCodeAt(i + 3) << 24)) >>>
  0;

export function xxh32(s: string, seed: number): number {
  const [p1, p2, p3, p4, p5] = P32 as [number, number, number, number, number];
  const len = s.length;
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + p1 + p2) >>> 0;
    let v2 = (seed + p2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - p1) >>> 0;
    const round = (v: number, x: number) =>
      Math.imul(rotl((v + Math.imul(x, p2)) >>> 0, 13), p1) >>> 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round(v1, read32(s, i));
      v2 = round(v2, read32(s, i + 4));
      v3 = round(v3, read32(s, i + 8));
      v4 = round(v4, read32(s, i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else h = (seed + p5) >>> 0;
  h = (h + len) >>> 0;
  for (; i + 4 <= len; i += 4)
    h = Math.imul(rotl((h + Math.imul(read32(s, i), p3)) >>> 0, 17), p4) >>> 0;
  for (; i < len; i++)
    h = Math.imul(rotl((h + Math.imul(s.charCodeAt(i), p5)) >>> 0, 11), p1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), p2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), p3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const M64 = (1n << 64n) - 1n;
const Q1 = 0x9e3779b185ebca87n;
const Q2 = 0xc2b2ae3d27d4eb4fn;
const Q3 = 0x165667b19e3779f9n;
const Q4 = 0x85ebca77c2b2ae63n;
const Q5 = 0x27d4eb2f165667c5n;

const rotl64 = (v: bigint, n: bigint) => ((v << n) | (v >> (64n - n))) & M64;
const mul64 = (a: bigint, b: bigint) => (a * b) & M64;

function read64(s: string, i: number): bigint {
  return BigInt(read32(s, i)) | (BigInt(read32(s, i + 4)) << 32n);
}

function round64(acc: bigint, x: bigint): bigint {
  return mul64(rotl64((acc + mul64(x, Q2)) & M64, 31n), Q1);
}

function merge64(acc: bigint, v: bigint): bigint {
  return (mul64(acc ^ round64(0n, v), Q1) + Q4) & M64;
}

/** XXH64 as HAProxy stores it: the 64 bits read as a signed integer. */
export function xxh64(s: string, seed: bigint): bigint {
  const len = s.length;
  const sd = seed & M64;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (sd + Q1 + Q2) & M64;
    let v2 = (sd + Q2) & M64;
    let v3 = sd;
    let v4 = (sd - Q1) & M64;
    for (; i + 32 <= len; i += 32) {
      v1 = round64(v1, read64(s, i));
      v2 = round64(v2, read64(s, i + 8));
      v3 = round64(v3, read64(s, i + 16));
      v4 = round64(v4, read64(s, i + 24));
    }
    h = (rotl64(v1, 1n) + rotl64(v2, 7n) + rotl64(v3, 12n) + rotl64(v4, 18n)) & M64;
    for (const v of [v1, v2, v3, v4]) h = merge64(h, v);
  } else h = (sd + Q5) & M64;
  h = (h + BigInt(len)) & M64;
  for (; i + 8 <= len; i += 8)
    h = (mul64(rotl64(h ^ round64(0n, read64(s, i)), 27n), Q1) + Q4) & M64;
  if (i + 4 <= len) {
    h = (mul64(rotl64(h ^ mul64(BigInt(read32(s, i)), Q1), 23n), Q2) + Q3) & M64;
    i += 4;
  }
  for (; i < len; i++) h = mul64(rotl64(h ^ mul64(BigInt(s.charCodeAt(i)), Q5), 11n), Q1);
  h = mul64(h ^ (h >> 33n), Q2);
  h = mul64(h ^ (h >> 29n), Q3);
  h ^= h >> 32n;
  return BigInt.asIntN(64, h);
}
