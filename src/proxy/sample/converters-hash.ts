// HAProxy 2.6's hashing converters: crc32, crc32c, djb2, sdbm, wt6 (each with the
// optional avalanche pass), xxh32 and xxh64 with their seed, sha1, sha2([bits]),
// digest(algo), hmac(algo,key) and secure_memcmp(var). The message digests come from
// node:crypto (the same OpenSSL HAProxy links), a deterministic function with no I/O;
// the rest is hashes.ts.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { variableNameError } from '../../config/haproxy/keywords/sample-signatures.js';
import { base64Dec, readInt64 } from '../../config/haproxy/sample-args.js';
import type { ConvEnv, ConverterImpl } from './converter-types.js';
import { crc32, crc32c, djb2, fullHash, sdbm, wt6, xxh32, xxh64 } from './hashes.js';
import type { Sample } from './sample.js';
import { bin, bool, cast, sint } from './sample.js';

const bytesOf = (s: Sample) =>
  s.type === 'str' || s.type === 'bin' || s.type === 'meth' ? s.s : '';
const intArg = (a: string | undefined) => (a === undefined ? 0n : readInt64(a).value);

/** A 32-bit hash with HAProxy's optional avalanche argument (`crc32(1)`). */
const hash32 =
  (f: (s: string) => number): ConverterImpl =>
  (conv) => {
    const avalanche = intArg(conv.args[0]) !== 0n;
    return (s) => {
      const h = f(bytesOf(s));
      return sint(BigInt(avalanche ? fullHash(h) : h));
    };
  };

const digestOf = (algo: string) => (v: string) =>
  createHash(algo).update(Buffer.from(v, 'latin1')).digest().toString('latin1');

/** A variable as the bytes of a `bin` sample, when it casts to one. */
function varBytes(env: ConvEnv, name: string): string | undefined {
  const v = env.vars?.get(name);
  const b = v && cast(v, 'bin');
  return b && b.type === 'bin' ? b.s : undefined;
}

function varText(env: ConvEnv, name: string): string | undefined {
  const v = env.vars?.get(name);
  const t = v && cast(v, 'str');
  return t && t.type === 'str' ? t.s : undefined;
}

const hmac: ConverterImpl = (conv) => {
  const algo = conv.args[0] ?? '';
  const key = conv.args[1] ?? '';
  const fromVar = key !== '' && variableNameError(key) === undefined;
  const fixed = fromVar ? undefined : (base64Dec(key) ?? '');
  return (s, env) => {
    // A variable's key is base64 too, decoded when the rule runs.
    const k = fromVar ? base64Dec(varText(env, key) ?? '!') : fixed;
    if (k === undefined) return undefined;
    const mac = createHmac(algo, Buffer.from(k, 'latin1'));
    return bin(
      mac
        .update(Buffer.from(bytesOf(s), 'latin1'))
        .digest()
        .toString('latin1'),
    );
  };
};

const secureMemcmp: ConverterImpl = (conv) => {
  const name = conv.args[0] ?? '';
  return (s, env) => {
    const other = varBytes(env, name);
    if (other === undefined) return undefined;
    const a = Buffer.from(bytesOf(s), 'latin1');
    const b = Buffer.from(other, 'latin1');
    return bool(a.length === b.length && timingSafeEqual(a, b));
  };
};

export const HASH_CONVERTERS: Readonly<Record<string, ConverterImpl>> = {
  crc32: hash32(crc32),
  crc32c: hash32(crc32c),
  djb2: hash32(djb2),
  sdbm: hash32(sdbm),
  wt6: hash32(wt6),
  xxh32: (conv) => {
    const seed = Number(BigInt.asUintN(32, intArg(conv.args[0])));
    return (s) => sint(BigInt(xxh32(bytesOf(s), seed)));
  },
  xxh64: (conv) => {
    const seed = BigInt.asUintN(64, intArg(conv.args[0]));
    return (s) => sint(xxh64(bytesOf(s), seed));
  },
  sha1: () => {
    const f = digestOf('sha1');
    return (s) => bin(f(bytesOf(s)));
  },
  sha2: (conv) => {
    const bits = conv.args[0] === undefined ? 256n : intArg(conv.args[0]);
    const f = digestOf(`sha${bits === 0n ? 256n : bits}`);
    return (s) => bin(f(bytesOf(s)));
  },
  digest: (conv) => {
    const f = digestOf(conv.args[0] ?? '');
    return (s) => bin(f(bytesOf(s)));
  },
  hmac,
  secure_memcmp: secureMemcmp,
};
