// vrrp_sync_group (Keepalived 2.2.7 vrrp_sync.c): members change state together, on a fake
// clock; lines in the order Keepalived prints them. VI_1 (VRID 50) and VI_2 (VRID 51) in group G1; VI_2 tracks the file `f` with
// weight 0 so a test can fault it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeepalived } from '../../src/config/keepalived/index.js';
import { buildAdvert } from '../../src/vrrp/advert.js';
import { ignoredWeightMessages, instanceSettings } from '../../src/vrrp/settings.js';
import { VrrpInstance } from '../../src/vrrp/state-machine.js';
import { effectsOf, type SyncGroupEffect, VrrpSyncGroup } from '../../src/vrrp/sync-group.js';
import type { VrrpEffect, VrrpInstanceSettings } from '../../src/vrrp/types.js';
import { settings } from './vrrp-sim.js';

type Fx = SyncGroupEffect[];
const logs = (fx: Fx) =>
  fx.flatMap(({ effect: e }) => (e.type === 'Log' && !e.detail ? [e.text] : []));
const of = (fx: Fx, name: string) => effectsOf(fx, name);
const adverts = (fx: VrrpEffect[]) =>
  fx.flatMap((e) => (e.type === 'SendAdvert' ? [e.priority] : []));
const downAt = (fx: VrrpEffect[]) =>
  fx.flatMap((e) => (e.type === 'ArmTimer' && e.kind === 'masterDown' ? [e.at] : []))[0];

function group(over: Partial<VrrpInstanceSettings> = {}, start: Record<string, number> = {}) {
  const s1 = settings({ name: 'VI_1', vrid: 50, ...over });
  const s2 = settings({
    name: 'VI_2',
    vrid: 51,
    vips: ['198.51.100.101'],
    trackFiles: [{ name: 'f', weight: 0, reverse: false }],
    ...over,
  });
  const vi1 = new VrrpInstance(s1);
  const vi2 = new VrrpInstance(s2);
  const g = new VrrpSyncGroup('G1', [vi1, vi2]);
  const fx = g.start(0, { VI_2: { type: 'Startup', files: { f: start.f ?? 0 } } });
  const state = () => [vi1.snapshot().state, vi2.snapshot().state];
  return { s1, s2, vi1, vi2, g, fx, state };
}

/** Both members MASTER (state MASTER: each wants it, so the first timeout takes both). */
function bothMaster() {
  const h = group({ initialState: 'MASTER' });
  const at = downAt(of(h.fx, 'VI_1'))!;
  const fx = h.g.handle('VI_1', { type: 'TimerFired', kind: 'masterDown' }, at);
  assert.deepEqual(h.state(), ['MASTER', 'MASTER']);
  return { ...h, fx, t: at };
}

describe('vrrp_sync_group', () => {
  it('starts every member in BACKUP; the group is BACKUP', () => {
    const h = group();
    assert.deepEqual(h.state(), ['BACKUP', 'BACKUP']);
    assert.equal(h.g.state, 'BACKUP');
    assert.deepEqual(logs(h.fx), [
      '(VI_1) Entering BACKUP STATE (init)',
      '(VI_2) Entering BACKUP STATE (init)',
    ]);
  });

  it('a member becomes MASTER only when the others want it; then the group follows it', () => {
    const h = group();
    const t1 = downAt(of(h.fx, 'VI_1'))!;
    // VI_1 times out but VI_2 still wants BACKUP: VI_1 waits in BACKUP, timer restarted.
    const fx1 = h.g.handle('VI_1', { type: 'TimerFired', kind: 'masterDown' }, t1);
    assert.deepEqual(h.state(), ['BACKUP', 'BACKUP']);
    assert.deepEqual(adverts(of(fx1, 'VI_1')), []);
    assert.equal(downAt(of(fx1, 'VI_1')), t1 + 3609.375);
    // VI_2 times out: VI_1 wants MASTER now, so VI_2 goes and takes VI_1 along.
    const fx2 = h.g.handle('VI_2', { type: 'TimerFired', kind: 'masterDown' }, t1 + 1);
    assert.deepEqual(h.state(), ['MASTER', 'MASTER']);
    assert.equal(h.g.state, 'MASTER');
    assert.deepEqual(logs(fx2), [
      '(VI_2) Entering MASTER STATE',
      'VRRP_Group(G1) Syncing instances to MASTER state',
      '(VI_1) Entering MASTER STATE',
    ]);
    assert.deepEqual(adverts(of(fx2, 'VI_1')), [100]);
    assert.ok(of(fx2, 'VI_1').some((e) => e.type === 'AddVips'));
  });

  it('one member to FAULT takes the others to FAULT (priority 0 from a MASTER); back up: BACKUP together', () => {
    const h = bothMaster();
    const fx = h.g.handle('VI_2', { type: 'TrackFileChanged', file: 'f', value: 1 }, h.t + 100);
    assert.deepEqual(h.state(), ['FAULT', 'FAULT']);
    assert.equal(h.g.state, 'FAULT');
    assert.deepEqual(logs(fx), [
      '(VI_2) Entering FAULT STATE',
      'VRRP_Group(G1) Syncing instances to FAULT state',
      '(VI_1) Entering FAULT STATE',
    ]);
    assert.deepEqual(adverts(of(fx, 'VI_1')), [0]);
    assert.ok(of(fx, 'VI_1').some((e) => e.type === 'RemoveVips'));
    const up = h.g.handle('VI_2', { type: 'TrackFileChanged', file: 'f', value: 0 }, h.t + 200);
    assert.deepEqual(h.state(), ['BACKUP', 'BACKUP']);
    assert.deepEqual(logs(up), [
      '(VI_2) Entering BACKUP STATE',
      'VRRP_Group(G1) Syncing instances to BACKUP state',
      '(VI_1) Entering BACKUP STATE',
    ]);
  });

  it('a BACKUP member is moved to FAULT without a line of its own (Keepalived bodge)', () => {
    const h = group();
    const fx = h.g.handle('VI_2', { type: 'TrackFileChanged', file: 'f', value: 1 }, 10);
    assert.deepEqual(h.state(), ['FAULT', 'FAULT']);
    assert.deepEqual(logs(fx), [
      '(VI_2) Entering FAULT STATE',
      'VRRP_Group(G1) Syncing instances to FAULT state',
    ]);
    assert.ok(of(fx, 'VI_1').some((e) => e.type === 'Notify' && e.state === 'FAULT'));
  });

  it('a MASTER that hears a higher priority takes the group to BACKUP', () => {
    const h = bothMaster();
    const bytes = buildAdvert({ ...h.s1 }, 150, {
      src: '198.51.100.2',
      dst: '224.0.0.18',
      ipId: 1,
    });
    const fx = h.g.handle('VI_1', { type: 'PacketReceived', datagram: { bytes } }, h.t + 50);
    assert.deepEqual(h.state(), ['BACKUP', 'BACKUP']);
    assert.deepEqual(logs(fx), [
      '(VI_1) Master received advert from 198.51.100.2 with higher priority 150, ours 100',
      '(VI_1) Entering BACKUP STATE',
      'VRRP_Group(G1) Syncing instances to BACKUP state',
      '(VI_2) Entering BACKUP STATE',
    ]);
    assert.ok(of(fx, 'VI_2').some((e) => e.type === 'RemoveVips'));
    // The member that heard the advert names its sender; the other follows its group.
    const reasons = fx.flatMap(({ member, effect: e }) =>
      e.type === 'Transition' ? [`${member} ${e.from} -> ${e.to}: ${e.reason}`] : [],
    );
    assert.deepEqual(reasons, [
      'VI_1 MASTER -> BACKUP: higher priority advert from 198.51.100.2 (priority 150, ours 100)',
      'VI_2 MASTER -> BACKUP: sync group',
    ]);
  });

  it('a member faulty at start puts the group in FAULT: the others start in FAULT too', () => {
    const h = group({}, { f: 1 });
    assert.deepEqual(h.state(), ['FAULT', 'FAULT']);
    assert.equal(h.g.state, 'FAULT');
    assert.deepEqual(logs(h.fx), [
      '(VI_2): entering FAULT state (tracked file f has status -254)',
      'VRRP_Group(G1): Syncing VI_2 to FAULT state',
      '(VI_1) entering FAULT state',
      '(VI_2) entering FAULT state',
    ]);
    for (const name of ['VI_1', 'VI_2']) {
      assert.ok(
        of(h.fx, name).some((e) => e.type === 'Notify' && e.state === 'FAULT'),
        name,
      );
    }
    // The file clears: both come up as BACKUP.
    h.g.handle('VI_2', { type: 'TrackFileChanged', file: 'f', value: 0 }, 100);
    assert.deepEqual(h.state(), ['BACKUP', 'BACKUP']);
  });

  it('a member whose weight-0 script has not run yet holds the group (INIT) until it reports', () => {
    const track = [{ name: 'chk', weight: 0, reverse: false, initFail: false }];
    const vi1 = new VrrpInstance(settings({ name: 'VI_1', vrid: 50 }));
    const vi2 = new VrrpInstance(settings({ name: 'VI_2', vrid: 51, trackScripts: track }));
    const g = new VrrpSyncGroup('G1', [vi1, vi2]);
    const fx = g.start(0);
    assert.equal(g.state, 'INIT');
    assert.deepEqual([vi1.snapshot().state, vi2.snapshot().state], ['FAULT', 'FAULT']);
    assert.deepEqual(logs(fx), [], 'waiting for a script is silent');
    const up = g.handle('VI_2', { type: 'ScriptResult', script: 'chk', ok: true }, 500);
    assert.deepEqual([vi1.snapshot().state, vi2.snapshot().state], ['BACKUP', 'BACKUP']);
    assert.deepEqual(logs(up), [
      '(VI_2) Entering BACKUP STATE',
      'VRRP_Group(G1) Syncing instances to BACKUP state',
      '(VI_1) Entering BACKUP STATE',
    ]);
  });

  it('two faulty members: the group stays FAULT until the last one recovers', () => {
    const h = bothMaster();
    h.g.handle('VI_2', { type: 'TrackFileChanged', file: 'f', value: 1 }, h.t + 10);
    h.g.handle('VI_1', { type: 'LinkChanged', ifname: 'ens33', up: false }, h.t + 20);
    assert.equal(h.g.numMemberFault, 2);
    h.g.handle('VI_2', { type: 'TrackFileChanged', file: 'f', value: 0 }, h.t + 30);
    assert.deepEqual(h.state(), ['FAULT', 'FAULT']);
    h.g.handle('VI_1', { type: 'LinkChanged', ifname: 'ens33', up: true }, h.t + 40);
    assert.deepEqual(h.state(), ['BACKUP', 'BACKUP']);
    assert.equal(h.g.numMemberFault, 0);
  });
});

describe('tracking weights in a sync group or for an address owner (vrrp_complete_instance)', () => {
  const text = (prio: number) => `vrrp_script chk {
    script "/bin/true"
    weight -2
}
vrrp_script chk0 {
    script "/bin/true"
    weight 0
}
track_file f1 {
    file /tmp/halo-sync-f1
}
track_file f5 {
    file /tmp/halo-sync-f5
    weight 5
}
vrrp_instance VI_1 {
    state BACKUP
    interface ens33
    virtual_router_id 50
    priority ${prio}
    virtual_ipaddress {
        198.51.100.100
    }
    track_script {
        chk
        chk0
    }
    track_interface {
        eth1 weight -10
    }
    track_file {
        f1
        f5
    }
}
`;
  function context(prio: number, inSyncGroup: boolean) {
    const t = text(prio);
    const host = { readFile: () => t, glob: () => [] };
    const { config } = parseKeepalived({ path: 'k.conf', text: t }, host, { offline: true });
    assert.ok(config);
    const ctx = {
      globalDefs: config.globalDefs,
      scripts: config.scripts,
      trackFiles: config.trackFiles,
      primaryAddress: '198.51.100.1',
      inSyncGroup,
    };
    return { inst: config.instances[0]!, ctx };
  }
  function resolved(prio: number, inSyncGroup: boolean) {
    const { inst, ctx } = context(prio, inSyncGroup);
    return instanceSettings(inst, ctx);
  }

  it("says what it ignores in Keepalived's words", () => {
    const sync = context(100, true);
    assert.deepEqual(ignoredWeightMessages(sync.inst, sync.ctx), [
      '(VI_1) ignoring eth1 tracked interface weight due to SYNC group',
      '(VI_1) ignoring tracked script chk with weights due to SYNC group',
      '(VI_1) ignoring weight from tracked file f1 due to SYNC group. specify weight 0',
      '(VI_1) ignoring tracked file f5 with weight 5 due to SYNC group',
    ]);
    const owner = context(255, false);
    assert.deepEqual(ignoredWeightMessages(owner.inst, owner.ctx), [
      '(VI_1) ignoring eth1 tracked interface due to address owner',
      '(VI_1) ignoring tracked script chk with weights due to address_owner',
      '(VI_1) ignoring weight from tracked file f1 due to address_owner. specify weight 0',
      '(VI_1) ignoring tracked file f5 with weight 5 due to address_owner',
    ]);
    const alone = context(100, false);
    assert.deepEqual(ignoredWeightMessages(alone.inst, alone.ctx), []);
  });

  it('alone: every weight as written', () => {
    const s = resolved(100, false);
    assert.deepEqual(
      s.trackScripts.map((t) => [t.name, t.weight]),
      [
        ['chk', -2],
        ['chk0', 0],
      ],
    );
    assert.deepEqual(s.trackInterfaces, [{ name: 'eth1', weight: -10, reverse: false }]);
    assert.deepEqual(
      s.trackFiles.map((t) => [t.name, t.weight]),
      [
        ['f1', 1],
        ['f5', 5],
      ],
    );
  });

  it('in a sync group: weighted script dropped, interface weight 0, file weight 1 -> 0, 5 dropped', () => {
    const s = resolved(100, true);
    assert.deepEqual(
      s.trackScripts.map((t) => t.name),
      ['chk0'],
    );
    assert.deepEqual(s.trackInterfaces, [{ name: 'eth1', weight: 0, reverse: false }]);
    assert.deepEqual(
      s.trackFiles.map((t) => [t.name, t.weight]),
      [['f1', 0]],
    );
  });

  it('address owner: the weighted interface is not tracked at all', () => {
    const s = resolved(255, false);
    assert.deepEqual(s.trackInterfaces, []);
    assert.deepEqual(
      s.trackFiles.map((t) => [t.name, t.weight]),
      [['f1', 0]],
    );
  });
});
