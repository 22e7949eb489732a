// The stick-table entries one connection or one request tracks (`track-sc0..2`), and what
// tracking counts, as HAProxy 2.6 counts it (measured with `show table`): a track adds to
// conn_cnt, conn_rate and conn_cur (until the connection or request ends), a session that
// passes the connection rules to sess_cnt and sess_rate, each HTTP request to
// http_req_cnt and http_req_rate. Pure: `now` comes from the caller.

import type { StickEntry, StickTable } from './stick-table.js';

export interface Tracked {
  readonly table: StickTable;
  readonly entry: StickEntry;
}

export class Trackers {
  private readonly slots: (Tracked | undefined)[] = [undefined, undefined, undefined];

  /** Tracks `key` of `table` in `slot` (a slot already tracking keeps its entry, as HAProxy). */
  track(slot: number, table: StickTable, key: string, now: number, httpRequest: boolean): void {
    if (this.slots[slot]) return;
    const entry = table.touch(key, now);
    if (!entry) return;
    entry.refs++;
    entry.add('conn_cnt', 'conn_rate', now);
    entry.add('conn_cur', undefined, now);
    if (httpRequest) entry.add('http_req_cnt', 'http_req_rate', now);
    this.slots[slot] = { table, entry };
  }

  get(slot: number): Tracked | undefined {
    return this.slots[slot];
  }

  get any(): boolean {
    return this.slots.some((s) => s !== undefined);
  }

  /** The connection became a session (it passed the connection rules). */
  sessionStarted(now: number): void {
    for (const s of this.slots) s?.entry.add('sess_cnt', 'sess_rate', now);
  }

  /** Another HTTP request on a connection these entries track. */
  httpRequest(now: number): void {
    for (const s of this.slots) s?.entry.add('http_req_cnt', 'http_req_rate', now);
  }

  /** The connection or request ended: conn_cur goes down, the entries may expire again. */
  release(now: number): void {
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s) continue;
      s.entry.add('conn_cur', undefined, now, -1);
      s.table.release(s.entry, now);
      this.slots[i] = undefined;
    }
  }
}
