// Dates for the ltime, utime and http_date converters: the calendar of a time in seconds
// since the epoch (proleptic Gregorian, as glibc's gmtime_r, any 64-bit year), and the
// C library's strftime() in the "C" locale for the conversions listed in SPECS. A format
// with any other conversion (%Z, %E and %O forms, flags and widths) is not evaluated
// (formatProblem). Pure: the local offset comes in as a function.

export interface Tm {
  readonly year: number;
  /** 0-11 */
  readonly mon: number;
  readonly mday: number;
  readonly hour: number;
  readonly min: number;
  readonly sec: number;
  /** 0 = Sunday */
  readonly wday: number;
  /** 0-365 */
  readonly yday: number;
  /** Seconds east of UTC. */
  readonly gmtoff: number;
  readonly epoch: bigint;
}

/** The calendar fields of `secs` (seconds since the epoch) shifted by `gmtoff` seconds. */
export function breakDown(secs: bigint, gmtoff = 0): Tm {
  const t = secs + BigInt(gmtoff);
  const d = t / 86400n - (t % 86400n < 0n ? 1n : 0n);
  const days = Number(d);
  const rem = Number(t - d * 86400n);
  // Days to civil date (H. Hinnant's algorithm), exact for any day count below 2^53.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const mday = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mon = mp < 10 ? mp + 2 : mp - 10;
  const year = yoe + era * 400 + (mon <= 1 ? 1 : 0);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const start = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][mon]!;
  return {
    year,
    mon,
    mday,
    hour: Math.floor(rem / 3600),
    min: Math.floor((rem % 3600) / 60),
    sec: rem % 60,
    wday: (((days + 4) % 7) + 7) % 7,
    yday: start + mday - 1 + (leap && mon > 1 ? 1 : 0),
    gmtoff,
    epoch: secs,
  };
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number, w: number, c = '0') => {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : c.repeat(w - s.length) + s);
};

/** ISO 8601 week-based year and week (%G, %V), as glibc computes them. */
function isoWeek(tm: Tm): { year: number; week: number } {
  const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  // Days from the Monday of week 1 of `year`, for a day `yday` with weekday `wday`.
  const weekDays = (yday: number, wday: number) => yday - ((yday - wday + 382) % 7) + 3;
  let year = tm.year;
  let days = weekDays(tm.yday, tm.wday);
  if (days < 0) {
    year--;
    days = weekDays(tm.yday + (isLeap(year) ? 366 : 365), tm.wday);
  } else {
    const next = weekDays(tm.yday - (isLeap(year) ? 366 : 365), tm.wday);
    if (next >= 0) {
      year++;
      days = next;
    }
  }
  return { year, week: Math.floor(days / 7) + 1 };
}

const SPECS: Readonly<Record<string, (tm: Tm) => string>> = {
  a: (t) => DAYS[t.wday]!.slice(0, 3),
  A: (t) => DAYS[t.wday]!,
  b: (t) => MONTHS[t.mon]!.slice(0, 3),
  h: (t) => MONTHS[t.mon]!.slice(0, 3),
  B: (t) => MONTHS[t.mon]!,
  // The "C" locale's date and time: `Tue Nov 14 22:13:20 2023`, `11/14/23`, `22:13:20`.
  c: (t) =>
    `${DAYS[t.wday]!.slice(0, 3)} ${MONTHS[t.mon]!.slice(0, 3)} ${pad(t.mday, 2, ' ')} ${pad(t.hour, 2)}:${pad(t.min, 2)}:${pad(t.sec, 2)} ${t.year}`,
  x: (t) => `${pad(t.mon + 1, 2)}/${pad(t.mday, 2)}/${pad(((t.year % 100) + 100) % 100, 2)}`,
  X: (t) => `${pad(t.hour, 2)}:${pad(t.min, 2)}:${pad(t.sec, 2)}`,
  C: (t) => pad(Math.floor(t.year / 100), 2),
  d: (t) => pad(t.mday, 2),
  D: (t) => `${pad(t.mon + 1, 2)}/${pad(t.mday, 2)}/${pad(((t.year % 100) + 100) % 100, 2)}`,
  e: (t) => pad(t.mday, 2, ' '),
  F: (t) => `${pad(t.year, 4)}-${pad(t.mon + 1, 2)}-${pad(t.mday, 2)}`,
  g: (t) => pad(((isoWeek(t).year % 100) + 100) % 100, 2),
  G: (t) => String(isoWeek(t).year),
  H: (t) => pad(t.hour, 2),
  I: (t) => pad(t.hour % 12 || 12, 2),
  j: (t) => pad(t.yday + 1, 3),
  k: (t) => pad(t.hour, 2, ' '),
  l: (t) => pad(t.hour % 12 || 12, 2, ' '),
  m: (t) => pad(t.mon + 1, 2),
  M: (t) => pad(t.min, 2),
  n: () => '\n',
  p: (t) => (t.hour < 12 ? 'AM' : 'PM'),
  P: (t) => (t.hour < 12 ? 'am' : 'pm'),
  r: (t) =>
    `${pad(t.hour % 12 || 12, 2)}:${pad(t.min, 2)}:${pad(t.sec, 2)} ${t.hour < 12 ? 'AM' : 'PM'}`,
  R: (t) => `${pad(t.hour, 2)}:${pad(t.min, 2)}`,
  s: (t) => String(t.epoch),
  S: (t) => pad(t.sec, 2),
  t: () => '\t',
  T: (t) => `${pad(t.hour, 2)}:${pad(t.min, 2)}:${pad(t.sec, 2)}`,
  u: (t) => String(t.wday || 7),
  U: (t) => pad(Math.floor((t.yday + 7 - t.wday) / 7), 2),
  V: (t) => pad(isoWeek(t).week, 2),
  w: (t) => String(t.wday),
  W: (t) => pad(Math.floor((t.yday + 7 - ((t.wday + 6) % 7)) / 7), 2),
  y: (t) => pad(((t.year % 100) + 100) % 100, 2),
  Y: (t) => String(t.year),
  z: (t) => {
    const m = Math.abs(t.gmtoff) / 60;
    return `${t.gmtoff < 0 ? '-' : '+'}${pad(Math.floor(m / 60), 2)}${pad(m % 60, 2)}`;
  },
  '%': () => '%',
};

/** Why halo would not format `fmt` as glibc does (a conversion it lacks), or undefined. */
export function formatProblem(fmt: string): string | undefined {
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') continue;
    const c = fmt[++i];
    if (c === undefined) return 'a trailing %';
    if (!SPECS[c]) return `the conversion %${c}`;
  }
  return undefined;
}

/** strftime(fmt, tm) for a format formatProblem() accepts. */
export function strftime(fmt: string, tm: Tm): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') out += c;
    else {
      const k = fmt[++i] ?? '';
      out += SPECS[k]?.(tm) ?? `%${k}`;
    }
  }
  return out;
}
