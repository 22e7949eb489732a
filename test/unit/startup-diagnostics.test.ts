// What `halo proxy` and `halo run` print of their files' diagnostics at start: HAProxy's
// warnings and the haproxy.cfg lines halo does not apply as one [WARNING] line each with
// file:line, Keepalived's warnings and the keepalived.conf lines halo does not apply as one
// Keepalived log line each, halo's own advice of every file summed up in one line, and
// everything in full when an error stops the start.

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

  it('keepalived.conf: Keepalived-style lines, advice counted with the haproxy.cfg one', () => {
    const k = (over: Partial<Diagnostic>) => d({ file: 'k.conf', origin: 'keepalived', ...over });
    const out = startupDiagnostics(
      [
        d({ line: 8, code: 'HALO_MODE_TRAP', origin: 'halo', message: 'c', hint: 'd' }),
        // logged by the VRRP daemon when it sets up the scripts, as Keepalived does
        k({ line: 6, code: 'KA_SCRIPT_SECURITY', message: 'SECURITY VIOLATION - ...' }),
        k({ line: 7, code: 'KA_INCLUDE_NOT_FOUND', message: "Config files missing 'x.conf'." }),
        k({ line: 9, code: 'HALO_UNSUPPORTED_KEYWORD', origin: 'halo', message: "'y' ignored" }),
        k({ line: 10, code: 'HALO_AUTH_AH_UNSUPPORTED', origin: 'halo', message: 'no AH' }),
        k({ line: 20, code: 'HALO_AUTH_PASS_CLEARTEXT', origin: 'halo', message: 'e' }),
        k({ line: 27, code: 'HALO_BUILTIN_TRACKER', severity: 'notice', origin: 'halo' }),
      ],
      ['h.cfg', 'k.conf'],
    );
    assert.deepEqual(out, [
      { level: 'keepalived', text: "(k.conf: Line 7) Config files missing 'x.conf'." },
      { level: 'keepalived', text: "(k.conf: Line 9) 'y' ignored" },
      { level: 'keepalived', text: '(k.conf: Line 10) no AH' },
      {
        level: 'NOTICE',
        text: "config : halo check has 3 more findings for this configuration; run 'halo check -f h.cfg -f k.conf' for details.",
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
