// The signatures of the sample fetches and converters halo evaluates, as HAProxy 2.6
// declares them (sample.c, http_fetch.c, http_conv.c, ssl_sample.c, map.c, tcp_sample.c,
// vars.c): the type a converter takes and each one returns, the `ARGn(min, types)` of
// their arguments, and the checks HAProxy runs on those arguments at parse time, with
// its messages. A keyword not listed here is still known by name (sample-names.ts); halo
// refuses a config that uses one (condition-checks.ts). Data, plus small pure checks.

import type { ArgMask, ArgType } from '../sample-args.js';
import { base64Dec, readInt64 } from '../sample-args.js';

/** HAProxy's sample types (SMP_T_*). `addr` is an input type only: IPv4 or IPv6. */
export type SampleType =
  | 'any'
  | 'bool'
  | 'sint'
  | 'addr'
  | 'ipv4'
  | 'ipv6'
  | 'str'
  | 'bin'
  | 'meth';

/** An argument check: HAProxy's message when the arguments are refused. */
export type ArgCheck = (args: readonly string[]) => string | undefined;

export interface FetchSignature {
  readonly out: SampleType;
  readonly args: ArgMask;
  readonly check?: ArgCheck;
}

export interface ConverterSignature extends FetchSignature {
  readonly in: SampleType;
}

const mask = (min: number, ...types: ArgType[]): ArgMask => ({ min, types });
const NONE = mask(0);

/**
 * sample_casts[from][to] is not NULL: the converter may follow at parse time (at run time
 * the cast may still fail, `str` to `ipv4` on a non-address).
 */
export function castable(from: SampleType, to: SampleType): boolean {
  if (from === 'any' || to === 'any' || from === to) return true;
  switch (from) {
    case 'bool':
      return to === 'sint' || to === 'str' || to === 'bin';
    case 'sint':
      return to !== 'meth';
    case 'addr':
      return false;
    case 'ipv4':
      return to !== 'bool' && to !== 'meth';
    case 'ipv6':
      return to === 'addr' || to === 'ipv4' || to === 'str' || to === 'bin';
    case 'str':
      return true;
    case 'bin':
    case 'meth':
      return to === 'str' || to === 'bin' || to === 'meth';
  }
}

/** vars_hash_name(): `txn.name`... with its scope; the error, or undefined when fine. */
export function variableNameError(name: string): string | undefined {
  if (name === '') return 'Empty variable name cannot be accepted';
  const m = /^(proc|sess|txn|req|res|check)\.(.+)$/s.exec(name);
  if (!m)
    return `invalid variable name '${name}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'`;
  const bad = /[^A-Za-z0-9_.]/.exec(m[2]!);
  if (bad) return `invalid syntax at char '${m[2]!.slice(bad.index)}'`;
  return undefined;
}

const isVariable = (name: string) => variableNameError(name) === undefined;

/** add, sub, mul, div, mod, and, or, xor: an integer or a variable name. */
const operator: ArgCheck = ([a = '']) => {
  if (isVariable(a)) return undefined;
  return readInt64(a).end === a.length ? undefined : 'expects an integer or a variable name';
};

const optionalVariable: ArgCheck = (args) => {
  const v = args[1] ?? '';
  return v !== '' && !isVariable(v) ? `failed to register variable name '${v}'` : undefined;
};

const variableArg: ArgCheck = ([v = '']) => {
  if (v === '') return 'missing variable name';
  return isVariable(v) ? undefined : `failed to register variable name '${v}'`;
};

const sint = (a: string | undefined) => (a === undefined ? 0n : readInt64(a).value);

const fieldCheck: ArgCheck = (args) => {
  if (sint(args[0]) === 0n) return 'Unexpected value 0 for index';
  if ((args[1] ?? '') === '') return 'Empty separators list';
  return undefined;
};

const truncate = (args: readonly string[]) => {
  const t = sint(args[2]);
  return t !== 0n && t !== 1n ? `Unsupported truncate value (${t})` : undefined;
};

const JSON_INPUTS = ['', 'ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps'];

const dateUnit: ArgCheck = (args) => {
  const u = args[1];
  if (u === undefined || u === 's' || u === 'ms' || u === 'us') return undefined;
  return `expects 's', 'ms' or 'us', got '${u}'`;
};

/** A regex that does not compile (HAProxy's PCRE message differs: this one is JavaScript's). */
export function regexError(src: string): string | undefined {
  try {
    new RegExp(src);
    return undefined;
  } catch (err) {
    return `regex '${src}' is invalid (${(err as Error).message})`;
  }
}

/** The digests halo computes with node:crypto, by their OpenSSL names. */
export const DIGESTS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*$/;

/** bin(HEX): parse_binary()'s hex form. */
export function hexBinaryError(text: string): string | undefined {
  if (text.length % 2 !== 0) return 'an even number of hex digit is expected';
  const bad = /[^0-9a-fA-F]/.exec(text);
  return bad ? `'${bad[0]}' is not a hex digit` : undefined;
}

/** The fetches halo evaluates. */
export const FETCH_SIGNATURES: Readonly<Record<string, FetchSignature>> = {
  src: { out: 'ipv4', args: NONE },
  src_port: { out: 'sint', args: NONE },
  dst: { out: 'ipv4', args: NONE },
  dst_port: { out: 'sint', args: NONE },
  ssl_fc: { out: 'bool', args: NONE },
  ssl_fc_sni: { out: 'str', args: NONE },
  ssl_fc_protocol: { out: 'str', args: NONE },
  ssl_c_used: { out: 'bool', args: NONE },
  ssl_c_verify: { out: 'sint', args: NONE },
  ssl_c_s_dn: { out: 'str', args: mask(0, 'STR', 'SINT', 'STR') },
  method: { out: 'meth', args: NONE },
  path: { out: 'str', args: NONE },
  pathq: { out: 'str', args: NONE },
  query: { out: 'str', args: NONE },
  url: { out: 'str', args: NONE },
  base: { out: 'str', args: NONE },
  'req.ver': { out: 'str', args: NONE },
  req_ver: { out: 'str', args: NONE },
  'res.ver': { out: 'str', args: NONE },
  resp_ver: { out: 'str', args: NONE },
  status: { out: 'sint', args: NONE },
  var: { out: 'any', args: mask(1, 'STR', 'STR'), check: ([v = '']) => variableNameError(v) },
  fe_name: { out: 'str', args: NONE },
  be_name: { out: 'str', args: NONE },
  srv_name: { out: 'str', args: NONE },
  str: { out: 'str', args: mask(1, 'STR') },
  int: { out: 'sint', args: mask(1, 'SINT') },
  ipv4: { out: 'ipv4', args: mask(1, 'IPV4') },
  ipv6: { out: 'ipv6', args: mask(1, 'IPV6') },
  bool: {
    out: 'bool',
    args: mask(1, 'STR'),
    check: ([v = '']) =>
      ['true', 'false', '1', '0'].includes(v.toLowerCase())
        ? undefined
        : "Expects 'true', 'false', '0' or '1'",
  },
  bin: { out: 'bin', args: mask(1, 'STR'), check: ([v = '']) => hexBinaryError(v) },
  meth: {
    out: 'meth',
    args: mask(1, 'STR'),
    check: ([v = '']) => (HTTP_TOKEN.test(v) ? undefined : 'expects valid method.'),
  },
  always_true: { out: 'bool', args: NONE },
  always_false: { out: 'bool', args: NONE },
  env: { out: 'str', args: mask(1, 'STR') },
  date: { out: 'sint', args: mask(0, 'SINT', 'STR'), check: dateUnit },
  hostname: { out: 'str', args: NONE },
  rand: { out: 'sint', args: mask(0, 'SINT') },
  nbsrv: { out: 'sint', args: mask(1, 'BE') },
  http_first_req: { out: 'bool', args: NONE },
  ...headerFetches(),
  ...cookieFetches(),
  url_param: { out: 'str', args: mask(0, 'STR', 'STR') },
  urlp: { out: 'str', args: mask(0, 'STR', 'STR') },
  urlp_val: { out: 'sint', args: mask(0, 'STR', 'STR') },
};

function headerFetches(): Record<string, FetchSignature> {
  const occ = mask(0, 'STR', 'SINT');
  const hdr: ArgCheck = (args) =>
    sint(args[1]) < -10n ? 'header occurrence must be >= -10' : undefined;
  const out: Record<string, FetchSignature> = {};
  for (const p of ['hdr', 'req.hdr', 'res.hdr', 'shdr']) {
    out[p] = { out: 'str', args: occ, check: hdr };
    out[`${p}_cnt`] = { out: 'sint', args: mask(0, 'STR') };
    out[`${p}_ip`] = { out: 'ipv4', args: occ, check: hdr };
    out[`${p}_val`] = { out: 'sint', args: occ, check: hdr };
  }
  for (const p of ['req.fhdr', 'res.fhdr']) {
    out[p] = { out: 'str', args: occ, check: hdr };
    out[`${p}_cnt`] = { out: 'sint', args: mask(0, 'STR') };
  }
  return out;
}

function cookieFetches(): Record<string, FetchSignature> {
  const out: Record<string, FetchSignature> = {};
  for (const p of ['cook', 'req.cook', 'res.cook', 'scook']) {
    out[p] = { out: 'str', args: mask(0, 'STR') };
    out[`${p}_cnt`] = { out: 'sint', args: mask(0, 'STR') };
    out[`${p}_val`] = { out: 'sint', args: mask(0, 'STR') };
  }
  return out;
}

const conv = (
  input: SampleType,
  out: SampleType,
  args: ArgMask = NONE,
  check?: ArgCheck,
): ConverterSignature => ({ in: input, out, args, ...(check ? { check } : {}) });

const HASH = mask(0, 'SINT');

/** The converters halo evaluates. */
export const CONVERTER_SIGNATURES: Readonly<Record<string, ConverterSignature>> = {
  lower: conv('str', 'str'),
  upper: conv('str', 'str'),
  length: conv('str', 'sint'),
  base64: conv('bin', 'str'),
  b64dec: conv('str', 'bin'),
  ub64enc: conv('bin', 'str'),
  ub64dec: conv('str', 'bin'),
  hex: conv('bin', 'str'),
  hex2i: conv('str', 'sint'),
  be2dec: conv('bin', 'str', mask(1, 'STR', 'SINT', 'SINT'), (args) => {
    const size = sint(args[1]);
    if (size <= 0n || size > 8n) return `chunk_size out of [1..8] range (${size})`;
    return truncate(args);
  }),
  be2hex: conv('bin', 'str', mask(0, 'STR', 'SINT', 'SINT'), (args) => {
    const size = sint(args[1]);
    if (size <= 0n && ((args[0] ?? '') !== '' || sint(args[2]) !== 0n))
      return `chunk_size needs to be positive (${size})`;
    return truncate(args);
  }),
  ipmask: conv('addr', 'ipv4', mask(1, 'MSK4', 'MSK6')),
  crc32: conv('bin', 'sint', HASH),
  crc32c: conv('bin', 'sint', HASH),
  djb2: conv('bin', 'sint', HASH),
  sdbm: conv('bin', 'sint', HASH),
  wt6: conv('bin', 'sint', HASH),
  xxh32: conv('bin', 'sint', HASH),
  xxh64: conv('bin', 'sint', HASH),
  sha1: conv('bin', 'bin'),
  sha2: conv('bin', 'bin', mask(0, 'SINT'), ([bits]) =>
    bits === undefined || ['224', '256', '384', '512'].includes(String(sint(bits)))
      ? undefined
      : `Unsupported number of bits: '${sint(bits)}'`,
  ),
  // Whether OpenSSL knows the digest is not known here: halo refuses the ones it does not
  // compute (converters.ts), HAProxy the ones OpenSSL lacks.
  digest: conv('bin', 'bin', mask(1, 'STR')),
  hmac: conv('bin', 'bin', mask(2, 'STR', 'STR'), ([, key = '']) => {
    if (key === '' || isVariable(key)) return undefined;
    return key.length % 4 === 0 && base64Dec(key) !== undefined
      ? undefined
      : 'failed to parse key : argument needs to be base64 encoded, and can either be a string or a variable';
  }),
  json: conv('str', 'str', mask(1, 'STR'), ([t = '']) =>
    JSON_INPUTS.includes(t)
      ? undefined
      : "Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'",
  ),
  bytes: conv('bin', 'bin', mask(1, 'SINT', 'SINT')),
  field: conv('str', 'str', mask(2, 'SINT', 'STR', 'SINT'), fieldCheck),
  word: conv('str', 'str', mask(2, 'SINT', 'STR', 'SINT'), fieldCheck),
  regsub: conv('str', 'str', mask(2, 'REG', 'STR', 'STR'), (args) => {
    const bad = /[^ig]/.exec(args[2] ?? '');
    if (bad) return `invalid regex flag '${bad[0]}', only 'i' and 'g' are supported`;
    return regexError(args[0] ?? '');
  }),
  concat: conv('str', 'str', mask(1, 'STR', 'STR', 'STR'), optionalVariable),
  add_item: conv('str', 'str', mask(2, 'STR', 'STR', 'STR'), (args) => {
    const v = optionalVariable(args);
    if (v) return v;
    return (args[1] ?? '') === '' && (args[2] ?? '') === ''
      ? 'one of the optional arguments has to be nonempty'
      : undefined;
  }),
  strcmp: conv('str', 'sint', mask(1, 'STR'), variableArg),
  secure_memcmp: conv('bin', 'bool', mask(1, 'STR'), variableArg),
  iif: conv('bool', 'str', mask(2, 'STR', 'STR')),
  and: conv('sint', 'sint', mask(1, 'STR'), operator),
  or: conv('sint', 'sint', mask(1, 'STR'), operator),
  xor: conv('sint', 'sint', mask(1, 'STR'), operator),
  cpl: conv('sint', 'sint'),
  bool: conv('sint', 'bool'),
  not: conv('sint', 'bool'),
  odd: conv('sint', 'bool'),
  even: conv('sint', 'bool'),
  add: conv('sint', 'sint', mask(1, 'STR'), operator),
  sub: conv('sint', 'sint', mask(1, 'STR'), operator),
  mul: conv('sint', 'sint', mask(1, 'STR'), operator),
  div: conv('sint', 'sint', mask(1, 'STR'), operator),
  mod: conv('sint', 'sint', mask(1, 'STR'), operator),
  neg: conv('sint', 'sint'),
  htonl: conv('sint', 'bin'),
  cut_crlf: conv('str', 'str'),
  ltrim: conv('str', 'str', mask(1, 'STR')),
  rtrim: conv('str', 'str', mask(1, 'STR')),
  url_dec: conv('str', 'str', mask(0, 'SINT')),
  url_enc: conv('str', 'str', mask(1, 'STR'), ([t = '']) =>
    t === '' || t === 'query' ? undefined : "Unexpected encode type. Allowed value is 'query'",
  ),
  ltime: conv('sint', 'str', mask(1, 'STR', 'SINT')),
  utime: conv('sint', 'str', mask(1, 'STR', 'SINT')),
  http_date: conv('sint', 'str', mask(0, 'SINT', 'STR'), dateUnit),
  ...mapSignatures(),
};

/** map, map_<match>, map_<match>_<out>: a file and a default value, by input and output type. */
function mapSignatures(): Record<string, ConverterSignature> {
  const out: Record<string, ConverterSignature> = {};
  const inputs: Record<string, SampleType> = {
    str: 'str',
    beg: 'str',
    sub: 'str',
    dir: 'str',
    dom: 'str',
    end: 'str',
    reg: 'str',
    regm: 'str',
    int: 'sint',
    ip: 'addr',
  };
  for (const [match, input] of Object.entries(inputs)) {
    out[`map_${match}`] = conv(input, 'str', mask(1, 'STR', 'STR'));
    if (match === 'regm') continue;
    out[`map_${match}_int`] = conv(input, 'sint', mask(1, 'STR', 'SINT'));
    out[`map_${match}_ip`] = conv(input, 'addr', mask(1, 'STR', 'STR'));
  }
  out.map = conv('str', 'str', mask(1, 'STR', 'STR'));
  return out;
}
