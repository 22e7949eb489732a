// HAProxy 2.6's date converters: ltime(format[,offset]) and utime(format[,offset]) write
// an epoch time with strftime() in local time or UTC, http_date([offset[,unit]]) as an
// IMF-fixdate (`Tue, 08 Dec 2026 01:02:03 GMT`, a fraction after the seconds in ms or
// us). The input is masked to 55 bits as HAProxy masks it. Pure: the local offset comes
// in through the converter's environment.

import { readInt64 } from '../../config/haproxy/sample-args.js';
import type { ConverterImpl } from './converter-types.js';
import { str } from './sample.js';
import { breakDown, strftime } from './strftime.js';

const MASK55 = 0x007fffffffffffffn;

const dated =
  (local: boolean): ConverterImpl =>
  (conv) => {
    const fmt = conv.args[0] ?? '';
    const offset = conv.args[1] === undefined ? 0n : readInt64(conv.args[1]).value;
    return (s, env) => {
      if (s.type !== 'sint' && s.type !== 'bool') return undefined;
      const secs = BigInt.asIntN(64, (s.n & MASK55) + offset);
      const gmtoff = local ? env.localOffset?.(secs) : 0;
      if (gmtoff === undefined) return undefined;
      return str(strftime(fmt, breakDown(secs, gmtoff)));
    };
  };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const httpDate: ConverterImpl = (conv) => {
  const offset = conv.args[0] === undefined ? 0n : readInt64(conv.args[0]).value;
  const unit = conv.args[1];
  const per = unit === 'ms' ? 1000n : unit === 'us' ? 1000000n : 1n;
  return (s) => {
    if (s.type !== 'sint' && s.type !== 'bool') return undefined;
    const v = BigInt.asIntN(64, s.n + offset);
    // C's % and / truncate toward zero, as BigInt's do.
    const frac = v % per;
    const t = breakDown((v / per) & MASK55);
    const p2 = (n: number) => String(n).padStart(2, '0');
    const time = `${p2(t.hour)}:${p2(t.min)}:${p2(t.sec)}${unit !== undefined && unit !== 's' ? `.${frac}` : ''}`;
    return str(
      `${DAYS[t.wday]}, ${p2(t.mday)} ${MONTHS[t.mon]} ${String(t.year).padStart(4, '0')} ${time} GMT`,
    );
  };
};

export const TIME_CONVERTERS: Readonly<Record<string, ConverterImpl>> = {
  ltime: dated(true),
  utime: dated(false),
  http_date: httpDate,
};
