// The process facts some sample fetches report, as the running proxy reads them: the
// environment (`env`), the host name (`hostname`, read once), the time (`date`) and
// random numbers (`rand`). The adapter behind SampleScope's ports; tests pass their own.

import { randomInt } from 'node:crypto';
import { logHostname } from '../log/custom-log.js';
import type { SampleScope } from './scope.js';

export type ProcessFacts = Pick<SampleScope, 'env' | 'hostname' | 'now' | 'random'>;

export function processFacts(): ProcessFacts {
  return {
    env: (name) => process.env[name],
    hostname: logHostname(),
    now: () => Date.now(),
    random: () => randomInt(0, 2 ** 32),
  };
}
