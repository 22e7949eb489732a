// Per-algorithm behaviour beyond the shared conformance suite.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBalancer } from '../../src/proxy/balance/index.js';
import { hashAddress } from '../../src/proxy/balance/source.js';
import type { BalanceServer } from '../../src/proxy/balance/types.js';

function servers(weights: number[], maxconn = 0): BalanceServer[] {
  return weights.map((weight, id) => ({
    id,
    name: String.fromCharCode(97 + id),
    weight,
    backup: false,
    up: true,
    conns: 0,
    maxconn,
  }));
}

const names = (b: { pick(): BalanceServer | undefined }, n: number) =>
  Array.from({ length: n }, () => b.pick()?.name ?? '-').join('');

describe('roundrobin', () => {
  it('interleaves smoothly: weights 3,1 give aaba', () => {
    assert.equal(names(createBalancer('roundrobin', servers([3, 1])), 8), 'aabaaaba');
  });
  it('equal weights rotate in config order', () => {
    assert.equal(names(createBalancer('roundrobin', servers([1, 1, 1])), 6), 'abcabc');
  });
  it('skips full servers and returns undefined when all are full', () => {
    const list = servers([1, 1], 1);
    const b = createBalancer('roundrobin', list);
    const first = b.pick()!;
    first.conns++;
    const second = b.pick()!;
    assert.notEqual(first, second);
    second.conns++;
    assert.equal(b.pick(), undefined);
    first.conns--;
    assert.equal(b.pick(), first);
  });
});

describe('static-rr', () => {
  it('ignores non-zero weight changes at run time', () => {
    const list = servers([1, 1]);
    const b = createBalancer('static-rr', list);
    list[0]!.weight = 10;
    b.weightChanged(list[0]!);
    assert.equal(names(b, 6), 'ababab');
  });
});

describe('leastconn', () => {
  it('picks the server with the fewest connections', () => {
    const list = servers([1, 1, 1]);
    list[0]!.conns = 5;
    list[1]!.conns = 2;
    list[2]!.conns = 7;
    assert.equal(createBalancer('leastconn', list).pick()?.name, 'b');
  });
  it('weighs connections by weight', () => {
    const list = servers([1, 4]);
    list[0]!.conns = 1; // key 2/1 = 2
    list[1]!.conns = 6; // key 7/4 = 1.75
    assert.equal(createBalancer('leastconn', list).pick()?.name, 'b');
  });
});

describe('first', () => {
  it('fills the first server up to maxconn, then the next', () => {
    const list = servers([1, 1, 1], 2);
    const b = createBalancer('first', list);
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = b.pick()!;
      s.conns++;
      picks.push(s.name);
    }
    assert.equal(picks.join(''), 'aabbcc');
    assert.equal(b.pick(), undefined);
    list[0]!.conns--;
    assert.equal(b.pick()?.name, 'a');
  });
});

describe('source', () => {
  it('sends one client address to one server while the farm is stable', () => {
    const b = createBalancer('source', servers([1, 1, 1]));
    for (const addr of ['10.0.0.1', '192.0.2.7', '::1', '2001:db8::5']) {
      const first = b.pick({ clientAddress: addr });
      for (let i = 0; i < 20; i++) assert.equal(b.pick({ clientAddress: addr }), first);
    }
  });
  it('returns the hashed server even when it is full (the caller queues on it)', () => {
    const list = servers([1, 1], 1);
    const b = createBalancer('source', list);
    const s = b.pick({ clientAddress: '10.1.2.3' })!;
    s.conns = 1;
    assert.equal(b.pick({ clientAddress: '10.1.2.3' }), s);
  });
  it('moves clients off a down server only', () => {
    const list = servers([1, 1, 1]);
    const b = createBalancer('source', list);
    list[2]!.up = false;
    b.serverDown(list[2]!);
    for (let i = 0; i < 100; i++)
      assert.notEqual(b.pick({ clientAddress: `10.0.0.${i}` })?.name, 'c');
  });
  it('hashes deterministically', () => {
    assert.equal(hashAddress('10.0.0.1'), hashAddress('10.0.0.1'));
    assert.notEqual(hashAddress('10.0.0.1'), hashAddress('10.0.0.2'));
  });
  it('falls back to round robin without a client address', () => {
    assert.equal(names(createBalancer('source', servers([1, 1])), 4), 'abab');
  });
});

describe('random', () => {
  it('with 2 draws keeps the less loaded of the two', () => {
    const list = servers([1, 1]);
    list[0]!.conns = 10;
    const draws = [0.1, 0.9]; // draws a, then b
    let i = 0;
    const b = createBalancer('random', list, { random: () => draws[i++ % 2]!, draws: 2 });
    assert.equal(b.pick()?.name, 'b');
  });
  it('with 1 draw takes whatever was drawn', () => {
    const list = servers([1, 1]);
    list[0]!.conns = 10;
    const b = createBalancer('random', list, { random: () => 0.1, draws: 1 });
    assert.equal(b.pick()?.name, 'a');
  });
});
