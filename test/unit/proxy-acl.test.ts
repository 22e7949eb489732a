// use_backend conditions on layer-4 facts: addresses and subnets, port ranges and
// operators, and/or/negation/unless, anonymous ACLs, nbsrv, predefined ACLs, and criteria
// a TCP connection cannot answer (never match, and are reported).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Acl, Condition } from '../../src/config/haproxy/model.js';
import type { ConnectionFacts } from '../../src/proxy/acl.js';
import { compileCondition, intMatcher } from '../../src/proxy/acl.js';

const pos = { file: 't.cfg', line: 1, col: 1 };

function facts(
  over: Partial<Record<'src' | 'dst', string>> & {
    srcPort?: number;
    dstPort?: number;
    servers?: number;
  } = {},
): ConnectionFacts {
  return {
    src: () => over.src ?? '10.1.2.3',
    srcPort: () => over.srcPort ?? 40000,
    dst: () => over.dst ?? '127.0.0.1',
    dstPort: () => over.dstPort ?? 6443,
    nbsrv: (b) => (b === 'masters' ? (over.servers ?? 3) : -1),
  };
}

function cond(terms: [string, boolean?][][], negate = false): Condition {
  return {
    pos,
    negate,
    terms: terms.map((and) => and.map(([name, neg]) => ({ name, negate: neg ?? false }))),
  };
}

function acl(name: string, criterion: string, ...values: string[]): Acl {
  return { pos, name, criterion, values };
}

describe('use_backend ACL conditions', () => {
  it('src matches addresses and subnets, IPv4 and IPv6, flags ignored', () => {
    const acls = [
      acl('lan', 'src', '-n', '10.0.0.0/8', '2001:db8::/32'),
      acl('one', 'src', '192.0.2.7'),
    ];
    const c = compileCondition(cond([[['lan']]]), acls);
    assert.equal(c.test(facts({ src: '10.200.0.1' })), true);
    assert.equal(c.test(facts({ src: '11.0.0.1' })), false);
    assert.equal(c.test(facts({ src: '2001:db8::5' })), true);
    const one = compileCondition(cond([[['one']]]), acls);
    assert.equal(one.test(facts({ src: '192.0.2.7' })), true);
    assert.equal(one.test(facts({ src: '192.0.2.8' })), false);
    assert.deepEqual(c.unsupported, []);
  });

  it('dst_port: values, ranges and operators; dst subnets', () => {
    const m = intMatcher(['80', '1024:2047', 'ge', '9000']);
    assert.deepEqual([79, 80, 1024, 2047, 2048, 8999, 9000, 65535].map(m), [
      false,
      true,
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
    const c = compileCondition(cond([[['{ dst_port 6443 }'], ['{ dst 127.0.0.0/8 }']]]), []);
    assert.equal(c.test(facts()), true);
    assert.equal(c.test(facts({ dstPort: 443 })), false);
    assert.equal(c.test(facts({ dst: '198.51.100.1' })), false);
  });

  it('and binds tighter than or; ! negates a term; unless negates the whole', () => {
    const acls = [
      acl('a', 'src', '10.0.0.0/8'),
      acl('b', 'dst_port', '6443'),
      acl('c', 'src_port', ':1023'),
    ];
    // a && !b || c
    const t: [string, boolean?][][] = [[['a'], ['b', true]], [['c']]];
    const c = compileCondition(cond(t), acls);
    assert.equal(c.test(facts({ dstPort: 443 })), true);
    assert.equal(c.test(facts()), false);
    assert.equal(c.test(facts({ srcPort: 1000 })), true);
    const u = compileCondition(cond(t, true), acls);
    assert.equal(u.test(facts({ dstPort: 443 })), false);
    assert.equal(u.test(facts()), true);
  });

  it('an ACL declared twice matches when either declaration does', () => {
    const acls = [acl('x', 'src', '10.0.0.0/8'), acl('x', 'dst_port', '22')];
    const c = compileCondition(cond([[['x']]]), acls);
    assert.equal(c.test(facts({ src: '192.0.2.1', dstPort: 22 })), true);
    assert.equal(c.test(facts({ src: '192.0.2.1' })), false);
  });

  it('nbsrv(backend) compares the usable servers of that backend', () => {
    const c = compileCondition(cond([[['{ nbsrv(masters) lt 1 }']]]), []);
    assert.equal(c.test(facts({ servers: 0 })), true);
    assert.equal(c.test(facts({ servers: 2 })), false);
  });

  it('TRUE, FALSE, LOCALHOST, ssl_fc (false: no TLS termination)', () => {
    assert.equal(compileCondition(cond([[['TRUE']]]), []).test(facts()), true);
    assert.equal(compileCondition(cond([[['FALSE']]]), []).test(facts()), false);
    const lh = compileCondition(cond([[['LOCALHOST']]]), []);
    assert.equal(lh.test(facts({ src: '127.0.0.9' })), true);
    assert.equal(lh.test(facts({ src: '::1' })), true);
    assert.equal(lh.test(facts()), false);
    assert.equal(compileCondition(cond([[['{ ssl_fc }']]]), []).test(facts()), false);
    assert.equal(compileCondition(cond([[['{ ssl_fc }', true]]]), []).test(facts()), true);
  });

  it('criteria a TCP connection cannot answer never match and are reported', () => {
    const acls = [acl('sni', 'req.ssl_sni', '-i', 'api.example')];
    const c = compileCondition(cond([[['sni']], [['{ path_beg /api }']], [['HTTP']]]), acls);
    assert.equal(c.test(facts()), false);
    assert.deepEqual(c.unsupported, ['req.ssl_sni', 'path_beg', 'HTTP']);
  });
});
