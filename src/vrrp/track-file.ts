// track_file as Keepalived 2.2.7 reads and weighs it (keepalived/trackers/track_file.c:
// process_track_file, update_track_file_status, process_update_vrrp_track_file_status;
// vrrp/vrrp_track.c: initialise_vrrp_file_tracking_priorities). Pure: the runner reads the
// file and hands over its first bytes; the state machine weighs the value per instance.

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/** Keepalived reads at most this many bytes of the file. */
export const TRACK_FILE_READ_BYTES = 127;

/** Status of a weight-0 file that is failing, and the floor every status is clamped to. */
export const TRACK_FILE_FAULT = -254;

export type TrackFileRead =
  | { readonly ok: true; readonly value: number }
  /** Out of range: Keepalived logs `Invalid number ...` and keeps the previous value. */
  | { readonly ok: false; readonly printed: string };

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
}

/**
 * C's strtol(buf, NULL, 0) on a 64-bit long: leading white space, a sign, 0x for hex, a
 * leading 0 for octal, digits up to the first other byte; nothing readable is 0.
 */
export function strtol0(bytes: Uint8Array): { value: bigint; overflow: boolean } {
  let i = 0;
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  let neg = false;
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) {
    neg = bytes[i] === 0x2d;
    i++;
  }
  let base = 10;
  if (bytes[i] === 0x30) {
    const x = bytes[i + 1];
    if ((x === 0x78 || x === 0x58) && digitValue(bytes[i + 2] ?? 0) < 16) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  let v = 0n;
  for (; i < bytes.length; i++) {
    const d = digitValue(bytes[i]!);
    if (d >= base) break;
    v = v * BigInt(base) + BigInt(d);
  }
  if (neg) v = -v;
  if (v > LONG_MAX) return { value: LONG_MAX, overflow: true };
  if (v < LONG_MIN) return { value: LONG_MIN, overflow: true };
  return { value: v, overflow: false };
}

/**
 * What Keepalived makes of a track file's contents (`undefined`: it could not be opened or
 * read, which counts as 0). Values from INT32_MIN to INT32_MAX + 1 are accepted.
 */
export function readTrackFileValue(content: Uint8Array | undefined): TrackFileRead {
  if (content === undefined || content.length === 0) return { ok: true, value: 0 };
  const r = strtol0(content.subarray(0, TRACK_FILE_READ_BYTES));
  if (r.overflow || r.value < BigInt(INT32_MIN) || r.value > BigInt(INT32_MAX) + 1n) {
    return { ok: false, printed: r.value.toString() };
  }
  return { ok: true, value: Number(r.value) };
}

function clampStatus(s: number): number {
  return Math.min(Math.max(s, TRACK_FILE_FAULT), 253);
}

/**
 * A value's status for one tracking instance: with weight 0, TRACK_FILE_FAULT when the value
 * is non-zero (zero with `reverse`), else 0; otherwise value x weight (negated with
 * `reverse`). `wrap` mimics the int assignment Keepalived uses for the previous value and at
 * start (the product wraps to 32 bits); without it the product saturates (weight_range).
 * The result is not clamped; see `clampedStatus`.
 */
export function trackFileStatus(value: number, weight: number, reverse: boolean, wrap: boolean) {
  const mult = reverse ? -1 : 1;
  if (weight === 0) {
    const fault = (value !== 0) === (mult === 1);
    return fault ? (wrap ? TRACK_FILE_FAULT : INT32_MIN) : 0;
  }
  const p = value * weight * mult;
  if (wrap) return p | 0;
  return Math.min(Math.max(p, INT32_MIN), INT32_MAX);
}

/** The status clamped to Keepalived's -254..253; -254 means FAULT. */
export function clampedStatus(value: number, weight: number, reverse: boolean, wrap: boolean) {
  return clampStatus(trackFileStatus(value, weight, reverse, wrap));
}
