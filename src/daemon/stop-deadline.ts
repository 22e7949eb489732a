// A stop that cannot be lost. Node runs signal handlers and timers on the one JS thread;
// if that thread is kept busy after SIGTERM (a flood still being worked through, a
// collector thrashing a huge heap), the stop it started never finishes and the exit
// timers never fire. This deadline runs on its own thread: once armed, it ends the process
// after `ms` unless the process exited first, as HAProxy's watchdog ends a stuck process.

import { Worker } from 'node:worker_threads';

// CommonJS, as an eval'd worker is: it needs nothing of halo and starts in a few ms.
const DEADLINE_THREAD = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
setTimeout(() => {
  try { writeSync(2, workerData.message); } catch {}
  process.kill(workerData.pid, 'SIGKILL');
}, workerData.ms);
`;

let armed: Worker | undefined;

/**
 * Ends this process (SIGKILL, after writing `message` to stderr) `ms` from now unless it
 * exits before. Once per process; the thread does not keep the process alive.
 */
export function armStopDeadline(ms: number, message: string): void {
  if (armed) return;
  try {
    armed = new Worker(DEADLINE_THREAD, {
      eval: true,
      workerData: { ms, pid: process.pid, message },
      stdout: false,
      stderr: false,
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
  } catch {
    // `--permission` without `--allow-worker` forbids threads: the stop goes on without
    // a deadline rather than not at all (the throw would end the signal handler).
    return;
  }
  armed.unref();
  armed.on('error', () => {}); // no deadline then; the stop goes on as before
}
