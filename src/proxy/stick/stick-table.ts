// Stick tables for tracking counters (`stick-table ... store conn_cur,http_req_rate(10s)`,
// `track-sc0 src`, `sc_http_req_rate(0)`): entries by key, HAProxy 2.6's counters and its
// frequency counters (a rate is the events of the current period plus the previous
// period's, weighted by how much of it is still inside the window). Entries expire
// `expire` after their last use unless tracked; a full table drops its least recently used
// entry. Pure: the caller passes `now` (ms).

import type { StickTableConfig } from '../../config/haproxy/model.js';

/** HAProxy's freq_ctr over `period` ms. */
export class FreqCtr {
  private start = 0;
  private curr = 0;
  private prev = 0;
  constructor(readonly period: number) {}

  private roll(now: number): void {
    const p = this.period;
    if (this.start === 0) {
      this.start = now;
      return;
    }
    const elapsed = now - this.start;
    if (elapsed < p) return;
    this.prev = elapsed < 2 * p ? this.curr : 0;
    this.curr = 0;
    this.start = now - (elapsed % p);
  }

  hit(now: number, n = 1): void {
    this.roll(now);
    this.curr += n;
  }

  read(now: number): number {
    this.roll(now);
    const remain = this.start + this.period - now;
    return this.curr + Math.floor((this.prev * Math.max(0, remain)) / this.period);
  }
}

/** The counters `store` names: cumulative ones, current ones, and rates. */
export type StickCounter = 'conn_cnt' | 'conn_cur' | 'sess_cnt' | 'http_req_cnt';
export type StickRate = 'conn_rate' | 'sess_rate' | 'http_req_rate';

let nextId = 0x5a1000;
function newId(): number {
  nextId += 0x40;
  return nextId;
}

export class StickEntry {
  /** What `show table` prints where HAProxy prints the entry's address. */
  readonly id = newId();
  readonly counts: Partial<Record<StickCounter, number>> = {};
  readonly rates: Partial<Record<StickRate, FreqCtr>> = {};
  /** Sessions and requests tracking it now: it does not expire meanwhile. */
  refs = 0;
  expiresAt = 0;
  constructor(
    readonly key: string,
    table: StickTableConfig,
  ) {
    for (const s of table.store) {
      if (s.period !== undefined) this.rates[s.name as StickRate] = new FreqCtr(s.period);
      else this.counts[s.name as StickCounter] = 0;
    }
  }

  /** Adds `n` to a counter and its rate, where the table stores them. */
  add(counter: StickCounter, rate: StickRate | undefined, now: number, n = 1): void {
    if (this.counts[counter] !== undefined) this.counts[counter] = this.counts[counter]! + n;
    if (rate) this.rates[rate]?.hit(now, n);
  }

  /** A stored value, or undefined when the table does not store it. */
  value(name: string, now: number): number | undefined {
    const r = this.rates[name as StickRate];
    if (r) return r.read(now);
    return this.counts[name as StickCounter];
  }
}

export class StickTable {
  /** In least-recently-used order (a Map keeps insertion order; a touch re-inserts). */
  private readonly entries = new Map<string, StickEntry>();
  constructor(readonly cfg: StickTableConfig) {}

  get size(): number {
    return this.entries.size;
  }

  private expired(e: StickEntry, now: number): boolean {
    return e.refs === 0 && this.cfg.expire !== undefined && e.expiresAt <= now;
  }

  /** The entry of `key` if it is there and alive (fetches: nothing is created). */
  lookup(key: string, now: number): StickEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.expired(e, now)) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The entry of `key`, created if needed (tracking); undefined when the table is full of tracked ones. */
  touch(key: string, now: number): StickEntry | undefined {
    let e = this.lookup(key, now);
    if (e) this.entries.delete(key);
    else {
      if (this.entries.size >= this.cfg.size && !this.evict(now)) return undefined;
      e = new StickEntry(key, this.cfg);
    }
    e.expiresAt = now + (this.cfg.expire ?? 0);
    this.entries.set(key, e);
    return e;
  }

  /** Drops the least recently used entry nobody tracks; false when all are tracked. */
  private evict(now: number): boolean {
    for (const [k, e] of this.entries) {
      if (e.refs === 0 || this.expired(e, now)) {
        this.entries.delete(k);
        return true;
      }
    }
    return false;
  }

  /** Live entries in least-recently-used order (expired ones are dropped on the way). */
  live(now: number): StickEntry[] {
    const out: StickEntry[] = [];
    for (const [k, e] of this.entries) {
      if (this.expired(e, now)) this.entries.delete(k);
      else out.push(e);
    }
    return out;
  }

  /** `clear table`: drops the entries nobody tracks (all, or the one of `key`). */
  clear(key?: string): void {
    for (const [k, e] of this.entries)
      if ((key === undefined || k === key) && e.refs === 0) this.entries.delete(k);
  }

  /** A tracker let go of `e`: its expiry starts again from now. */
  release(e: StickEntry, now: number): void {
    if (e.refs > 0) e.refs--;
    e.expiresAt = now + (this.cfg.expire ?? 0);
  }
}
