// track_file: what Keepalived 2.2.7 reads from the file (strtol base 0, 127 bytes, the
// INT32 range), the status a value gives per weight, and the state machine's handling of
// TrackFileChanged (priority moves, weight 0 FAULT, the start-up FAULT line).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VrrpInstance } from '../../src/vrrp/state-machine.js';
import {
  clampedStatus,
  readTrackFileValue,
  TRACK_FILE_FAULT,
  trackFileStatus,
} from '../../src/vrrp/track-file.js';
import type { TrackedFile, VrrpEffect } from '../../src/vrrp/types.js';
import { settings } from './vrrp-sim.js';

const enc = (s: string) => new TextEncoder().encode(s);
const logs = (fx: VrrpEffect[], detail = false) =>
  fx.flatMap((e) => (e.type === 'Log' && (detail || !e.detail) ? [e.text] : []));
const adverts = (fx: VrrpEffect[]) =>
  fx.flatMap((e) => (e.type === 'SendAdvert' ? [e.priority] : []));
const armed = (fx: VrrpEffect[], kind: string) =>
  fx.flatMap((e) => (e.type === 'ArmTimer' && e.kind === kind ? [e.at] : []));

describe('readTrackFileValue (process_track_file)', () => {
  const rows: [string, number | string][] = [
    ['5\n', 5],
    ['  -3', -3],
    ['+7', 7],
    ['10 apples', 10],
    ['apples', 0],
    ['', 0],
    ['\n', 0],
    ['0x1f', 31],
    ['0X10\n', 16],
    ['0x', 0],
    ['010', 8],
    ['09', 0], // octal stops at 9
    ['-0x10', -16],
    ['2147483647', 2147483647],
    ['2147483648', 2147483648], // INT32_MAX + 1 is let through
    ['-2147483648', -2147483648],
    ['2147483649', 'Invalid 2147483649'],
    ['-2147483649', 'Invalid -2147483649'],
    ['99999999999999999999', 'Invalid 9223372036854775807'], // ERANGE: LONG_MAX
    ['-99999999999999999999', 'Invalid -9223372036854775808'],
    [`${' '.repeat(127)}9`, 0], // only 127 bytes are read
    [`${' '.repeat(126)}42`, 4],
  ];
  for (const [text, want] of rows) {
    it(`${JSON.stringify(text.length > 20 ? `${text.trim()} at byte ${text.indexOf(text.trim())}` : text)} -> ${want}`, () => {
      const r = readTrackFileValue(enc(text));
      if (typeof want === 'number') assert.deepEqual(r, { ok: true, value: want });
      else assert.deepEqual(r, { ok: false, printed: want.slice('Invalid '.length) });
    });
  }
  it('an unreadable or missing file counts as 0', () => {
    assert.deepEqual(readTrackFileValue(undefined), { ok: true, value: 0 });
  });
});

describe('trackFileStatus / clampedStatus', () => {
  // value, weight, reverse, status (saturating, clamped), status (wrapped, clamped)
  const rows: [number, number, boolean, number, number][] = [
    [0, 0, false, 0, 0],
    [1, 0, false, TRACK_FILE_FAULT, TRACK_FILE_FAULT],
    [-5, 0, false, TRACK_FILE_FAULT, TRACK_FILE_FAULT],
    [0, 0, true, TRACK_FILE_FAULT, TRACK_FILE_FAULT],
    [3, 0, true, 0, 0],
    [1, -10, false, -10, -10],
    [2, 10, false, 20, 20],
    [2, 10, true, -20, -20],
    [30, 10, false, 253, 253],
    [-30, 10, false, TRACK_FILE_FAULT, TRACK_FILE_FAULT], // -300: a weighted file can FAULT
    [-25, 10, false, -250, -250],
    // 2^31 x 2 wraps to 0 as an int; saturates as weight_range does.
    [2147483648, 2, false, 253, 0],
  ];
  for (const [v, w, rev, sat, wrap] of rows) {
    it(`value ${v}, weight ${w}${rev ? ' reverse' : ''}: ${sat} (previous: ${wrap})`, () => {
      assert.equal(clampedStatus(v, w, rev, false), sat);
      assert.equal(clampedStatus(v, w, rev, true), wrap);
    });
  }
  it('the start-up status is printed unclamped', () => {
    assert.equal(trackFileStatus(-30, 10, false, true), -300);
    assert.equal(trackFileStatus(1, 0, false, true), -254);
  });
});

function instance(files: TrackedFile[], start: Record<string, number> = {}, priority = 100) {
  const vi = new VrrpInstance(settings({ trackFiles: files, priority }));
  const fx = vi.handle({ type: 'Startup', files: start }, 0);
  return { vi, fx };
}

/** Runs a BACKUP instance into MASTER. */
function toMaster(vi: VrrpInstance, fx: VrrpEffect[]): number {
  const down = armed(fx, 'masterDown')[0]!;
  vi.handle({ type: 'TimerFired', kind: 'masterDown' }, down);
  assert.equal(vi.snapshot().state, 'MASTER');
  return down;
}

describe('state machine: TrackFileChanged', () => {
  it('weight -10: value x weight moves the effective priority, with the Keepalived line', () => {
    const { vi } = instance([{ name: 'tf', weight: -10, reverse: false }]);
    assert.equal(vi.snapshot().effectivePriority, 100);
    const fx = vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 1 }, 10);
    assert.deepEqual(logs(fx), ['(VI_1) Changing effective priority from 100 to 90']);
    const fx2 = vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 3 }, 20);
    assert.deepEqual(logs(fx2), ['(VI_1) Changing effective priority from 90 to 70']);
    // The same value again changes nothing.
    assert.deepEqual(vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 3 }, 30), []);
    const fx3 = vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 0 }, 40);
    assert.deepEqual(logs(fx3), ['(VI_1) Changing effective priority from 70 to 100']);
  });

  it('reverse negates; the priority is clamped to 1..254 but the total is kept', () => {
    const { vi } = instance([{ name: 'tf', weight: 10, reverse: true }], {}, 20);
    vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 5 }, 10);
    assert.equal(vi.snapshot().effectivePriority, 1); // 20 - 50
    vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 1 }, 20);
    assert.equal(vi.snapshot().effectivePriority, 10);
    vi.handle({ type: 'TrackFileChanged', file: 'tf', value: -30 }, 30);
    assert.equal(vi.snapshot().effectivePriority, 254); // 20 + 253 (status clamped to 253)
  });

  it('the value at start counts, and a large enough negative status is a FAULT with its line', () => {
    const a = instance([{ name: 'tf', weight: 5, reverse: false }], { tf: 4 });
    assert.equal(a.vi.snapshot().effectivePriority, 120);
    assert.equal(a.vi.snapshot().state, 'BACKUP');
    const b = instance([{ name: 'tf', weight: 10, reverse: false }], { tf: -30 });
    assert.equal(b.vi.snapshot().state, 'FAULT');
    assert.ok(
      logs(b.fx).includes('(VI_1): entering FAULT state (tracked file tf has status -300)'),
    );
    // Leaving FAULT sets the priority without the "Changing" line (Keepalived does the same).
    const fx = b.vi.handle({ type: 'TrackFileChanged', file: 'tf', value: -2 }, 10);
    assert.equal(b.vi.snapshot().state, 'BACKUP');
    assert.equal(b.vi.snapshot().effectivePriority, 80);
    assert.deepEqual(logs(fx), ['(VI_1) Entering BACKUP STATE']);
    assert.ok(logs(fx, true).includes('(VI_1) Setting effective priority to 80'));
  });

  it('weight 0: a non-zero value is FAULT (priority 0 sent when MASTER); 0 brings it back', () => {
    const { vi, fx } = instance([{ name: 'tf', weight: 0, reverse: false }]);
    const t = toMaster(vi, fx);
    const f = vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 7 }, t + 10);
    assert.equal(vi.snapshot().state, 'FAULT');
    assert.deepEqual(adverts(f), [0, 0]);
    assert.ok(f.some((e) => e.type === 'RemoveVips'));
    assert.deepEqual(logs(f), ['(VI_1) Entering FAULT STATE']);
    assert.ok(logs(f, true).includes('(VI_1): tracked file tf now FAULT state'));
    // Another non-zero value: still FAULT, nothing happens.
    assert.deepEqual(vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 2 }, t + 20), []);
    const b = vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 0 }, t + 30);
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.deepEqual(logs(b), ['(VI_1) Entering BACKUP STATE']);
    assert.equal(vi.snapshot().effectivePriority, 100);
  });

  it('weight 0 reverse: FAULT while the file holds 0, including at start', () => {
    const { vi, fx } = instance([{ name: 'tf', weight: 0, reverse: true }]);
    assert.equal(vi.snapshot().state, 'FAULT');
    assert.ok(logs(fx).includes('(VI_1): entering FAULT state (tracked file tf has status -254)'));
    vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 1 }, 10);
    assert.equal(vi.snapshot().state, 'BACKUP');
  });

  it('a file FAULT and an interface FAULT both have to clear', () => {
    const { vi } = instance([{ name: 'tf', weight: 0, reverse: false }]);
    vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 1 }, 10);
    vi.handle({ type: 'LinkChanged', ifname: 'ens33', up: false }, 20);
    vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 0 }, 30);
    assert.equal(vi.snapshot().state, 'FAULT');
    vi.handle({ type: 'LinkChanged', ifname: 'ens33', up: true }, 40);
    assert.equal(vi.snapshot().state, 'BACKUP');
  });

  it('an address owner keeps 255 whatever the file says', () => {
    const vi = new VrrpInstance(
      settings({
        priority: 255,
        initialState: 'MASTER',
        trackFiles: [{ name: 'tf', weight: -10, reverse: false }],
      }),
    );
    vi.handle({ type: 'Startup', files: { tf: 1 } }, 0);
    vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 5 }, 10);
    assert.equal(vi.snapshot().effectivePriority, 255);
  });

  it('a file the instance does not track, or an event after Shutdown, changes nothing', () => {
    const { vi } = instance([{ name: 'tf', weight: -10, reverse: false }]);
    assert.deepEqual(vi.handle({ type: 'TrackFileChanged', file: 'other', value: 9 }, 10), []);
    vi.handle({ type: 'Shutdown' }, 20);
    assert.deepEqual(vi.handle({ type: 'TrackFileChanged', file: 'tf', value: 9 }, 30), []);
  });
});
