// Lab: gratuitous ARP and unsolicited neighbour advertisement frames from halo's
// AF_PACKET FrameSender, as tcpdump on the peer end of the veth decodes them.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { PacketFrameSender } from '../../src/os/frame-sender.js';
import { NetlinkLinkMonitor } from '../../src/os/link-monitor.js';
import { Lab, labSkipReason, OutputWatcher, stopChild } from './netns.js';

const skip = labSkipReason() ?? (hasTcpdump() ? undefined : 'needs tcpdump');

function hasTcpdump(): boolean {
  return ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].some((p) => existsSync(p));
}

describe('FrameSender on a veth pair, seen by tcpdump', { skip }, () => {
  const lab = new Lab('hfr');
  let a = '';
  let b = '';
  let links: NetlinkLinkMonitor;
  let frames: PacketFrameSender;
  let mac = '';

  before(async () => {
    a = lab.namespace('a');
    b = lab.namespace('b');
    lab.veth(a, 'va', b, 'vb');
    lab.address(a, 'va', '198.51.100.1/24');
    links = lab.enter(a, () => new NetlinkLinkMonitor());
    frames = lab.enter(a, () => new PacketFrameSender(links));
    mac = (await links.get('va'))?.mac ?? '';
  });

  after(async () => {
    frames?.close();
    links?.close();
    await lab.destroy();
  });

  async function capture(
    filter: string[],
    send: () => Promise<void>,
    expect: RegExp,
  ): Promise<string> {
    const tcpdump = lab.spawn(b, 'tcpdump', ['-n', '-e', '-l', '-vv', '-i', 'vb', ...filter]);
    const out = new OutputWatcher(tcpdump);
    try {
      await out.waitFor(/listening on vb/, 5000);
      await send();
      await out.waitFor(expect, 5000);
      return out.text;
    } finally {
      await stopChild(tcpdump);
    }
  }

  test('gratuitous ARP: broadcast request, who-has VIP tell VIP, from the interface MAC', async () => {
    const text = await capture(
      ['arp'],
      async () => {
        for (let i = 0; i < 3; i++) await frames.gratuitousArp('va', '198.51.100.100');
      },
      /(Request who-has 198\.51\.100\.100 .*tell 198\.51\.100\.100[^\n]*\n[\s\S]*){3}/,
    );
    const lines = text.split('\n').filter((l) => l.includes('who-has'));
    assert.equal(lines.length, 3);
    for (const l of lines) {
      assert.match(l, new RegExp(`^\\S+ ${mac} > ff:ff:ff:ff:ff:ff, ethertype ARP \\(0x0806\\)`));
      assert.match(
        l,
        /Request who-has 198\.51\.100\.100 \(ff:ff:ff:ff:ff:ff\) tell 198\.51\.100\.100/,
      );
    }
  });

  test('unsolicited NA: to ff02::1, hop limit 255, override flag, checksum ok', async () => {
    const text = await capture(
      ['icmp6'],
      () => frames.unsolicitedNeighbourAdvert('va', '2001:db8::100'),
      /tgt is 2001:db8::100[\s\S]*link-address option \(2\), length 8 \(1\): [0-9a-f:]{17}/,
    );
    assert.match(text, new RegExp(`${mac} > 33:33:00:00:00:01, ethertype IPv6`));
    assert.match(text, /hlim 255/);
    assert.match(text, /2001:db8::100 > ff02::1: \[icmp6 sum ok\]/);
    assert.match(text, /Flags \[override\]/);
    assert.match(text, new RegExp(`link-address option \\(2\\), length 8 \\(1\\): ${mac}`));
  });

  test('an interface that does not exist is a typed error', async () => {
    await assert.rejects(frames.gratuitousArp('nope0', '198.51.100.100'), {
      code: 'HALO_OS_NO_INTERFACE',
    });
  });
});
