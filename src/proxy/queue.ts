// A FIFO of sessions waiting for a connection slot (HAProxy's pendconns). Removal from the
// middle (queue timeout, client gone) is O(n); queues are short and removals rare.

export interface Pending {
  /** Called with the server that now has a slot for it. */
  dequeued(server: import('./server-runtime.js').ServerRuntime): void;
}

export class PendingQueue {
  private items: Pending[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(p: Pending): number {
    this.items.push(p);
    return this.length - 1;
  }

  shift(): Pending | undefined {
    if (this.head >= this.items.length) return undefined;
    const p = this.items[this.head];
    this.items[this.head++] = undefined as unknown as Pending;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return p;
  }

  remove(p: Pending): boolean {
    const i = this.items.indexOf(p, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  drain(): Pending[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }
}
