// stdout and stderr of a long-running process: what `log stdout`/`log stderr` and the
// operator notices write to. A reader that stops reading or goes away must neither grow
// the process without bound (Node queues every write to a pipe it cannot flush) nor end
// it: past STDIO_QUEUE_LIMIT queued bytes, or once the reader is gone, output is dropped
// and counted, as HAProxy drops a log line its non-blocking write cannot send.

import type { FaultCounters } from '../../core/faults.js';
import { processFaults } from '../../core/faults.js';

/** Bytes stdout or stderr may hold for a slow reader before output is dropped. */
export const STDIO_QUEUE_LIMIT = 1024 * 1024;

/** What BoundedOutput needs of a stream (process.stdout is one). */
export interface OutputStream {
  write(text: string): boolean;
  readonly writableLength: number;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

export class BoundedOutput {
  private lost = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly limit = STDIO_QUEUE_LIMIT,
    private readonly faults: FaultCounters = processFaults,
  ) {}

  /** Writes `text`, or drops and counts it; false when dropped. */
  write(text: string): boolean {
    const s = this.stream;
    if (
      this.lost ||
      s.destroyed ||
      s.writableEnded ||
      s.writableLength + text.length > this.limit
    ) {
      this.faults.droppedOutputBytes += Buffer.byteLength(text);
      return false;
    }
    s.write(text);
    return true;
  }

  /** The reader went away (EPIPE): everything from now on is dropped. */
  readerGone(): void {
    this.lost = true;
  }
}

let outputs: { stdout: BoundedOutput; stderr: BoundedOutput } | undefined;

/** The process's bounded stdout and stderr (created on first use). */
export function stdio(): { stdout: BoundedOutput; stderr: BoundedOutput } {
  outputs ??= {
    stdout: new BoundedOutput(process.stdout),
    stderr: new BoundedOutput(process.stderr),
  };
  return outputs;
}
