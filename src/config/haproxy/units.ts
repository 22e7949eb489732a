// Time and size values as HAProxy 2.6 reads them (parse_time_err / parse_size_err):
// `10s`, `1m`, `500` (default unit), `1k`. Results are integers; errors say which
// character stopped the parse so messages can quote it as HAProxy does.

export type TimeUnit = 'us' | 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_US: Record<TimeUnit, bigint> = {
  us: 1n,
  ms: 1000n,
  s: 1_000_000n,
  m: 60_000_000n,
  h: 3_600_000_000n,
  d: 86_400_000_000n,
};

export type TimeResult =
  | { ok: true; value: number; trailing?: string }
  | { ok: false; reason: 'char'; char: string }
  | { ok: false; reason: 'overflow' | 'underflow' };

/**
 * Parses a duration and returns it in `outUnit` (ms unless told), rounded up like HAProxy.
 * A bare number is taken in `outUnit`. `trailing` is set when characters follow a valid unit
 * (HAProxy 2.6 only warns about those).
 */
export function parseTime(text: string, outUnit: TimeUnit = 'ms'): TimeResult {
  const m = /^[0-9]+/.exec(text);
  if (!m) return { ok: false, reason: 'char', char: text[0] ?? '' };
  const digits = m[0];
  let rest = text.slice(digits.length);
  const value = BigInt(digits);
  let inUnit: TimeUnit = outUnit;
  let trailing: string | undefined;
  if (rest !== '') {
    const u = rest.startsWith('us')
      ? 'us'
      : rest.startsWith('ms')
        ? 'ms'
        : (['s', 'm', 'h', 'd'] as const).find((x) => rest.startsWith(x));
    if (!u) return { ok: false, reason: 'char', char: rest[0] as string };
    inUnit = u;
    rest = rest.slice(u.length);
    if (rest !== '') trailing = rest;
  }
  const num = value * UNIT_US[inUnit];
  const den = UNIT_US[outUnit];
  const result = (num + den - 1n) / den;
  if (result >= 0x80000000n) return { ok: false, reason: 'overflow' };
  if (result === 0n && value !== 0n) return { ok: false, reason: 'underflow' };
  return trailing === undefined
    ? { ok: true, value: Number(result) }
    : { ok: true, value: Number(result), trailing };
}

export type SizeResult = { ok: true; value: number } | { ok: false; char: string };

/** `1024`, `16k`, `1m`, `1g` as a 32-bit unsigned byte count. */
export function parseSize(text: string): SizeResult {
  const m = /^[0-9]+/.exec(text);
  if (!m) return { ok: false, char: text[0] ?? '' };
  let value = BigInt(m[0]);
  if (value > 0xffffffffn) return { ok: false, char: text[m[0].length - 1] ?? '' };
  const rest = text.slice(m[0].length);
  const shift: Record<string, bigint> = { k: 10n, m: 20n, g: 30n };
  if (rest !== '') {
    const s = shift[(rest[0] as string).toLowerCase()];
    if (s === undefined || rest.length > 1)
      return { ok: false, char: rest[s === undefined ? 0 : 1] as string };
    value <<= s;
    if (value > 0xffffffffn) return { ok: false, char: rest[0] as string };
  }
  return { ok: true, value: Number(value) };
}

/** C atol(): leading spaces, optional sign, digits; anything else stops it (0 if none). */
export function atol(text: string): number {
  const m = /^\s*([+-]?[0-9]+)/.exec(text);
  return m ? Number.parseInt(m[1] as string, 10) : 0;
}

/** A strict non-negative integer (all characters digits). */
export function isUint(text: string): boolean {
  return /^[0-9]+$/.test(text);
}
