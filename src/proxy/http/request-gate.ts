// The client side of one HTTP/1 connection, one message at a time.
//
// HAProxy serves the requests of a connection in turn and reads ahead at most a buffer's
// worth (tune.bufsize); node:http parses everything it is given and queues every
// pipelined request, so one client could make it hold millions. The gate reads each head
// whole (refusing bad or oversized ones with HAProxy's 400), passes the message's body
// through as it comes, and then holds whatever follows until `next()` says the exchange
// is over. The adapter stops reading from the socket while `held()` is at the limit.
// Pure: no `node:` import, no clock.

import { BodyFramer } from './h1-body.js';
import type { H1Limits, RefusalStatus, RequestHead } from './h1-request.js';
import {
  DEFAULT_H1_LIMITS,
  maxHeadBytes,
  parseRequestHead,
  parseRequestLine,
  TCHAR,
} from './h1-request.js';

export type GateOutput =
  /** A complete, checked head: hand `head.canonical` on. */
  | { readonly kind: 'head'; readonly head: RequestHead }
  /** Body bytes of the current message, unchanged. */
  | { readonly kind: 'body'; readonly bytes: Uint8Array }
  /** The current message's body is complete. */
  | { readonly kind: 'end' }
  /** A message HAProxy refuses: answer `status` and close. `inBody`: its head went on. */
  | {
      readonly kind: 'error';
      readonly status: RefusalStatus;
      readonly reason: string;
      readonly inBody: boolean;
    };

type State = 'head' | 'body' | 'held' | 'failed';

const LF = 10;
const CR = 13;

/** Index just past the empty line that ends a head in `buf`, or -1. */
function headEnd(buf: Uint8Array, from: number): number {
  for (let i = Math.max(from, 1); i < buf.length; i++) {
    if (buf[i] !== LF) continue;
    if (buf[i - 1] === LF) return i + 1;
    if (buf[i - 1] === CR && i >= 2 && buf[i - 2] === LF) return i + 1;
  }
  return -1;
}

/** Whether `buf[from..]` holds a CR followed by a byte other than LF. */
function bareCr(buf: Uint8Array, from: number): boolean {
  for (let i = buf.indexOf(CR, from); i >= 0 && i + 1 < buf.length; i = buf.indexOf(CR, i + 1))
    if (buf[i + 1] !== LF) return true;
  return false;
}

/** Where the scan of an unfinished request line stands (method, URI, version). */
interface LineScan {
  at: number;
  part: number;
  partLen: number;
}

const VERSION_PREFIX = 'HTTP/';

/**
 * Whether `buf` (no LF yet) can still begin a valid request line. It resumes where the
 * last call stopped, so a line that arrives a byte at a time costs linear time.
 */
function requestLinePrefixOk(buf: Uint8Array, s: LineScan): boolean {
  for (; s.at < buf.length; s.at++) {
    const c = buf[s.at]!;
    if (c === 32 || c === 9) {
      if (s.partLen > 0 && s.part < 2) {
        s.part++;
        s.partLen = 0;
      }
      continue;
    }
    // A CR may end the line once its LF comes; looked at again with the next bytes.
    if (c === CR) return s.at === buf.length - 1;
    if (s.part === 0 && !(c < 128 && TCHAR[c] === 1)) return false;
    if (s.part === 1 && (c < 33 || c > 126 || c === 35)) return false;
    if (
      s.part === 2 &&
      s.partLen < VERSION_PREFIX.length &&
      c !== VERSION_PREFIX.charCodeAt(s.partLen)
    )
      return false;
    s.partLen++;
  }
  return true;
}

function latin1(buf: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i += 4096)
    s += String.fromCharCode(...buf.subarray(i, Math.min(to, i + 4096)));
  return s;
}

export class RequestGate {
  private state: State = 'head';
  /** Bytes not handed on yet: a partial head, or what follows a complete message. */
  private pending: Uint8Array = new Uint8Array(0);
  /** Where the search for the head's end resumes in `pending`. */
  private scanned = 0;
  private body: BodyFramer | undefined;
  /** Messages handed on so far. */
  messages = 0;

  constructor(readonly limits: H1Limits = DEFAULT_H1_LIMITS) {}

  /** Bytes held back (the adapter stops reading at `limits.bufsize`). */
  held(): number {
    return this.pending.length;
  }

  /** Whether a head has begun arriving and is not complete (for `timeout http-request`). */
  headInProgress(): boolean {
    return this.state === 'head' && this.pending.length > 0;
  }

  /** Whether the gate waits for a head (no message in progress, none held). */
  waitingForHead(): boolean {
    return this.state === 'head';
  }

  /**
   * Bytes read from the client. `chunk` is borrowed for this call only (the adapter reads
   * into one shared buffer): what the gate keeps it copies, and `body` outputs point into
   * `chunk`, to be copied by whoever keeps them.
   */
  feed(chunk: Uint8Array): GateOutput[] {
    if (this.state === 'failed') return [];
    const out: GateOutput[] = [];
    if (this.state === 'body' && this.pending.length === 0) {
      // The common case of a body: pass the chunk through without copying it.
      const used = this.takeBody(chunk, 0, out);
      if (used < chunk.length && (this.state as State) !== 'failed') {
        this.pending = Uint8Array.prototype.slice.call(chunk, used);
        this.run(out);
      }
      return out;
    }
    this.append(chunk);
    this.run(out);
    return out;
  }

  /**
   * Appends a copy of `chunk` to `pending`, in a store with room to spare: a head that comes
   * a byte at a time is copied a linear number of times, not once per byte.
   */
  private append(chunk: Uint8Array): void {
    const p = this.pending;
    const s = this.store;
    const end = p.byteOffset + p.length;
    if (s && p.buffer === s.buffer && end + chunk.length <= s.byteOffset + s.length) {
      s.set(chunk, end - s.byteOffset);
      this.pending = new Uint8Array(s.buffer, p.byteOffset, p.length + chunk.length);
      return;
    }
    const next = new Uint8Array(Math.max(4096, 2 * (p.length + chunk.length)));
    next.set(p, 0);
    next.set(chunk, p.length);
    this.store = next;
    this.pending = next.subarray(0, p.length + chunk.length);
  }

  /** Backing store of `pending` while it grows. */
  private store: Uint8Array | undefined;

  /** The current exchange is over: the next message may go on. */
  next(): GateOutput[] {
    const out: GateOutput[] = [];
    if (this.state !== 'held') return out;
    this.state = 'head';
    this.scanned = 0;
    this.run(out);
    return out;
  }

  private run(out: GateOutput[]): void {
    for (;;) {
      if (this.state === 'head') {
        if (!this.readHead(out)) return;
      } else if (this.state === 'body') {
        const used = this.takeBody(this.pending, 0, out);
        this.pending = this.pending.subarray(used);
        if (this.state === 'body') return;
      } else return;
    }
  }

  /** Tries to complete a head from `pending`; false when more bytes are needed or it failed. */
  private readHead(out: GateOutput[]): boolean {
    // Empty lines before a request line are skipped (RFC 9112 2.2).
    let skip = 0;
    while (skip < this.pending.length && (this.pending[skip] === CR || this.pending[skip] === LF))
      skip++;
    if (skip > 0) {
      this.pending = this.pending.subarray(skip);
      this.scanned = 0;
      this.lineScan = { at: 0, part: 0, partLen: 0 };
    }
    const end = headEnd(this.pending, this.scanned);
    if (end < 0) {
      const from = this.scanned;
      this.scanned = Math.max(0, this.pending.length - 2);
      // HAProxy's parser stops at a CR that no LF follows; waiting for the end of such a
      // head would answer 408 where HAProxy answers 400 at once.
      if (bareCr(this.pending, from)) this.fail(out, 'CR without LF in the request head', false);
      else if (this.pending.length > maxHeadBytes(this.limits))
        this.fail(out, 'request head larger than the buffer', false);
      else this.checkFirstLine(out);
      return false;
    }
    // Drop the empty line that ends the head (CRLF or LF).
    let textEnd = end - 1;
    if (this.pending[textEnd - 1] === CR) textEnd--;
    const r = parseRequestHead(latin1(this.pending, 0, textEnd - 1), this.limits);
    this.pending = this.pending.subarray(end);
    this.scanned = 0;
    this.lineChecked = false;
    this.lineScan = { at: 0, part: 0, partLen: 0 };
    if (!r.ok) {
      this.fail(out, r.reason, false, r.status);
      return false;
    }
    // Body bytes that came with the head are checked with it: HAProxy's parser refuses a
    // bad first chunk before the request goes anywhere (logged as <BADREQ>).
    if (r.head.body.kind === 'chunked' && this.pending.length > 0) {
      const trial = new BodyFramer(r.head.body).step(this.pending, 0, this.pending.length);
      if (!trial.ok) {
        this.fail(out, trial.reason, false);
        return false;
      }
    }
    this.messages++;
    out.push({ kind: 'head', head: r.head });
    if (r.head.body.kind === 'none') {
      out.push({ kind: 'end' });
      this.state = 'held';
    } else {
      this.body = new BodyFramer(r.head.body);
      this.state = 'body';
    }
    return true;
  }

  /**
   * A request line that is already bad is refused at once, as HAProxy's parser stops at
   * the first byte that cannot belong to it (a TLS ClientHello gets its 400 without
   * waiting; HTTP/0.9 has no empty line to wait for).
   */
  private checkFirstLine(out: GateOutput[]): void {
    if (this.lineChecked) return;
    // Bytes the prefix scan passed hold no LF: the search resumes there.
    const lf = this.pending.indexOf(LF, this.lineScan.at);
    if (lf < 0) {
      if (!requestLinePrefixOk(this.pending, this.lineScan))
        this.fail(out, 'invalid request line', false);
      return;
    }
    this.lineChecked = true;
    const end = lf > 0 && this.pending[lf - 1] === CR ? lf - 1 : lf;
    const r = parseRequestLine(latin1(this.pending, 0, end));
    if (typeof r === 'string') this.fail(out, r, false);
  }

  private lineChecked = false;
  private lineScan: LineScan = { at: 0, part: 0, partLen: 0 };

  private takeBody(buf: Uint8Array, from: number, out: GateOutput[]): number {
    const r = this.body!.step(buf, from, buf.length);
    if (!r.ok) {
      this.fail(out, r.reason, true);
      return buf.length - from;
    }
    if (r.used > 0) out.push({ kind: 'body', bytes: buf.subarray(from, from + r.used) });
    if (r.done) {
      out.push({ kind: 'end' });
      this.body = undefined;
      this.state = 'held';
    }
    return r.used;
  }

  private fail(
    out: GateOutput[],
    reason: string,
    inBody: boolean,
    status: RefusalStatus = 400,
  ): void {
    this.state = 'failed';
    this.pending = new Uint8Array(0);
    out.push({ kind: 'error', status, reason, inBody });
  }
}
