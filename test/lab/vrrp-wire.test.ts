// Lab test 3: what three `halo vrrp` nodes put on the wire, captured by tcpdump on each
// bridge port (frames coming in from one node): adverts are well formed (IPv4 TOS 0xc0,
// TTL 255, protocol 112 to 224.0.0.18, header checksum; VRRPv2 type 1, VRID 50, PASS
// "123456", advert_int 1, the VIP, VRRP checksum), gratuitous ARPs go out on each
// takeover, and a node that stays BACKUP sends nothing at all.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { internetChecksum } from '../../src/os/frames.js';
import { labSkipReason, OutputWatcher, stopChild } from './netns.js';
import {
  articleNodes,
  sleep,
  startFirstThenOthers,
  startGroup,
  teardown,
  VIP,
  type VrrpGroup,
  type VrrpNode,
  vipOnlyOn,
} from './vrrp-harness.js';

const skip =
  labSkipReason() ??
  (existsSync('/usr/bin/tcpdump') ? undefined : 'needs tcpdump') ??
  (existsSync('/usr/bin/socat') ? undefined : 'needs socat');

interface Frame {
  readonly at: number; // ms since the epoch
  readonly bytes: Uint8Array;
}

/** Reads a classic pcap file (Ethernet link type). */
function readPcap(path: string): Frame[] {
  const b = readFileSync(path);
  const out: Frame[] = [];
  assert.equal(b.readUInt32LE(0), 0xa1b2c3d4, 'pcap magic (little-endian, microseconds)');
  let off = 24;
  while (off + 16 <= b.length) {
    const sec = b.readUInt32LE(off);
    const usec = b.readUInt32LE(off + 4);
    const len = b.readUInt32LE(off + 8);
    out.push({ at: sec * 1000 + usec / 1000, bytes: b.subarray(off + 16, off + 16 + len) });
    off += 16 + len;
  }
  return out;
}

const ethType = (f: Frame) => ((f.bytes[12] ?? 0) << 8) | (f.bytes[13] ?? 0);
const isVrrp = (f: Frame) => ethType(f) === 0x0800 && f.bytes[14 + 9] === 112;
const isArp = (f: Frame) => ethType(f) === 0x0806;
const ipStr = (b: Uint8Array) => [...b].join('.');

describe('halo vrrp on the wire (tcpdump on the bridge)', { skip }, () => {
  let group: VrrpGroup | undefined;
  let dir = '';
  let nodes: readonly VrrpNode[] = [];
  let m1: VrrpNode;
  let m2: VrrpNode;
  const dumps: ChildProcess[] = [];
  let failAt = 0;

  before(async () => {
    group = await startGroup({ prefix: 'hvw', kinds: ['halo', 'halo', 'halo'] });
    const { lab, sw } = group;
    dir = group.dir;
    nodes = group.nodes;
    [m1, m2] = nodes as [VrrpNode, VrrpNode];
    for (const n of nodes) {
      const d = lab.spawn(sw, 'tcpdump', [
        '-i',
        n.node.port,
        '-Q',
        'in',
        '-U',
        '-n',
        '-w',
        join(dir, `${n.name}.pcap`),
        'vrrp or arp',
      ]);
      await new OutputWatcher(d).waitFor(/listening on/, 5000);
      dumps.push(d);
    }
    await articleNodes(nodes, { scriptInterval: 1, fall: 1, rise: 1 });
    // master1 first, so that master3 never has a reason to send anything.
    await startFirstThenOthers(nodes);
    await sleep(1500);
    failAt = Date.now();
    await m1.stopListener();
    await vipOnlyOn(nodes, 'master2', 10_000);
    await sleep(1500);
    for (const d of dumps) await stopChild(d);
  });

  after(() => teardown(group));

  test("master1's adverts: IPv4 and VRRPv2 headers as Keepalived writes them", () => {
    const adverts = readPcap(join(dir, 'master1.pcap')).filter(isVrrp);
    assert.ok(adverts.length >= 4, `${adverts.length} adverts`);
    const prios = new Set<number>();
    for (const f of adverts) {
      const b = f.bytes;
      assert.deepEqual([...b.subarray(0, 6)], [0x01, 0x00, 0x5e, 0x00, 0x00, 0x12], 'dst MAC');
      const ip = b.subarray(14, 34);
      assert.equal(ip[0], 0x45, 'IPv4, 20-byte header');
      assert.equal(ip[1], 0xc0, 'TOS internet control');
      assert.equal(ip[8], 255, 'TTL 255');
      assert.equal(ip[9], 112, 'protocol VRRP');
      assert.equal(internetChecksum([ip]), 0, 'IP header checksum');
      assert.equal(ipStr(ip.subarray(12, 16)), m1.node.address);
      assert.equal(ipStr(ip.subarray(16, 20)), '224.0.0.18');
      const total = ((ip[2] ?? 0) << 8) | (ip[3] ?? 0);
      const v = b.subarray(34, 14 + total);
      assert.equal(v.length, 20, 'VRRPv2 with one address and 8 bytes of auth');
      assert.equal(v[0], 0x21, 'version 2, type 1 (advertisement)');
      assert.equal(v[1], 50, 'VRID');
      assert.equal(v[3], 1, 'address count');
      assert.equal(v[4], 1, 'auth type PASS');
      assert.equal(v[5], 1, 'advert_int 1');
      assert.equal(internetChecksum([v]), 0, 'VRRP checksum');
      assert.equal(ipStr(v.subarray(8, 12)), VIP);
      assert.equal(Buffer.from(v.subarray(12, 20)).toString('latin1'), '123456\0\0');
      prios.add(v[2] ?? -1);
    }
    assert.ok(prios.has(100), 'priority 100 while healthy');
    assert.ok(prios.has(98), 'priority 98 once check_haproxy failed');
  });

  test('gratuitous ARPs for the VIP on each takeover', () => {
    for (const [n, after] of [
      [m1, 0],
      [m2, failAt],
    ] as const) {
      const garps = readPcap(join(dir, `${n.name}.pcap`))
        .filter(isArp)
        .filter((f) => f.at >= after)
        .filter((f) => {
          const a = f.bytes.subarray(14);
          const op = ((a[6] ?? 0) << 8) | (a[7] ?? 0);
          return (
            op === 1 &&
            ipStr(a.subarray(14, 18)) === VIP &&
            ipStr(a.subarray(24, 28)) === VIP &&
            f.bytes.subarray(0, 6).every((x) => x === 0xff)
          );
        });
      assert.ok(garps.length >= 5, `${n.name}: ${garps.length} gratuitous ARPs`);
    }
  });

  test('a BACKUP sends nothing: master3 never, master2 not before its takeover', () => {
    const m3frames = readPcap(join(dir, 'master3.pcap'));
    assert.equal(m3frames.filter(isVrrp).length, 0, 'no advert from master3');
    assert.equal(m3frames.filter(isArp).length, 0, 'no ARP from master3');
    const early = readPcap(join(dir, 'master2.pcap')).filter((f) => isVrrp(f) && f.at < failAt);
    assert.equal(early.length, 0, 'no advert from master2 while BACKUP');
    assert.ok(readPcap(join(dir, 'master2.pcap')).filter(isVrrp).length > 0, 'master2 as MASTER');
  });
});
