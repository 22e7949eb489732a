// vrrp_script rise/fall as Keepalived 2.2.7 counts it (vrrp_script_child_thread).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ScriptOutcome, VrrpScriptTracker } from '../../src/vrrp/script-tracker.js';

const ok: ScriptOutcome = { kind: 'exit', status: 0 };
const fail1: ScriptOutcome = { kind: 'exit', status: 1 };

function run(t: VrrpScriptTracker, outcomes: ScriptOutcome[]) {
  return outcomes.map((o) => t.record(o));
}

describe('vrrp_script tracker', () => {
  it("the article's check_haproxy (rise 3, fall 3): one success at start, 3 failures, 3 successes", () => {
    const t = new VrrpScriptTracker({ name: 'check_haproxy', rise: 3, fall: 3, initFail: false });
    assert.equal(t.status, 'init');
    const [first, second] = run(t, [ok, ok]);
    assert.deepEqual(first, { logs: ['VRRP_Script(check_haproxy) succeeded'], changed: true });
    assert.deepEqual(second, { logs: [] });
    assert.equal(t.status, 'good');
    const down = run(t, [fail1, fail1, fail1, fail1]);
    assert.deepEqual(down, [
      { logs: ['Script `check_haproxy` now returning 1'] },
      { logs: [] },
      { logs: ['VRRP_Script(check_haproxy) failed (exited with status 1)'], changed: false },
      { logs: [] },
    ]);
    assert.equal(t.status, 'bad');
    const up = run(t, [ok, ok, ok, ok]);
    assert.deepEqual(up, [
      { logs: ['Script `check_haproxy` now returning 0'] },
      { logs: [] },
      { logs: ['VRRP_Script(check_haproxy) succeeded'], changed: true },
      { logs: [] },
    ]);
  });

  it('a single failure among successes changes nothing', () => {
    const t = new VrrpScriptTracker({ name: 'c', rise: 3, fall: 3, initFail: false });
    run(t, [ok]);
    const r = run(t, [fail1, ok, fail1, ok, fail1, fail1, ok]);
    assert.ok(r.every((x) => x.changed === undefined));
    assert.equal(t.status, 'good');
  });

  it('a first failure at start is reported at once', () => {
    const t = new VrrpScriptTracker({ name: 'c', rise: 2, fall: 2, initFail: false });
    assert.deepEqual(t.record({ kind: 'exit', status: 2 }), {
      logs: ['Script `c` now returning 2', 'VRRP_Script(c) failed (exited with status 2)'],
      changed: false,
    });
    assert.equal(t.status, 'bad');
  });

  it('init_fail: starts bad and needs `rise` successes', () => {
    const t = new VrrpScriptTracker({ name: 'c', rise: 2, fall: 1, initFail: true });
    assert.equal(t.status, 'bad');
    assert.deepEqual(run(t, [ok, ok]), [
      { logs: [] },
      { logs: ['VRRP_Script(c) succeeded'], changed: true },
    ]);
  });

  it('signals and timeouts are failures with their own wording', () => {
    const t = new VrrpScriptTracker({ name: 'c', rise: 1, fall: 1, initFail: false });
    run(t, [ok]);
    assert.deepEqual(t.record({ kind: 'signal', signal: 9 }), {
      logs: ['VRRP_Script(c) failed (due to signal 9)'],
      changed: false,
    });
    run(t, [ok]);
    assert.deepEqual(t.record({ kind: 'timeout' }), {
      logs: ['VRRP_Script(c) timed_out'],
      changed: false,
    });
  });
});
