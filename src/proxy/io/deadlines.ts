// Inactivity timeouts for thousands of sockets with one timer per distinct duration, as
// HAProxy keeps expiry ticks in a wait queue instead of arming a timer per event.
//
// Activity only stores a time (`touch`): nothing moves. Each duration has a list ordered
// by the time an entry was placed; when the list's timer fires, entries whose last
// activity is old enough expire, and entries touched since they were placed move to the
// place their real deadline gives them (lazily, at most once per period). Pure: the clock
// and the one-shot scheduler are injected.

export interface DeadlineClock {
  now(): number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
}

/** One watched side of a connection. Owners keep it and pass it back. */
export class Deadline {
  /** Last activity (clock ms). */
  last = 0;
  /** Sort key in its list: `last` when it was (re)placed. */
  key = 0;
  prev: Deadline | null = null;
  next: Deadline | null = null;
  list: DeadlineList | null = null;

  constructor(
    readonly owner: unknown,
    readonly tag: number,
  ) {}
}

export type ExpireHandler = (owner: unknown, tag: number) => void;

class DeadlineList {
  head: Deadline | null = null;
  tail: Deadline | null = null;
  private cancel: (() => void) | null = null;
  private running = false;

  constructor(
    readonly ms: number,
    private readonly clock: DeadlineClock,
    private readonly onExpire: ExpireHandler,
  ) {}

  insert(d: Deadline): void {
    // Walk back from the tail: keys are non-decreasing along the list and new keys are
    // almost always the largest, so this is one comparison in practice.
    let after = this.tail;
    while (after && after.key > d.key) after = after.prev;
    d.list = this;
    d.prev = after;
    d.next = after ? after.next : this.head;
    if (d.next) d.next.prev = d;
    else this.tail = d;
    if (after) after.next = d;
    else this.head = d;
    if (!this.cancel && !this.running) this.arm();
  }

  remove(d: Deadline): void {
    if (d.prev) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.tail = d.prev;
    d.prev = d.next = null;
    d.list = null;
  }

  private arm(): void {
    const h = this.head;
    if (!h) return;
    const wait = Math.max(0, h.key + this.ms - this.clock.now());
    this.cancel = this.clock.schedule(() => this.run(), Math.ceil(wait));
  }

  run(): void {
    this.cancel = null;
    this.running = true;
    try {
      const now = this.clock.now();
      for (let d = this.head; d && d.key + this.ms <= now; d = this.head) {
        this.remove(d);
        if (d.last + this.ms <= now) {
          this.onExpire(d.owner, d.tag);
        } else {
          d.key = d.last;
          this.insert(d);
        }
      }
    } finally {
      this.running = false;
    }
    if (!this.cancel) this.arm();
  }
}

/** Every inactivity watch of one process; lists live as long as their duration is in use. */
export class Deadlines {
  private readonly lists = new Map<number, DeadlineList>();

  constructor(
    private readonly clock: DeadlineClock,
    private readonly onExpire: ExpireHandler,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** Watches `d` for `ms` of inactivity from now (0 = no timeout); replaces any earlier watch. */
  arm(d: Deadline, ms: number, now = this.clock.now()): void {
    this.disarm(d);
    if (!(ms > 0)) return;
    let list = this.lists.get(ms);
    if (!list) {
      list = new DeadlineList(ms, this.clock, this.onExpire);
      this.lists.set(ms, list);
    }
    d.last = now;
    d.key = now;
    list.insert(d);
  }

  disarm(d: Deadline): void {
    // An emptied list keeps its pending timer: it fires once, finds nothing, and stops.
    d.list?.remove(d);
  }

  /** The duration `d` currently runs on, 0 when disarmed. */
  durationOf(d: Deadline): number {
    return d.list ? d.list.ms : 0;
  }
}

/** The real clock: monotonic milliseconds, unref'd timers (sockets keep the process alive). */
export const systemDeadlineClock: DeadlineClock = {
  now: () => performance.now(),
  schedule(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};
