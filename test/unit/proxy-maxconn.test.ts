// The global maxconn HAProxy 2.6 derives when none is set: each case is a config and fd
// limit the real 2.6.12 was started with, and the `Maxconn` its `show info` printed.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { derivedMaxconn } from '../../src/proxy/maxconn.js';

function config(global: string, binds: string, servers: string) {
  const text = `global\n    stats socket /tmp/m.sock\n${global}defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n${binds}    default_backend be\nbackend be\n${servers}`;
  const r = parseHaproxy([{ path: 'm.cfg', text }], { env: {} });
  assert.ok(r.config);
  return r.config;
}

const BIND = '    bind 127.0.0.1:18403\n';
const S1 = '    server s1 127.0.0.1:18409\n';

describe('derived global maxconn (HAProxy 2.6.12 on 2 CPUs)', () => {
  const cases: [string, number, string, string, string, number][] = [
    ['ulimit 1024', 1024, '', BIND, S1, 498],
    ['nbthread 1', 1024, '    nbthread 1\n', BIND, S1, 499],
    ['nbthread 4', 1024, '    nbthread 4\n', BIND, S1, 495],
    [
      'three binds',
      1024,
      '',
      `${BIND}    bind 127.0.0.1:18404\n    bind 127.0.0.1:18405\n`,
      S1,
      497,
    ],
    [
      'two checks',
      1024,
      '',
      BIND,
      '    server s1 127.0.0.1:18409 check\n    server s2 127.0.0.1:18410 check\n',
      497,
    ],
    ['two servers, no check', 1024, '', BIND, `${S1}    server s2 127.0.0.1:18410\n`, 498],
    ['two stats sockets', 1024, '    stats socket /tmp/m2.sock\n', BIND, S1, 497],
    ['ulimit 4096', 4096, '', BIND, S1, 2034],
    ['ulimit 20000', 20000, '', BIND, S1, 9986],
    [
      'ulimit-n 3000 in the config changes nothing',
      20000,
      '    ulimit-n 3000\n',
      BIND,
      '    server s1 127.0.0.1:18409 check\n',
      9985,
    ],
    [
      'a bind line with two addresses, nbthread 3',
      20000,
      '    nbthread 3\n',
      '    bind 127.0.0.1:18403,127.0.0.1:18404\n',
      '    server s1 127.0.0.1:18409 check\n    server s2 127.0.0.1:18410 check\n',
      9983,
    ],
  ];
  for (const [name, fdLimit, global, binds, servers, want] of cases)
    it(`${name}: ${want}`, () => {
      assert.equal(derivedMaxconn(config(global, binds, servers), { fdLimit, cpus: 2 }), want);
    });

  it('an unknown descriptor limit gives 0 (no limit)', () => {
    assert.equal(derivedMaxconn(config('', BIND, S1), { fdLimit: 0, cpus: 2 }), 0);
  });
});
