// The haproxy parser's own edit distance gives fastest-levenshtein's answers.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('keyword edit distance (did you mean)', () => {
  it('matches fastest-levenshtein on keyword-like words', async () => {
    const { distance: reference } = await import('fastest-levenshtein');
    const { distance } = await import('../../src/config/haproxy/suggest.js');
    const words = [
      'balance',
      'balanse',
      'blance',
      '',
      'b',
      'timeout',
      'tiemout',
      'option',
      'mode',
      'server',
      'srever',
      'default_backend',
      'default-backend',
      'maxconn',
      'maxcon',
    ];
    for (const a of words)
      for (const b of words) assert.equal(distance(a, b), reference(a, b), `${a}/${b}`);
  });
});
