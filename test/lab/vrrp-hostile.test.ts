// Lab test 4: hostile VRRP packets injected from a third namespace on the bridge (raw
// IPv4 with our own header) at a halo MASTER and a halo BACKUP. Each carries priority 254,
// so accepting one would move the VIP. Every kind is dropped, counted by reason in the
// SIGUSR1 state dump, logged like Keepalived, and changes no state, even in a flood.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { VrrpDump } from '../../src/daemon/vrrp-daemon.js';
import { internetChecksum } from '../../src/os/frames.js';
import { AF, IP, SOCK, SOL, sockaddrIn } from '../../src/os/linux-abi.js';
import { RawSocket } from '../../src/os/raw-socket.js';
import { buildAdvert } from '../../src/vrrp/index.js';
import { labSkipReason } from './netns.js';
import {
  articleNodes,
  sleep,
  startFirstThenOthers,
  startGroup,
  teardown,
  VIP,
  type VrrpGroup,
  type VrrpNode,
} from './vrrp-harness.js';

const skip = labSkipReason() ?? (existsSync('/usr/bin/socat') ? undefined : 'needs socat');

const IPPROTO_RAW = 255;
const ATTACKER = '198.51.100.13';

/** A valid priority-254 advert of VI_1 as a whole IPv4 datagram, then spoiled by `spoil`. */
function hostile(spoil: (ip: Uint8Array) => Uint8Array): Uint8Array {
  const s = {
    version: 2 as const,
    family: 4 as const,
    vrid: 50,
    advertIntMs: 1000,
    vips: [VIP],
    authType: 1,
    authPass: '123456',
  };
  const ip = buildAdvert(s, 254, { src: ATTACKER, dst: '224.0.0.18', ipId: 7 });
  return spoil(Uint8Array.from(ip));
}

/** Recomputes the VRRP checksum after a change (so only the intended check fails). */
function resum(ip: Uint8Array): Uint8Array {
  const v = ip.subarray(20);
  v[6] = 0;
  v[7] = 0;
  const sum = internetChecksum([v]);
  v[6] = sum >> 8;
  v[7] = sum & 0xff;
  return ip;
}

function withTotalLength(ip: Uint8Array): Uint8Array {
  ip[2] = ip.length >> 8;
  ip[3] = ip.length & 0xff;
  return ip;
}

const KINDS: { name: string; reason: string; packet: Uint8Array; log?: RegExp }[] = [
  {
    name: 'TTL 254',
    reason: 'ttl',
    packet: hostile((ip) => {
      ip[8] = 254;
      return ip;
    }),
    log: /\(VI_1\) invalid TTL\/HL\. Received 254 and expect 255/,
  },
  {
    name: 'bad checksum',
    reason: 'checksum',
    packet: hostile((ip) => {
      ip[26] = (ip[26] ?? 0) ^ 0x5a;
      return ip;
    }),
    log: /\(VI_1\) Invalid VRRPv2 checksum/,
  },
  {
    name: 'wrong password',
    reason: 'auth-failure',
    packet: hostile((ip) => {
      ip.set(Buffer.from('654321'), 32);
      return resum(ip);
    }),
    log: /\(VI_1\) received an invalid passwd!/,
  },
  {
    name: 'wrong VRID',
    reason: 'vrid',
    packet: hostile((ip) => {
      ip[21] = 51;
      return resum(ip);
    }),
  },
  {
    name: 'truncated (6 bytes of VRRP)',
    reason: 'too-short',
    packet: hostile((ip) => withTotalLength(ip.slice(0, 26))),
    log: /IPv4 VRRP packet too short - 26 bytes/,
  },
  {
    name: 'huge address count (255, one address sent)',
    reason: 'length',
    packet: hostile((ip) => {
      ip[23] = 255;
      return resum(ip);
    }),
    log: /\(VI_1\) vrrp packet too short, length 40 and expect/,
  },
];

/** Packets the kernel dropped on a namespace's VRRP raw sockets (full receive buffer). */
function kernelDrops(ns: string): number {
  const table = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/raw'], {
    encoding: 'utf8',
  });
  let drops = 0;
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(':0070')) drops += Number(f.at(-1));
  }
  return drops;
}

const total = (d: VrrpDump) =>
  Object.values(d.instances[0]!.counters.dropped).reduce((a, b) => a + (b ?? 0), 0);

describe('hostile packets at halo vrrp', { skip }, () => {
  let group: VrrpGroup | undefined;
  let nodes: readonly VrrpNode[] = [];
  let m1: VrrpNode;
  let m2: VrrpNode;
  let socket: RawSocket | undefined;
  let attackerNs = '';

  const inject = (packet: Uint8Array, times: number) => {
    for (let i = 0; i < times; i++) socket!.send(packet, sockaddrIn(Uint8Array.of(224, 0, 0, 18)));
  };

  before(async () => {
    group = await startGroup({
      prefix: 'hvh',
      kinds: ['halo', 'halo'],
      namespaces: ['m1', 'm2', 'x'],
    });
    attackerNs = group.lan[2]!.ns;
    nodes = group.nodes;
    [m1, m2] = nodes as [VrrpNode, VrrpNode];
    await articleNodes(nodes, { scriptInterval: 1 });
    await startFirstThenOthers(nodes);
    for (let i = 0; i < 40 && (await m2.dump()).instances[0]!.masterAddress === undefined; i++) {
      await sleep(100); // until master2 has heard master1
    }
    socket = group.lab.enter(attackerNs, () => {
      const s = new RawSocket(AF.INET, SOCK.RAW, IPPROTO_RAW);
      s.setOption(SOL.SOCKET, 25, Buffer.from('eth0\0')); // SO_BINDTODEVICE
      s.setOption(SOL.IP, IP.MULTICAST_TTL, 255);
      return s;
    });
  });

  after(async () => {
    socket?.close();
    await teardown(group);
  });

  for (const kind of KINDS) {
    test(`${kind.name}: dropped as '${kind.reason}', counted, no state change`, async () => {
      const before = await Promise.all(nodes.map((n) => n.dump()));
      const marks = nodes.map((n) => n.log.length);
      inject(kind.packet, 5);
      await sleep(300);
      const afterDump = await Promise.all(nodes.map((n) => n.dump()));
      for (const [i, n] of nodes.entries()) {
        const b = before[i]!.instances[0]!;
        const a = afterDump[i]!.instances[0]!;
        assert.equal(
          (a.counters.dropped[kind.reason as never] ?? 0) -
            (b.counters.dropped[kind.reason as never] ?? 0),
          5,
          `${n.name}: ${JSON.stringify(a.counters.dropped)}`,
        );
        assert.equal(a.state, b.state, `${n.name} keeps its state`);
        assert.equal(a.history.length, b.history.length, `${n.name}: no transition`);
        assert.equal(a.masterAddress, b.masterAddress);
        if (kind.log) await n.out!.waitFor(kind.log, 3000, marks[i]);
      }
      assert.deepEqual([m1.hasVip(), m2.hasVip()], [true, false]);
    });
  }

  test('a flood of 3000 hostile packets over 4 s: the MASTER keeps advertising, nothing moves', async () => {
    const before = await Promise.all(nodes.map((n) => n.dump()));
    const dropsBefore = nodes.map((n) => kernelDrops(n.node.ns));
    const packets = KINDS.map((k) => k.packet);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 150; i++) inject(packets[i % packets.length]!, 1);
      await sleep(200); // 20 x 200 ms: longer than master2's Master_Down_Interval (3.6 s)
    }
    await sleep(300);
    const after = await Promise.all(nodes.map((n) => n.dump()));
    for (const [i, n] of nodes.entries()) {
      const b = before[i]!.instances[0]!;
      const a = after[i]!.instances[0]!;
      const counted = total(after[i]!) - total(before[i]!);
      const lost = kernelDrops(n.node.ns) - dropsBefore[i]!;
      assert.equal(
        counted + lost,
        3000,
        `${n.name}: ${counted} counted + ${lost} dropped by the kernel`,
      );
      assert.ok(counted > 0, `${n.name} counted none of the flood`);
      assert.equal(a.history.length, b.history.length, `${n.name}: no transition`);
    }
    assert.equal(after[0]!.instances[0]!.state, 'MASTER');
    assert.equal(after[1]!.instances[0]!.state, 'BACKUP');
    assert.ok(
      after[0]!.instances[0]!.counters.advertSent >
        before[0]!.instances[0]!.counters.advertSent + 2,
      'master1 kept sending adverts',
    );
    assert.deepEqual([m1.hasVip(), m2.hasVip()], [true, false]);
  });
});
