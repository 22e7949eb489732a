// The track_files of one running configuration, on the host: `init_file` written at load,
// each path resolved as Keepalived does (a missing file is fine, a missing directory drops
// the track file), the directories watched, and a file read again when it changes. What a
// value means is decided in src/vrrp/ (readTrackFileValue, the state machine).
// Keepalived watches IN_CLOSE_WRITE | IN_DELETE | IN_MOVE with inotify; fs.watch reports
// every modification instead, so a burst of events is read once after `settleMs` of quiet
// (a write is not read half done).

import {
  closeSync,
  type FSWatcher,
  openSync,
  readSync,
  realpathSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TrackFile } from '../config/keepalived/model.js';
import { readTrackFileValue, TRACK_FILE_READ_BYTES } from '../vrrp/index.js';
import { kaLog } from '../vrrp/log-strings.js';
import type { VrrpLog } from './vrrp-log.js';

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Writes each `init_file` value as Keepalived does at the end of a track_file block: only
 * when the file is missing, or always with `overwrite` (but never over a non-regular file,
 * and with `overwrite` not again on a reload).
 */
export function initTrackFiles(files: readonly TrackFile[], reload: boolean, log: VrrpLog): void {
  for (const tf of files) {
    if (tf.initFile === undefined || tf.file === '') continue;
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(tf.file);
    } catch {
      st = undefined;
    }
    if (st) {
      if (!tf.initFileOverwrite) continue;
      if (!st.isFile()) {
        log.info(kaLog.trackFileInitNotRegular(tf.name));
        continue;
      }
      if (reload) continue;
    }
    try {
      writeFileSync(tf.file, `${tf.initFile}\n`);
    } catch {
      log.info(kaLog.trackFileInitFailed(tf.name));
    }
  }
}

/** The file's first bytes; undefined when it cannot be opened or read (counts as 0). */
function readHead(path: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(TRACK_FILE_READ_BYTES);
    const n = readSync(fd, buf, 0, buf.length, null);
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

interface Watched {
  readonly def: TrackFile;
  readonly path: string;
  readonly dir: string;
  readonly base: string;
  value: number;
  timer?: NodeJS.Timeout;
}

export interface TrackFileMonitorDeps {
  readonly log: VrrpLog;
  /** A file's value changed (0 when it was deleted). */
  readonly onChange: (name: string, value: number) => void;
  /** Quiet time before a changed file is read, in ms (default 20). */
  readonly settleMs?: number;
}

export class TrackFileMonitor {
  private readonly files = new Map<string, Watched>();
  private readonly watchers: FSWatcher[] = [];
  private stopped = false;

  constructor(
    private readonly defs: readonly TrackFile[],
    private readonly deps: TrackFileMonitorDeps,
  ) {}

  /** Resolves the paths, reads the values and starts watching (init_track_files). */
  start(): void {
    const byDir = new Map<string, Watched[]>();
    for (const def of this.defs) {
      const w = this.resolve(def);
      if (!w) continue;
      this.files.set(def.name, w);
      byDir.set(w.dir, [...(byDir.get(w.dir) ?? []), w]);
    }
    for (const [dir, list] of byDir) {
      try {
        const watcher = watch(dir, { persistent: true }, (_event, filename) => {
          const name = filename?.toString();
          for (const w of list) if (name === undefined || name === w.base) this.changed(w);
        });
        watcher.on('error', (e) => this.deps.log.info(`track file watch on ${dir}: ${e.message}`));
        this.watchers.push(watcher);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        this.deps.log.info(`Unable to monitor track files in ${dir}: ${msg}`);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    for (const f of this.files.values()) clearTimeout(f.timer);
  }

  /** Whether the file is tracked (Keepalived drops those whose directory is missing). */
  has(name: string): boolean {
    return this.files.has(name);
  }

  value(name: string): number | undefined {
    return this.files.get(name)?.value;
  }

  /** The current values of the named files (those not tracked left out). */
  values(names: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const n of names) {
      const v = this.files.get(n)?.value;
      if (v !== undefined) out[n] = v;
    }
    return out;
  }

  private resolve(def: TrackFile): Watched | undefined {
    let path: string;
    let exists = false;
    try {
      path = realpathSync(def.file);
      exists = true;
    } catch (e) {
      if (errCode(e) !== 'ENOENT') {
        this.deps.log.info(kaLog.trackFileNotAccessible(def.name));
        return undefined;
      }
      const slash = def.file.lastIndexOf('/');
      let dir: string | undefined;
      try {
        dir = realpathSync(slash < 0 ? '.' : def.file.slice(0, slash));
        if (!statSync(dir).isDirectory()) dir = undefined;
      } catch {
        dir = undefined;
      }
      if (dir === undefined) {
        this.deps.log.info(kaLog.trackFileNoDirectory(def.name));
        return undefined;
      }
      path = join(dir, def.file.slice(slash + 1));
    }
    const w: Watched = { def, path, dir: dirname(path), base: basename(path), value: 0 };
    if (exists) {
      const r = readTrackFileValue(readHead(path));
      if (r.ok) w.value = r.value;
      else this.deps.log.info(kaLog.trackFileInvalidNumber(r.printed, path));
    }
    return w;
  }

  private changed(w: Watched): void {
    if (this.stopped) return;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => this.reread(w), this.deps.settleMs ?? 20);
  }

  private reread(w: Watched): void {
    w.timer = undefined;
    if (this.stopped) return;
    const r = readTrackFileValue(readHead(w.path));
    if (!r.ok) {
      this.deps.log.info(kaLog.trackFileInvalidNumber(r.printed, w.path));
      return;
    }
    if (r.value === w.value) return;
    w.value = r.value;
    this.deps.onChange(w.def.name, r.value);
  }
}
