// What a request's capture slots hold (`capture request|response header`, `declare
// capture`, `http-request|http-response capture`), and how HAProxy 2.6 logs them: `%hr`/`%hs`
// as `{a|b}`, `%hrl`/`%hsl` as `a b`, with `"#{|}` and bytes outside 32..126 written `#XX`.
// Pure.

import type { Captures } from '../../config/haproxy/model.js';

type Side = 'request' | 'response';

export class CaptureValues {
  readonly request: (string | undefined)[];
  readonly response: (string | undefined)[];

  constructor(readonly slots: Captures) {
    this.request = new Array(slots.request.length).fill(undefined);
    this.response = new Array(slots.response.length).fill(undefined);
  }

  /** Slot `slot` of `side` takes `value`, cut to the slot's length; no such slot: nothing. */
  set(side: Side, slot: number, value: string): void {
    const def = this.slots[side][slot];
    if (def) this[side][slot] = value.slice(0, def.len);
  }

  /**
   * The header slots of `side` from a message's raw headers (name, value, name...): the
   * last occurrence of each header, whole (commas included), as HAProxy captures it.
   */
  captureHeaders(side: Side, raw: readonly string[]): void {
    const slots = this.slots[side];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      for (let s = 0; s < slots.length; s++)
        if (slots[s]!.header === name) this.set(side, s, raw[i + 1]!);
    }
  }

  /** `%hr` / `%hs`: `{a|b}`, or undefined when the frontend has no slot on that side. */
  braced(side: Side): string | undefined {
    if (this[side].length === 0) return undefined;
    return `{${this[side].map((v) => (v === undefined ? '' : encodeCapture(v))).join('|')}}`;
  }

  /** `%hrl` / `%hsl`: the values separated by spaces, `-` for an empty slot. */
  listed(side: Side, quote: boolean): string | undefined {
    if (this[side].length === 0) return undefined;
    return this[side]
      .map((v) => {
        if (v === undefined) return quote ? '""' : '-';
        return quote ? `"${encodeCapture(v)}"` : encodeCapture(v);
      })
      .join(' ');
  }
}

/** HAProxy's log encoding of a captured value. */
export function encodeCapture(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c >= 127 || c === 0x22 || c === 0x23 || c === 0x7b || c === 0x7c || c === 0x7d)
      out += `#${(c & 0xff).toString(16).toUpperCase().padStart(2, '0')}`;
    else out += v[i];
  }
  return out;
}
