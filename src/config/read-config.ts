// Reads a configuration file within the bounds of limits.ts, whatever the path names: a
// regular file, a character device (/dev/zero), a FIFO or a process substitution
// (/dev/fd/N). The thin file-system edge of the config parsers.

import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigMeter } from './limits.js';

/** A bound of limits.ts was crossed; `line` is where. */
export class ConfigLimitError extends Error {
  readonly code = 'HALO_CONFIG_LIMIT';
  constructor(
    readonly path: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const CHUNK = 64 * 1024;

/** The file's text (UTF-8); throws ConfigLimitError past a bound, or the fs error. */
export function readConfigFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const meter = new ConfigMeter();
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      const v = meter.feed(chunk);
      if (v) throw new ConfigLimitError(path, v.line, v.message);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
