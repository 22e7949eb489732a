// The process facts some sample fetches report, as the running proxy reads them: the
// environment (`env`), the host name (`hostname`, read once), the time (`date`), the
// local time zone (`ltime`) and random numbers (`rand`). The adapter behind SampleScope's ports; tests pass their own.

import { randomInt } from 'node:crypto';
import { logHostname } from '../log/custom-log.js';
import type { SampleScope } from './scope.js';

export type ProcessFacts = Pick<SampleScope, 'env' | 'hostname' | 'now' | 'random' | 'localOffset'>;

export function processFacts(): ProcessFacts {
  return {
    env: (name) => process.env[name],
    hostname: logHostname(),
    now: () => Date.now(),
    // The process's time zone (TZ), as localtime_r() reads it; no clock is read here.
    localOffset: (secs) => {
      const ms = Number(secs) * 1000;
      if (!(Math.abs(ms) <= 8.64e15)) return undefined;
      return -new Date(ms).getTimezoneOffset() * 60;
    },
    random: () => randomInt(0, 2 ** 32),
  };
}
