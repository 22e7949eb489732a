// Bounds on a configuration file, checked while it is read so that `halo check -f /dev/zero`
// or a FIFO fed by `yes` ends with a file:line error instead of filling memory. HAProxy 2.6
// has no such bounds (its line buffer doubles until malloc fails; it stops on a NUL byte
// only because it counts a line by strlen()); these are halo's, far above any real config.
// Keepalived reads a line into a 1024-byte buffer (`MAXBUF`) and parses what does not fit
// as the next line, which halo reports instead (KEEPALIVED_MAX_LINE). Pure: bytes in,
// verdict out.

/** Largest configuration file halo reads (each file, and all of keepalived's includes). */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;
/** Most lines in one file (a 50,000-line haproxy.cfg is about 2 MB). */
export const MAX_CONFIG_LINES = 1_000_000;
/** Longest line, newline excluded, in any configuration file. */
export const MAX_CONFIG_LINE = 65_536;
/** Keepalived reads at most 1023 characters of a line (MAXBUF 1024, with the NUL). */
export const KEEPALIVED_MAX_LINE = 1023;

export interface LimitViolation {
  /** 1-based line at which the bound was crossed. */
  readonly line: number;
  readonly message: string;
}

/** Follows a file's bytes chunk by chunk; the first bound crossed is the verdict. */
export class ConfigMeter {
  private bytes = 0;
  private line = 1;
  private lineBytes = 0;

  /** Feeds the next chunk; returns the violation, if this chunk crossed a bound. */
  feed(chunk: Uint8Array): LimitViolation | undefined {
    this.bytes += chunk.length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      this.lineBytes += end - start;
      if (this.lineBytes > MAX_CONFIG_LINE) {
        return {
          line: this.line,
          message: `line too long: more than ${MAX_CONFIG_LINE} bytes (halo's bound on a configuration line)`,
        };
      }
      if (nl < 0) break;
      this.line++;
      this.lineBytes = 0;
      if (this.line > MAX_CONFIG_LINES) {
        return {
          line: this.line,
          message: `too many lines: more than ${MAX_CONFIG_LINES} (halo's bound on a configuration file)`,
        };
      }
      start = nl + 1;
    }
    if (this.bytes > MAX_CONFIG_BYTES) {
      return {
        line: this.line,
        message: `file too large: more than ${MAX_CONFIG_BYTES} bytes (halo's bound on a configuration file)`,
      };
    }
    return undefined;
  }
}
