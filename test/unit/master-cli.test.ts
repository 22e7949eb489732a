// The master CLI (`-S`) on a scripted port: HAProxy 2.6's `show proc` layout, `@<n>` /
// `@!<pid>` / `@master` routing, the answers HAProxy gives to unknown targets and to
// `reload`, and `;` lists; plus the sockaddr of an abstract $NOTIFY_SOCKET.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sockaddrUnNotify } from '../../src/os/linux-abi.js';
import type { MasterCliPort } from '../../src/proxy/cli-socket/master-cli.js';
import {
  MasterCliSession,
  procUptime,
  renderShowProc,
  splitPieces,
} from '../../src/proxy/cli-socket/master-cli.js';

function port(): MasterCliPort & { forwarded: [number, string][]; reloads: number } {
  const forwarded: [number, string][] = [];
  const p = {
    forwarded,
    reloads: 0,
    master: () => ({ pid: 100, reloads: 2, failedReloads: 1, startedAt: 0, version: '2.6-x' }),
    workers: () => [
      { pid: 101, reloads: 0, startedAt: 60_000, version: '2.6-x' },
      { pid: 102, reloads: 0, startedAt: 3_600_000, version: '2.6-x' },
    ],
    forward: async (w: { pid: number }, command: string) => {
      forwarded.push([w.pid, command]);
      return `answer of ${w.pid} to ${command}\n\n`;
    },
    reload: () => {
      p.reloads++;
    },
    now: () => 90_061_000,
  };
  return p;
}

describe('master CLI', () => {
  it('show proc: HAProxy 2.6 columns, master then workers', () => {
    const lines = renderShowProc(port()).split('\n');
    assert.equal(
      lines[0],
      '#<PID>          <type>          <reloads>       <uptime>        <version>      ',
    );
    assert.match(lines[1]!, /^100 {13}master {10}2 \[failed: 1\] {3}1d01h01m01s {5}2\.6-x/);
    assert.equal(lines[2], '# workers');
    assert.match(lines[3]!, /^101 {13}worker {10}0 {15}1d01h00m01s {5}2\.6-x/);
    assert.match(lines[4]!, /^102 {13}worker/);
    assert.equal(lines[5], '# programs');
    assert.equal(procUptime(5000), '0d00h00m05s');
  });

  it('routes @n, @!pid and @master; unknown targets answered as HAProxy does', async () => {
    const p = port();
    const s = new MasterCliSession(p);
    assert.equal(await s.line('@1 show info'), 'answer of 101 to show info\n\n');
    assert.equal(await s.line('@2 show stat'), 'answer of 102 to show stat\n\n');
    assert.equal(
      await s.line('@!102 show servers state'),
      'answer of 102 to show servers state\n\n',
    );
    assert.equal(
      await s.line('@3 show info'),
      "Can't find the target PID matching the prefix '@3'\n",
    );
    assert.equal(
      await s.line('@!999 show info'),
      "Can't find the target PID matching the prefix '@!999'\n",
    );
    assert.equal(await s.line('@master show version'), '2.6-x\n\n');
    assert.equal(await s.line('show version'), '2.6-x\n\n');
    assert.deepEqual(p.forwarded, [
      [101, 'show info'],
      [102, 'show stat'],
      [102, 'show servers state'],
    ]);
  });

  it('a ; list runs each command against its own target; escapes stay for the worker', async () => {
    const p = port();
    const s = new MasterCliSession(p);
    const out = await s.line('show version; @1 set server be/s1 state maint; @2 show info');
    assert.equal(
      out,
      '2.6-x\n\nanswer of 101 to set server be/s1 state maint\n\nanswer of 102 to show info\n\n',
    );
    assert.deepEqual(splitPieces('a\\;b;c'), ['a\\;b', 'c']);
  });

  it('reload calls the port and answers nothing; help and unknown commands list the table', async () => {
    const p = port();
    const s = new MasterCliSession(p);
    assert.equal(await s.line('reload'), '');
    assert.equal(p.reloads, 1);
    assert.match(
      await s.line('help'),
      /^The following commands are valid at this level:\n {2}@!<pid> /,
    );
    const unknown = await s.line('show info');
    assert.match(
      unknown,
      /^Unknown command, but maybe one of the following ones is a better match:\n/,
    );
    assert.match(unknown, /show proc/);
    assert.deepEqual(p.forwarded, [], 'a bare command goes to the master, not a worker');
  });

  it('prompt mode: a bare @n becomes the default target', async () => {
    const p = port();
    const s = new MasterCliSession(p);
    assert.equal(await s.line('prompt'), '\nmaster> ');
    assert.equal(await s.line('@2'), '2> ');
    assert.equal(await s.line('show info'), 'answer of 102 to show info\n\n2> ');
    assert.equal(await s.line('quit'), '');
    assert.equal(s.closed, true);
  });
});

describe('NOTIFY_SOCKET address', () => {
  it('a path is NUL-terminated; @name is abstract (leading NUL, no terminator)', () => {
    assert.deepEqual([...sockaddrUnNotify('/run/x')], [1, 0, ...Buffer.from('/run/x'), 0]);
    assert.deepEqual([...sockaddrUnNotify('@sd')], [1, 0, 0, ...Buffer.from('sd')]);
  });
});

describe('-S argument', () => {
  it('path or address with stats-socket options; a level below admin is refused', async () => {
    const { parseMasterSocketArg } = await import('../../src/proxy/cli-socket/master-socket.js');
    assert.deepEqual(parseMasterSocketArg('/run/haproxy-master.sock'), {
      address: { kind: 'unix', path: '/run/haproxy-master.sock' },
      options: {},
    });
    assert.deepEqual(parseMasterSocketArg('/run/m.sock,mode,600,level,admin'), {
      address: { kind: 'unix', path: '/run/m.sock' },
      options: { mode: '600', level: 'admin' },
    });
    assert.match(
      String(parseMasterSocketArg('/run/m.sock,level,user')),
      /does not apply 'level user'/,
    );
    assert.match(String(parseMasterSocketArg('/run/m.sock,bogus,1')), /unsupported option 'bogus'/);
    assert.match(String(parseMasterSocketArg('/run/m.sock,mode')), /expects a value/);
  });
});

describe('master CLI fuzz', () => {
  it('any line is answered with text, never a throw; @ prefixes route or are refused', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom(
              '@',
              '@!',
              '@master',
              '@1',
              '@2',
              '@!101',
              ';',
              '\\',
              ' ',
              'show',
              'proc',
              'help',
              'prompt',
              'reload',
              'quit',
            ),
            fc.string({ maxLength: 6 }),
          ),
          { maxLength: 12 },
        ),
        async (parts) => {
          const p = port();
          const s = new MasterCliSession(p);
          const out = await s.line(parts.join(''));
          assert.equal(typeof out, 'string');
          for (const [pid] of p.forwarded) assert.ok(pid === 101 || pid === 102);
        },
      ),
      { numRuns: 400 },
    );
  });
});
