// The stream node:http reads a client connection through: a Duplex over the accepted
// socket with a RequestGate in between.
//
// node:http gets one checked, canonical request at a time; what the client sends beyond
// it waits in the gate (at most tune.bufsize bytes, then the socket stops being read) until
// the frontend calls `release()` after the response. The gate's refusals, and a head that
// does not arrive within `timeout http-request`, go to the frontend, which answers as
// HAProxy does. A client's FIN while a request is served is kept back from node:http
// (which would abort the request) until that request is over, as HAProxy serves it.

import type net from 'node:net';
import { Duplex } from 'node:stream';
import type { H1Limits, RefusalStatus } from './h1-request.js';
import type { GateOutput } from './request-gate.js';
import { RequestGate } from './request-gate.js';

export interface GateEvents {
  /** The gate refused a message (`inBody`: node:http already has its head). */
  refused(reason: string, inBody: boolean, status: RefusalStatus): void;
  /** No complete head within `timeout http-request`. */
  headTimeout(): void;
  /** The client sent its FIN (HAProxy serves a request still waiting for its response). */
  clientFin(): void;
}

// Every client connection of the process reads into this one buffer; each read is handled
// (and what is kept, copied) before the next. A buffer per connection would cost 16 KiB
// each even when idle, and net.Socket's default 64 KiB reads would let one read put four
// times tune.bufsize behind the gate. HAProxy holds at most a buffer per connection.
const READ_SIZE = 16 * 1024;
const shared = Buffer.allocUnsafeSlow(READ_SIZE);

/** net.Socket options that make a socket read into the gates' shared buffer. */
export function sharedRead(onRead: (chunk: Buffer) => void): {
  onread: { buffer: Buffer; callback: (n: number, buf: Buffer) => void };
} {
  return { onread: { buffer: shared, callback: (n, buf) => onRead(buf.subarray(0, n)) } };
}

export class GatedSocket extends Duplex {
  private readonly gate: RequestGate;
  private rawEnded = false;
  private pushedEnd = false;
  /** node:http stopped taking data (push returned false). */
  private blocked = false;
  private headTimer: ReturnType<typeof setTimeout> | undefined;
  private gone = false;

  constructor(
    readonly raw: net.Socket,
    limits: H1Limits,
    /** `timeout http-request` in ms (0: none). */
    private readonly headTimeoutMs: number,
    private readonly events: GateEvents,
  ) {
    super({ allowHalfOpen: true });
    this.gate = new RequestGate(limits);
    raw.on('end', () => {
      this.rawEnded = true;
      this.maybeEnd();
      if (!this.gone) this.events.clientFin();
    });
    raw.on('error', (err) => this.destroy(err));
    raw.on('close', () => {
      this.clearHeadTimer();
      if (!this.destroyed) this.destroy();
    });
    raw.on('timeout', () => this.emit('timeout'));
    raw.on('drain', () => this.emit('drain'));
    // The first request is timed from the accept, as HAProxy does.
    this.armHeadTimer();
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.raw.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.raw.localAddress;
  }
  get localPort(): number | undefined {
    return this.raw.localPort;
  }
  get bytesRead(): number {
    return this.raw.bytesRead;
  }
  get bytesWritten(): number {
    return this.raw.bytesWritten;
  }
  /** Bytes the gate holds back (tests, stats). */
  get held(): number {
    return this.gate.held();
  }

  setNoDelay(on = true): this {
    this.raw.setNoDelay(on);
    return this;
  }
  setKeepAlive(on = false, delay = 0): this {
    this.raw.setKeepAlive(on, delay);
    return this;
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.raw.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }

  /** The current request's exchange is over: the next message may go to node:http. */
  release(): void {
    if (this.gone || this.writableEnded) return;
    // A client that sent its FIN gets no more responses, even to requests it had
    // pipelined before it (HAProxy 2.6 closes after the response in progress).
    if (this.rawEnded) {
      if (!this.pushedEnd) {
        this.pushedEnd = true;
        this.push(null);
      }
      return;
    }
    this.apply(this.gate.next());
    if (this.gate.waitingForHead()) this.armHeadTimer();
    this.maybeEnd();
    this.flow();
  }

  /** A read into the shared buffer (see `readIntoShared`); its bytes are copied if kept. */
  onRead(chunk: Buffer): void {
    const wasWaiting = this.gate.waitingForHead() && !this.gate.headInProgress();
    this.apply(this.gate.feed(chunk));
    // A later request's `timeout http-request` runs from its first byte.
    if (wasWaiting && this.gate.headInProgress() && this.gate.messages > 0 && !this.headTimer)
      this.armHeadTimer();
    this.flow();
  }

  private apply(outs: GateOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'head') {
        this.clearHeadTimer();
        this.give(Buffer.from(o.head.canonical, 'latin1'));
      } else if (o.kind === 'body') this.give(Buffer.from(o.bytes));
      else if (o.kind === 'error') {
        this.clearHeadTimer();
        this.events.refused(o.reason, o.inBody, o.status);
      }
    }
  }

  private give(bytes: Uint8Array): void {
    if (this.pushedEnd) return;
    if (!this.push(bytes)) this.blocked = true;
  }

  /** Reads from the client while node:http takes data and the gate holds less than a buffer. */
  private flow(): void {
    if (this.gone) return;
    const stop = this.blocked || this.gate.held() >= this.gate.limits.bufsize;
    if (stop) {
      if (!this.raw.isPaused()) this.raw.pause();
    } else if (this.raw.isPaused()) this.raw.resume();
  }

  /** The client's FIN reaches node:http once no message is in progress or held. */
  private maybeEnd(): void {
    if (!this.rawEnded || this.pushedEnd || !this.gate.waitingForHead()) return;
    this.pushedEnd = true;
    this.clearHeadTimer();
    this.push(null);
  }

  private armHeadTimer(): void {
    this.clearHeadTimer();
    if (this.headTimeoutMs <= 0 || this.gone) return;
    this.headTimer = setTimeout(() => {
      this.headTimer = undefined;
      if (this.gate.waitingForHead() && (this.gate.messages === 0 || this.gate.headInProgress()))
        this.events.headTimeout();
    }, this.headTimeoutMs);
  }

  private clearHeadTimer(): void {
    if (this.headTimer) clearTimeout(this.headTimer);
    this.headTimer = undefined;
  }

  override _read(): void {
    this.blocked = false;
    this.flow();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.raw.write(chunk, encoding)) cb();
    else this.raw.once('drain', () => cb());
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    cb: (err?: Error | null) => void,
  ): void {
    this.raw.cork();
    let ok = true;
    for (const c of chunks) ok = this.raw.write(c.chunk, c.encoding);
    this.raw.uncork();
    if (ok) cb();
    else this.raw.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.gone = true;
    this.clearHeadTimer();
    this.raw.destroy();
    cb(err);
  }
}
