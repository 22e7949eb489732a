// `accept-proxy`: reads the PROXY header a connection starts with, before the frontend does
// anything else with it (route, log, connect a server), within `timeout client`.
//
// The handle reads into the shared buffer; the first read must hold the whole header, as
// HAProxy 2.6 wants it (a sender writes it at once). Bytes that arrived after the header
// belong to the stream: they go with the result, to be relayed first. A failure
// closes nothing itself: the frontend closes and logs it as HAProxy does (proxyFailureLog).

import type { StreamHandle } from './io/stream-handle.js';
import { readData, readIntoShared, readResult, UV_EOF } from './io/stream-handle.js';
import type { ProxyAddresses, ProxyHeaderError } from './proxy-protocol.js';
import { decodeProxyHeader } from './proxy-protocol.js';

/** Why a connection did not give a header: the decoder's reasons, or the socket's. */
export type ProxyHeaderFailure = ProxyHeaderError | 'empty' | 'abort' | 'timeout';

export interface ProxyHeaderDone {
  /** `addresses` undefined: LOCAL / UNKNOWN, keep the socket's own. */
  header(
    h: StreamHandle,
    addresses: ProxyAddresses | undefined,
    early: Uint8Array | undefined,
  ): void;
  failed(h: StreamHandle, why: ProxyHeaderFailure): void;
}

// The messages HAProxy 2.6 logs for each (seen side by side; its connection error strings).
const MESSAGES: Readonly<Record<ProxyHeaderFailure, string>> = {
  empty: 'Connection closed while waiting for PROXY protocol header',
  abort: 'Connection error while waiting for PROXY protocol header',
  timeout: 'Timeout while waiting for PROXY protocol header',
  truncated: 'Truncated PROXY protocol header received',
  'not-header': 'Received something which does not look like a PROXY protocol header',
  'bad-header': 'Received an invalid PROXY protocol header',
  'bad-proto': 'Received an unhandled protocol in the PROXY protocol header',
};

/** Failures `option dontlognull` hides: the client sent nothing (HAProxy's rule). */
const NULL_FAILURES: ReadonlySet<ProxyHeaderFailure> = new Set(['empty', 'abort', 'timeout']);

/** HAProxy's line for a connection killed before it became a session. */
export function proxyFailureLog(
  client: { address: string; port: number },
  date: string,
  frontend: string,
  listener: string,
  why: ProxyHeaderFailure,
): string {
  return `${client.address}:${client.port} [${date}] ${frontend}/${listener}: ${MESSAGES[why]}`;
}

export function hiddenByDontlognull(why: ProxyHeaderFailure): boolean {
  return NULL_FAILURES.has(why);
}

class ProxyHeaderReader {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;

  constructor(
    private readonly h: StreamHandle,
    private readonly events: ProxyHeaderDone,
    timeoutMs: number,
  ) {
    // The socket keeps the process alive while it is open; the timer need not.
    if (timeoutMs > 0) this.timer = setTimeout(onTimeout, timeoutMs, this).unref();
  }

  read(n: number): void {
    if (this.done) return;
    if (n === 0) return;
    if (n < 0) {
      this.fail(n === UV_EOF ? 'empty' : 'abort');
      return;
    }
    const data = readData(this.h, n);
    const r = decodeProxyHeader(data);
    // HAProxy 2.6 takes the header from its first read only: what is not whole by then is
    // truncated (seen side by side: a partial line is closed at once, not at the timeout).
    if (r.kind === 'need-more') {
      this.fail('truncated');
      return;
    }
    if (r.kind === 'invalid') {
      this.fail(r.error);
      return;
    }
    this.finish();
    // A copy: the shared read buffer is overwritten by the next read of any handle.
    const early = r.length < data.length ? data.slice(r.length) : undefined;
    const addresses = r.command === 'proxy' ? { src: r.src, dst: r.dst } : undefined;
    this.events.header(this.h, addresses, early);
  }

  timedOut(): void {
    this.timer = undefined;
    if (!this.done) this.fail('timeout');
  }

  private fail(why: ProxyHeaderFailure): void {
    this.finish();
    this.events.failed(this.h, why);
  }

  private finish(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.h.readStop();
    // A libuv handle's onread must stay a function; the next owner sets its own.
    this.h.onread = ignoreRead;
    this.h.owner = undefined;
  }
}

function ignoreRead(): void {}

function onTimeout(r: ProxyHeaderReader): void {
  r.timedOut();
}

function onRead(this: StreamHandle): void {
  (this.owner as ProxyHeaderReader).read(readResult());
}

/** Starts reading `h`'s PROXY header; exactly one of `done`'s calls follows. */
export function readProxyHeader(h: StreamHandle, timeoutMs: number, done: ProxyHeaderDone): void {
  const r = new ProxyHeaderReader(h, done, timeoutMs);
  h.owner = r;
  h.onread = onRead;
  readIntoShared(h);
  if (h.readStart() < 0) r.read(-32);
}
