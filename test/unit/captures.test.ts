// The capture slots of a request as HAProxy 2.6 fills and logs them (pure code): the last
// occurrence of a header, whole and cut to the slot's length; `%hr` braces, `%hrl` lists
// with '-' for an empty slot; `"#{|}` and bytes outside 32..126 written #XX.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureValues, encodeCapture } from '../../src/proxy/http/captures.js';

const slots = {
  request: [{ len: 5, header: 'x-a' }, { len: 64, header: 'host' }, { len: 4 }],
  response: [{ len: 3, header: 'x-r' }],
};

test('header slots take the last occurrence, whole, cut to their length', () => {
  const c = new CaptureValues(slots);
  c.captureHeaders('request', ['X-A', 'a1, a2', 'Host', 'h', 'x-a', 'b1, b2, b3']);
  assert.deepEqual(c.request, ['b1, b', 'h', undefined]);
  c.set('request', 2, '/pathlong');
  assert.equal(c.request[2], '/pat');
  c.set('request', 7, 'nowhere');
  assert.equal(c.request.length, 3);
});

test('%hr and %hs: braces, | between slots, an empty slot empty', () => {
  const c = new CaptureValues(slots);
  c.set('request', 0, '"c{|}');
  assert.equal(c.braced('request'), '{#22c#7B#7C#7D||}');
  assert.equal(c.braced('response'), '{}');
  assert.equal(new CaptureValues({ request: [], response: [] }).braced('request'), undefined);
});

test('%hrl: spaces between slots, - for an empty one, quoted per value with +Q', () => {
  const c = new CaptureValues(slots);
  c.set('request', 1, 'h h');
  assert.equal(c.listed('request', false), '- h h -');
  assert.equal(c.listed('request', true), '"" "h h" ""');
  c.set('request', 0, '');
  assert.equal(c.listed('request', false), ' h h -');
});

test('the log encoding: controls, DEL and 8-bit bytes, and "#{|}', () => {
  assert.equal(encodeCapture('a\tb\x7f\xe9#'), 'a#09b#7F#E9#23');
  assert.equal(encodeCapture('plain text/1.0'), 'plain text/1.0');
});
