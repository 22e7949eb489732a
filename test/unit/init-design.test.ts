// `halo init`'s design: priorities and the tracker weight (a node whose check fails never
// holds the VIP while a healthy one exists, checked against the engine's clampPriority and
// against simulated elections of the engine itself on the generated keepalived.conf), the
// VRID derived from the VIP, passwords, and the answers' validation.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseKeepalived } from '../../src/config/keepalived/index.js';
import {
  designCluster,
  generatePassword,
  type InitAnswers,
  prioritiesFor,
  validateAnswers,
  vridFor,
} from '../../src/init/cluster.js';
import { renderKeepalivedConf } from '../../src/init/render-keepalived.js';
import { clampPriority } from '../../src/vrrp/priority-tracking.js';
import { instanceSettings } from '../../src/vrrp/settings.js';
import { answers, counterRandom } from './init-fixtures.js';
import { Sim } from './vrrp-sim.js';

describe('priorities and tracker weight', () => {
  for (let n = 2; n <= 8; n++) {
    test(`${n} masters: for every set of failed trackers a healthy node wins alone`, () => {
      const { priorities, weight } = prioritiesFor(n);
      assert.equal(new Set(priorities).size, n, 'distinct');
      assert.deepEqual(
        [...priorities].sort((a, b) => b - a),
        priorities,
        'first preferred',
      );
      assert.ok(weight > priorities[0]! - priorities[n - 1]!, 'weight exceeds p1 - pn');
      for (let failed = 0; failed < 2 ** n - 1; failed++) {
        const eff = priorities.map((p, i) => clampPriority(failed & (1 << i) ? p - weight : p));
        const best = Math.max(...eff);
        const winners = eff.flatMap((e, i) => (e === best ? [i] : []));
        assert.equal(winners.length, 1, `tie among ${winners} (failed mask ${failed})`);
        assert.equal(failed & (1 << winners[0]!), 0, `failed node wins (mask ${failed})`);
      }
      // All failed: the order is kept, master1 keeps the VIP.
      const all = priorities.map((p) => clampPriority(p - weight));
      assert.equal(all.indexOf(Math.max(...all)), 0);
    });
  }

  // The generated keepalived.conf files run through the engine's own election (its state
  // machine and script tracker on a fake clock): after every combination of failing
  // trackers the VIP sits on exactly one node, the best healthy one.
  test('simulated elections on the generated keepalived.conf of 3 masters', () => {
    const d = designCluster(answers(), counterRandom());
    for (let failed = 0; failed < 8; failed++) {
      const sim = new Sim();
      for (const node of d.nodes) {
        const text = renderKeepalivedConf(d, node);
        const r = parseKeepalived(
          { path: `${node.name}/keepalived.conf`, text },
          { readFile: () => '', glob: () => [] },
          { offline: true },
        );
        const config = r.config!;
        const inst = config.instances[0]!;
        const s = config.scripts[0]!;
        const settings = instanceSettings(inst, {
          globalDefs: config.globalDefs,
          scripts: config.scripts,
          primaryAddress: node.address,
        });
        const bad = (failed & (1 << d.nodes.indexOf(node))) !== 0;
        sim.add(settings, [
          {
            name: s.name,
            intervalMs: s.interval,
            rise: s.rise,
            fall: s.fall,
            initFail: s.initFail,
            // Healthy for 10 s, then the failing nodes' proxy checks fail.
            status: (now) => (bad && now >= 10_000 ? 1 : 0),
          },
        ]);
      }
      for (const n of sim.nodes) sim.start(n);
      sim.runUntil(9_000);
      assert.deepEqual(sim.vipHolders(), ['192.0.2.11'], 'master1 holds the VIP at first');
      sim.runUntil(30_000);
      const healthy = d.nodes.filter((_, i) => (failed & (1 << i)) === 0);
      const expected = (healthy[0] ?? d.nodes[0]!).address;
      assert.deepEqual(sim.vipHolders(), [expected], `failed mask ${failed}`);
    }
  });
});

describe('VRID from the VIP', () => {
  test('is 1..255 and the same for the same VIP', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const v = vridFor(ip);
        return Number.isInteger(v) && v >= 1 && v <= 255 && v === vridFor(ip);
      }),
    );
  });
  test('neighbouring VIPs get different VRIDs', () => {
    const vrids = new Set(Array.from({ length: 10 }, (_, i) => vridFor(`192.0.2.${10 + i}`)));
    assert.equal(vrids.size, 10);
  });
  test('--vrid wins and is not called derived', () => {
    const d = designCluster(answers({ vrid: 77 }), counterRandom());
    assert.equal(d.vrid, 77);
    assert.equal(d.vridDerived, false);
  });
});

describe('passwords', () => {
  test('length and alphabet, unbiased bytes only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        let i = 0;
        const random = (n: number) => Uint8Array.from({ length: n }, () => bytes[i++ % 64]! | 0);
        const p = generatePassword((n) => {
          const b = random(n);
          // Guarantee progress: at least one usable byte per call.
          b[0] = 7;
          return b;
        }, 24);
        return p.length === 24 && /^[A-HJ-NP-Za-km-z2-9]+$/.test(p);
      }),
    );
  });
  test('VRRPv2 gets an 8-character PASS, VRRPv3 none', () => {
    assert.equal(designCluster(answers({ vrrpVersion: 2 }), counterRandom()).authPass?.length, 8);
    assert.equal(designCluster(answers(), counterRandom()).authPass, undefined);
  });
});

describe('validation', () => {
  const cases: [string, Partial<InitAnswers>, RegExp][] = [
    ['bad VIP', { vip: '192.0.2' }, /--vip must be an IPv4 address/],
    ['IPv6 VIP', { vip: '2001:db8::10' }, /--vip must be an IPv4 address/],
    ['bad prefix', { vip: '192.0.2.10/33' }, /prefix must be 1..32/],
    ['one master', { masters: ['192.0.2.11'] }, /needs 2 to 8 addresses/],
    [
      'nine masters',
      { masters: Array.from({ length: 9 }, (_, i) => `192.0.2.${i + 1}`) },
      /needs 2 to 8/,
    ],
    ['listed twice', { masters: ['192.0.2.11', '192.0.2.11'] }, /listed twice/],
    ['VIP as master', { masters: ['192.0.2.10', '192.0.2.11'] }, /is the VIP itself/],
    [
      'outside subnet',
      { vip: '192.0.2.10/24', masters: ['192.0.2.11', '198.51.100.1'] },
      /outside the VIP's subnet/,
    ],
    ['interface', { interface: 'a b' }, /--interface must be/],
    ['port', { port: 70000 }, /--port must be a port number/],
    ['port twice', { extraPorts: [{ port: 9443, path: '/readyz' }] }, /port 9443 is used twice/],
    ['check path', { extraPorts: [{ port: 9345, path: 'ping' }] }, /must start with '\/'/],
    ['vrid', { vrid: 0 }, /--vrid must be 1..255/],
  ];
  for (const [name, over, re] of cases)
    test(name, () => {
      const problems = validateAnswers(answers(over));
      assert.ok(
        problems.some((p) => re.test(p)),
        problems.join('\n'),
      );
    });
  test('the default answers are valid', () => {
    assert.deepEqual(validateAnswers(answers()), []);
    assert.deepEqual(validateAnswers(answers({ vip: '192.0.2.10/24' })), []);
  });
});
