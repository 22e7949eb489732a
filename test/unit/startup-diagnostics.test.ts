// What `halo proxy` prints of its config's diagnostics at start: HAProxy's warnings and the
// lines halo does not apply as one [WARNING] line each with file:line, halo's own advice
// summed up in one line, and everything in full when an error stops the start.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { startupDiagnostics } from '../../src/daemon/startup-diagnostics.js';

const d = (over: Partial<Diagnostic>): Diagnostic => ({
  file: 'h.cfg',
  line: 3,
  severity: 'warning',
  code: 'HAP_X',
  message: 'm',
  origin: 'haproxy',
  ...over,
});

describe('start-up diagnostics', () => {
  it('HAProxy warnings and not-applied lines: one line each; advice: one summary', () => {
    const out = startupDiagnostics(
      [
        d({ message: "'option httplog' not usable", hint: 'long advice' }),
        d({ line: 7, code: 'HALO_NOT_APPLIED', origin: 'halo', message: 'halo does not apply x' }),
        d({ line: 8, code: 'HALO_TUNNEL_TIMEOUT', origin: 'halo', message: 'a', hint: 'b' }),
        d({ line: 9, code: 'HALO_MODE_TRAP', origin: 'halo', message: 'c', hint: 'd' }),
      ],
      ['h.cfg'],
    );
    assert.deepEqual(out, [
      { level: 'WARNING', text: "config : parsing [h.cfg:3] : 'option httplog' not usable" },
      { level: 'WARNING', text: 'config : parsing [h.cfg:7] : halo does not apply x' },
      {
        level: 'NOTICE',
        text: "config : halo check has 2 more findings for this configuration; run 'halo check -f h.cfg' for details.",
      },
    ]);
  });

  it('no diagnostics: nothing; an error: every diagnostic in full, hints too', () => {
    assert.deepEqual(startupDiagnostics([], ['h.cfg']), []);
    const out = startupDiagnostics(
      [d({ severity: 'error', message: 'bad', hint: 'fix it' }), d({ line: 5, origin: 'halo' })],
      ['h.cfg'],
    );
    assert.deepEqual(out, [
      { level: undefined, text: 'h.cfg:3: error: bad\n    fix it' },
      { level: undefined, text: 'h.cfg:5: warning: m' },
    ]);
  });
});
