// Request body framing (Content-Length and chunked), to find where a message ends.
//
// The gate in front of node:http hands it one message at a time; it must know where each
// body ends without buffering it, and refuse bad chunk framing with a 400 as HAProxy does
// (llhttp only stops parsing, and the client got no answer). Bytes pass through
// unchanged. Pure: no `node:` import.

import type { BodyFraming } from './h1-request.js';
import { TCHAR } from './h1-request.js';

export type BodyStep =
  /** `used` bytes belong to the body; `done` when its last byte was among them. */
  | { readonly ok: true; readonly used: number; readonly done: boolean }
  | { readonly ok: false; readonly reason: string };

const CR = 13;
const LF = 10;
/** Longest chunk-size line (size, extensions) or trailer line taken. */
const MAX_LINE = 4096;
/** Chunk sizes up to 2^53 - 1: 13 hex digits and a bit. */
const MAX_SIZE_DIGITS = 13;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

type ChunkState = 'size' | 'data' | 'data-end' | 'trailer';

export class BodyFramer {
  private remaining: number;
  private state: ChunkState = 'size';
  /** Bytes of the size or trailer line being read; an empty trailer line ends the body. */
  private line: number[] = [];
  readonly chunked: boolean;

  constructor(framing: BodyFraming) {
    this.chunked = framing.kind === 'chunked';
    this.remaining = framing.kind === 'length' ? framing.length : 0;
  }

  /** Takes what belongs to the body from `buf[from..to)`. */
  step(buf: Uint8Array, from: number, to: number): BodyStep {
    if (!this.chunked) {
      const used = Math.min(this.remaining, to - from);
      this.remaining -= used;
      return { ok: true, used, done: this.remaining === 0 };
    }
    let i = from;
    while (i < to) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, to - i);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      const c = buf[i++]!;
      if (c !== LF) {
        if (this.line.length >= MAX_LINE) return { ok: false, reason: 'chunk line too long' };
        this.line.push(c);
        continue;
      }
      if (this.line[this.line.length - 1] === CR) this.line.pop();
      const line = this.line;
      this.line = [];
      if (this.state === 'size') {
        const size = chunkSize(line);
        if (size < 0) return { ok: false, reason: 'invalid chunk size' };
        if (size === 0) this.state = 'trailer';
        else {
          this.remaining = size;
          this.state = 'data';
        }
      } else if (this.state === 'data-end') {
        if (line.length !== 0) return { ok: false, reason: 'chunk data not followed by CRLF' };
        this.state = 'size';
      } else if (line.length === 0) {
        return { ok: true, used: i - from, done: true };
      } else if (!trailerLine(line)) {
        // HAProxy refuses a trailer that is not a header line with a 400; llhttp would
        // only stop parsing and the client would get no answer.
        return { ok: false, reason: 'invalid trailer line' };
      }
    }
    return { ok: true, used: i - from, done: false };
  }
}

/** The size of a chunk-size line (hex, then optional `;ext`); -1 when invalid. */
function chunkSize(line: readonly number[]): number {
  let size = 0;
  let digits = 0;
  let significant = 0;
  let i = 0;
  for (; i < line.length; i++) {
    const v = hexValue(line[i]!);
    if (v < 0) break;
    // Leading zeros are no part of the size's magnitude (HAProxy takes 17 digits of 0003).
    if ((significant > 0 || v > 0) && ++significant > MAX_SIZE_DIGITS) return -1;
    digits++;
    size = size * 16 + v;
  }
  if (digits === 0) return -1;
  // Optional whitespace, then nothing or an extension.
  while (i < line.length && (line[i] === 32 || line[i] === 9)) i++;
  if (i < line.length && line[i] !== 59) return -1;
  return size;
}

/** Whether a trailer line is `name: value` with a token name. */
function trailerLine(line: readonly number[]): boolean {
  const colon = line.indexOf(58);
  if (colon <= 0) return false;
  for (let i = 0; i < colon; i++) {
    const c = line[i]!;
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}
