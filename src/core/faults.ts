// What a long-running halo process survived instead of dying: errors no session caught
// (counted by the last-resort handler, daemon/last-resort.ts) and output it dropped
// because nobody read it (log lines and notices, proxy/log/stdio.ts and sinks.ts).
// One set per process, as HAProxy keeps its DroppedLogs; `show info` prints DroppedLogs,
// `show halo` the rest (HAProxy has no field for them: it would have exited).

export interface FaultCounters {
  /** Exceptions that reached the process's last-resort handler. */
  uncaughtExceptions: number;
  /** Promise rejections no one handled. */
  unhandledRejections: number;
  /** Log lines not sent: the target's queue was full, its reader gone, or sending failed. */
  droppedLogs: number;
  /** Bytes of stdout/stderr output dropped (log lines and notices alike). */
  droppedOutputBytes: number;
}

export function newFaultCounters(): FaultCounters {
  return { uncaughtExceptions: 0, unhandledRejections: 0, droppedLogs: 0, droppedOutputBytes: 0 };
}

/** This process's counters. */
export const processFaults: FaultCounters = newFaultCounters();
