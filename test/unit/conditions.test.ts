// `.if` conditions and `halo proxy -cc`, with the exit codes HAProxy 2.6 gives `-cc`
// (0 true, 1 false or empty, 2 unparsable: seen with /usr/sbin/haproxy on this machine kind).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandIO } from '../../src/cli/command.js';
import { proxyCommand } from '../../src/cli/commands/proxy.js';
import { evalCondition } from '../../src/config/haproxy/directives.js';

async function cc(cond: string, env: Record<string, string> = {}) {
  let err = '';
  const io: CommandIO = {
    stdout: () => {},
    stderr: (t) => {
      err += t;
    },
    env,
    cwd: '/',
  };
  return { code: await proxyCommand.run(['-cc', cond], io), err };
}

describe('conditions', () => {
  it('terms, !, parentheses, && before ||', () => {
    const env = { HOME: '/root' };
    const table: [string, boolean | undefined][] = [
      ['version_atleast(2.4)', true],
      ['version_atleast(2.7)', false],
      ['version_before(2.7-dev0)', true],
      ['defined(HOME)', true],
      ['defined(NOPE)', false],
      ['streq(a,a)', true],
      ['strneq(a,a)', false],
      ['1', true],
      ['0', false],
      ['', false],
      ['!0', true],
      ['streq(a,a) && feature(OPENSSL)', true],
      ['0 || 1 && 0', false],
      ['1 || 0 && 0', true],
      ['(1 || 0) && 0', false],
      ['!(defined(NOPE) || 0)', true],
      ['bogus(1)', undefined],
      ['1 &&', undefined],
      ['(1', undefined],
      ['1 1', undefined],
    ];
    for (const [expr, want] of table) assert.equal(evalCondition(expr, env), want, expr);
  });

  it('feature() is true for what halo has, not for LUA, PCRE2 or ZLIB', () => {
    assert.deepEqual(
      ['OPENSSL', 'THREAD', 'PROMEX', 'LUA', 'PCRE2', 'ZLIB'].map((f) =>
        evalCondition(`feature(${f})`, {}),
      ),
      [true, true, true, false, false, false],
    );
  });

  it('halo proxy -cc exits 0, 1, or 2 with the alert for an unparsable one', async () => {
    assert.equal((await cc('version_atleast(2.4)')).code, 0);
    assert.equal((await cc('feature(LUA)')).code, 1);
    assert.equal((await cc('')).code, 1);
    assert.equal((await cc('defined(X)', { X: '1' })).code, 0);
    const bad = await cc('bogus(1)');
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      /config : Failed to evaluate condition: unparsable conditional expression 'bogus\(1\)'/,
    );
  });
});
