// Properties of the request gate's pure codecs on arbitrary bytes: parseRequestHead and
// RequestGate never throw; an accepted head's canonical text parses to the same head; the
// gate's output does not depend on how the bytes are cut into reads.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseRequestHead } from '../../src/proxy/http/h1-request.js';
import type { GateOutput } from '../../src/proxy/http/request-gate.js';
import { RequestGate } from '../../src/proxy/http/request-gate.js';

const SEED = Number(process.env.HALO_FUZZ_SEED ?? 90210);

/** Bytes that look like HTTP often: request-ish fragments mixed with random bytes. */
const piece = fc.oneof(
  fc.constantFrom('GET / HTTP/1.1\r\n', 'POST /p HTTP/1.0\n', 'Host: a\r\n', 'Host: b\r\n'),
  fc.constantFrom(
    'Content-Length: 3\r\n',
    'Content-Length: 3, 3\r\n',
    'Transfer-Encoding: chunked\r\n',
  ),
  fc.constantFrom('\r\n', '\n', ' folded\r\n', '3\r\nabc\r\n', '0\r\n\r\n', 'X: \x00\x7f\xe9\r\n'),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 12 }).map((b) => String.fromCharCode(...b)),
);
const header = fc.oneof(
  fc.constantFrom('Host: a', 'host: A', 'Host: b', 'Content-Length: 3', 'Content-Length: 03, 3'),
  fc.constantFrom('Transfer-Encoding: chunked', 'X-A:  v  ', ' folded', '\tfolded', 'X: \x00\xe9'),
  fc.constantFrom('Connection: close', 'X-Long: ' + 'x'.repeat(300)),
  fc.stringMatching(/^[A-Za-z-]{1,8}: [\x20-\x7e]{0,10}$/),
  fc.string({ maxLength: 10 }),
);
/** Head text (without its empty line): a request line, then header lines. */
const headText = fc
  .tuple(
    fc.constantFrom(
      'GET / HTTP/1.1',
      'POST /p HTTP/1.0',
      'PUT\t* HTTP/1.1',
      'GET http://a/ HTTP/1.1',
    ),
    fc.array(fc.tuple(header, fc.constantFrom('\r\n', '\n')), { maxLength: 12 }),
  )
  .map(([line, hs]) => `${line}\r\n${hs.map(([h, e]) => h + e).join('')}`);
const toBytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const bytes = fc.oneof(
  fc
    .tuple(headText, fc.array(piece, { maxLength: 10 }))
    .map(([h, p]) => toBytes(`${h}\r\n${p.join('')}`)),
  fc.array(piece, { maxLength: 20 }).map((p) => toBytes(p.join(''))),
);

/** Everything a gate yields for `input` cut at `cuts`, calling next() after each message. */
function drive(input: Uint8Array, cuts: number[]): string[] {
  const gate = new RequestGate();
  const out: string[] = [];
  const take = (outs: GateOutput[]) => {
    let ended = false;
    for (const o of outs) {
      if (o.kind === 'head') out.push(`head ${o.head.canonical}`);
      else if (o.kind === 'body') out.push(`body ${String.fromCharCode(...o.bytes)}`);
      else if (o.kind === 'end') {
        out.push('end');
        ended = true;
      } else out.push(`error ${o.status}`);
    }
    return ended;
  };
  let at = 0;
  for (const cut of [
    ...cuts.filter((c) => c > 0 && c < input.length).sort((a, b) => a - b),
    input.length,
  ]) {
    // A copy: the gate borrows a chunk only for the call.
    let ended = take(gate.feed(input.slice(at, cut)));
    while (ended) ended = take(gate.next());
    at = cut;
  }
  return normalize(out);
}

/**
 * Body bytes merged; a message cut short by an error counts only as the error (whether a
 * bad first chunk is seen with its head, and how much of the body went on before it,
 * depends on the reads by design).
 */
function normalize(out: string[]): string[] {
  const merged: string[] = [];
  for (const o of out) {
    const last = merged[merged.length - 1];
    if (o.startsWith('body ') && last?.startsWith('body '))
      merged[merged.length - 1] = last + o.slice(5);
    else merged.push(o);
  }
  const err = merged.findIndex((o) => o.startsWith('error'));
  if (err < 0) return merged;
  let start = err;
  while (start > 0 && merged[start - 1] !== 'end') start--;
  return [...merged.slice(0, start), merged[err]!];
}

describe('request gate codecs on arbitrary bytes', () => {
  it('parseRequestHead never throws, and a canonical head parses to itself', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          headText,
          bytes.map((b) => String.fromCharCode(...b)),
        ),
        (text) => {
          // As the gate calls it: up to the CR of the last line.
          const r = parseRequestHead(text.replace(/\r?\n$/, '\r'));
          if (!r.ok) return;
          accepted++;
          // The gate hands parseRequestHead the head up to its last line's CR (see readHead).
          const again = parseRequestHead(r.head.canonical.slice(0, -3));
          assert.ok(again.ok, `canonical refused: ${JSON.stringify(r.head.canonical)}`);
          assert.deepEqual(again.head, r.head);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
    assert.ok(accepted > 300, `only ${accepted} heads accepted: the property says little`);
  });

  it('RequestGate never throws and gives the same outputs however the bytes are cut', () => {
    let messages = 0;
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(400), { maxLength: 8 }), (b, cuts) => {
        const whole = drive(b, []);
        if (whole.includes('end')) messages++;
        assert.deepEqual(drive(b, cuts), whole);
        // One byte at a time, the slowest client.
        assert.deepEqual(
          drive(
            b,
            Array.from(b, (_, i) => i),
          ),
          whole,
        );
      }),
      { seed: SEED, numRuns: 1500 },
    );
    assert.ok(messages > 150, `only ${messages} inputs held a whole message`);
  });
});
