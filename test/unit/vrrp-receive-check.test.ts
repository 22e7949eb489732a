// Receive checks on Keepalived's own packets (test/fixtures/vrrp) and hostile variants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GLOBAL_DEFS_DEFAULTS } from '../../src/config/keepalived/drafts.js';
import { formatIpv6 } from '../../src/net/ip-address.js';
import { buildAdvert } from '../../src/vrrp/advert.js';
import { passwordAuthData } from '../../src/vrrp/codec.js';
import { checkAdvert, type ReceiveCheckConfig } from '../../src/vrrp/receive-check.js';
import { instanceSettings } from '../../src/vrrp/settings.js';
import { VrrpInstance } from '../../src/vrrp/state-machine.js';
import { readHexFixture } from './vrrp-fixtures.js';
import { settings } from './vrrp-sim.js';

const v2cfg: ReceiveCheckConfig = {
  name: 'VI_1',
  version: 2,
  family: 4,
  vrid: 50,
  authType: 1,
  authData: passwordAuthData('123456'),
  advertIntMs: 1000,
  vips: ['198.51.100.100'],
  unicast: false,
  unicastPeers: [],
  checkUnicastSrc: false,
};
const v3cfg: ReceiveCheckConfig = { ...v2cfg, version: 3, authType: 0 };
const v6cfg: ReceiveCheckConfig = { ...v3cfg, family: 6, vips: ['2001:db8:50::100'] };

const reasonOf = (r: ReturnType<typeof checkAdvert>) => (r.ok ? 'ok' : r.reason);

describe('receive checks on Keepalived 2.2.7 packets', () => {
  it('accepts its VRRPv2 and VRRPv3 adverts', () => {
    const r2 = checkAdvert(v2cfg, { bytes: readHexFixture('v2-master2-prio99') });
    assert.ok(r2.ok);
    assert.equal(r2.src, '198.51.100.2');
    assert.equal(r2.ttl, 255);
    assert.equal(r2.advert.priority, 99);
    const r3 = checkAdvert(v3cfg, { bytes: readHexFixture('v3-master1-prio98') });
    assert.ok(r3.ok);
    assert.equal(r3.advert.priority, 98);
  });

  it('accepts its IPv6 advert with the hop limit from ancillary data, refuses a forwarded one', () => {
    const pkt = readHexFixture('v3-ipv6-master1-prio100');
    const dg = { bytes: pkt.subarray(40), src: formatIpv6(pkt, 8), dst: 'ff02::12', hopLimit: 255 };
    const r = checkAdvert(v6cfg, dg);
    assert.ok(r.ok);
    assert.ok(r.src.startsWith('fe80::'));
    assert.equal(reasonOf(checkAdvert(v6cfg, { ...dg, hopLimit: 254 })), 'ttl');
  });

  it('refuses what does not match this instance, with Keepalived lines', () => {
    const bytes = readHexFixture('v2-master1-prio100');
    const cases: [Partial<ReceiveCheckConfig>, string, string][] = [
      [{ version: 3 }, 'version', '(VI_1) wrong version. Received 2 and expect 3'],
      [
        { authData: passwordAuthData('654321') },
        'auth-failure',
        '(VI_1) received an invalid passwd!',
      ],
      [{ authType: 0 }, 'auth-type-mismatch', '(VI_1) received a 1 auth, expecting 0!'],
      [
        { advertIntMs: 3000 },
        'advert-interval',
        "(VI_1) advertisement interval mismatch mine=3 sec rcv'd=1 sec",
      ],
      [
        { vips: ['198.51.100.100', '198.51.100.101'] },
        'address-count',
        '(VI_1) received an unexpected ip number count 1, expected 2!',
      ],
      [
        { vips: ['198.51.100.101'] },
        'address-list',
        '(VI_1) ip address associated with VRID 50 not present in MASTER advert: 198.51.100.101',
      ],
      [
        { unicast: true, unicastPeers: ['198.51.100.2'] },
        'cast-mismatch',
        '(VI_1) Expected unicast packet but received multicast packet',
      ],
    ];
    for (const [over, reason, line] of cases) {
      const r = checkAdvert({ ...v2cfg, ...over }, { bytes });
      assert.equal(reasonOf(r), reason);
      assert.equal(!r.ok && r.log, line);
    }
    assert.deepEqual(checkAdvert({ ...v2cfg, vrid: 51 }, { bytes }), {
      ok: false,
      reason: 'vrid',
      log: undefined,
      countedAsAdvert: false,
    });
  });

  it('unicast: TTL not checked, sources outside unicast_peer refused when asked to', () => {
    const cfg = { ...v2cfg, unicast: true, unicastPeers: ['198.51.100.2'], checkUnicastSrc: true };
    const s = settings();
    const from = (src: string, ttl: number) => {
      const b = buildAdvert(s, 99, { src, dst: '198.51.100.1', ipId: 1 });
      b[8] = ttl; // header checksum is the kernel's business on receive
      return { bytes: b };
    };
    assert.equal(reasonOf(checkAdvert(cfg, from('198.51.100.2', 64))), 'ok');
    const r = checkAdvert(cfg, from('198.51.100.9', 255));
    assert.equal(!r.ok && r.log, '(VI_1) unicast source address 198.51.100.9 not a unicast peer');
  });

  it('never throws on any bytes, and accepts only packets that decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 90 }), (b) => {
        checkAdvert(v2cfg, { bytes: b });
        checkAdvert(v6cfg, { bytes: b, src: 'fe80::1', dst: 'ff02::12', hopLimit: 255 });
      }),
      { numRuns: 3000 },
    );
    const seed = readHexFixture('v2-master1-prio100');
    fc.assert(
      fc.property(fc.nat(seed.length - 1), fc.nat(255), (i, v) => {
        const b = Uint8Array.from(seed);
        const changed = b[i] !== v;
        b[i] = v;
        const r = checkAdvert(v2cfg, { bytes: b });
        // Header bytes the check leaves to the kernel's raw IPv4 socket (version nibble,
        // TOS, ID, flags, protocol, IP checksum, addresses; a VRRPv2 checksum does not cover them) may change.
        if (r.ok && changed)
          assert.ok(
            [0, 1, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].includes(i),
            `byte ${i}`,
          );
      }),
    );
  });

  it('feeds a real Keepalived advert into a MASTER: higher priority wins', () => {
    const vi = new VrrpInstance(settings({ priority: 90, primaryAddress: '198.51.100.9' }));
    vi.handle({ type: 'Startup' }, 0);
    vi.handle({ type: 'TimerFired', kind: 'masterDown' }, 3700);
    const fx = vi.handle(
      { type: 'PacketReceived', datagram: { bytes: readHexFixture('v2-master2-prio99') } },
      3800,
    );
    assert.equal(vi.snapshot().state, 'BACKUP');
    assert.ok(
      fx.some(
        (e) =>
          e.type === 'Log' &&
          e.text ===
            '(VI_1) Master received advert from 198.51.100.2 with higher priority 99, ours 90',
      ),
    );
  });
});

describe('instance settings from keepalived.conf', () => {
  const pos = { file: 'keepalived.conf', line: 1, col: 1 };
  const script = {
    pos,
    name: 'check_haproxy',
    script: 'true',
    argv: ['true'],
    interval: 3000,
    weight: -2,
    weightReverse: false,
    rise: 3,
    fall: 3,
    initFail: false,
  };
  const inst = {
    pos,
    name: 'VI_1',
    initialState: 'MASTER' as const,
    interface: 'ens33',
    interfacePos: pos,
    virtualRouterId: 50,
    priority: 100,
    advertInt: 1000,
    version: 2 as const,
    auth: { type: 'PASS' as const, password: '123456', pos },
    virtualIpaddress: [{ pos, family: 4 as const, address: '198.51.100.100', prefix: 32 }],
    virtualIpaddressExcluded: [],
    trackScript: [{ pos, name: 'check_haproxy' }],
    trackInterface: [],
    trackFile: [],
    nopreempt: true,
    preemptDelay: 5000,
    unicastPeer: [],
    garpMasterDelay: 5,
    garpMasterRepeat: 5,
    garpMasterRefresh: 0,
    notify: {},
    dontTrackPrimary: false,
  };
  const globalDefs = { ...GLOBAL_DEFS_DEFAULTS };

  it("applies Keepalived's corrections and the script's weight", () => {
    const s = instanceSettings(inst, {
      globalDefs,
      scripts: [script],
      primaryAddress: '198.51.100.1',
    });
    assert.equal(s.nopreempt, false); // cleared: state MASTER
    assert.equal(s.preemptDelayMs, 0);
    assert.equal(s.authType, 1);
    assert.equal(s.authPass, '123456');
    assert.deepEqual(s.trackScripts, [
      { name: 'check_haproxy', weight: -2, reverse: false, initFail: false },
    ]);
    assert.equal(s.garpMasterDelayMs, 5000);
    const v3 = instanceSettings(
      { ...inst, version: 3 },
      { globalDefs, scripts: [], primaryAddress: '198.51.100.1' },
    );
    assert.equal(v3.authType, 0); // VRRPv3 carries no authentication
  });
});
