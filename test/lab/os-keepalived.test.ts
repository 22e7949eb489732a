// Lab: a real Keepalived 2.2 in one namespace, halo's transport in the other. halo
// receives Keepalived's adverts as they are on the wire, and Keepalived accepts an
// advert sent through halo's transport (it yields to a higher priority).

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { internetChecksum } from '../../src/os/frames.js';
import type { ReceivedAdvert, VrrpTransport } from '../../src/os/ports.js';
import { openVrrpTransport } from '../../src/os/vrrp-transport.js';
import { Lab, labSkipReason, OutputWatcher, stopChild } from './netns.js';
import { KEEPALIVED, keepalivedArgs } from './vrrp-harness.js';

const skip = labSkipReason() ?? (existsSync(KEEPALIVED) ? undefined : `needs ${KEEPALIVED}`);

// The seed's VI_1, rewritten to the lab's addresses and interface.
const CONFIG = `global_defs {
   router_id lab-b
}
vrrp_instance VI_1 {
    state MASTER
    interface vb
    virtual_router_id 50
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 123456
    }
    virtual_ipaddress {
        198.51.100.100
    }
}
`;

/** A VRRPv2 advert (RFC 3768) with simple-password authentication, built here by hand. */
function vrrpV2Advert(vrid: number, priority: number, vip: number[], password: string): Uint8Array {
  const p = new Uint8Array(8 + 4 + 8);
  p.set([0x21, vrid, priority, 1, 1, 1, 0, 0], 0);
  p.set(vip, 8);
  for (let i = 0; i < password.length; i++) p[12 + i] = password.charCodeAt(i);
  const sum = internetChecksum([p]);
  p[6] = sum >> 8;
  p[7] = sum & 0xff;
  return p;
}

describe('interop with a real Keepalived 2.2', { skip }, () => {
  const lab = new Lab('hka');
  let a = '';
  let b = '';
  let dir = '';
  let transport: VrrpTransport | undefined;
  let log: OutputWatcher;
  let keepalived: ChildProcess | undefined;

  before(async () => {
    a = lab.namespace('a');
    b = lab.namespace('b');
    lab.veth(a, 'va', b, 'vb');
    lab.address(a, 'va', '198.51.100.1/24');
    lab.address(b, 'vb', '198.51.100.2/24');
    dir = mkdtempSync(join(tmpdir(), 'halo-ka-'));
    writeFileSync(join(dir, 'keepalived.conf'), CONFIG);
    transport = lab.enter(a, () =>
      openVrrpTransport({
        interface: 'va',
        family: 4,
        sourceAddress: '198.51.100.1',
        multicastGroup: '224.0.0.18',
      }),
    );
    keepalived = lab.spawn(
      b,
      KEEPALIVED,
      keepalivedArgs(
        join(dir, 'keepalived.conf'),
        join(dir, 'keepalived.pid'),
        join(dir, 'vrrp.pid'),
      ),
    );
    log = new OutputWatcher(keepalived);
    await log.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
  });

  after(async () => {
    transport?.close();
    await lab.destroy(); // stops keepalived by its PID first
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("halo receives Keepalived's adverts: TTL 255, v2, VRID 50, prio 100, PASS 123456, the VIP", async () => {
    const got = await new Promise<ReceivedAdvert>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no advert from keepalived in 3 s')), 3000);
      const off = transport!.onAdvert((r) => {
        clearTimeout(timer);
        off();
        resolve(r);
      });
    });
    assert.deepEqual([got.source, got.destination, got.ttl], ['198.51.100.2', '224.0.0.18', 255]);
    const p = got.payload;
    assert.equal(p.length, 20);
    assert.equal(got.ipTotalLength, 40);
    assert.deepEqual(
      [p[0], p[1], p[2], p[3], p[4], p[5]],
      [0x21, 50, 100, 1, 1, 1],
      'version 2 type 1, VRID 50, priority 100, one address, auth type 1 (PASS), advert_int 1',
    );
    assert.deepEqual([...p.subarray(8, 12)], [198, 51, 100, 100]);
    assert.equal(Buffer.from(p.subarray(12, 20)).toString('latin1'), '123456\0\0');
    assert.equal(internetChecksum([p]), 0, 'checksum verifies');
    const ip = got.ipDatagram!;
    assert.deepEqual(
      [ip[1], ip[6]! & 0x40],
      [0xc0, 0],
      "Keepalived's IP header: TOS 0xc0, DF clear (what halo's sender sets too)",
    );
  });

  test("Keepalived accepts halo's advert: a higher priority sends it to BACKUP", async () => {
    const mark = log.text.length;
    transport!.send(vrrpV2Advert(50, 150, [198, 51, 100, 100], '123456'));
    await log.waitFor(
      /\(VI_1\) Master received advert from 198\.51\.100\.1 with higher priority 150, ours 100[\s\S]*\(VI_1\) Entering BACKUP STATE/,
      5000,
      mark,
    );
    assert.doesNotMatch(log.text, /ip ttl|bad checksum|invalid/i);
  });

  test('Keepalived stops cleanly by PID', async () => {
    assert.ok(keepalived?.pid);
    await stopChild(keepalived);
    assert.equal(keepalived.exitCode, 0);
    assert.match(log.text, /Stopped Keepalived|Stopping/);
  });
});
