// `halo handover` and `halo drill` as pure code: their command lines, and what they read
// back from a node's runtime API (show info + show vrrp, rendered by renderShowVrrp itself,
// so the parser and the renderer cannot drift apart).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDrillArgs } from '../../src/cli/commands/drill.js';
import { parseHandoverArgs } from '../../src/cli/commands/handover.js';
import {
  findNode,
  holdsAll,
  parseNodeStatus,
  serversOf,
  trackedBackends,
} from '../../src/run/node-status.js';
import { renderShowVrrp, type ShownInstance } from '../../src/run/show-vrrp.js';
import { newCounters } from '../../src/vrrp/counters.js';

function shown(over: Partial<ShownInstance>): ShownInstance {
  return {
    name: 'VI_1',
    vrid: 51,
    state: 'BACKUP',
    basePriority: 99,
    effectivePriority: 99,
    masterAddress: '198.51.100.11',
    masterPriority: 100,
    masterAdverIntMs: 1000,
    vipsSet: false,
    lastTransitionAt: 0,
    counters: newCounters(),
    history: [],
    transitions: 0,
    masterChanges: 0,
    trackSources: [
      { name: 'backend kubernetes-apiserver min_up 1', weight: -60, ok: true, part: 0 },
      { name: 'worker', weight: 0, ok: true, part: 0 },
    ],
    degraded: false,
    handover: false,
    address: '198.51.100.12',
    interface: 'eth0',
    vips: ['198.51.100.100/24'],
    ...over,
  };
}

const status = (socket: string, node: string, over: Partial<ShownInstance>) =>
  parseNodeStatus(
    socket,
    `Name: halo\nnode: ${node}\nPid: 42\n`,
    renderShowVrrp([shown(over)], 0, 0),
  )!;

describe('node status from the runtime API', () => {
  it('reads state, priority, VIPs, interface, override, degraded, address, trackers', () => {
    const n = status('/run/m2.sock', 'master2', { handover: true, degraded: true });
    assert.equal(n.node, 'master2');
    assert.deepEqual(n.instances, [
      {
        name: 'VI_1',
        state: 'BACKUP',
        interface: 'eth0',
        effectivePriority: 99,
        vips: ['198.51.100.100/24'],
        handover: true,
        degraded: true,
        address: '198.51.100.12',
      },
    ]);
    assert.deepEqual(trackedBackends(n), ['kubernetes-apiserver']);
  });

  it('finds the --to node by name, address or socket; knows who holds everything', () => {
    const nodes = [
      status('/s1', 'vm', { state: 'MASTER', address: '198.51.100.11' }),
      status('/s2', 'vm', { address: '198.51.100.12' }),
    ];
    assert.equal(findNode(nodes, '198.51.100.12')?.socket, '/s2');
    assert.equal(findNode(nodes, '/s2')?.socket, '/s2');
    assert.equal(findNode(nodes, 'vm')?.socket, '/s1', 'a shared host name: the first');
    assert.equal(findNode(nodes, 'nope'), undefined);
    assert.deepEqual(nodes.map(holdsAll), [true, false]);
  });

  it('halo proxy (no VRRP) is not a node status', () => {
    assert.equal(parseNodeStatus('/s', 'node: x\n', 'No VRRP in this process\n'), undefined);
  });

  it('servers of show servers state', () => {
    const text =
      '1\n# be_id be_name srv_id srv_name srv_addr\n3 kubernetes-apiserver 1 k8s-master1 192.0.2.1 2\n3 kubernetes-apiserver 2 k8s-master2 192.0.2.2 2\n';
    assert.deepEqual(serversOf(text), [
      'kubernetes-apiserver/k8s-master1',
      'kubernetes-apiserver/k8s-master2',
    ]);
  });
});

describe('command lines', () => {
  it('halo handover', () => {
    assert.deepEqual(parseHandoverArgs(['--to', 'master2', '-s', '/a', '-s', 'h:9999']), {
      to: 'master2',
      sockets: ['/a', 'h:9999'],
      cancel: false,
      timeoutMs: 10_000,
    });
    assert.equal(parseHandoverArgs(['--to', 'x']), 'no -s SOCKET given');
    assert.equal(parseHandoverArgs(['-s', '/a']), 'no --to NODE given');
    assert.equal(
      parseHandoverArgs(['--cancel', '--to', 'x', '-s', '/a']),
      '--cancel takes no --to',
    );
    assert.match(
      String(parseHandoverArgs(['--to', 'x', '-s', '/a', '--timeout', '0'])),
      /seconds > 0/,
    );
  });

  it('halo drill', () => {
    const o = parseDrillArgs([
      'freeze',
      '-s',
      '/a',
      '--hold',
      '2.5',
      '--tcp',
      '--probe',
      '10.0.0.1:9443',
    ]);
    assert.ok(typeof o !== 'string');
    assert.equal(o.kind, 'freeze');
    assert.equal(o.holdMs, 2500);
    assert.equal(o.tls, false);
    assert.match(String(parseDrillArgs(['melt', '-s', '/a'])), /unknown drill 'melt'/);
    assert.equal(parseDrillArgs(['freeze']), 'no -s SOCKET given');
    assert.match(String(parseDrillArgs(['freeze', '-s', '/a', '--hold', '9999'])), /0 to 600/);
    assert.equal(
      parseDrillArgs(['kill-apiserver', '-s', '/a', '--stop', 'true']),
      '--stop and --start go together',
    );
  });
});
